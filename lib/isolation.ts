/**
 * Pod isolation inside each cluster, as plain manifests (pure): Pod Security Admission labels for
 * every namespace the program creates or ensures, and NetworkPolicies (enforced by the VPC CNI's
 * network policy agent, enabled in lib/cluster-plan.ts): ingress denied by default, then explicit
 * allows. EKS Best Practices: "Pod Security Standards", "Network policy"; CIS EKS 4.2 / 4.3.
 */
import { CLICKHOUSE_POD_LABELS, INFRASAGE_RELEASE_NAME } from "./chart-contract";

export type PodSecurityLevel = "privileged" | "baseline" | "restricted";

/**
 * PSA labels: `enforce` rejects pods, `warn`/`audit` report them. Always warn and audit at
 * `restricted`, so every deviation from the strictest level is visible even where it is allowed.
 */
export function podSecurityLabels(enforce: PodSecurityLevel | undefined): Record<string, string> {
  return {
    ...(enforce ? { "pod-security.kubernetes.io/enforce": enforce, "pod-security.kubernetes.io/enforce-version": "latest" } : {}),
    "pod-security.kubernetes.io/warn": "restricted",
    "pod-security.kubernetes.io/warn-version": "latest",
    "pod-security.kubernetes.io/audit": "restricted",
    "pod-security.kubernetes.io/audit-version": "latest",
  };
}

/**
 * Enforced level per namespace the program creates or ensures, with the reason where it is not
 * `restricted` (README "Security").
 */
export const NAMESPACE_POD_SECURITY = {
  /** The vendor chart's ClickHouse and Kafka pods are not known to meet `restricted` (fsGroup, root images). */
  infrasage: "baseline",
  /** Keeper runs as non-root, read-only root filesystem, no capabilities (lib/keeper-manifests.ts). */
  keeper: "restricted",
  /** The external-dns chart's defaults meet `restricted`. */
  externalDns: "restricted",
  /** Your workloads' namespaces (runbooks.namespaceScope): reported, never enforced by this program. */
  runbookScope: undefined,
} as const satisfies Record<string, PodSecurityLevel | undefined>;

/**
 * Labels of the InfraSage chart's pods that the policies select (the chart's `app.kubernetes.io`
 * convention: instance = release name, component = the service). An assumption about the vendor
 * chart, like the Service names (README "The InfraSage chart").
 */
export const CHART_COMPONENT_LABELS = {
  ingestionGateway: { "app.kubernetes.io/instance": INFRASAGE_RELEASE_NAME, "app.kubernetes.io/component": "ingestion-gateway" },
  aiopsEngine: { "app.kubernetes.io/instance": INFRASAGE_RELEASE_NAME, "app.kubernetes.io/component": "aiops-engine" },
  prometheus: { "app.kubernetes.io/instance": INFRASAGE_RELEASE_NAME, "app.kubernetes.io/component": "prometheus" },
  clickhouse: CLICKHOUSE_POD_LABELS,
} as const;

/** A `networking.k8s.io/v1` NetworkPolicy without apiVersion/kind. */
export interface NetworkPolicySpec {
  readonly metadata: { readonly name: string; readonly namespace: string; readonly labels: Readonly<Record<string, string>> };
  readonly spec: {
    readonly podSelector: { readonly matchLabels?: Readonly<Record<string, string>> };
    readonly policyTypes: readonly ["Ingress"];
    readonly ingress?: readonly {
      readonly from?: readonly ({ readonly podSelector: object } | { readonly namespaceSelector: object } | { readonly ipBlock: { readonly cidr: string } })[];
      readonly ports?: readonly { readonly protocol: "TCP"; readonly port: number }[];
    }[];
  };
}

const LABELS = { "app.kubernetes.io/managed-by": "pulumi", "app.kubernetes.io/part-of": "infrasage" } as const;
const meta = (name: string, namespace: string) => ({ name, namespace, labels: { ...LABELS } });

/** Every pod of the namespace: ingress denied unless another policy allows it. */
export function denyIngressByDefault(namespace: string): NetworkPolicySpec {
  return { metadata: meta("default-deny-ingress", namespace), spec: { podSelector: {}, policyTypes: ["Ingress"] } };
}

/** Pods of the namespace talk to each other (InfraSage's own components, Keeper's voters). */
export function allowWithinNamespace(namespace: string): NetworkPolicySpec {
  return { metadata: meta("allow-within-namespace", namespace), spec: { podSelector: {}, policyTypes: ["Ingress"], ingress: [{ from: [{ podSelector: {} }] }] } };
}

export type Source = { readonly anyNamespace: true } | { readonly namespace: string } | { readonly cidrs: readonly string[] };

/** Allows `ports` of the pods matching `pods` (all pods when undefined) from `source`. */
export function allowIngress(name: string, namespace: string, ports: readonly number[], source: Source, pods?: Readonly<Record<string, string>>): NetworkPolicySpec {
  const from = "anyNamespace" in source ? [{ namespaceSelector: {} }]
    : "namespace" in source ? [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": source.namespace } } }]
      : source.cidrs.map((cidr) => ({ ipBlock: { cidr } }));
  return {
    metadata: meta(name, namespace),
    spec: {
      podSelector: pods ? { matchLabels: { ...pods } } : {},
      policyTypes: ["Ingress"],
      // An ingress rule with an empty `from` admits every source: no source, no rule.
      ingress: from.length === 0 ? [] : [{ from, ports: ports.map((port) => ({ protocol: "TCP" as const, port })) }],
    },
  };
}

/** The baseline of a namespace the program creates: deny by default, allow within. */
export const namespaceBaseline = (namespace: string): NetworkPolicySpec[] => [denyIngressByDefault(namespace), allowWithinNamespace(namespace)];
