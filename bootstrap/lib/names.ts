/**
 * Every name and ARN the bootstrap creates, and the repository variable names the workflows read:
 * pure, so the program stacks, the plan and the tests compute the same strings.
 */
import { GITHUB_OIDC_HOST, OIDC_AUDIENCE } from "../../policies/shared/github-oidc";

export { GITHUB_OIDC_HOST, OIDC_AUDIENCE };

/** IAM path of every role and policy the bootstrap creates: the deploy roles may not touch it. */
export const BOOTSTRAP_PATH = "/infrasage-bootstrap/";
export const GITHUB_OIDC_URL = `https://${GITHUB_OIDC_HOST}`;

/** The account's one GitHub OIDC provider (IAM names it by its host). */
export const oidcProviderArn = (account: string): string => `arn:aws:iam::${account}:oidc-provider/${GITHUB_OIDC_HOST}`;

export const deployRoleName = (region: string): string => `infrasage-deploy-${region}`;
export const previewRoleName = (region: string): string => `infrasage-preview-${region}`;
const roleArn = (account: string, name: string): string => `arn:aws:iam::${account}:role${BOOTSTRAP_PATH}${name}`;
/** What a program stack sets as `infrasage:deploy.previewRoleArn`. */
export const previewRoleArn = (account: string, region: string): string => roleArn(account, previewRoleName(region));
export const deployRoleArn = (account: string, region: string): string => roleArn(account, deployRoleName(region));

/** The permissions boundary every role the deploy role creates must carry (one per jurisdiction stack). */
export const boundaryPolicyName = (jurisdiction: string): string => `infrasage-boundary-${jurisdiction.toLowerCase()}`;
export const boundaryPolicyArn = (account: string, jurisdiction: string): string =>
  `arn:aws:iam::${account}:policy${BOOTSTRAP_PATH}${boundaryPolicyName(jurisdiction)}`;

/** S3 bucket names are global: the account id keeps two installs apart. */
export const stateBucketName = (jurisdiction: string, account: string): string =>
  `infrasage-pulumi-state-${jurisdiction.toLowerCase()}-${account}`;
export const stateKeyAlias = (jurisdiction: string): string =>
  `alias/infrasage-pulumi-state-${jurisdiction.toLowerCase()}`;
export const secretsKeyAlias = (jurisdiction: string): string =>
  `alias/infrasage-pulumi-secrets-${jurisdiction.toLowerCase()}`;
/** `pulumi login` URL of a self-managed S3 backend (pulumi docs, "State and backends": s3://bucket?region=). */
export const backendUrl = (bucket: string, region: string): string => `s3://${bucket}?region=${region}`;
/** `--secrets-provider` of new stacks: the KMS key by alias, in the jurisdiction. */
export const secretsProviderUrl = (alias: string, region: string): string => `awskms://${alias}?region=${region}`;

export const connectionName = (region: string): string => `infrasage-github-${region}`;

/**
 * GitHub variable names allow only [A-Z0-9_]: `eu-west-1` -> `EU_WEST_1`. The same rule as
 * scripts/list-stacks.ts, which names the variables the workflows read (test/deploy/bootstrap.test.ts checks
 * both agree); not imported, so the deployed bootstrap program loads nothing of the offline plan.
 */
const varSuffix = (s: string): string => s.toUpperCase().replace(/[^A-Z0-9]/g, "_");

/** The repository variable names the workflows read. */
export const roleVar = (region: string): string => `AWS_ROLE_ARN_${varSuffix(region)}`;
export const previewRoleVar = (region: string): string => `AWS_PREVIEW_ROLE_ARN_${varSuffix(region)}`;
export const backendVar = (jurisdiction: string): string => `PULUMI_BACKEND_URL_${varSuffix(jurisdiction)}`;
export const secretsProviderVar = (jurisdiction: string): string =>
  `PULUMI_SECRETS_PROVIDER_${varSuffix(jurisdiction)}`;
export const PULUMI_ORG_VAR = "PULUMI_ORG";
