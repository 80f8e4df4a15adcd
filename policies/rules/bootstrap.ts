/**
 * What the bootstrap project (bootstrap/) must get right, checked on any stack that creates such
 * resources: roles GitHub Actions assumes trust exact audiences and subjects, no Allow statement
 * admits any principal, no policy allows every action on every resource, and S3 buckets are
 * versioned, KMS-encrypted, private, TLS-only and expire old versions. (Key rotation: kms-key-hardened;
 * bucket and keys in the stack's region, hence its jurisdiction: aws-resource-in-home-region.)
 */
import type { PolicyResource } from "@pulumi/policy";
import { GITHUB_OIDC_HOST, OIDC_AUDIENCE } from "../shared/github-oidc";
import { resourceRule, stackRule } from "./framework";
import { asArray, asObject, asString, asStrings, isObject, isTrue, type Props } from "./props";

const ROLE = "aws:iam/role:Role";
const BUCKET = "aws:s3/bucket:Bucket";
/** Resource types with a policy document, by the property that holds it. */
const POLICY_PROPS: Readonly<Record<string, string>> = {
  "aws:iam/role:Role": "assumeRolePolicy",
  "aws:iam/rolePolicy:RolePolicy": "policy",
  "aws:iam/policy:Policy": "policy",
  "aws:s3/bucketPolicy:BucketPolicy": "policy",
  "aws:sqs/queuePolicy:QueuePolicy": "policy",
  "aws:kms/key:Key": "policy",
  "aws:secretsmanager/secretPolicy:SecretPolicy": "policy",
};

/** A policy document from a JSON string or an object; undefined when absent or not JSON. */
function policyDocument(value: unknown): Props | undefined {
  if (isObject(value)) return value;
  if (typeof value !== "string" || value.trim() === "") return undefined;
  try {
    const doc: unknown = JSON.parse(value);
    return isObject(doc) ? doc : undefined;
  } catch {
    return undefined;
  }
}

const statementsOf = (doc: Props | undefined): Props[] => {
  const s = doc?.Statement;
  return (Array.isArray(s) ? s : s === undefined ? [] : [s]).map(asObject);
};
const list = (v: unknown): string[] => (typeof v === "string" ? [v] : asStrings(v));

/** Problems of one trust statement that lets GitHub's OIDC tokens in (none when it does not). */
export function githubTrustProblems(st: Props): string[] {
  const federated = list(asObject(st.Principal).Federated);
  if (st.Effect !== "Allow" || !federated.some((f) => f.endsWith(`oidc-provider/${GITHUB_OIDC_HOST}`))) return [];
  const problems: string[] = [];
  const actions = list(st.Action);
  if (actions.length !== 1 || actions[0] !== "sts:AssumeRoleWithWebIdentity")
    problems.push(`allows ${actions.join(", ") || "no action"}, not only sts:AssumeRoleWithWebIdentity`);
  const condition = asObject(st.Condition);
  const equals = asObject(condition.StringEquals);
  const aud = list(equals[`${GITHUB_OIDC_HOST}:aud`]);
  if (aud.length !== 1 || aud[0] !== OIDC_AUDIENCE)
    problems.push(`does not require StringEquals ${GITHUB_OIDC_HOST}:aud = ${OIDC_AUDIENCE}`);
  const sub = list(equals[`${GITHUB_OIDC_HOST}:sub`]);
  if (sub.length === 0)
    problems.push(
      `does not pin the subject (StringEquals ${GITHUB_OIDC_HOST}:sub): any repository's workflow could assume it`,
    );
  for (const s of sub) if (/[*?]/.test(s)) problems.push(`subject ${s} has a wildcard`);
  for (const [op, keys] of Object.entries(condition)) {
    if (op === "StringEquals") continue;
    for (const k of Object.keys(asObject(keys)))
      if (k.startsWith(`${GITHUB_OIDC_HOST}:`)) problems.push(`tests ${k} with ${op} (only StringEquals is exact)`);
  }
  return problems;
}

export const githubOidcTrustExact = resourceRule({
  name: "github-oidc-trust-exact",
  description:
    "Roles GitHub Actions assumes require the sts.amazonaws.com " +
    "audience and exact subjects (StringEquals, no wildcards)",
  kind: "security",
  severity: "critical",
  remediation:
    "Trust token.actions.githubusercontent.com only with StringEquals on :aud = sts.amazonaws.com " +
    "and :sub = repo:<owner>/<repo>:environment:<stack> (bootstrap/lib/trust.ts).",
  appliesTo: (t) => t === ROLE,
  check: (args, ctx) => {
    for (const st of statementsOf(policyDocument(args.props.assumeRolePolicy))) {
      for (const p of githubTrustProblems(st)) ctx.report(`trust of GitHub's OIDC provider ${p}`);
    }
  },
});

/** An Allow statement whose principal is anyone (`"*"`, `{AWS: "*"}`). */
function wildcardPrincipal(st: Props): boolean {
  if (st.Effect !== "Allow" || st.Principal === undefined) return false;
  if (st.Principal === "*") return true;
  return Object.values(asObject(st.Principal)).some((v) => list(v).includes("*"));
}

