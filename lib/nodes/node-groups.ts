/**
 * Managed node groups as plain data: AMI types and the CPU architecture each boots, the architecture
 * of an instance type, the default group a scale profile fills, and every check AWS would only make
 * mid-deploy (architecture mismatch, sizes, taints that leave the system pods nowhere to run).
 * Pure: the config parser, the component and the cost estimate read the same values.
 */
import type { ScaleProfile } from "../profiles/profiles";
import { nodeLabelProblems, nodeTaintProblems } from "./node-labels";
import type { KeyedProblem } from "../rules/problems";

/**
 * AMI types this program runs (EKS `AMITypes`; AL2 is gone from EKS 1.33 on). The values are the
 * EKS API's spelling, so they are what `aws eks describe-nodegroup` shows.
 */
export const AMI_TYPES = [
  "AL2023_x86_64_STANDARD",
  "AL2023_ARM_64_STANDARD",
  "BOTTLEROCKET_x86_64",
  "BOTTLEROCKET_ARM_64",
] as const;
export type AmiType = (typeof AMI_TYPES)[number];
export type Architecture = "x86_64" | "arm64";

/** What a node group of this program is when `nodeGroups` does not say: EKS's default for 1.30+. */
export const DEFAULT_AMI_TYPE: AmiType = "AL2023_x86_64_STANDARD";

export const CAPACITY_TYPES = ["ON_DEMAND", "SPOT"] as const;
export type CapacityType = (typeof CAPACITY_TYPES)[number];

/** Kubernetes spelling in config (as in Karpenter's NodePool); EKS's enum in the node group. */
export const TAINT_EFFECTS = {
  NoSchedule: "NO_SCHEDULE",
  PreferNoSchedule: "PREFER_NO_SCHEDULE",
  NoExecute: "NO_EXECUTE",
} as const;
type TaintEffect = keyof typeof TAINT_EFFECTS;

interface NodeTaint {
  readonly key: string;
  readonly value?: string;
  readonly effect: TaintEffect;
}

/** One managed node group, fully defaulted. */
export interface NodeGroupConfig {
  /** Name in `nodeGroups` (`default` for the profile's group). */
  readonly name: string;
  readonly instanceTypes: readonly string[];
  readonly capacityType: CapacityType;
  readonly amiType: AmiType;
  readonly minSize: number;
  /** Size at creation; an autoscaler owns it afterwards. */
  readonly desiredSize: number;
  readonly maxSize: number;
  /** Root volume (AL2023) or data volume (Bottlerocket), GiB. */
  readonly diskSizeGiB: number;
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: readonly NodeTaint[];
  /**
   * Filled by the scale profile, not written in `nodeGroups`: the component then sends exactly the
   * inputs stacks were deployed with before `nodeGroups` existed (no `amiType`/`capacityType`, which
   * are ForceNew), so the group is neither replaced nor updated.
   */
  readonly fromProfile: boolean;
}

/** The group a stack gets when `nodeGroups` is absent: named `default`, the URN deployed stacks have. */
export const DEFAULT_NODE_GROUP_NAME = "default";

export function profileNodeGroup(profile: ScaleProfile): NodeGroupConfig {
  return {
    name: DEFAULT_NODE_GROUP_NAME,
    instanceTypes: profile.nodeInstanceTypes,
    capacityType: "ON_DEMAND",
    amiType: DEFAULT_AMI_TYPE,
    minSize: profile.nodeMin,
    desiredSize: profile.nodeDesired,
    maxSize: profile.nodeMax,
    diskSizeGiB: profile.nodeDiskGiB,
    labels: {},
    taints: [],
    fromProfile: true,
  };
}

/**
 * The AMI and capacity type a group sends to EKS. The `default` group leaves out what equals EKS's own
 * choice (both are Optional+Computed and ForceNew in terraform-provider-aws
 * internal/service/eks/node_group.go): a stack deployed before `nodeGroups` existed sent neither, so
 * writing `nodeGroups.default.desiredSize` must not add them (same effective settings, same inputs).
 */
export function eksChoices(g: NodeGroupConfig): { amiType?: AmiType; capacityType?: CapacityType } {
  const implicit = g.fromProfile || g.name === DEFAULT_NODE_GROUP_NAME;
  return {
    ...(implicit && g.amiType === DEFAULT_AMI_TYPE ? {} : { amiType: g.amiType }),
    ...(implicit && g.capacityType === "ON_DEMAND" ? {} : { capacityType: g.capacityType }),
  };
}

export function amiArchitecture(amiType: AmiType): Architecture {
  return /ARM_64/.test(amiType) ? "arm64" : "x86_64";
}

