/**
 * Managed add-on versions per cluster version: one table a maintainer (or the update bot) refreshes
 * from `aws eks describe-addon-versions --kubernetes-version <v> --addon-name <a>
 * --query 'addons[0].addonVersions[?compatibilities[?defaultVersion]].addonVersion'`.
 * `default` = the version EKS marks default for that Kubernetes version, read at deploy time
 * (`aws.eks.getAddonVersion`): an entry stays `default` until someone pins it from that command or
 * from an AWS page listing the version (below), because a version that does not exist fails
 * `pulumi up` half-way. Pure.
 */

import { closest, type KeyedProblem } from "../rules/problems";

/** Add-ons the program manages (cluster-plan.ts EKS_ADDONS, plus the Pod Identity agent Karpenter uses). */
export const MANAGED_ADDON_NAMES = [
  "vpc-cni",
  "kube-proxy",
  "coredns",
  "aws-ebs-csi-driver",
  "eks-pod-identity-agent",
] as const;
export type ManagedAddonName = (typeof MANAGED_ADDON_NAMES)[number];

export type PinnedVersion = string | "default";

/**
 * Table last reviewed 2026-12-05. A pin comes only from an AWS page that lists, per Kubernetes
 * version, "the latest version of the Amazon EKS add-on type", and only when that page covers all six
 * supported versions (one snapshot per add-on, no mixing):
 * - kube-proxy: Amazon EKS User Guide, "Manage kube-proxy in Amazon EKS clusters", table "kube-proxy
 *   versions", as published at https://docs.aws.amazon.com/ja_jp/eks/latest/userguide/managing-kube-proxy.md
 *   (the only copy read that lists 1.35 and 1.36; the English page read listed 1.28-1.34 only).
 * - coredns: same guide, "Manage CoreDNS for DNS in Amazon EKS clusters", table "CoreDNS versions", as
 *   published at https://docs.aws.amazon.com/ja_jp/eks/latest/userguide/managing-coredns.md (1.30-1.36).
 * - vpc-cni: `default`. The "Amazon VPC CNI versions" tables read (e.g.
 *   https://docs.amazonaws.cn/eks/latest/userguide/pod-networking.html) stop at 1.34 and list an older
 *   release (v1.20.4-eksbuild.1) than later copies of the guide; no copy listing 1.35/1.36 was found.
 * - aws-ebs-csi-driver, eks-pod-identity-agent: `default`. No AWS page lists their versions per
 *   Kubernetes version; versions seen in third-party repositories are not a source.
 * Caveat: these pages show the newest build when the page was published, and EKS publishes newer
 * builds afterwards. This program never takes an installed add-on back (installedOrNewer), so a stack
 * whose `default` already resolved to a newer build than its pin keeps that build until the table (see
 * the command above) or `cluster.addons.<name>.version` passes it.
 */
export const ADDON_VERSIONS: Readonly<Record<string, Readonly<Record<ManagedAddonName, PinnedVersion>>>> = {
  "1.31": {
    "vpc-cni": "default",
    "kube-proxy": "v1.31.14-eksbuild.20",
    coredns: "v1.11.4-eksbuild.40",
    "aws-ebs-csi-driver": "default",
    "eks-pod-identity-agent": "default",
  },
  "1.32": {
    "vpc-cni": "default",
    "kube-proxy": "v1.32.13-eksbuild.16",
    coredns: "v1.11.4-eksbuild.40",
    "aws-ebs-csi-driver": "default",
    "eks-pod-identity-agent": "default",
  },
  "1.33": {
    "vpc-cni": "default",
    "kube-proxy": "v1.33.10-eksbuild.13",
    coredns: "v1.12.4-eksbuild.18",
    "aws-ebs-csi-driver": "default",
    "eks-pod-identity-agent": "default",
  },
  "1.34": {
    "vpc-cni": "default",
    "kube-proxy": "v1.34.6-eksbuild.13",
    coredns: "v1.13.2-eksbuild.11",
    "aws-ebs-csi-driver": "default",
    "eks-pod-identity-agent": "default",
  },
  "1.35": {
    "vpc-cni": "default",
    "kube-proxy": "v1.35.3-eksbuild.13",
    coredns: "v1.14.3-eksbuild.3",
    "aws-ebs-csi-driver": "default",
    "eks-pod-identity-agent": "default",
  },
  "1.36": {
    "vpc-cni": "default",
    "kube-proxy": "v1.36.0-eksbuild.14",
    coredns: "v1.14.3-eksbuild.3",
    "aws-ebs-csi-driver": "default",
    "eks-pod-identity-agent": "default",
  },
};

/** EKS add-on version strings: `v<major>.<minor>.<patch>-eksbuild.<n>`. */
export const ADDON_VERSION_RE = /^v\d+\.\d+\.\d+-eksbuild\.\d+$/;

export interface AddonOverride {
  readonly version?: string;
  readonly configurationValues?: Readonly<Record<string, unknown>>;
}

