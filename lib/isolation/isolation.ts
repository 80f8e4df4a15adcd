/**
 * Pod isolation inside each cluster, as plain manifests (pure): Pod Security Admission labels for
 * every namespace the program creates or ensures, and NetworkPolicies (enforced by the VPC CNI's
 * network policy agent, enabled in lib/cluster/cluster-plan.ts): ingress denied by default, then explicit
 * allows. EKS Best Practices: "Pod Security Standards", "Network policy"; CIS EKS 4.2 / 4.3.
 */
import { CLICKHOUSE_POD_LABELS, INFRASAGE_RELEASE_NAME } from "../charts/chart-contract";

export type PodSecurityLevel = "privileged" | "baseline" | "restricted";

/**
 * PSA labels: `enforce` rejects pods, `warn`/`audit` report them. Always warn and audit at
 * `restricted`, so every deviation from the strictest level is visible even where it is allowed.
 */
export function podSecurityLabels(enforce: PodSecurityLevel | undefined): Record<string, string> {
  return {
    ...(enforce
      ? { "pod-security.kubernetes.io/enforce": enforce, "pod-security.kubernetes.io/enforce-version": "latest" }
      : {}),
    "pod-security.kubernetes.io/warn": "restricted",
    "pod-security.kubernetes.io/warn-version": "latest",
    "pod-security.kubernetes.io/audit": "restricted",
    "pod-security.kubernetes.io/audit-version": "latest",
  };
}

/**
 * Enforced level per namespace the program creates or ensures, with the reason where it is not
 * `restricted` (docs/security.md).
 */
export const NAMESPACE_POD_SECURITY = {
  /** The vendor chart's ClickHouse and Kafka pods are not known to meet `restricted` (fsGroup, root images). */
  infrasage: "baseline",
  /** Keeper runs as non-root, read-only root filesystem, no capabilities (lib/replication/keeper-manifests.ts). */
  keeper: "restricted",
  /** The external-dns chart's defaults meet `restricted`. */
  externalDns: "restricted",
  /** Your workloads' namespaces (runbooks.namespaceScope): reported, never enforced by this program. */
  runbookScope: undefined,
} as const satisfies Record<string, PodSecurityLevel | undefined>;

/**
 * Labels of the InfraSage chart's pods that the policies select (the chart's `app.kubernetes.io`
 * convention: instance = release name, component = the service). An assumption about the vendor
 * chart, like the Service names (docs/deploying.md "The InfraSage chart").
 */
export const CHART_COMPONENT_LABELS = {
  ingestionGateway: {
    "app.kubernetes.io/instance": INFRASAGE_RELEASE_NAME,
    "app.kubernetes.io/component": "ingestion-gateway",
  },
  aiopsEngine: { "app.kubernetes.io/instance": INFRASAGE_RELEASE_NAME, "app.kubernetes.io/component": "aiops-engine" },
  prometheus: { "app.kubernetes.io/instance": INFRASAGE_RELEASE_NAME, "app.kubernetes.io/component": "prometheus" },
  clickhouse: CLICKHOUSE_POD_LABELS,
} as const;

type Peer =
  | { readonly podSelector: object }
  | { readonly namespaceSelector: object; readonly podSelector?: object }
  | { readonly ipBlock: { readonly cidr: string } };
type PortRule = { readonly protocol: "TCP" | "UDP"; readonly port: number };

/** A `networking.k8s.io/v1` NetworkPolicy without apiVersion/kind. */
export interface NetworkPolicySpec {
  readonly metadata: {
    readonly name: string;
    readonly namespace: string;
    readonly labels: Readonly<Record<string, string>>;
  };
  readonly spec: {
    readonly podSelector: { readonly matchLabels?: Readonly<Record<string, string>> };
    readonly policyTypes: readonly ["Ingress"] | readonly ["Egress"];
    readonly ingress?: readonly { readonly from?: readonly Peer[]; readonly ports?: readonly PortRule[] }[];
    readonly egress?: readonly { readonly to?: readonly Peer[]; readonly ports?: readonly PortRule[] }[];
  };
}

const LABELS = { "app.kubernetes.io/managed-by": "pulumi", "app.kubernetes.io/part-of": "infrasage" } as const;
const meta = (name: string, namespace: string) => ({ name, namespace, labels: { ...LABELS } });

