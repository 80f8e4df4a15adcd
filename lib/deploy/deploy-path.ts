/**
 * How CI reaches a region's cluster: the one deploy path a stack is configured with, the names the
 * program and the workflows share for it, and what makes a path unable to reach a private endpoint.
 * Pure: no Pulumi import.
 *
 * The cluster endpoint is private by default, and the same `pulumi up` that creates the cluster talks
 * to its API server (Helm release, Secrets, storage classes). So `pulumi up` and `pulumi preview` run
 * inside the region's network: on a CodeBuild-hosted GitHub Actions runner that the stack itself
 * creates in its private subnets (AWS CodeBuild user guide, "Self-hosted GitHub Actions runners in
 * AWS CodeBuild": a project with a WORKFLOW_JOB_QUEUED webhook; jobs select it with the label
 * `codebuild-<project>-${{ github.run_id }}-${{ github.run_attempt }}`), or on the team's own runner
 * inside the network. A region's first deploy creates that runner from a GitHub-hosted runner with
 * every Kubernetes resource excluded (`pulumi up --exclude '**pulumi:providers:kubernetes::**'
 * --exclude-dependents`, pulumi >= 3.158): cloud APIs only.
 */
import type { KeyedProblem } from "../rules/problems";

/** `operator`: no CI runner; an operator runs `pulumi up` by hand from inside the network (VPN, bastion). */
type RunnerKind = "codebuild" | "self-hosted" | "github-hosted" | "operator";

export interface DeployConfig {
  /** Where CI runs `pulumi preview`/`up` for this stack. */
  readonly runner: RunnerKind;
  /** codebuild: `owner/repo` of the GitHub repository whose workflow jobs the runner takes. */
  readonly repository?: string;
  /** codebuild: AWS CodeConnections connection to GitHub (created once per account, then approved in the console). */
  readonly connectionArn?: string;
  /** self-hosted: the runner's label (runs-on). */
  readonly runnerLabel?: string;
  /**
   * self-hosted, operator: private CIDRs the runner's (operator's) traffic comes from (allowed to the API server on
   * 443).
   */
  readonly runnerCidrs: readonly string[];
  /** Read-only identity of pull-request previews: gets the EKS view access policy. */
  readonly previewRoleArn?: string;
  /** Permissions boundary every IAM role of the program carries (the bootstrap's deploy role requires it). */
  readonly permissionsBoundaryArn?: string;
}

/** EKS access policy of the preview identity: read-only, cluster-wide (storage classes are cluster-scoped). */
export const EKS_VIEW_POLICY_ARN = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy";
/** The API server's port, the only one the runner needs on the cluster security group. */
export const API_SERVER_PORT = 443;
/** CodeBuild image and size of the runner (the job installs Node 22 and the Pulumi CLI itself). */
export const RUNNER_IMAGE = "aws/codebuild/amazonlinux-x86_64-standard:5.0";
export const RUNNER_COMPUTE = "BUILD_GENERAL1_MEDIUM";
/** Days the runner's build logs are kept. */
export const RUNNER_LOG_RETENTION_DAYS = 30;

/** CodeBuild project names: 2-255 characters, letters, digits, '-' and '_', starting alphanumeric. */
const PROJECT_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_-]{1,254}$/;
export const GITHUB_REPOSITORY_RE = /^[A-Za-z0-9-]{1,39}\/[A-Za-z0-9._-]{1,100}$/;
export const CONNECTION_ARN_RE =
  /^arn:aws:(codeconnections|codestar-connections):[a-z0-9-]+:\d{12}:connection\/[0-9a-f-]{36}$/;

/** The runner's CodeBuild project: fixed, because the workflows name it in `runs-on`. */
export function runnerProjectName(stack: string): string {
  const name = `infrasage-deploy-${stack.replace(/[^A-Za-z0-9_-]/g, "-")}`;
  if (!PROJECT_NAME_RE.test(name)) throw new Error(`runner project name ${name} is not a valid CodeBuild project name`);
  return name;
}

/** The GitHub repository URL CodeBuild's webhook is registered on. */
export const repositoryUrl = (repository: string): string => `https://github.com/${repository}.git`;

/** Whether the stack's cluster can only be reached from inside its network. */
export interface Endpoint {
  /** CIDRs allowed to the public endpoint; empty = private endpoint only. */
  readonly publicAccessCidrs: readonly string[];
}

/**
 * What stops the configured deploy path from reaching the cluster's API server (empty: it can).
 * `hasRunner`: whether the plan creates the in-network runner and opens the API server to it.
 */
