/**
 * The add-ons' config rules (`infrasage:cluster.addons`, pure): known names, version format,
 * kube-proxy skew, NetworkPolicy kept on (lib/addons/addon-versions.ts), and the Pod Identity agent
 * only where Karpenter installs it.
 */
import { namespacedProblems, qualified, type ConfigProblem } from "../rules/problems";
import type { RuleContext } from "../rules/rule-context";
import { addonProblems } from "./addon-versions";

/** `cluster.addons` against the cluster's version and `autoscaling`. */
export function addonConfigProblems({ config }: RuleContext): ConfigProblem[] {
  const { problems, add } = namespacedProblems();
  problems.push(...addonProblems(config.cluster.addons, config.cluster.version).map(qualified));
  if (config.cluster.addons["eks-pod-identity-agent"] && config.autoscaling !== "karpenter") {
    add(
      "cluster.addons.eks-pod-identity-agent",
      `is configured but autoscaling is ${config.autoscaling}; only Karpenter installs the agent`,
      "remove it, or set autoscaling to karpenter",
    );
  }
  return problems;
}
