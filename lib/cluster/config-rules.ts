/**
 * The cluster's config rules (pure): a Kubernetes version EKS supports, the audit trail kept, public
 * endpoint ranges EKS accepts and that stay narrow (lib/network/cidr-rules.ts), and one access entry
 * per principal across every key that makes one (lib/cluster/access-entries.ts).
 */
import { REQUIRED_CONTROL_PLANE_LOG_TYPES } from "../../policies/shared/eks";
import { namespacedProblems, qualified, type ConfigProblem } from "../rules/problems";
import type { RuleContext } from "../rules/rule-context";
import { publicAccessCidrsProblems } from "../network/cidr-rules";
import { accessEntryProblems } from "./access-entries";
import { DEFAULT_EKS_VERSION, SUPPORTED_EKS_VERSIONS } from "./eks-versions";

/** `cluster.version`, `cluster.logTypes` and `cluster.publicAccessCidrs`. */
export function clusterConfigProblems({ config }: RuleContext): ConfigProblem[] {
  const { problems, add } = namespacedProblems();
  if (!SUPPORTED_EKS_VERSIONS.includes(config.cluster.version)) {
    add(
      "cluster.version",
      `EKS does not support Kubernetes ${config.cluster.version}`,
      `use one of ${SUPPORTED_EKS_VERSIONS.join(", ")} (default ${DEFAULT_EKS_VERSION})`,
    );
  }
  const missingLogs = REQUIRED_CONTROL_PLANE_LOG_TYPES.filter((t) => !config.cluster.logTypes.includes(t));
  if (missingLogs.length > 0)
    add(
      "cluster.logTypes",
      `leaves out ${missingLogs.join(", ")}: the audit trail is never switched off`,
      `add ${missingLogs.join(", ")} (or remove the key: every type is shipped by default)`,
    );
  // Each entry, then the list as a whole (count, union size and widest merged block).
  for (const p of publicAccessCidrsProblems(config.cluster.publicAccessCidrs)) {
    add(
      p.index === undefined ? "cluster.publicAccessCidrs" : `cluster.publicAccessCidrs[${p.index}]`,
      p.message,
      p.fix,
    );
  }
  return problems;
}

/**
 * Access entries: one per principal, across `cluster.accessEntries`, `cluster.adminRoleArns` and
 * `deploy.previewRoleArn`.
 */
export function accessEntryConfigProblems({ config }: RuleContext): ConfigProblem[] {
  return accessEntryProblems(config.cluster.accessEntries, {
    adminRoleArns: config.cluster.adminRoleArns,
    ...(config.deploy.previewRoleArn ? { previewRoleArn: config.deploy.previewRoleArn } : {}),
  }).map(qualified);
}
