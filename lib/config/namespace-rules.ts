/**
 * Key spelling across namespaces: a setting in a misspelt namespace (`infrasge:`, `aw:`), with no
 * namespace or no name, or an `aws:` key the provider does not have is read by nobody and would be
 * dropped silently. Pure.
 */
import { closest, editDistance, type ConfigProblem } from "../rules/problems";

/**
 * Provider namespaces a stack file may set besides `infrasage`: the providers the program uses
 * (aws, kubernetes, random) and Pulumi's own. Other namespaces are left alone (tools outside the
 * program may read them), unless they are a near miss of one of these.
 */
const PROVIDER_NAMESPACES = ["aws", "kubernetes", "pulumi", "random"] as const;

/**
 * Every setting of the AWS provider (@pulumi/aws config/vars.d.ts, v7; test/config/config-hostile.test.ts
 * compares this list with the installed provider). `aws:` keys are checked against it because the
 * provider ignores a misspelt one silently (`aws:regoin`, `aws:profle`), and `aws:region` decides
 * where data lives.
 */
export const AWS_CONFIG_KEYS = [
  "accessKey",
  "allowedAccountIds",
  "assumeRoleWithWebIdentity",
  "assumeRoles",
  "customCaBundle",
  "defaultTags",
  "ec2MetadataServiceEndpoint",
  "ec2MetadataServiceEndpointMode",
  "endpoints",
  "forbiddenAccountIds",
  "httpProxy",
  "httpsProxy",
  "ignoreTags",
  "insecure",
  "maxRetries",
  "noProxy",
  "profile",
  "region",
  "retryMode",
  "s3UsEast1RegionalEndpoint",
  "s3UsePathStyle",
  "secretKey",
  "sharedConfigFiles",
  "sharedCredentialsFiles",
  "skipCredentialsValidation",
  "skipMetadataApiCheck",
  "skipRegionValidation",
  "skipRequestingAccountId",
  "stsRegion",
  "tagPolicyCompliance",
  "token",
  "tokenBucketRateLimiterCapacity",
  "useDualstackEndpoint",
  "useFipsEndpoint",
  "userAgents",
] as const;

const squash = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, "");

/** The namespace a mistyped one was meant to be, or undefined when it is not a near miss. */
function intendedNamespace(ns: string): string | undefined {
  const s = squash(ns);
  if (
    s === "infrasage" ||
    s.startsWith("infrasage") ||
    editDistance(s, "infrasage") <= 2 ||
    editDistance(ns, "infrasage") <= 2
  )
    return "infrasage";
  for (const p of PROVIDER_NAMESPACES) {
    if (
      s === p ||
      (p.length >= 5 && editDistance(s, p) <= 2) ||
      (p.length < 5 && s.length >= 3 && editDistance(s, p) <= 1)
    )
      return p;
  }
  return undefined;
}

/**
 * Keys whose namespace is a misspelling of a known one (read by nobody: silently dropped), keys
 * with no namespace or no name, and `aws:` keys the provider does not have.
 */
export function namespaceProblems(raw: Readonly<Record<string, string>>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const key of Object.keys(raw)) {
    const colon = key.indexOf(":");
    if (colon < 0) continue;
    const ns = key.slice(0, colon);
    const name = key.slice(colon + 1);
    if (ns === "") {
      problems.push({ key, message: "has no namespace, so no one reads it", fix: `did you mean infrasage:${name}?` });
      continue;
    }
    if (name === "" && (ns === "infrasage" || (PROVIDER_NAMESPACES as readonly string[]).includes(ns))) {
      problems.push({
        key,
        message: "names no setting (nothing after the colon)",
        fix: `write the setting's name after ${ns}:, or remove the line`,
      });
      continue;
    }
    if (ns === "infrasage" || ns === "kubernetes" || ns === "pulumi" || ns === "random") continue;
    if (ns === "aws") {
      if (!(AWS_CONFIG_KEYS as readonly string[]).includes(name)) {
        const guess = closest(name, AWS_CONFIG_KEYS);
        problems.push({
          key,
          message: "is not a setting of the AWS provider, which would ignore it",
          fix: guess
            ? `did you mean aws:${guess}?`
            : "remove it (the AWS provider's settings are listed in @pulumi/aws config)",
        });
      }
      continue;
    }
    const meant = intendedNamespace(ns);
    if (meant) {
      problems.push({
        key,
        message:
          `is in namespace "${ns}", which nothing reads: a misspelling ` +
          `of ${meant}, so the setting would be silently ignored`,
        fix: `did you mean ${meant}:${name}?`,
      });
    }
  }
  return problems;
}