export function isBottlerocket(amiType: AmiType): boolean {
  return amiType.startsWith("BOTTLEROCKET");
}

/** `m6i.large`, `c7gn.2xlarge`, `u-6tb1.metal`, `m7i.metal-48xl`. */
const INSTANCE_TYPE_RE = /^[a-z][a-z0-9-]*\.[a-z0-9][a-z0-9-]*$/;

/**
 * Graviton (arm64) families carry a `g` right after the generation digit (m6g, c7gn, r8gd, t4g,
 * x2gd, im4gn, is4gen, g5g), plus the first one, a1 (AWS EC2 "Instance type naming conventions":
 * processor family `g` = AWS Graviton). Everything else is x86_64.
 */
export function instanceArchitecture(instanceType: string): Architecture {
  const family = instanceType.split(".")[0] ?? "";
  return family === "a1" || /^[a-z]+\d+g/.test(family) ? "arm64" : "x86_64";
}

/** Example types for a fix message, by architecture. */
const EXAMPLES: Readonly<Record<Architecture, string>> = {
  x86_64: "m6i.xlarge, m6a.xlarge, m5.xlarge",
  arm64: "m7g.xlarge, m6g.xlarge, m8g.xlarge",
};
const AMI_FOR: Readonly<Record<Architecture, string>> = {
  x86_64: "AL2023_x86_64_STANDARD or BOTTLEROCKET_x86_64",
  arm64: "AL2023_ARM_64_STANDARD or BOTTLEROCKET_ARM_64",
};

/** Taints per node group (terraform-provider-aws internal/service/eks/node_group.go, `taint` MaxItems 50). */
const MAX_TAINTS = 50;

/**
 * EKS quota "Managed node groups per cluster": 30 by default, adjustable (Amazon EKS User Guide,
 * "View and manage Amazon EKS and Fargate service quotas"); CreateNodegroup fails beyond it.
 */
export const DEFAULT_MANAGED_NODE_GROUP_QUOTA = 30;

/**
 * EC2 instance series (AWS EC2 "Instance type naming conventions": series, generation, options),
 * with the generation digit and option letters after them; `u-<n>tb1` is High Memory. A type of no
 * known series cannot exist, which is not the same as a real type the price table lacks (lib/cost/cost.ts).
 */
const INSTANCE_FAMILY_RE =
  /^((a|c|d|dl|f|g|gr|h|hpc|i|im|inf|is|m|mac|p|r|t|trn|u|vt|x|z)[1-9][a-z]*(-flex)?|u[1-9]?[a-z]*-\d+tb\d*)$/;
const INSTANCE_SIZE_RE = /^(nano|micro|small|medium|large|xlarge|[1-9]\d*xlarge|metal(-\d+xl)?)$/;

/** Why `type` is no EC2 instance type (syntax `family.size`, known series, known size), or undefined. */
export function instanceTypeProblem(type: string): string | undefined {
  if (!INSTANCE_TYPE_RE.test(type)) return "is not written family.size";
  const [family, size] = type.split(".") as [string, string];
  if (!INSTANCE_FAMILY_RE.test(family)) return `has family "${family}", which is no EC2 instance family`;
  if (!INSTANCE_SIZE_RE.test(size)) return `has size "${size}", which no EC2 instance family has`;
  return undefined;
}

