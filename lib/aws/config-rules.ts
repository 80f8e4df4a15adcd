/**
 * AWS tags in the config: `infrasage:tags` (how many, and none the program or the policy pack gives
 * meaning to, only what AWS accepts), and the AWS provider's `aws:defaultTags` / `aws:ignoreTags`,
 * which must not rewrite or hide the program's own. Pure.
 */
import { FLOW_TAG } from "../../policies/shared/flows";
import { NAMESPACE, namespacedProblems, type ConfigProblem } from "../rules/problems";
import type { RuleContext } from "../rules/rule-context";

/** User tags allowed in `infrasage:tags` (AWS's 50 per resource minus the program's own). */
export const MAX_USER_TAGS = 40;

/** Tag keys the program or the policy pack give meaning to, and what each means. */
const RESERVED_TAG_KEYS: Readonly<Record<string, string>> = {
  Project: "the program sets it to infrasage on every resource",
  Tenant: "the program sets it to infrasage:tenantId on every resource",
  Jurisdiction: "the program sets it from aws:region on every resource",
  Stack: "the program sets it to the stack name on every resource",
  ManagedBy: "the program sets it to pulumi on every resource",
  Name: "the program names each resource with it",
  Purpose: "the program marks links (alert-federation, metrics, link-contract, ci-runner) with it",
  PeerStack: "the program names the peer of each VPC peering with it",
};

/** Tag key prefixes owned by the program, the policy pack, Kubernetes and the AWS controllers it runs. */
const RESERVED_TAG_PREFIXES: Readonly<Record<string, string>> = {
  "infrasage.io/": `InfraSage's own (${FLOW_TAG} marks the only flows the residency policies let leave a region)`,
  "kubernetes.io/": "Kubernetes and the AWS load balancer controller discover subnets and clusters by them",
  "k8s.io/": "the cluster autoscaler discovers node groups by them",
  "karpenter.sh/": "Karpenter discovers subnets, security groups and its nodes by them",
  "karpenter.k8s.aws/": "Karpenter discovers its nodes by them",
  "eks:": "EKS sets them on the cluster's nodes and node groups",
  "eks.amazonaws.com/": "EKS sets them on the resources it manages",
  "elbv2.k8s.aws/": "the AWS load balancer controller owns its load balancers by them",
  "ingress.k8s.aws/": "the AWS load balancer controller owns its load balancers by them",
  "service.k8s.aws/": "the AWS load balancer controller owns its load balancers by them",
  "ebs.csi.aws.com/": "the EBS CSI driver owns its volumes by them",
};

/** EC2 (VPC, subnets, security groups, launch templates) takes keys up to 127 characters; most services 128. */
export const MAX_TAG_KEY_LENGTH = 127;
const MAX_TAG_VALUE_LENGTH = 256;
/** The character set every AWS service accepts in tags: letters, digits, spaces, and _ . : / = + - @. */
const TAG_CHAR_RE = /[\p{L}\p{Z}\p{N}_.:/=+\-@]/u;

const codePoints = (s: string) => [...s].length;
const badChars = (s: string) =>
  [...new Set([...s].filter((ch) => !TAG_CHAR_RE.test(ch)))]
    .map((ch) => JSON.stringify(ch))
    .slice(0, 5)
    .join(" ");

/** Why a tag key is reserved, or undefined. Case-insensitive: IAM treats the tag keys of roles case-insensitively. */
export function reservedTagReason(key: string): string | undefined {
  const lower = key.toLowerCase();
  const exact = Object.keys(RESERVED_TAG_KEYS).find((k) => k.toLowerCase() === lower);
  if (exact) return `${exact}: ${RESERVED_TAG_KEYS[exact]}`;
  const prefix = Object.keys(RESERVED_TAG_PREFIXES).find((p) => lower.startsWith(p));
  return prefix ? `${prefix}*: ${RESERVED_TAG_PREFIXES[prefix]}` : undefined;
}

