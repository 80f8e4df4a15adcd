/** EKS settings shared by the cluster plan (lib/cluster-plan.ts) and the policy pack's security rules. */

/** Control-plane logs we ship: API calls, audit trail, and who authenticated (IAM -> k8s identity). */
export const CONTROL_PLANE_LOG_TYPES: readonly string[] = ["api", "audit", "authenticator"];
