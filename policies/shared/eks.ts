/** EKS settings shared by the cluster plan (lib/cluster/cluster-plan.ts) and the policy pack's security rules. */

/** Every control-plane log type EKS can ship (EKS API `LogType`). */
export const ALL_CONTROL_PLANE_LOG_TYPES: readonly string[] = [
  "api",
  "audit",
  "authenticator",
  "controllerManager",
  "scheduler",
];
/**
 * Shipped unless configured otherwise: all of them (CIS Amazon EKS 2.1.1 remediation).
 * @alias of ALL_CONTROL_PLANE_LOG_TYPES by choice: the default has its own name, apart from what is accepted.
 */
export const CONTROL_PLANE_LOG_TYPES: readonly string[] = ALL_CONTROL_PLANE_LOG_TYPES;
/** What may never be switched off: the audit trail (who did what in the cluster). */
export const REQUIRED_CONTROL_PLANE_LOG_TYPES: readonly string[] = ["audit"];
