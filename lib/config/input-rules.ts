/**
 * Rules for hostile or mistaken stack input that the schema alone cannot express: the stack's
 * identity (its name vs its region), config namespaces, tags that would rewrite the program's own,
 * the chart source, and volume sizes. Pure: each returns problems (key, message, fix).
 */
import { realpathSync } from "node:fs";
import { basename, dirname, join, resolve, sep } from "node:path";
import { findRegion, REGIONS } from "../../policies/shared/regions";
import { FLOW_TAG } from "../../policies/shared/flows";
import { closest, editDistance, type ConfigProblem } from "./problems";

// --- Stack identity ----------------------------------------------------------------------------

const DIRECTIONS = "northeast|northwest|southeast|southwest|central|north|south|east|west";
/** Any AWS-style region code (known or not) as a token: `eu-west-1`, `us-gov-west-1`, `eu_west_1`, `euwest1`, AZ `eu-west-1a`. */
const REGION_TOKEN_RE = new RegExp(
  `(?<![a-z0-9])([a-z]{2})(?:[-_.]?(gov|iso[a-z]?))?[-_.]?(${DIRECTIONS})[-_.]?(\\d{1,2})[a-z]?(?![a-z0-9])`,
  "g",
);

/**
 * Region codes a stack name names, as whole tokens: `eu-west-1`, `prod-eu-west-1`, `eu-west-1-blue`,
 * `prod_eu_west_1`, `EU-West-1`, `euwest1` and an AZ (`eu-west-1a`) all name eu-west-1. Codes outside
 * the region table count too (`eu-west-9`): a name claiming a region is that region's stack.
 */
export function regionsNamedBy(stack: string): string[] {
  const found = [...stack.toLowerCase().matchAll(REGION_TOKEN_RE)].flatMap((m) => {
    const code = [m[1], m[2], m[3], m[4]].filter((x) => x !== undefined).join("-");
    // Written without separators (`euwest1`), only a known code counts: `mysouth2` is a name, not a region.
    return /[-_.]/.test(m[0]) || findRegion(code) ? [code] : [];
  });
  return [...new Set(found)];
}

/**
 * A stack named after a region deploys to that region; a stack whose name names none must state its
 * jurisdiction (`infrasage:jurisdiction`, checked against the region by the parser).
 */
export function stackIdentityProblems(
  stack: string,
  region: string | undefined,
  jurisdictionSet: boolean,
): ConfigProblem[] {
  const named = regionsNamedBy(stack);
  const info = region ? findRegion(region) : undefined;
  if (named.length > 1) {
    return [
      {
        key: "aws:region",
        message: `the stack name "${stack}" names several regions (${named.join(", ")}), so which one it deploys to is ambiguous`,
        fix: `name the stack after the one region it deploys to${region ? `, e.g. Pulumi.${region}.yaml` : ""}`,
      },
    ];
  }
  if (named.length === 1) {
    const want = named[0]!;
    if (region && region !== want) {
      return [
        {
          key: "aws:region",
          message: `is ${region}, but the stack name "${stack}" names ${want}${findRegion(want) ? "" : " (not a region InfraSage knows)"}: a stack named for a region deploys there`,
          fix: findRegion(want)
            ? `set aws:region to ${want}, or deploy ${region} from a stack named for it (e.g. Pulumi.${region}.yaml)`
            : `deploy ${region} from a stack named for it (e.g. Pulumi.${region}.yaml)`,
        },
      ];
    }
    return [];
  }
  if (jurisdictionSet) return [];
  return [
    {
      key: "infrasage:jurisdiction",
      message: `is required: the stack name "${stack}" names no AWS region, so the stack must state the jurisdiction its data stays in`,
      fix: info
        ? `set infrasage:jurisdiction to ${info.jurisdiction} (the jurisdiction of ${info.code}), or name the stack after its region (e.g. Pulumi.${info.code}.yaml)`
        : "set infrasage:jurisdiction to the jurisdiction of aws:region (policies/shared/regions.ts), or name the stack after its region",
    },
  ];
}

