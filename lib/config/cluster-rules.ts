/**
 * Config rules of the cluster's capabilities and its network (pure): node groups, add-ons, access
 * entries, the VPC (the program's own or an existing one). Each returns problems keyed below
 * `infrasage:`; the parser adds the namespace. The checks themselves live with their capability
 * (lib/nodes/, lib/addons/, lib/access-entries.ts, lib/network/); this file only applies them.
 */
import type { InfrasageInput } from "./schema";
import type { StackConfig } from "./types";
import { vpcCidrProblem } from "./cidr-rules";
import { accessEntryProblems } from "../access-entries";
import { addonProblems } from "../addons/addon-versions";
import { existingVpcProblems } from "../network/existing-vpc";
import { NODE_GROUP_NAME_RE, nodeGroupProblems } from "../nodes/node-groups";

export interface RuleProblem {
  /** Key below `infrasage:`. */
  readonly key: string;
  readonly message: string;
  readonly fix: string;
}

/** `network`: an existing VPC takes its own checks; the program's layout (CIDR size, NAT, endpoints) does not apply to it. */
export function networkProblems(n: InfrasageInput["network"]): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const add = (key: string, message: string, fix: string) => problems.push({ key, message, fix });
  const ev = n.existingVpc;
  if (!ev) {
    if (n.cidr === undefined) add("network.cidr", "is required", "set infrasage:network.cidr to a private range that overlaps no other stack's, e.g. 10.20.0.0/16, or set network.existingVpc");
    else {
      const vpc = vpcCidrProblem(n.cidr);
      if (vpc) add("network.cidr", vpc.message, vpc.fix);
    }
    return problems;
  }
  problems.push(...existingVpcProblems(ev));
  if (n.cidr !== undefined && n.cidr !== ev.cidr) add("network.cidr", `is ${n.cidr} but network.existingVpc.cidr is ${ev.cidr}`, "remove network.cidr: an existing VPC's CIDR is network.existingVpc.cidr");
  if (n.natGateways !== undefined) add("network.natGateways", "is set with network.existingVpc, whose egress is its own (no NAT gateway is created)", "remove network.natGateways");
  if (n.availabilityZones !== undefined && n.availabilityZones !== ev.privateSubnetIds.length) add("network.availabilityZones", `is ${n.availabilityZones} but network.existingVpc lists ${ev.privateSubnetIds.length} private subnets (one per AZ)`, "remove network.availabilityZones");
  if (n.endpoints !== undefined && n.endpoints !== "none") {
    add("network.endpoints", "is set with network.existingVpc: endpoints would change that VPC (interface endpoints with private DNS answer for the whole VPC)", "remove it; the VPC's owner manages its endpoints");
  }
  return problems;
}

/** Node groups, add-ons and access entries, each against the rest of the config. */
export function clusterCapabilityProblems(c: InfrasageInput, config: StackConfig): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const add = (key: string, message: string, fix: string) => problems.push({ key, message, fix });

  // Add-ons: known names, version format, kube-proxy skew, NetworkPolicy kept on.
  problems.push(...addonProblems(config.cluster.addons, config.cluster.version));
  if (config.cluster.addons["eks-pod-identity-agent"] && config.autoscaling !== "karpenter") {
    add("cluster.addons.eks-pod-identity-agent", `is configured but autoscaling is ${config.autoscaling}; only Karpenter installs the agent`, "remove it, or set autoscaling to karpenter");
  }

  // Access entries: one per principal, across every key that makes one.
  problems.push(...accessEntryProblems(config.cluster.accessEntries, {
    adminRoleArns: config.cluster.adminRoleArns, ...(config.deploy.previewRoleArn ? { previewRoleArn: config.deploy.previewRoleArn } : {}),
  }));

  // Node groups: names, architecture, spot diversity, sizes, taints.
  if (c.nodeGroups !== undefined) {
    const names = Object.keys(c.nodeGroups);
    if (names.length === 0) add("nodeGroups", "is empty: the cluster would have no node", "define at least one group, or remove the key for the profile's group");
    for (const n of names.filter((x) => !NODE_GROUP_NAME_RE.test(x))) {
      add(`nodeGroups.${n}`, "is not a valid group name", "use a lowercase DNS label of at most 20 characters (a-z, 0-9, -), e.g. spot-arm");
    }
    problems.push(...nodeGroupProblems(config.nodeGroups));
    if (c.replication?.witness === true) add("nodeGroups", "is set on a witness, which runs its own minimal group (lib/keeper-plan.ts)", "remove nodeGroups from the witness");
  }
  return problems;
}