export function deployPathProblems(d: DeployConfig, endpoint: Endpoint, hasRunner: boolean): KeyedProblem[] {
  const key = (k: string) => `infrasage:deploy.${k}`;
  const problems: KeyedProblem[] = [];
  switch (d.runner) {
    case "github-hosted":
      problems.push(
        endpoint.publicAccessCidrs.length === 0
          ? {
              key: key("runner"),
              message:
                "GitHub-hosted runners are outside every VPC and the cluster endpoint is private: the " +
                "first pulumi up creates the AWS resources, then times out on the first Kubernetes resource",
              fix:
                "use deploy.runner codebuild (a runner in the region's private subnets, " +
                "created by the stack) or self-hosted (your runner inside the network)",
            }
          : {
              key: key("runner"),
              message:
                "GitHub-hosted runners have no fixed addresses: reaching the public endpoint " +
                "from them means allowing GitHub's whole published ranges, i.e. every GitHub user",
              fix:
                "use deploy.runner codebuild or self-hosted; keep " +
                "cluster.publicAccessCidrs for your operators' ranges only",
            },
      );
      break;
    case "codebuild":
      if (!d.repository)
        problems.push({
          key: key("repository"),
          message:
            "is required for the in-network runner (deploy.runner codebuild): " +
            "without a runner, CI cannot reach the private endpoint",
          fix: "set it to the GitHub owner/repo that deploys this stack",
        });
      if (!d.connectionArn)
        problems.push({
          key: key("connectionArn"),
          message:
            "is required for the in-network runner: CodeBuild authenticates " +
            "to GitHub through an AWS CodeConnections connection",
          fix:
            "create the connection once per account (Developer Tools " +
            "> Connections, approve it in GitHub) and set its ARN",
        });
      if (problems.length === 0 && !hasRunner)
        problems.push({
          key: key("runner"),
          message: "the plan creates no runner reaching the API server",
          fix: "report this: the program should create it",
        });
      break;
    case "self-hosted":
      if (!d.runnerLabel)
        problems.push({
          key: key("runnerLabel"),
          message: "is required with deploy.runner self-hosted: the workflows select the runner by it",
          fix: "set it to your in-network runner's label",
        });
      if (d.runnerCidrs.length === 0)
        problems.push({
          key: key("runnerCidrs"),
          message:
            "is required with deploy.runner self-hosted: the cluster's " +
            "security group admits the API server port only from them",
          fix: "list the private CIDRs your runner's traffic comes from",
        });
      else if (!hasRunner)
        problems.push({
          key: key("runnerCidrs"),
          message: "the plan opens the API server to none of them",
          fix: "report this: the program should create the rule",
        });
      break;
    case "operator":
      // By hand from inside the network: the API server must admit where the operator's traffic comes from.
      if (d.runnerCidrs.length === 0 && endpoint.publicAccessCidrs.length === 0) {
        problems.push({
          key: key("runnerCidrs"),
          message:
            "is required with deploy.runner operator and a private endpoint: the cluster's " +
            "security group admits the API server port only from the ranges listed",
          fix:
            "list the private CIDRs your traffic comes from inside the " +
            "network (VPN clients, bastion subnet), e.g. 10.10.200.0/24",
        });
      } else if (d.runnerCidrs.length > 0 && !hasRunner) {
        problems.push({
          key: key("runnerCidrs"),
          message: "the plan opens the API server to none of them",
          fix: "report this: the program should create the rule",
        });
      }
      break;
  }
  return problems;
}

/** Trust policy of the runner's CodeBuild service role (confused-deputy guard: this account only). */
export function codebuildTrustPolicy(accountId: string): object {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Service: "codebuild.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: { StringEquals: { "aws:SourceAccount": accountId } },
      },
    ],
  };
}

/**
 * What the runner itself may do: write its logs, attach to the VPC, use the GitHub connection.
 * Nothing else: the deploy job assumes the region's deploy role through GitHub OIDC.
 */
export function codebuildRunnerPolicy(p: {
  logGroupArn: string;
  connectionArn: string;
  subnetArns: readonly string[];
  region: string;
  accountId: string;
}): object {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
        Resource: [p.logGroupArn, `${p.logGroupArn}:*`],
      },
      {
        // Builds in a VPC (CodeBuild user guide, "Allow CodeBuild to access AWS services to create a VPC network
        // interface").
        Effect: "Allow",
        Action: [
          "ec2:CreateNetworkInterface",
          "ec2:DescribeDhcpOptions",
          "ec2:DescribeNetworkInterfaces",
          "ec2:DeleteNetworkInterface",
          "ec2:DescribeSubnets",
          "ec2:DescribeSecurityGroups",
          "ec2:DescribeVpcs",
        ],
        Resource: "*",
      },
      {
        Effect: "Allow",
        Action: "ec2:CreateNetworkInterfacePermission",
        Resource: `arn:aws:ec2:${p.region}:${p.accountId}:network-interface/*`,
        Condition: {
          StringEquals: { "ec2:AuthorizedService": "codebuild.amazonaws.com" },
          ArnEquals: { "ec2:Subnet": [...p.subnetArns] },
        },
      },
      {
        Effect: "Allow",
        Action: [
          "codeconnections:GetConnectionToken",
          "codeconnections:GetConnection",
          "codeconnections:UseConnection",
          "codestar-connections:GetConnectionToken",
          "codestar-connections:GetConnection",
          "codestar-connections:UseConnection",
        ],
        Resource: p.connectionArn,
      },
    ],
  };
}