/** Problems of user tags (`base` is the key they are under, e.g. `infrasage:tags`). */
function tagProblems(tags: Readonly<Record<string, unknown>>, base: string): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const add = (key: string, message: string, fix: string) => problems.push({ key, message, fix });
  const seen = new Map<string, string>();
  for (const [k, v] of Object.entries(tags)) {
    const key = `${base}.${k}`;
    if (k.trim() === "") {
      add(base, "has a tag with an empty key", "give every tag a key, or remove the empty one");
      continue;
    }
    if (k.toLowerCase().startsWith("aws:"))
      add(
        key,
        "starts with aws:, which AWS reserves for its own tags (in any case)",
        "rename the tag without the aws: prefix",
      );
    else {
      const reserved = reservedTagReason(k);
      if (reserved)
        add(
          key,
          `would rewrite a tag InfraSage sets or relies on (${reserved})`,
          "rename the tag, e.g. Team or CostCenter; the program sets its own tags itself",
        );
    }
    if (codePoints(k) > MAX_TAG_KEY_LENGTH)
      add(
        key,
        `key is ${codePoints(k)} characters; AWS takes at most ${MAX_TAG_KEY_LENGTH} (EC2's limit, 128 elsewhere)`,
        `shorten the key to ${MAX_TAG_KEY_LENGTH} characters or fewer`,
      );
    if (![...k].every((ch) => TAG_CHAR_RE.test(ch)))
      add(
        key,
        `key has characters AWS rejects in tags (${badChars(k)})`,
        "use only letters, digits, spaces and _ . : / = + - @",
      );
    const twin = seen.get(k.toLowerCase());
    if (twin !== undefined)
      add(
        key,
        `differs from ${base}.${twin} only in case; IAM treats ` +
          `tag keys case-insensitively, so a role would keep only one`,
        "keep one of the two keys",
      );
    else seen.set(k.toLowerCase(), k);
    if (typeof v !== "string") continue; // the schema reports the type
    if (codePoints(v) > MAX_TAG_VALUE_LENGTH)
      add(
        key,
        `value is ${codePoints(v)} characters; AWS takes at most ${MAX_TAG_VALUE_LENGTH}`,
        `shorten the value to ${MAX_TAG_VALUE_LENGTH} characters or fewer`,
      );
    if (![...v].every((ch) => TAG_CHAR_RE.test(ch)))
      add(
        key,
        `value has characters AWS rejects in tags (${badChars(v)})`,
        "use only letters, digits, spaces and _ . : / = + - @",
      );
    if (v.toLowerCase().startsWith("aws:"))
      add(key, "value starts with aws:, which AWS reserves (in any case)", "remove the aws: prefix from the value");
  }
  return problems;
}

/**
 * `aws:defaultTags` ({ tags }) lands on every resource the program leaves untagged, and
 * `aws:ignoreTags` ({ keys, keyPrefixes }) makes the provider stop managing tags: neither may touch
 * the program's tags.
 */
export function providerTagProblems(raw: Readonly<Record<string, string>>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const json = (key: string): unknown => {
    try {
      return JSON.parse(raw[key] ?? "null");
    } catch {
      return undefined;
    }
  };
  const defaults = json("aws:defaultTags") as { tags?: unknown } | undefined | null;
  if (
    defaults &&
    typeof defaults === "object" &&
    defaults.tags &&
    typeof defaults.tags === "object" &&
    !Array.isArray(defaults.tags)
  ) {
    problems.push(...tagProblems(defaults.tags as Record<string, unknown>, "aws:defaultTags.tags"));
  }
  const ignore = json("aws:ignoreTags") as { keys?: unknown; keyPrefixes?: unknown } | undefined | null;
  if (ignore && typeof ignore === "object") {
    const list = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);
    for (const k of list(ignore.keys)) {
      const reserved = reservedTagReason(k);
      if (reserved)
        problems.push({
          key: "aws:ignoreTags.keys",
          message: `ignores ${k}, a tag InfraSage sets or relies on (${reserved})`,
          fix: `remove ${k} from aws:ignoreTags.keys`,
        });
    }
    for (const p of list(ignore.keyPrefixes)) {
      const covered = [...Object.keys(RESERVED_TAG_KEYS), ...Object.keys(RESERVED_TAG_PREFIXES)].filter((k) =>
        k.toLowerCase().startsWith(p.toLowerCase()),
      );
      if (covered.length)
        problems.push({
          key: "aws:ignoreTags.keyPrefixes",
          message: `"${p}" ignores tags InfraSage sets or relies on (${covered.join(", ")})`,
          fix: `remove "${p}" from aws:ignoreTags.keyPrefixes`,
        });
    }
  }
  return problems;
}

/** `infrasage:tags`: within AWS's count with the program's own, and each tag acceptable. */
export function tagConfigProblems({ input: c }: RuleContext): ConfigProblem[] {
  const { problems, add } = namespacedProblems();
  // AWS allows 50 tags per resource; the program adds 5 defaults and up to 5 of its own (Name,
  // subnet discovery, link purpose/flow). Rejected here, not half-way through `pulumi up`.
  const tagCount = Object.keys(c.tags ?? {}).length;
  if (tagCount > MAX_USER_TAGS)
    add(
      "tags",
      `has ${tagCount} tags; with the program's own, resources would exceed AWS's 50`,
      `keep at most ${MAX_USER_TAGS}`,
    );
  // No tag the program or the policy pack gives meaning to, and only what AWS accepts.
  problems.push(...tagProblems(c.tags ?? {}, `${NAMESPACE}:tags`));
  return problems;
}
