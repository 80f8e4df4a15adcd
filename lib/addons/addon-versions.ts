/**
 * Managed add-on versions per cluster version: one table a maintainer (or the update bot) refreshes
 * from `aws eks describe-addon-versions --kubernetes-version <v> --addon-name <a>
 * --query 'addons[0].addonVersions[?compatibilities[?defaultVersion]].addonVersion'`.
 * `default` = the version EKS marks default for that Kubernetes version, read at deploy time
 * (`aws.eks.getAddonVersion`): entries stay `default` until someone pins them from that command,
 * because a version that does not exist fails `pulumi up` half-way. Pure.
 */

/** Add-ons the program manages (cluster-plan.ts EKS_ADDONS, plus the Pod Identity agent Karpenter uses). */
export const MANAGED_ADDON_NAMES = ["vpc-cni", "kube-proxy", "coredns", "aws-ebs-csi-driver", "eks-pod-identity-agent"] as const;
export type ManagedAddonName = (typeof MANAGED_ADDON_NAMES)[number];

export type PinnedVersion = string | "default";

/** Table last reviewed 2026-12-05: every entry `default` (no pin verified against the EKS API yet). */
export const ADDON_VERSIONS: Readonly<Record<string, Readonly<Record<ManagedAddonName, PinnedVersion>>>> = Object.fromEntries(
  ["1.31", "1.32", "1.33", "1.34", "1.35", "1.36"].map((v) => [v, Object.fromEntries(MANAGED_ADDON_NAMES.map((a) => [a, "default"])) as Record<ManagedAddonName, PinnedVersion>]),
);

/** EKS add-on version strings: `v<major>.<minor>.<patch>-eksbuild.<n>`. */
export const ADDON_VERSION_RE = /^v\d+\.\d+\.\d+-eksbuild\.\d+$/;

export interface AddonOverride {
  readonly version?: string;
  readonly configurationValues?: Readonly<Record<string, unknown>>;
}

/** The version to install: the config's, else the table's pin, else undefined (= EKS's default). */
export function addonVersionFor(addon: ManagedAddonName, clusterVersion: string, override?: AddonOverride): string | undefined {
  const pinned = override?.version ?? ADDON_VERSIONS[clusterVersion]?.[addon];
  return pinned === undefined || pinned === "default" ? undefined : pinned;
}

/** Our configuration values with the config's on top (the config cannot switch off what security needs: see addonProblems). */
export function addonConfigurationValues(ours: Readonly<Record<string, unknown>> | undefined, override?: AddonOverride): Record<string, unknown> | undefined {
  const merged = { ...(ours ?? {}), ...(override?.configurationValues ?? {}) };
  return Object.keys(merged).length ? merged : undefined;
}

export interface AddonProblem {
  readonly key: string;
  readonly message: string;
  readonly fix: string;
}

/** Unknown add-ons, malformed versions, a kube-proxy newer than the control plane, NetworkPolicy switched off. */
export function addonProblems(addons: Readonly<Record<string, AddonOverride>>, clusterVersion: string): AddonProblem[] {
  const problems: AddonProblem[] = [];
  for (const [name, o] of Object.entries(addons)) {
    const key = `cluster.addons.${name}`;
    if (!(MANAGED_ADDON_NAMES as readonly string[]).includes(name)) {
      problems.push({ key, message: "is not an add-on this program manages", fix: `configure one of ${MANAGED_ADDON_NAMES.join(", ")}` });
      continue;
    }
    if (o.version !== undefined && !ADDON_VERSION_RE.test(o.version)) {
      problems.push({ key: `${key}.version`, message: `"${o.version}" is not an EKS add-on version`, fix: `use the form v1.2.3-eksbuild.1 (aws eks describe-addon-versions --addon-name ${name} --kubernetes-version ${clusterVersion})` });
    }
    // kube-proxy must not be newer than the API server (Kubernetes version skew policy).
    const minor = /^v1\.(\d+)\./.exec(o.version ?? "")?.[1];
    if (name === "kube-proxy" && minor !== undefined && Number(minor) > Number(clusterVersion.split(".")[1])) {
      problems.push({ key: `${key}.version`, message: `${o.version} is newer than the control plane (${clusterVersion}); kube-proxy may never be newer than the API server`, fix: `use a v${clusterVersion}.x-eksbuild version, or raise cluster.version first` });
    }
    if (name === "vpc-cni" && o.configurationValues && ["false", false].includes(o.configurationValues.enableNetworkPolicy as string | boolean)) {
      problems.push({ key: `${key}.configurationValues.enableNetworkPolicy`, message: "switches NetworkPolicy enforcement off: every default-deny policy of the program would be ignored", fix: "remove enableNetworkPolicy (it stays \"true\")" });
    }
  }
  return problems;
}
