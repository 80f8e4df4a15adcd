/**
 * The bootstrap program: what one jurisdiction of an AWS account and the GitHub repository need
 * before CI can deploy the InfraSage stacks. Only wiring: names, documents and settings come from
 * ./lib (pure, tested without Pulumi). Run once with an admin's credentials
 * (docs/deploying.md "From zero to deployed").
 */
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import * as github from "@pulumi/github";
import { BootstrapConfigError, parseBootstrapConfig, type BootstrapConfig } from "./lib/config";
import {
  BOOTSTRAP_PATH,
  GITHUB_OIDC_URL,
  OIDC_AUDIENCE,
  boundaryPolicyName,
  connectionName,
  deployRoleName,
  oidcProviderArn,
  previewRoleName,
  secretsKeyAlias,
  stateBucketName,
  stateKeyAlias,
} from "./lib/names";
import { deployTrust, previewTrust } from "./lib/trust";
import { boundaryPolicy, deployPolicy, previewPolicy, type StateAccess } from "./lib/policies";
import { encryption, keySettings, LIFECYCLE, PUBLIC_ACCESS_BLOCK, tlsOnlyPolicy, VERSIONING } from "./lib/state-bucket";
import { DEPLOY_BRANCH, branchProtection, environments, repositoryVariables, requiredCheckName } from "./lib/github";
import { connectionApproval, programStackSettings } from "./lib/outputs";

/** The repository's workflows (branch protection requires their `checks` job by its name). */
const WORKFLOWS_DIR = join(__dirname, "..", ".github", "workflows");

function loadBootstrapConfig(): BootstrapConfig {
  const stack = pulumi.getStack();
  try {
    return parseBootstrapConfig(`bootstrap/Pulumi.${stack}.yaml`, stack, pulumi.runtime.allConfig());
  } catch (e) {
    // RunError: the CLI prints the message without a stack trace.
    if (e instanceof BootstrapConfigError) throw new pulumi.RunError(e.message);
    throw e;
  }
}

const json = (doc: unknown): string => JSON.stringify(doc);

