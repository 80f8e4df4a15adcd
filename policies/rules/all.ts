/**
 * Every policy of the pack, listed explicitly: a rule exists in the pack iff it is in this array
 * (no registration by import side effect). Imported by policies/index.ts and the offline runner.
 */
import type { Policies } from "@pulumi/policy";
import { RESIDENCY_POLICIES } from "./residency";
import { REPLICATION_POLICIES } from "./residency-replication";
import { HELM_VALUES_POLICIES } from "./helm-values";
import { SECURITY_POLICIES } from "./security";
import { ALERT_LINK_POLICIES } from "./alert-link";
import { METRICS_LINK_POLICIES } from "./metrics-link";
import { BOOTSTRAP_POLICIES } from "./bootstrap";

export const ALL_POLICIES: Policies = [
  ...RESIDENCY_POLICIES,
  ...REPLICATION_POLICIES,
  ...HELM_VALUES_POLICIES,
  ...SECURITY_POLICIES,
  ...ALERT_LINK_POLICIES,
  ...METRICS_LINK_POLICIES,
  ...BOOTSTRAP_POLICIES,
];