/** The version to install: the config's, else the table's pin, else undefined (= EKS's default). */
export function addonVersionFor(
  addon: ManagedAddonName,
  clusterVersion: string,
  override?: AddonOverride,
): string | undefined {
  const pinned = override?.version ?? ADDON_VERSIONS[clusterVersion]?.[addon];
  return pinned === undefined || pinned === "default" ? undefined : pinned;
}

/**
 * Our configuration values with the config's on top (the config cannot switch off what security needs: see
 * addonProblems).
 */
export function addonConfigurationValues(
  ours: Readonly<Record<string, unknown>> | undefined,
  override?: AddonOverride,
): Record<string, unknown> | undefined {
  const merged = { ...(ours ?? {}), ...(override?.configurationValues ?? {}) };
  return Object.keys(merged).length ? merged : undefined;
}

/**
 * Kubernetes version skew policy (kubernetes.io/releases/version-skew-policy, "kube-proxy"): kube-proxy
 * must not be newer than kube-apiserver, and may be up to three minor versions older.
 */
const KUBE_PROXY_MAX_MINORS_BEHIND = 3;

/**
 * Types of the configuration values the program knows from the add-ons' published schemas
 * (`aws eks describe-addon-configuration --addon-name <a> --addon-version <v>`): `string-boolean` is a
 * string that must read exactly "true" or "false" (vpc-cni's `enableNetworkPolicy`: a YAML boolean
 * fails EKS's schema check, and "False" or "no" are read by the agent as it pleases); `string-map` a
 * map of strings (container env); `integer`. Keys not listed are passed to EKS as given.
 */
const ADDON_VALUE_TYPES: Readonly<
  Partial<Record<ManagedAddonName, Readonly<Record<string, "string-boolean" | "string-map" | "integer">>>>
> = {
  "vpc-cni": { enableNetworkPolicy: "string-boolean", env: "string-map" },
  coredns: { replicaCount: "integer" },
};

/** Type problems of one add-on's configurationValues against ADDON_VALUE_TYPES. */
function configurationValueProblems(
  addon: ManagedAddonName,
  values: Readonly<Record<string, unknown>>,
): KeyedProblem[] {
  const types = ADDON_VALUE_TYPES[addon] ?? {};
  const problems: KeyedProblem[] = [];
  const key = (k: string) => `cluster.addons.${addon}.configurationValues.${k}`;
  for (const [k, v] of Object.entries(values)) {
    const t = types[k];
    if (t === "string-boolean" && v !== "true" && v !== "false") {
      const said =
        typeof v === "string"
          ? `"${v.length > 40 ? `${v.slice(0, 30)}...` : v}"`
          : typeof v === "boolean"
            ? `the boolean ${v}`
            : (JSON.stringify(v)?.slice(0, 40) ?? String(v));
      problems.push({
        key: key(k),
        message: `is ${said}; the add-on's schema takes the string "true" or "false", exactly`,
        fix: `write it quoted and lowercase: ${k}: "${/^\s*(true|yes|on|1)\s*$/i.test(String(v)) ? "true" : "false"}"`,
      });
    } else if (t === "string-map") {
      if (typeof v !== "object" || v === null || Array.isArray(v))
        problems.push({
          key: key(k),
          message: 'must be a mapping of NAME: "value"',
          fix: `write ${k} as a mapping of strings`,
        });
      else
        for (const [name, x] of Object.entries(v)) {
          if (typeof x !== "string")
            problems.push({
              key: key(`${k}.${name}`),
              message: `is the ${typeof x} ${JSON.stringify(x)}; the add-on's schema takes strings only`,
              fix: `quote it: ${name}: "${String(x)}"`,
            });
        }
    } else if (t === "integer" && !(typeof v === "number" && Number.isInteger(v))) {
      problems.push({
        key: key(k),
        message: `is ${JSON.stringify(v)?.slice(0, 40)}; the add-on's schema takes a whole number`,
        fix: `write it unquoted, e.g. ${k}: 2`,
      });
    }
  }
  return problems;
}

/**
 * Unknown add-ons, malformed versions, a kube-proxy outside the skew policy, NetworkPolicy switched off, mistyped
 * values.
 */