export const noWildcardPrincipals = resourceRule({
  name: "no-wildcard-principals",
  description: 'No trust or resource policy allows any principal ("*")',
  kind: "security",
  severity: "critical",
  remediation: 'Name the principals (accounts, roles, services); keep "*" for Deny statements only.',
  appliesTo: (t) => t in POLICY_PROPS,
  check: (args, ctx) => {
    const doc = policyDocument(args.props[POLICY_PROPS[args.type]!]);
    statementsOf(doc).forEach((st, i) => {
      if (wildcardPrincipal(st)) ctx.report(`statement ${asString(st.Sid) ?? i} allows any principal`);
    });
  },
});

/** An Allow of every action (`*`, `*:*`) on every resource. */
const allowsEverything = (st: Props): boolean =>
  st.Effect === "Allow" && list(st.Action).some((a) => a === "*" || a === "*:*") && list(st.Resource).includes("*");

export const noAdminPolicies = resourceRule({
  name: "no-admin-policies",
  description: "No IAM policy allows every action on every resource",
  kind: "security",
  severity: "critical",
  remediation: "List the actions the role needs (bootstrap/lib/actions.ts derives them from the resource types).",
  appliesTo: (t) => t === "aws:iam/rolePolicy:RolePolicy" || t === "aws:iam/policy:Policy",
  check: (args, ctx) => {
    statementsOf(policyDocument(args.props.policy)).forEach((st, i) => {
      if (allowsEverything(st)) ctx.report(`statement ${asString(st.Sid) ?? i} allows * on *`);
    });
  },
});

/** The bucket a satellite resource (versioning, encryption, ...) configures: by dependency, else by name. */
function configures(r: PolicyResource, bucket: PolicyResource): boolean {
  if ((r.propertyDependencies?.bucket ?? []).some((d) => d.urn === bucket.urn)) return true;
  const name = asString(bucket.props.bucket);
  return name !== undefined && asString(r.props.bucket) === name;
}

/** What a bucket lacks, given the stack's resources (pure: tested with plain objects). */
function bucketProblems(bucket: PolicyResource, resources: readonly PolicyResource[]): string[] {
  const of = (type: string) => resources.filter((r) => r.type === type && configures(r, bucket));
  const problems: string[] = [];
  if (
    !of("aws:s3/bucketVersioning:BucketVersioning").some(
      (v) => asObject(v.props.versioningConfiguration).status === "Enabled",
    )
  )
    problems.push("versioning is not Enabled (aws.s3.BucketVersioning)");
  const sse = of("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")
    .flatMap((e) => asArray(e.props.rules))
    .map((r) => asObject(asObject(r).applyServerSideEncryptionByDefault));
  if (!sse.some((d) => d.sseAlgorithm === "aws:kms" && typeof d.kmsMasterKeyId === "string" && d.kmsMasterKeyId !== ""))
    problems.push("default encryption is not SSE-KMS with a customer-managed key");
  const pab = of("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock");
  if (
    !pab.some((p) =>
      ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"].every((k) =>
        isTrue(p.props[k]),
      ),
    )
  )
    problems.push("public access is not blocked (all four BucketPublicAccessBlock settings true)");
  const tls = of("aws:s3/bucketPolicy:BucketPolicy").flatMap((p) => statementsOf(policyDocument(p.props.policy)));
  if (
    !tls.some(
      (st) => st.Effect === "Deny" && String(asObject(asObject(st.Condition).Bool)["aws:SecureTransport"]) === "false",
    )
  )
    problems.push("the bucket policy does not deny requests without TLS (Deny when aws:SecureTransport is false)");
  const rules = of("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")
    .flatMap((l) => asArray(l.props.rules))
    .map(asObject);
  if (!rules.some((r) => r.status === "Enabled" && isObject(r.noncurrentVersionExpiration)))
    problems.push("no lifecycle rule expires noncurrent versions (old checkpoints would pile up forever)");
  return problems;
}

export const s3BucketHardened = stackRule({
  name: "s3-bucket-hardened",
  description:
    "S3 buckets (the state of self-managed backends) are versioned, " +
    "SSE-KMS encrypted, private, TLS-only and expire noncurrent versions",
  kind: "security",
  severity: "high",
  remediation:
    "Give the bucket BucketVersioning, BucketServerSideEncryptionConfiguration (aws:kms), " +
    "BucketPublicAccessBlock, a TLS-only BucketPolicy and a lifecycle rule (bootstrap/lib/state-bucket.ts).",
  check: (args, ctx) => {
    for (const bucket of args.resources.filter((r) => r.type === BUCKET)) {
      ctx.each(bucket, () => {
        for (const p of bucketProblems(bucket, args.resources)) ctx.report(`bucket ${bucket.name}: ${p}`, bucket.urn);
      });
    }
  },
});

export const BOOTSTRAP_POLICIES = [githubOidcTrustExact, noWildcardPrincipals, noAdminPolicies, s3BucketHardened];