/** The closest known region to a mistyped one (`EU-West-1`, `eu-west1`, `euwest-1`). */
export function closestRegion(value: string): string | undefined {
  const squashed = value.toLowerCase().replace(/[^a-z0-9]/g, "");
  const exact = REGIONS.find((r) => r.code.replace(/-/g, "") === squashed);
  if (exact) return exact.code;
  const guess = closest(
    value.toLowerCase(),
    REGIONS.map((r) => r.code),
  );
  return guess !== undefined && editDistance(value.toLowerCase(), guess) <= 2 ? guess : undefined;
}

// --- Namespaces --------------------------------------------------------------------------------

/**
 * Provider namespaces a stack file may set besides `infrasage`: the providers the program uses
 * (aws, kubernetes, random) and Pulumi's own. Other namespaces are left alone (tools outside the
 * program may read them), unless they are a near miss of one of these.
 */
export const PROVIDER_NAMESPACES = ["aws", "kubernetes", "pulumi", "random"] as const;

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
        message: `is in namespace "${ns}", which nothing reads: a misspelling of ${meant}, so the setting would be silently ignored`,
        fix: `did you mean ${meant}:${name}?`,
      });
    }
  }
  return problems;
}

// --- Tags --------------------------------------------------------------------------------------

/** Tag keys the program or the policy pack give meaning to, and what each means. */
export const RESERVED_TAG_KEYS: Readonly<Record<string, string>> = {
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
export const RESERVED_TAG_PREFIXES: Readonly<Record<string, string>> = {
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
export const MAX_TAG_VALUE_LENGTH = 256;
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
export function tagProblems(tags: Readonly<Record<string, unknown>>, base: string): ConfigProblem[] {
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
        `differs from ${base}.${twin} only in case; IAM treats tag keys case-insensitively, so a role would keep only one`,
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

// --- Chart source ------------------------------------------------------------------------------

/** This program's folder: `pulumi up` runs it here (Pulumi.yaml, and examples' `main: ../../`). */
export const PROJECT_ROOT = resolve(__dirname, "..", "..");

/** SemVer 2.0.0 (semver.org), exactly one version. */
export const SEMVER_RE =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;
/** Helm chart names: lowercase letters and digits, words separated by dashes (Helm best practices). */
export const CHART_NAME_RE = /^[a-z0-9]+(-[a-z0-9]+)*$/;
// eslint-disable-next-line no-control-regex
const CONTROL_RE = /[\u0000-\u001f\u007f-\u009f]/;

export interface ChartInput {
  readonly path?: string;
  readonly repo?: string;
  readonly name?: string;
  readonly version?: string;
  readonly allowOutsideRepository?: boolean;
}

/** A version written as a SemVer version with the parts it lacks filled with 0 (`1.30` -> `1.30.0`). */
export function padVersion(v: string): string | undefined {
  const m = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(v.trim());
  return m ? `${Number(m[1])}.${Number(m[2] ?? 0)}.${Number(m[3] ?? 0)}` : undefined;
}

function repoProblems(repo: string): { message: string; fix: string }[] {
  const fixUrl =
    "use the https:// or oci:// address of the chart repository, e.g. https://charts.example.com or oci://registry.example.com/charts";
  if (CONTROL_RE.test(repo) || /\s/.test(repo))
    return [{ message: "contains whitespace or control characters (not shown)", fix: fixUrl }];
  let url: URL;
  try {
    url = new URL(repo);
  } catch {
    return [{ message: "is not a URL (not shown)", fix: fixUrl }];
  }
  const out: { message: string; fix: string }[] = [];
  if (url.username !== "" || url.password !== "") {
    out.push({
      message: "contains credentials in the URL (not shown)",
      fix: "remove user:password@ from the URL and rotate that password (it was in the stack file in plain text); a private repository's credentials never go in the stack file",
    });
  }
  const scheme = url.protocol;
  if (scheme !== "https:" && scheme !== "oci:") {
    // Name the scheme only when it is one (`user:pass@host` parses with scheme "user:").
    const named =
      /^[a-z][a-z0-9+.-]*:\/\//i.test(repo) ||
      ["javascript:", "data:", "file:", "vbscript:", "mailto:"].includes(scheme);
    const why =
      scheme === "http:"
        ? "plain http: lets anyone on the path swap the chart"
        : `${named ? scheme : "that"} is not a chart repository`;
    out.push({
      message: named
        ? `uses ${scheme} (${why}); only https:// and oci:// repositories are allowed`
        : "is not an https:// or oci:// URL (not shown)",
      fix: fixUrl,
    });
    return out;
  }
  if (url.search !== "" || url.hash !== "")
    out.push({
      message:
        "has a query string or fragment (not shown), which can carry tokens and is no part of a repository address",
      fix: "remove everything from ? or # on",
    });
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, "");
  if (
    host === "" ||
    host === "localhost" ||
    host.endsWith(".localhost") ||
    /^(127\.|0\.|169\.254\.)/.test(host) ||
    host === "::1" ||
    host === "::" ||
    /^fe[89ab][0-9a-f]:/.test(host)
  ) {
    out.push({
      message: `points at a loopback or link-local host (${host || "none"}), not a chart repository (169.254.169.254 is the instance metadata service)`,
      fix: fixUrl,
    });
  }
  return out;
}

/** The real path of `path` (symlinks followed); for a path not there yet, its nearest existing folder's. */
export function realPathOf(path: string): string {
  let head = resolve(path);
  let tail = "";
  for (;;) {
    try {
      return join(realpathSync.native(head), tail);
    } catch {
      const parent = dirname(head);
      if (parent === head) return resolve(path);
      tail = join(basename(head), tail);
      head = parent;
    }
  }
}

function pathProblems(path: string, allowOutside: boolean, root: string): { message: string; fix: string } | undefined {
  const fix = "use a path inside the project folder, such as ./infrasage-chart";
  if (CONTROL_RE.test(path)) return { message: "contains a control character (such as NUL)", fix };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(path))
    return {
      message: "is a URL, not a path",
      fix: "for a chart from a repository use chart.repo + chart.name + chart.version",
    };
  if (path.includes("\\"))
    return {
      message: "uses \\ separators, which Linux (where pulumi up runs) reads as part of a name",
      fix: "separate folders with /",
    };
  if (path === "~" || path.startsWith("~/"))
    return { message: "starts with ~, which Helm does not expand (it would look for a folder named ~)", fix };
  // Judged by real paths: a symlink inside the project may point anywhere.
  const resolved = realPathOf(resolve(root, path));
  const realRoot = realPathOf(root);
  const inside = resolved === realRoot || resolved.startsWith(realRoot + sep);
  if (!inside && !allowOutside) {
    const via = resolved === resolve(root, path) ? "" : ` (through a symbolic link: ${resolve(root, path)})`;
    return {
      message: `resolves to ${resolved}${via}, outside the project folder ${realRoot}: a chart there is neither reviewed nor versioned with this program`,
      fix: "move the chart into the project folder (e.g. ./infrasage-chart), or set infrasage:chart.allowOutsideRepository: true to use it on purpose",
    };
  }
  return undefined;
}

/** Problems of `infrasage:chart` (keys relative to `infrasage:`). */
export function chartProblems(chart: ChartInput | undefined, root = PROJECT_ROOT): ConfigProblem[] {
  if (!chart) return [];
  const problems: ConfigProblem[] = [];
  const add = (k: string, p: { message: string; fix: string } | undefined) => {
    if (p) problems.push({ key: `infrasage:chart.${k}`, ...p });
  };
  if (chart.repo !== undefined && chart.repo.trim() !== "") for (const p of repoProblems(chart.repo)) add("repo", p);
  if (chart.version !== undefined && chart.version.trim() !== "" && !SEMVER_RE.test(chart.version)) {
    const v = chart.version;
    const padded = padVersion(v);
    if (/[\^~<>=*|,\s]|(^|\.)[xX](\.|$)/.test(v)) {
      add("version", {
        message: `"${v}" is a version range; the Helm release installs one exact version, so every deploy of this stack gets the same chart`,
        fix: `pin an exact SemVer version, e.g. ${padVersion(/\d+(\.\d+){0,2}/.exec(v)?.[0] ?? "") ?? "1.4.2"}`,
      });
    } else if (/^v/.test(v) && SEMVER_RE.test(v.slice(1))) {
      add("version", {
        message: `"${v}" has a leading v; chart versions are plain SemVer`,
        fix: `use "${v.slice(1)}"`,
      });
    } else if (padded) {
      add("version", {
        message:
          v.split(".").length === 3
            ? `"${v}" has a leading zero, which SemVer forbids`
            : `"${v}" is not a full SemVer version (MAJOR.MINOR.PATCH)`,
        fix: `use "${padded}"`,
      });
    } else {
      add("version", { message: `"${v}" is not a SemVer version`, fix: "use the exact chart version, e.g. 1.4.2" });
    }
  }
  if (
    chart.name !== undefined &&
    chart.name.trim() !== "" &&
    (!CHART_NAME_RE.test(chart.name) || chart.name.length > 63)
  ) {
    add("name", {
      message: `"${chart.name}" is not a Helm chart name`,
      fix: "use the chart's name as published: lowercase letters and digits, words separated by -, e.g. infrasage",
    });
  }
  if (chart.path !== undefined && chart.path.trim() !== "")
    add("path", pathProblems(chart.path, chart.allowOutsideRepository === true, root));
  if (chart.allowOutsideRepository !== undefined && chart.path === undefined) {
    add("allowOutsideRepository", {
      message: "applies only to a local chart (chart.path)",
      fix: "remove it, or set chart.path",
    });
  }
  return problems;
}

// --- Volume sizes ------------------------------------------------------------------------------

/**
 * ClickHouse and Kafka volumes (gp3 EBS). At most 16 TiB: the largest gp3 volume. At least 10 GiB:
 * ClickHouse needs free space to merge parts and Kafka rolls 1 GiB log segments per partition, so a
 * smaller volume fills within hours of telemetry and the pod stops. Whole GiB only: EBS allocates
 * GiB, so `1536Mi` would silently become a 2 GiB volume.
 */
export const MIN_VOLUME_GIB = 10;
export const MAX_VOLUME_GIB = 16 * 1024;

export function volumeSizeProblem(size: string): { message: string; fix: string } | undefined {
  const m = /^([1-9]\d*)(Mi|Gi|Ti)$/.exec(size);
  if (!m) return undefined; // the schema reports the format
  const n = Number(m[1]);
  const fix = `use a whole number of Gi between ${MIN_VOLUME_GIB}Gi and 16Ti, e.g. 500Gi`;
  if (m[2] === "Mi" && n % 1024 !== 0)
    return {
      message: `"${size}" is not a whole number of GiB; EBS allocates whole GiB, so the volume would be ${Math.ceil(n / 1024)}Gi`,
      fix,
    };
  const gib = m[2] === "Mi" ? n / 1024 : m[2] === "Gi" ? n : n * 1024;
  if (gib < MIN_VOLUME_GIB)
    return {
      message: `"${size}" is below the ${MIN_VOLUME_GIB}Gi minimum: the volume would fill within hours of telemetry (ClickHouse merges and Kafka log segments need room)`,
      fix,
    };
  if (gib > MAX_VOLUME_GIB)
    return { message: `"${size}" is more than a gp3 EBS volume holds (16Ti = ${MAX_VOLUME_GIB}Gi)`, fix };
  return undefined;
}