/** Everything about the node groups that EKS or the scheduler would refuse later, all at once. */
export function nodeGroupProblems(groups: readonly NodeGroupConfig[]): KeyedProblem[] {
  const problems: KeyedProblem[] = [];
  for (const g of groups) {
    const at = (k: string) => `nodeGroups.${g.name}${k ? `.${k}` : ""}`;
    const add = (k: string, message: string, fix: string) => problems.push({ key: at(k), message, fix });
    const arch = amiArchitecture(g.amiType);
    if (g.instanceTypes.length === 0)
      add("instanceTypes", "is empty", `list at least one instance type, e.g. ${EXAMPLES[arch]}`);
    const malformed = g.instanceTypes
      .map((t) => [t, instanceTypeProblem(t)] as const)
      .filter(([, why]) => why !== undefined);
    if (malformed.length) {
      add(
        "instanceTypes",
        `${malformed.map(([t, why]) => `${t} ${why}`).join("; ")}: ` +
          `${malformed.length === 1 ? "it is not an EC2 instance type" : "they are not EC2 instance types"} ` +
          `(EKS rejects the group)`,
        `write types as family.size of a real type, e.g. ${EXAMPLES[arch]} ` +
          `(aws ec2 describe-instance-type-offerings lists a region's)`,
      );
    }
    const twice = g.instanceTypes.filter((t, i, all) => all.indexOf(t) !== i);
    if (twice.length) add("instanceTypes", `lists ${[...new Set(twice)].join(", ")} twice`, "list each type once");
    const wrong = g.instanceTypes.filter(
      (t) => instanceTypeProblem(t) === undefined && instanceArchitecture(t) !== arch,
    );
    if (wrong.length) {
      const other: Architecture = arch === "x86_64" ? "arm64" : "x86_64";
      add(
        "instanceTypes",
        `${wrong.join(", ")} ${wrong.length === 1 ? "is" : "are"} ${other}, ` +
          `but amiType ${g.amiType} boots ${arch} nodes (EKS rejects the group)`,
        wrong.length === g.instanceTypes.length
          ? `use ${arch} types (${EXAMPLES[arch]}), or set amiType to ${AMI_FOR[other]}`
          : `keep one architecture per group: split ${other} types into a group with amiType ${AMI_FOR[other]}`,
      );
    }
    if (g.capacityType === "SPOT" && g.instanceTypes.length < 2) {
      add(
        "instanceTypes",
        "lists one type for a SPOT group: when EC2 reclaims that one spot pool or " +
          "has no capacity in it, the group loses its nodes and cannot replace them",
        `list at least 2 types of the same size (EKS spreads spot ` +
          `groups over them, capacity-optimized), e.g. ${EXAMPLES[arch]}`,
      );
    }
    if (!(g.minSize <= g.desiredSize && g.desiredSize <= g.maxSize)) {
      add(
        "",
        `needs minSize (${g.minSize}) <= desiredSize (${g.desiredSize}) <= maxSize (${g.maxSize})`,
        "set the three sizes in that order",
      );
    }
    if (g.taints.length > MAX_TAINTS)
      add(
        "taints",
        `has ${g.taints.length} taints; EKS takes at most ${MAX_TAINTS} per node group`,
        `keep at most ${MAX_TAINTS}`,
      );
    // Kubernetes syntax, EKS's lengths, and the namespaces the kubelet refuses (lib/nodes/node-labels.ts).
    g.taints.forEach((t, i) => {
      for (const p of nodeTaintProblems(t.key, t.value))
        add(
          `taints[${i}].${p.part}`,
          p.part === "key" ? `"${t.key.length > 70 ? `${t.key.slice(0, 60)}...` : t.key}" ${p.message}` : p.message,
          p.fix,
        );
    });
    const seen = new Set<string>();
    g.taints.forEach((t, i) => {
      const id = `${t.key}:${t.effect}`;
      if (seen.has(id))
        add(
          `taints[${i}]`,
          `repeats key ${t.key} with effect ${t.effect}`,
          "keep one taint per key and effect (Kubernetes refuses duplicates)",
        );
      seen.add(id);
    });
    for (const [k, v] of Object.entries(g.labels)) {
      for (const p of nodeLabelProblems(k, v))
        add(`labels.${k}`, p.part === "key" ? `(the key) ${p.message}` : `(the value) ${p.message}`, p.fix);
    }
  }
  // coredns and the EBS CSI controller tolerate no custom taint: with every group tainted they stay
  // Pending, the add-ons stay DEGRADED and `pulumi up` times out.
  const hard = (g: NodeGroupConfig) => g.taints.some((t) => t.effect !== "PreferNoSchedule");
  if (groups.length > 0 && groups.every(hard)) {
    problems.push({
      key: "nodeGroups",
      message:
        "taints every group NoSchedule/NoExecute: coredns and the EBS CSI controller (which " +
        "tolerate no custom taint) would have no node, and their add-ons never become ACTIVE",
      fix: "leave at least one group without NoSchedule/NoExecute taints",
    });
  }
  if (groups.length > 0 && groups.every((g) => g.maxSize === 0)) {
    problems.push({
      key: "nodeGroups",
      message: "gives every group maxSize 0",
      fix: "let at least one group run a node",
    });
  }
  return problems;
}

/** Group names: short DNS labels (they end child names and the auto-named EKS node group name, 63 max). */
export const NODE_GROUP_NAME_RE = /^[a-z0-9]([-a-z0-9]{0,18}[a-z0-9])?$/;

/** Node group child-name suffix: `default` keeps the URN stacks were deployed with (`<cluster>-nodes`). */
export function nodeGroupChildSuffix(groupName: string): string {
  return groupName === DEFAULT_NODE_GROUP_NAME ? "nodes" : `nodes-${groupName}`;
}
