/**
 * Config rules of the cluster's capabilities and its network (pure): node groups, add-ons, access
 * entries, the VPC (the program's own or an existing one). Each returns problems keyed below
 * `infrasage:`; the parser adds the namespace. The checks themselves live with their capability
 * (lib/nodes/, lib/addons/, lib/cluster/access-entries.ts, lib/network/); this file only applies them.
 */
import type { InfrasageInput } from "../config/schema";
import type { StackConfig } from "../config/types";
import { vpcCidrProblem } from "../network/cidr-rules";
import { accessEntryProblems } from "./access-entries";
import { addonProblems } from "../addons/addon-versions";
import { existingVpcProblems } from "../network/existing-vpc";
import {
  DEFAULT_MANAGED_NODE_GROUP_QUOTA,
  NODE_GROUP_NAME_RE,
  nodeGroupProblems,
  type NodeGroupConfig,
} from "../nodes/node-groups";

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
    if (n.cidr === undefined)
      add(
        "network.cidr",
        "is required",
        "set infrasage:network.cidr to a private range that overlaps no other stack's, e.g. 10.20.0.0/16, or set network.existingVpc",
      );
    else {
      const vpc = vpcCidrProblem(n.cidr);
      if (vpc) add("network.cidr", vpc.message, vpc.fix);
    }
    return problems;
  }
  problems.push(...existingVpcProblems(ev));
  if (n.cidr !== undefined && n.cidr !== ev.cidr)
    add(
      "network.cidr",
      `is ${n.cidr} but network.existingVpc.cidr is ${ev.cidr}`,
      "remove network.cidr: an existing VPC's CIDR is network.existingVpc.cidr",
    );
  if (n.natGateways !== undefined)
    add(
      "network.natGateways",
      "is set with network.existingVpc, whose egress is its own (no NAT gateway is created)",
      "remove network.natGateways",
    );
  if (n.availabilityZones !== undefined && n.availabilityZones !== ev.privateSubnetIds.length)
    add(
      "network.availabilityZones",
      `is ${n.availabilityZones} but network.existingVpc lists ${ev.privateSubnetIds.length} private subnets (one per AZ)`,
      "remove network.availabilityZones",
    );
  if (n.endpoints !== undefined && n.endpoints !== "none") {
    add(
      "network.endpoints",
      "is set with network.existingVpc: endpoints would change that VPC (interface endpoints with private DNS answer for the whole VPC)",
      "remove it; the VPC's owner manages its endpoints",
    );
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
    add(
      "cluster.addons.eks-pod-identity-agent",
      `is configured but autoscaling is ${config.autoscaling}; only Karpenter installs the agent`,
      "remove it, or set autoscaling to karpenter",
    );
  }

  // Access entries: one per principal, across every key that makes one.
  problems.push(
    ...accessEntryProblems(config.cluster.accessEntries, {
      adminRoleArns: config.cluster.adminRoleArns,
      ...(config.deploy.previewRoleArn ? { previewRoleArn: config.deploy.previewRoleArn } : {}),
    }),
  );

  // A cluster that starts with no node: nothing (not even an autoscaler, which runs on these nodes) ever adds one.
  problems.push(...noStartingNodeProblems(config.nodeGroups, config.autoscaling));

  // Node groups: names, architecture, spot diversity, sizes, taints.
  if (c.nodeGroups !== undefined) {
    const names = Object.keys(c.nodeGroups);
    if (names.length === 0)
      add(
        "nodeGroups",
        "is empty: the cluster would have no node",
        "define at least one group, or remove the key for the profile's group",
      );
    for (const n of names.filter((x) => !NODE_GROUP_NAME_RE.test(x))) {
      add(
        `nodeGroups.${n}`,
        "is not a valid group name",
        "use a lowercase DNS label of at most 20 characters (a-z, 0-9, -), e.g. spot-arm",
      );
    }
    problems.push(...nodeGroupProblems(config.nodeGroups));
    problems.push(...nodeGroupCountProblems(names.length, c.cluster?.managedNodeGroupQuota));
    if (c.replication?.witness === true)
      add(
        "nodeGroups",
        "is set on a witness, which runs its own minimal group (lib/replication/keeper-plan.ts)",
        "remove nodeGroups from the witness",
      );
  }
  return problems;
}

/**
 * EKS quota "Managed node groups per cluster" (default 30, adjustable; Amazon EKS User Guide,
 * "View and manage Amazon EKS and Fargate service quotas"): CreateNodegroup fails beyond it.
 */
function nodeGroupCountProblems(count: number, quota: number | undefined): RuleProblem[] {
  const limit = quota ?? DEFAULT_MANAGED_NODE_GROUP_QUOTA;
  if (count <= limit) return [];
  return [
    {
      key: "nodeGroups",
      message: `defines ${count} managed node groups; the account's EKS quota "Managed node groups per cluster" is ${limit}${quota === undefined ? " by default" : " (cluster.managedNodeGroupQuota)"}, and EKS refuses group number ${limit + 1} half-way through pulumi up`,
      fix: `merge groups (a group may list several instance types), or raise the quota: Service Quotas console > Amazon Elastic Kubernetes Service (Amazon EKS) > "Managed node groups per cluster" > Request increase (or aws service-quotas request-service-quota-increase --service-code eks), then set infrasage:cluster.managedNodeGroupQuota to the granted value`,
    },
  ];
}

/** Every group at desiredSize 0: no node runs coredns, the add-ons, or an autoscaler that could add nodes. */
function noStartingNodeProblems(groups: readonly NodeGroupConfig[], autoscaling: string): RuleProblem[] {
  if (groups.length === 0 || groups.some((g) => g.desiredSize > 0) || groups.every((g) => g.maxSize === 0)) return [];
  const scaler =
    autoscaling === "none"
      ? "and autoscaling is none, so nothing ever adds one"
      : `and the ${autoscaling} controller runs on these nodes itself, so it never starts to add one`;
  return [
    {
      key: "nodeGroups",
      message: `starts every group at desiredSize 0: the cluster would have no node ${scaler}; coredns and the other add-ons never become ACTIVE and pulumi up times out`,
      fix: "set desiredSize (and minSize) to at least 1 on one group without NoSchedule taints",
    },
  ];
}
