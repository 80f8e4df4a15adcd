/**
 * `cluster.accessEntries` as plain data: the EKS access policy each short name stands for, the
 * scope (cluster, or the listed namespaces), and what EKS would refuse (two entries for one
 * principal; `cluster.adminRoleArns` and the preview role make entries too). Pure.
 */
import { CLUSTER_ADMIN_POLICY_ARN, adminEntryKey, uniqueAdminRoleArns } from "./cluster-plan";
import { EKS_VIEW_POLICY_ARN } from "../deploy/deploy-path";
import type { KeyedProblem } from "../rules/problems";

/** EKS access policies (EKS user guide, "Associate access policies with access entries"). */
export const ACCESS_POLICY_ARNS = {
  "cluster-admin": CLUSTER_ADMIN_POLICY_ARN,
  admin: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSAdminPolicy",
  edit: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy",
  view: EKS_VIEW_POLICY_ARN,
} as const;
export type AccessPolicyName = keyof typeof ACCESS_POLICY_ARNS;
export const ACCESS_POLICY_NAMES = Object.keys(ACCESS_POLICY_ARNS) as [AccessPolicyName, ...AccessPolicyName[]];

export interface AccessEntryConfig {
  /** IAM role or user ARN. */
  readonly principalArn: string;
  readonly policy: AccessPolicyName;
  /** Namespaces the policy applies in; absent = the whole cluster. */
  readonly namespaces?: readonly string[];
}

/** An IAM role or user of the commercial partition. */
export const PRINCIPAL_ARN_RE = /^arn:aws:iam::\d{12}:(role|user)\/[\w+=,.@/-]{1,512}$/;
/** Namespace names, optionally ending in `*` (EKS matches a prefix). */
export const ACCESS_NAMESPACE_RE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$|^[a-z0-9][-a-z0-9]{0,61}\*$/;

export interface PlannedAccessEntry {
  /** Stable child-name part (name + hash of the ARN: reordering never replaces an entry). */
  readonly key: string;
  readonly principalArn: string;
  readonly policyArn: string;
  readonly accessScope:
    | { readonly type: "cluster" }
    | { readonly type: "namespace"; readonly namespaces: readonly string[] };
}

export function planAccessEntries(entries: readonly AccessEntryConfig[]): PlannedAccessEntry[] {
  return entries.map((e) => ({
    key: adminEntryKey(e.principalArn),
    principalArn: e.principalArn,
    policyArn: ACCESS_POLICY_ARNS[e.policy],
    accessScope: e.namespaces?.length ? { type: "namespace", namespaces: [...e.namespaces] } : { type: "cluster" },
  }));
}

/** An access entry of the cluster with its child-name part (`<component>-<name>`, `<component>-<name>-policy`). */
export interface ClusterAccessEntry extends Omit<PlannedAccessEntry, "key"> {
  readonly name: string;
}

/**
 * Every access entry the cluster makes, in creation order: cluster-admin for each admin role, then
 * `cluster.accessEntries`, then view for the preview role (pulumi-kubernetes falls back to a
 * client-side diff when a server-side dry run is forbidden, pulumi/pulumi-kubernetes#2419, so view is
 * enough for previews). The names are the deployed resources' names: never change them.
 */
export function clusterAccessEntries(args: {
  readonly adminRoleArns: readonly string[];
  readonly accessEntries?: readonly AccessEntryConfig[];
  readonly previewRoleArn?: string;
}): ClusterAccessEntry[] {
  const cluster = { type: "cluster" } as const;
  return [
    ...uniqueAdminRoleArns(args.adminRoleArns).map((principalArn) => ({
      name: `admin-${adminEntryKey(principalArn)}`,
      principalArn,
      policyArn: CLUSTER_ADMIN_POLICY_ARN,
      accessScope: cluster,
    })),
    ...planAccessEntries(args.accessEntries ?? []).map(({ key, ...e }) => ({ name: `access-${key}`, ...e })),
    ...(args.previewRoleArn
      ? [{ name: "preview", principalArn: args.previewRoleArn, policyArn: EKS_VIEW_POLICY_ARN, accessScope: cluster }]
      : []),
  ];
}

/**
 * One principal, compared as IAM compares it: role and user names are unique case-insensitively in
 * an account (IAM User Guide, "IAM identifiers"), so `role/Admin` and `role/admin` are one principal.
 */
const samePrincipal = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** Two access entries for one principal fail (ResourceInUseException); cluster-admin has no namespace scope here. */
export function accessEntryProblems(
  entries: readonly AccessEntryConfig[],
  others: { adminRoleArns: readonly string[]; previewRoleArn?: string },
): KeyedProblem[] {
  const problems: KeyedProblem[] = [];
  // cluster.adminRoleArns: each role once, and never the preview role (which must stay read-only).
  others.adminRoleArns.forEach((arn, i) => {
    if (others.adminRoleArns.findIndex((x) => samePrincipal(x, arn)) !== i) {
      problems.push({
        key: `cluster.adminRoleArns[${i}]`,
        message: `lists ${arn} a second time: EKS keeps one access entry per principal`,
        fix: "list each role once",
      });
    }
    if (others.previewRoleArn !== undefined && samePrincipal(others.previewRoleArn, arn)) {
      problems.push({
        key: `cluster.adminRoleArns[${i}]`,
        message:
          `${arn} is also deploy.previewRoleArn: the read-only role of pull-request previews ` +
          `would become cluster-admin (and EKS takes one access entry per principal)`,
        fix: "give previews a role of their own, with no other access entry",
      });
    }
  });
  entries.forEach((e, i) => {
    const key = `cluster.accessEntries[${i}]`;
    if (e.policy === "cluster-admin" && e.namespaces?.length) {
      problems.push({
        key: `${key}.namespaces`,
        message: "is set with policy cluster-admin, which is cluster-wide by definition",
        fix: "use policy admin (or edit/view) for namespaced access, or remove namespaces",
      });
    }
    if (e.namespaces && e.namespaces.length === 0)
      problems.push({
        key: `${key}.namespaces`,
        message: "is an empty list",
        fix: "list namespaces, or remove the key for cluster-wide access",
      });
    if (entries.findIndex((x) => samePrincipal(x.principalArn, e.principalArn)) !== i) {
      problems.push({
        key,
        message: `lists ${e.principalArn} a second time: EKS keeps one access entry per principal`,
        fix: "keep one entry per principal (widen its policy or namespaces instead)",
      });
    }
    if (others.adminRoleArns.some((a) => samePrincipal(a, e.principalArn))) {
      problems.push({
        key,
        message: `${e.principalArn} is also in cluster.adminRoleArns, which gives it an entry already`,
        fix: "keep it in one of the two keys",
      });
    }
    if (others.previewRoleArn !== undefined && samePrincipal(others.previewRoleArn, e.principalArn)) {
      problems.push({
        key,
        message:
          `${e.principalArn} is also deploy.previewRoleArn, which gives it an entry ` +
          `already${e.policy === "view" ? "" : ` (and previews must stay read-only, not ${e.policy})`}`,
        fix: "use a different role for previews, or remove this entry",
      });
    }
  });
  return problems;
}
