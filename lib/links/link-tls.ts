/**
 * TLS with mutual authentication on the links that leave a cluster through an internal load balancer:
 * pattern 2's alert webhook (spoke -> hub) and shared Grafana's metrics link (host -> source). As
 * pure manifests; components/links/link-tunnel.ts turns them into resources.
 *
 * Neither end of those links is ours (the vendor chart's AIops Engine and Prometheus speak plain HTTP,
 * and how they would take a private CA is not part of the chart's contract), so a small TLS proxy we
 * do own carries each link: ghostunnel (github.com/ghostunnel/ghostunnel, main.go v1.11.1), in `server`
 * mode in front of the service in the destination cluster and in `client` mode beside the caller in the
 * source cluster. The load balancer passes TCP through (no certificate on AWS, nothing in Pulumi state);
 * the bytes between the two clusters are TLS, and both sides prove who they are:
 * - every stack on a link holds ONE certificate, Secret LINK_TLS_SECRET in the release namespace
 *   (`tls.crt`, `tls.key`, `ca.crt`), created by the operator from one CA per organization (e.g. a
 *   cert-manager CA Issuer, or AWS Private CA through aws-privateca-issuer), DNS SAN `linkIdentity(stack)`,
 *   usages server auth and client auth;
 * - a server admits only the identities of the stacks allowed on that link (`--allow-dns`), a client
 *   accepts only the identity of the stack it dials (`--verify-dns`, `--override-server-name`: it dials
 *   the load balancer's DNS name);
 * - rotation: cert-manager renews the Secret before expiry; the kubelet updates the mounted files and
 *   ghostunnel reloads them every LINK_TLS_RELOAD without dropping connections (`--timed-reload`).
 */
import { INFRASAGE_NAMESPACE } from "../../policies/shared/ports";
import { IMAGES } from "../charts/pinned-versions";

/** The operator-provided certificate of a stack on a link (one per stack, in the release namespace). */
export const LINK_TLS_SECRET = { name: "infrasage-link-tls", cert: "tls.crt", key: "tls.key", ca: "ca.crt" } as const;
/** Domain of the link identities (never resolved: ghostunnel compares SANs, it does no DNS lookup). */
const LINK_DOMAIN = "link.infrasage.internal";
/** How often the proxies re-read the certificate files (cert-manager renews well before expiry). */
const LINK_TLS_RELOAD = "1h";
/** Port of ghostunnel's plain `/_status` endpoint (readiness), inside the pod network only. */
const TUNNEL_STATUS_PORT = 8081;
const TLS_DIR = "/etc/link-tls";
/** The distroless image's `nonroot` user. */
const NONROOT_UID = 65532;

/**
 * The TLS identity (certificate DNS SAN) of a stack: `<stack>.link.infrasage.internal`, the stack
 * name as one DNS label (lower case, `_` and `.` as `-`, at most 63 characters).
 */
export function linkIdentity(stack: string): string {
  const label = stack
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 63)
    .replace(/-+$/, "");
  return `${label || "stack"}.${LINK_DOMAIN}`;
}

/** One end of a link: where it listens and where it forwards. */
interface TunnelEnd {
  /** Name of the Deployment and Service. */
  readonly name: string;
  readonly namespace: string;
  /** Port the proxy listens on (and its Service exposes). */
  readonly listenPort: number;
  /** `host:port` it forwards to. */
  readonly target: string;
}

/** Destination side: TLS in, plain to the local service; only `allowedPeers` may connect. */
export interface TunnelServer extends TunnelEnd {
  readonly mode: "server";
  /** Identities (linkIdentity) of the stacks allowed on this link. */
  readonly allowedPeers: readonly string[];
}

/** Source side: plain in from the local caller, TLS out to the peer, which must be `peer`. */
export interface TunnelClient extends TunnelEnd {
  readonly mode: "client";
  /** Identity (linkIdentity) of the stack this client dials. */
  readonly peer: string;
}

export type Tunnel = TunnelServer | TunnelClient;

