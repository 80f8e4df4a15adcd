/**
 * The region's own CI runner: a CodeBuild-hosted GitHub Actions runner in the stack's private
 * subnets, the only place outside the cluster that may reach its private API server (port 443 on the
 * cluster security group). The runner's role can write its logs, attach to the VPC and use the GitHub
 * connection, nothing more: jobs assume the region's deploy or preview role through GitHub OIDC.
 * Names and documents come from lib/deploy/deploy-path.ts; this file only wires resources.
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "../aws/sdk";
import {
  API_SERVER_PORT,
  RUNNER_COMPUTE,
  RUNNER_IMAGE,
  RUNNER_LOG_RETENTION_DAYS,
  codebuildRunnerPolicy,
  codebuildTrustPolicy,
  repositoryUrl,
  runnerProjectName,
} from "../../lib/deploy/deploy-path";

export interface DeployRunnerArgs {
  /** Stack name: names the CodeBuild project the workflows select (`codebuild-<project>-<run>-<attempt>`). */
  readonly stack: string;
  /** GitHub `owner/repo` whose workflow jobs the runner takes. */
  readonly repository: string;
  /** AWS CodeConnections connection to GitHub. */
  readonly connectionArn: string;
  readonly vpcId: pulumi.Input<string>;
  /** Private subnets (one per AZ): the runner's network interfaces, beside the cluster's. */
  readonly privateSubnetIds: pulumi.Input<string>[];
  /** The EKS cluster security group: the runner gets the API server port on it. */
  readonly clusterSecurityGroupId: pulumi.Input<string>;
  readonly region: string;
  readonly tags: Readonly<Record<string, string>>;
  /** KMS key of the runner's build-log group. @default the CloudWatch Logs service key */
  readonly logsKmsKeyArn?: pulumi.Input<string>;
}

export class DeployRunner extends pulumi.ComponentResource {
  /** The CodeBuild project's name (part of the runs-on label). */
  public readonly projectName: pulumi.Output<string>;
  public readonly securityGroupId: pulumi.Output<string>;

  constructor(name: string, args: DeployRunnerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("infrasage:deploy:DeployRunner", name, {}, opts);
    const parent = { parent: this };
    const tags = { ...args.tags, Purpose: "ci-runner" };
    const account = aws.getCallerIdentityOutput({}, parent);

    // Egress on 443 only (GitHub, the npm registry, AWS and Pulumi APIs through the NAT, the API server).
    const sg = new aws.ec2.SecurityGroup(
      `${name}-sg`,
      {
        vpcId: args.vpcId,
        description: `CI runner of stack ${args.stack}: HTTPS out only`,
        egress: [
          {
            protocol: "tcp",
            fromPort: API_SERVER_PORT,
            toPort: API_SERVER_PORT,
            cidrBlocks: ["0.0.0.0/0"],
            description: "HTTPS",
          },
        ],
        tags,
      },
      parent,
    );
    new aws.vpc.SecurityGroupIngressRule(
      `${name}-api-server`,
      {
        securityGroupId: args.clusterSecurityGroupId,
        referencedSecurityGroupId: sg.id,
        ipProtocol: "tcp",
        fromPort: API_SERVER_PORT,
        toPort: API_SERVER_PORT,
        description: `Kubernetes API from the CI runner of ${args.stack}`,
        tags,
      },
      parent,
    );

    const logs = new aws.cloudwatch.LogGroup(
      `${name}-logs`,
      {
        retentionInDays: RUNNER_LOG_RETENTION_DAYS,
        ...(args.logsKmsKeyArn ? { kmsKeyId: args.logsKmsKeyArn } : {}),
        tags,
      },
      parent,
    );
    const subnetArns = pulumi
      .all([account.accountId, ...args.privateSubnetIds])
      .apply(([accountId, ...ids]) => ids.map((id) => `arn:aws:ec2:${args.region}:${accountId}:subnet/${id}`));
    const role = new aws.iam.Role(
      `${name}-role`,
      {
        assumeRolePolicy: account.accountId.apply((id) => JSON.stringify(codebuildTrustPolicy(id))),
        inlinePolicies: [
          {
            name: "runner",
            policy: pulumi.all([logs.arn, subnetArns, account.accountId]).apply(([logGroupArn, arns, accountId]) =>
              JSON.stringify(
                codebuildRunnerPolicy({
                  logGroupArn,
                  connectionArn: args.connectionArn,
                  subnetArns: arns,
                  region: args.region,
                  accountId,
                }),
              ),
            ),
          },
        ],
        tags,
      },
      parent,
    );

    const project = new aws.codebuild.Project(
      `${name}-project`,
      {
        name: runnerProjectName(args.stack),
        description: `GitHub Actions runner for ${args.repository}, inside the network of stack ${args.stack}`,
        serviceRole: role.arn,
        source: {
          type: "GITHUB",
          location: repositoryUrl(args.repository),
          auth: { type: "CODECONNECTIONS", resource: args.connectionArn },
        },
        artifacts: { type: "NO_ARTIFACTS" },
        environment: {
          type: "LINUX_CONTAINER",
          image: RUNNER_IMAGE,
          computeType: RUNNER_COMPUTE,
          imagePullCredentialsType: "CODEBUILD",
          privilegedMode: false,
        },
        vpcConfig: { vpcId: args.vpcId, subnets: args.privateSubnetIds, securityGroupIds: [sg.id] },
        logsConfig: { cloudwatchLogs: { groupName: logs.name, status: "ENABLED" } },
        buildTimeout: 120,
        tags,
      },
      parent,
    );
    new aws.codebuild.Webhook(
      `${name}-webhook`,
      {
        projectName: project.name,
        buildType: "BUILD",
        filterGroups: [{ filters: [{ type: "EVENT", pattern: "WORKFLOW_JOB_QUEUED" }] }],
      },
      parent,
    );

    this.projectName = project.name;
    this.securityGroupId = sg.id;
    this.registerOutputs({ projectName: this.projectName, securityGroupId: this.securityGroupId });
  }
}