/** Every pod of the namespace: ingress denied unless another policy allows it. */
export function denyIngressByDefault(namespace: string): NetworkPolicySpec {
  return { metadata: meta("default-deny-ingress", namespace), spec: { podSelector: {}, policyTypes: ["Ingress"] } };
}

/** Pods of the namespace talk to each other (InfraSage's own components, Keeper's voters). */
function allowWithinNamespace(namespace: string): NetworkPolicySpec {
  return {
    metadata: meta("allow-within-namespace", namespace),
    spec: { podSelector: {}, policyTypes: ["Ingress"], ingress: [{ from: [{ podSelector: {} }] }] },
  };
}

export type Source =
  | { readonly anyNamespace: true }
  | { readonly namespace: string }
  | { readonly cidrs: readonly string[] };

/** Allows `ports` of the pods matching `pods` (all pods when undefined) from `source`. */
export function allowIngress(
  name: string,
  namespace: string,
  ports: readonly number[],
  source: Source,
  pods?: Readonly<Record<string, string>>,
): NetworkPolicySpec {
  const from =
    "anyNamespace" in source
      ? [{ namespaceSelector: {} }]
      : "namespace" in source
        ? [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": source.namespace } } }]
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
export const namespaceBaseline = (namespace: string): NetworkPolicySpec[] => [
  denyIngressByDefault(namespace),
  allowWithinNamespace(namespace),
];

/** Every pod of the namespace: egress denied unless another policy of the namespace allows it. */
function denyEgressByDefault(namespace: string): NetworkPolicySpec {
  return { metadata: meta("default-deny-egress", namespace), spec: { podSelector: {}, policyTypes: ["Egress"] } };
}

/** Labels of the cluster DNS pods (the EKS coredns add-on's Deployment in kube-system). */
const CLUSTER_DNS = { namespace: "kube-system", pods: { "k8s-app": "kube-dns" } } as const;

/** DNS lookups through the cluster's coredns, UDP and TCP 53. */
function allowDnsEgress(namespace: string): NetworkPolicySpec {
  return {
    metadata: meta("allow-dns-egress", namespace),
    spec: {
      podSelector: {},
      policyTypes: ["Egress"],
      egress: [
        {
          to: [
            {
              namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": CLUSTER_DNS.namespace } },
              podSelector: { matchLabels: { ...CLUSTER_DNS.pods } },
            },
          ],
          ports: [
            { protocol: "UDP", port: 53 },
            { protocol: "TCP", port: 53 },
          ],
        },
      ],
    },
  };
}

export type Destination = { readonly sameNamespace: true } | { readonly cidrs: readonly string[] };

/** Allows the namespace's pods to open TCP `ports` to `destination`. */
export function allowEgress(
  name: string,
  namespace: string,
  ports: readonly number[],
  destination: Destination,
): NetworkPolicySpec {
  const to =
    "sameNamespace" in destination ? [{ podSelector: {} }] : destination.cidrs.map((cidr) => ({ ipBlock: { cidr } }));
  return {
    metadata: meta(name, namespace),
    spec: {
      podSelector: {},
      policyTypes: ["Egress"],
      // An egress rule with an empty `to` admits every destination: no destination, no rule.
      egress: to.length === 0 ? [] : [{ to, ports: ports.map((port) => ({ protocol: "TCP" as const, port })) }],
    },
  };
}

/** HTTPS anywhere: AWS's public API endpoints have no fixed addresses (and the API server listens on 443 too). */
const ANY_IPV4 = "0.0.0.0/0";

/**
 * Egress of the program's own namespaces, default-deny with what their traffic needs:
 * - Keeper: DNS, its own voters (raft and client TLS) and the peers' voters over the peering (peerEgress);
 * - external-dns: DNS, HTTPS to Route 53 and STS (public AWS APIs) and to the API server.
 */
export function keeperEgress(namespace: string, raftPort: number, clientTlsPort: number): NetworkPolicySpec[] {
  return [
    denyEgressByDefault(namespace),
    allowDnsEgress(namespace),
    allowEgress("allow-voters-egress", namespace, [clientTlsPort, raftPort], { sameNamespace: true }),
  ];
}

export function externalDnsEgress(namespace: string): NetworkPolicySpec[] {
  return [
    denyEgressByDefault(namespace),
    allowDnsEgress(namespace),
    allowEgress("allow-https-egress", namespace, [443], { cidrs: [ANY_IPV4] }),
  ];
}