/** ghostunnel's command line (flags of main.go v1.11.1). */
export function tunnelArgs(t: Tunnel): string[] {
  const tls = [
    `--cert=${TLS_DIR}/${LINK_TLS_SECRET.cert}`,
    `--key=${TLS_DIR}/${LINK_TLS_SECRET.key}`,
    `--cacert=${TLS_DIR}/${LINK_TLS_SECRET.ca}`,
  ];
  const common = [`--timed-reload=${LINK_TLS_RELOAD}`, `--status=http://0.0.0.0:${TUNNEL_STATUS_PORT}`];
  if (t.mode === "server") {
    if (t.allowedPeers.length === 0)
      throw new Error(
        `tunnel ${t.name}: a server needs at least one allowed ` +
          `peer (ghostunnel refuses to start without access control)`,
      );
    // --unsafe-target: the target is a Service, not localhost (ghostunnel limits targets to localhost otherwise).
    return [
      "server",
      `--listen=0.0.0.0:${t.listenPort}`,
      `--target=${t.target}`,
      "--unsafe-target",
      ...tls,
      ...[...new Set(t.allowedPeers)].sort().map((p) => `--allow-dns=${p}`),
      ...common,
    ];
  }
  // --unsafe-listen: callers are other pods of the namespace (NetworkPolicy), not localhost.
  return [
    "client",
    `--listen=0.0.0.0:${t.listenPort}`,
    "--unsafe-listen",
    `--target=${t.target}`,
    ...tls,
    `--override-server-name=${t.peer}`,
    `--verify-dns=${t.peer}`,
    ...common,
  ];
}

/** Kubernetes' recommended labels of a tunnel's pods (NetworkPolicies select them). */
export function tunnelLabels(name: string): Record<string, string> {
  return {
    "app.kubernetes.io/name": "ghostunnel",
    "app.kubernetes.io/instance": name,
    "app.kubernetes.io/component": "link-tunnel",
    "app.kubernetes.io/part-of": "infrasage",
    "app.kubernetes.io/managed-by": "pulumi",
  };
}

/** `http://<service>.<namespace>.svc.cluster.local:<port>`: what a local caller uses to reach a client tunnel. */
export function tunnelServiceUrl(name: string, port: number, namespace = INFRASAGE_NAMESPACE): string {
  return `http://${name}.${namespace}.svc.cluster.local:${port}`;
}

/** The Deployment and Service of one tunnel (apiVersion/kind included), validated by tests with kubernetes-models. */
export function tunnelManifests(t: Tunnel): { deployment: Record<string, unknown>; service: Record<string, unknown> } {
  const labels = tunnelLabels(t.name);
  const selector = { "app.kubernetes.io/instance": t.name, "app.kubernetes.io/component": "link-tunnel" };
  const deployment = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: {
      name: t.name,
      namespace: t.namespace,
      labels,
      // Pods wait for the operator's LINK_TLS_SECRET: `pulumi up` must not wait for them.
      annotations: { "pulumi.com/skipAwait": "true" },
    },
    spec: {
      // One per AZ (topology spread), and compliance-policies
      // kubernetes-apps-v1-deployment-configure-minimum-replica-count.
      replicas: 3,
      selector: { matchLabels: selector },
      template: {
        metadata: { labels },
        spec: {
          automountServiceAccountToken: false,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: NONROOT_UID,
            runAsGroup: NONROOT_UID,
            seccompProfile: { type: "RuntimeDefault" },
          },
          topologySpreadConstraints: [
            {
              maxSkew: 1,
              topologyKey: "topology.kubernetes.io/zone",
              whenUnsatisfiable: "ScheduleAnyway",
              labelSelector: { matchLabels: selector },
            },
          ],
          containers: [
            {
              name: "ghostunnel",
              image: IMAGES.ghostunnel,
              args: tunnelArgs(t),
              ports: [
                { name: "tunnel", containerPort: t.listenPort, protocol: "TCP" },
                { name: "status", containerPort: TUNNEL_STATUS_PORT, protocol: "TCP" },
              ],
              readinessProbe: { httpGet: { path: "/_status", port: "status" }, periodSeconds: 10 },
              livenessProbe: { tcpSocket: { port: "tunnel" }, periodSeconds: 20 },
              resources: { requests: { cpu: "50m", memory: "32Mi" }, limits: { memory: "128Mi" } },
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ["ALL"] },
              },
              volumeMounts: [{ name: "link-tls", mountPath: TLS_DIR, readOnly: true }],
            },
          ],
          volumes: [{ name: "link-tls", secret: { secretName: LINK_TLS_SECRET.name } }],
        },
      },
    },
  };
  const service = {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: t.name, namespace: t.namespace, labels },
    spec: {
      type: "ClusterIP",
      selector,
      ports: [{ name: "tunnel", port: t.listenPort, targetPort: "tunnel", protocol: "TCP" }],
    },
  };
  return { deployment, service };
}

/** What the operator creates before the links carry traffic (a stack output, like pattern 3's). */
export function linkTlsPrerequisite(stack: string): string {
  return (
    `Secret ${INFRASAGE_NAMESPACE}/${LINK_TLS_SECRET.name} ` +
    `(${LINK_TLS_SECRET.cert}, ${LINK_TLS_SECRET.key}, ${LINK_TLS_SECRET.ca}): ` +
    `a certificate from the organization's link CA with DNS ` +
    `SAN ${linkIdentity(stack)}, usages server auth and client auth`
  );
}