export function addonProblems(addons: Readonly<Record<string, AddonOverride>>, clusterVersion: string): KeyedProblem[] {
  const problems: KeyedProblem[] = [];
  const controlMinor = Number(clusterVersion.split(".")[1]);
  for (const [name, o] of Object.entries(addons)) {
    const key = `cluster.addons.${name}`;
    if (!(MANAGED_ADDON_NAMES as readonly string[]).includes(name)) {
      const guess = closest(name, MANAGED_ADDON_NAMES);
      problems.push({
        key,
        message: "is not an add-on this program manages",
        fix: `${guess ? `did you mean ${guess}? ` : ""}configure one of ${MANAGED_ADDON_NAMES.join(", ")}`,
      });
      continue;
    }
    if (o.version !== undefined && !ADDON_VERSION_RE.test(o.version)) {
      problems.push({
        key: `${key}.version`,
        message: `"${o.version}" is not an EKS add-on version`,
        fix:
          `use the form v1.2.3-eksbuild.1 (aws eks describe-addon-versions ` +
          `--addon-name ${name} --kubernetes-version ${clusterVersion})`,
      });
    }
    // kube-proxy is Kubernetes itself: v1.<minor>, never newer than the API server, at most 3 minors older.
    const kp = /^v(\d+)\.(\d+)\./.exec(o.version ?? "");
    if (name === "kube-proxy" && kp && ADDON_VERSION_RE.test(o.version ?? "")) {
      const [major, minor] = [Number(kp[1]), Number(kp[2])];
      const fix =
        `use a v${clusterVersion}.x-eksbuild version (aws eks describe-addon-versions --addon-name ` +
        `kube-proxy --kubernetes-version ${clusterVersion}), or remove the version to follow the table`;
      if (major !== 1 || minor > controlMinor) {
        problems.push({
          key: `${key}.version`,
          message:
            `${o.version} is newer than the control plane (${clusterVersion}); kube-proxy ` +
            `may never be newer than the API server (Kubernetes version skew policy)`,
          fix: major === 1 ? `${fix}, or raise cluster.version first` : fix,
        });
      } else if (controlMinor - minor > KUBE_PROXY_MAX_MINORS_BEHIND) {
        problems.push({
          key: `${key}.version`,
          message:
            `${o.version} is ${controlMinor - minor} minor versions older than ` +
            `the control plane (${clusterVersion}); the Kubernetes version skew ` +
            `policy allows kube-proxy at most ${KUBE_PROXY_MAX_MINORS_BEHIND} behind`,
          fix,
        });
      }
    }
    const values = o.configurationValues ?? {};
    if (name === "vpc-cni" && Object.hasOwn(values, "enableNetworkPolicy") && values.enableNetworkPolicy !== "true") {
      problems.push({
        key: `${key}.configurationValues.enableNetworkPolicy`,
        message:
          `is ${JSON.stringify(values.enableNetworkPolicy)?.slice(0, 40)}: anything but "true" may switch ` +
          `NetworkPolicy enforcement off, and every default-deny policy of the program would be ignored`,
        fix: 'remove enableNetworkPolicy (it stays "true")',
      });
    } else {
      problems.push(...configurationValueProblems(name as ManagedAddonName, values));
    }
  }
  return problems;
}

/** Orders two add-on versions (`v1.2.3-eksbuild.4`): negative when a < b. Unparsable ones compare equal. */
export function compareAddonVersions(a: string, b: string): number {
  const parse = (v: string) => /^v(\d+)\.(\d+)\.(\d+)-eksbuild\.(\d+)$/.exec(v)?.slice(1).map(Number);
  const [x, y] = [parse(a), parse(b)];
  if (!x || !y) return 0;
  for (let i = 0; i < 4; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return 0;
}

/**
 * This program's rule, not EKS's: EKS can move an add-on to an earlier version (UpdateAddon takes any
 * version DescribeAddonVersions lists for the cluster; Amazon EKS User Guide, "Update an Amazon EKS
 * add-on"), but an automated `up` never does. A table pin can be older than the build a cluster runs
 * (EKS's default at install time, or a newer pin since reverted), and taking it back would undo fixes
 * the running build has and can fail mid-deploy on configuration values the older build's schema
 * lacks. So the running version stays until the table passes it. An explicit
 * `cluster.addons.<name>.version` older than the running one is refused (addonDowngradeProblems):
 * a downgrade is a deliberate step done by hand, not a side effect of a pin.
 */
export function installedOrNewer(planned: string | undefined, running: string | undefined): string | undefined {
  if (planned === undefined || running === undefined) return planned;
  return compareAddonVersions(running, planned) > 0 ? running : planned;
}

/** `cluster.addons.<name>.version` older than what the cluster runs: refused by this program's no-downgrade rule. */
export function addonDowngradeProblems(
  addons: Readonly<Record<string, AddonOverride>>,
  running: Readonly<Record<string, string>>,
): KeyedProblem[] {
  return Object.entries(addons).flatMap(([name, o]) => {
    const now = running[name];
    if (o.version === undefined || now === undefined || compareAddonVersions(o.version, now) >= 0) return [];
    return [
      {
        key: `infrasage:cluster.addons.${name}.version`,
        message:
          `${o.version} is older than the ${now} the cluster runs; this program never ` +
          `takes an add-on back to an older build (EKS could, but a downgrade undoes ` +
          `the running build's fixes and may not accept its configuration values)`,
        fix:
          `set ${now} or newer, or remove the version to follow the table; to downgrade ` +
          `on purpose, run aws eks update-addon by hand first (then this check passes)`,
      },
    ];
  });
}