export function defineBootstrap(): Record<string, pulumi.Input<unknown>> {
  const c = loadBootstrapConfig();
  const tags = { "infrasage.io/managed-by": "bootstrap", "infrasage.io/jurisdiction": c.jurisdiction };
  const aws_ = new aws.Provider("aws", { region: c.region, defaultTags: { tags } });
  const opts = { provider: aws_ };
  // Stateful or trusted by others: never deleted by a mistaken up.
  const keep = { provider: aws_, protect: true };

  // The account's GitHub OIDC provider (IAM is global: the primary stack creates it, the others trust it).
  // No thumbprint: for GitHub, IAM validates with its own trusted CA library and ignores thumbprints
  // (@pulumi/aws iam/openIdConnectProvider.d.ts thumbprintList; IAM User Guide, "Create an OIDC identity provider").
  const oidc = c.primary
    ? new aws.iam.OpenIdConnectProvider("github-oidc", { url: GITHUB_OIDC_URL, clientIdLists: [OIDC_AUDIENCE] }, keep)
    : undefined;
  // IAM names the provider by its host, so the trust documents are known at preview (and checked by
  // the pack there); a role trusting the provider is created after it.
  const providerArn = oidcProviderArn(c.account);
  const trustOpts = oidc ? { ...opts, dependsOn: [oidc] } : opts;

  const boundary = new aws.iam.Policy(
    "deploy-boundary",
    {
      name: boundaryPolicyName(c.jurisdiction),
      path: BOOTSTRAP_PATH,
      policy: json(boundaryPolicy(c.account)),
      description: "Ceiling of every role the InfraSage deploy roles create",
    },
    opts,
  );

  // The jurisdiction's state backend: bucket and keys in its home region.
  let state: { bucket: aws.s3.Bucket; stateKey: aws.kms.Key; secretsKey: aws.kms.Key } | undefined;
  if (c.stateBackend === "per-jurisdiction") {
    const name = stateBucketName(c.jurisdiction, c.account);
    const stateKey = new aws.kms.Key(
      "state-key",
      keySettings(`Pulumi state of the InfraSage stacks (${c.jurisdiction})`),
      keep,
    );
    new aws.kms.Alias("state-key-alias", { name: stateKeyAlias(c.jurisdiction), targetKeyId: stateKey.keyId }, opts);
    const secretsKey = new aws.kms.Key(
      "secrets-key",
      keySettings(`Pulumi secrets provider of the InfraSage stacks (${c.jurisdiction})`),
      keep,
    );
    new aws.kms.Alias(
      "secrets-key-alias",
      { name: secretsKeyAlias(c.jurisdiction), targetKeyId: secretsKey.keyId },
      opts,
    );
    const bucket = new aws.s3.Bucket("state", { bucket: name }, keep);
    new aws.s3.BucketVersioning("state-versioning", { bucket: bucket.id, versioningConfiguration: VERSIONING }, opts);
    new aws.s3.BucketServerSideEncryptionConfiguration(
      "state-encryption",
      { ...encryption(stateKey.arn), bucket: bucket.id },
      opts,
    );
    new aws.s3.BucketPublicAccessBlock("state-public-access", { ...PUBLIC_ACCESS_BLOCK, bucket: bucket.id }, opts);
    new aws.s3.BucketPolicy("state-tls-only", { bucket: bucket.id, policy: json(tlsOnlyPolicy(name)) }, opts);
    new aws.s3.BucketLifecycleConfiguration("state-lifecycle", { ...LIFECYCLE, bucket: bucket.id }, opts);
    state = { bucket, stateKey, secretsKey };
  }
  // What both roles may do with the state backend (none with a shared backend).
  const stateAccess: pulumi.Output<StateAccess | undefined> = state
    ? pulumi
        .all([state.stateKey.arn, state.secretsKey.arn])
        .apply(([a, b]) => ({ bucket: stateBucketName(c.jurisdiction, c.account), keyArns: [a, b] }))
    : pulumi.output(undefined);

  const deployRoles: Record<string, pulumi.Output<string>> = {};
  const previewRoles: Record<string, pulumi.Output<string>> = {};
  const connections: Record<string, pulumi.Output<string>> = {};
  const connectionStatus: Record<string, pulumi.Output<string>> = {};
  for (const region of c.regions) {
    const stacks = c.stacks.filter((s) => s.region === region).map((s) => s.stack);
    const regions = [...new Set([region, ...c.linkRegions])];
    const deploy = new aws.iam.Role(
      `deploy-${region}`,
      {
        name: deployRoleName(region),
        path: BOOTSTRAP_PATH,
        description: `InfraSage pulumi up in ${region} (GitHub environments ${stacks.join(", ")})`,
        assumeRolePolicy: json(deployTrust(providerArn, c.owner, c.repo, stacks)),
      },
      trustOpts,
    );
    new aws.iam.RolePolicy(
      `deploy-${region}`,
      {
        role: deploy.name,
        policy: pulumi
          .all([boundary.arn, stateAccess])
          .apply(([boundaryArn, s]) =>
            json(deployPolicy({ account: c.account, regions, boundaryArn, ...(s ? { state: s } : {}) })),
          ),
      },
      opts,
    );
    const preview = new aws.iam.Role(
      `preview-${region}`,
      {
        name: previewRoleName(region),
        path: BOOTSTRAP_PATH,
        description: `InfraSage read-only preview and drift check in ${region}`,
        assumeRolePolicy: json(previewTrust(providerArn, c.owner, c.repo)),
      },
      trustOpts,
    );
    new aws.iam.RolePolicy(
      `preview-${region}`,
      {
        role: preview.name,
        policy: stateAccess.apply((s) =>
          json(previewPolicy({ account: c.account, regions, ...(s ? { state: s } : {}) })),
        ),
      },
      opts,
    );
    // The CI runner's connection to GitHub. AWS creates it PENDING: someone approves it once in the console.
    const connection = new aws.codeconnections.Connection(
      `github-${region}`,
      { name: connectionName(region), providerType: "GitHub", region },
      keep,
    );
    deployRoles[region] = deploy.arn;
    previewRoles[region] = preview.arn;
    connections[region] = connection.arn;
    connectionStatus[region] = connection.connectionStatus;
  }

  // GitHub: environments, variables, branch protection (token: GITHUB_TOKEN of a repository admin).
  const gh = new github.Provider("github", { owner: c.owner });
  const ghOpts = { provider: gh };
  for (const env of environments(c)) {
    const e = new github.RepositoryEnvironment(
      `env-${env.environment}`,
      {
        repository: c.repo,
        environment: env.environment,
        reviewers: [env.reviewers],
        preventSelfReview: env.preventSelfReview,
        canAdminsBypass: env.canAdminsBypass,
        deploymentBranchPolicy: env.deploymentBranchPolicy,
      },
      ghOpts,
    );
    new github.RepositoryEnvironmentDeploymentPolicy(
      `env-${env.environment}-${DEPLOY_BRANCH}`,
      { repository: c.repo, environment: e.environment, branchPattern: env.branchPattern },
      ghOpts,
    );
  }
  const variables = repositoryVariables(c, { deploy: (r) => deployRoles[r]!, preview: (r) => previewRoles[r]! });
  for (const [variableName, value] of Object.entries(variables)) {
    new github.ActionsVariable(`var-${variableName}`, { repository: c.repo, variableName, value }, ghOpts);
  }
  if (c.primary) {
    // Code-owner review: the committed .github/CODEOWNERS names who owns policies/ and bootstrap/.
    new github.BranchProtection(
      "main",
      { repositoryId: c.repo, ...branchProtection(requiredCheckName(WORKFLOWS_DIR)) },
      ghOpts,
    );
  }

  return {
    jurisdiction: c.jurisdiction,
    deployRoleArns: deployRoles,
    previewRoleArns: previewRoles,
    permissionsBoundaryArn: boundary.arn,
    connectionArns: connections,
    connectionStatus,
    connectionApproval: connectionApproval(c.regions.map((r) => ({ region: r, name: connectionName(r) }))),
    ...(state ? { stateBucket: state.bucket.bucket } : {}),
    repositoryVariables: Object.keys(variables),
    // What each program stack file sets: the fixed names, plus the connection's ARN (AWS picks its id).
    programStacks: programStackSettings(c).map((p) => ({
      ...p,
      config: {
        ...p.config,
        "infrasage:deploy.repository": `${c.owner}/${c.repo}`,
        "infrasage:deploy.connectionArn": connections[p.region]!,
      },
    })),
  };
}
