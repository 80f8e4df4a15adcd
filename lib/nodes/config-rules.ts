/**
 * The node groups' config rules (`infrasage:nodeGroups`, pure): a node to start on, group names,
 * architecture, spot diversity, sizes and taints (lib/nodes/node-groups.ts), EKS's quota of groups,
 * and none on a witness.
 */
import { namespacedProblems, qualified, type ConfigProblem, type KeyedProblem } from "../rules/problems";
import type { RuleContext } from "../rules/rule-context";
import {
  DEFAULT_MANAGED_NODE_GROUP_QUOTA,
  NODE_GROUP_NAME_RE,
  nodeGroupProblems,
  type NodeGroupConfig,
} from "./node-groups";

/** `nodeGroups` (as given, and with the profile's defaults) against the rest of the config. */
export function nodeConfigProblems({ input: c, config }: RuleContext): ConfigProblem[] {
  const { problems, add } = namespacedProblems();
  // A cluster that starts with no node: nothing (not even an autoscaler, which runs on these nodes) ever adds one.
  problems.push(...noStartingNodeProblems(config.nodeGroups, config.autoscaling).map(qualified));

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
    problems.push(...nodeGroupProblems(config.nodeGroups).map(qualified));
    problems.push(...nodeGroupCountProblems(names.length, c.cluster?.managedNodeGroupQuota).map(qualified));
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
function nodeGroupCountProblems(count: number, quota: number | undefined): KeyedProblem[] {
  const limit = quota ?? DEFAULT_MANAGED_NODE_GROUP_QUOTA;
  if (count <= limit) return [];
  return [
    {
      key: "nodeGroups",
      message:
        `defines ${count} managed node groups; the account's EKS quota "Managed node groups ` +
        `per cluster" is ${limit}${quota === undefined ? " by default" : " (cluster.managedNodeGroupQuota)"}, ` +
        `and EKS refuses group number ${limit + 1} half-way through pulumi up`,
      fix:
        `merge groups (a group may list several instance types), or raise the quota: Service ` +
        `Quotas console > Amazon Elastic Kubernetes Service (Amazon EKS) > "Managed node groups ` +
        `per cluster" > Request increase (or aws service-quotas request-service-quota-increase ` +
        `--service-code eks), then set infrasage:cluster.managedNodeGroupQuota to the granted value`,
    },
  ];
}

/** Every group at desiredSize 0: no node runs coredns, the add-ons, or an autoscaler that could add nodes. */
function noStartingNodeProblems(groups: readonly NodeGroupConfig[], autoscaling: string): KeyedProblem[] {
  if (groups.length === 0 || groups.some((g) => g.desiredSize > 0) || groups.every((g) => g.maxSize === 0)) return [];
  const scaler =
    autoscaling === "none"
      ? "and autoscaling is none, so nothing ever adds one"
      : `and the ${autoscaling} controller runs on these nodes itself, so it never starts to add one`;
  return [
    {
      key: "nodeGroups",
      message:
        `starts every group at desiredSize 0: the cluster would have no node ${scaler}; ` +
        `coredns and the other add-ons never become ACTIVE and pulumi up times out`,
      fix: "set desiredSize (and minSize) to at least 1 on one group without NoSchedule taints",
    },
  ];
}
