/**
 * Pattern 2, hub-and-spoke alert federation, as pure data (no Pulumi import): the hub's fixed DNS
 * names and URLs, what the hub exports for its spokes and how a spoke reads it, the chart values of
 * each side, the credential map, and the one flow that crosses regions (alert metadata, webhook port).
 * components/federation*.ts only turn these into resources.
 */
import { containsCidr } from "cidr-tools";
import { ALERT_LINK_FLOW, FLOW_TAG } from "../../policies/shared/flows";
import { INFRASAGE_NAMESPACE, PORTS } from "../../policies/shared/ports";
import { jurisdictionOf, type Jurisdiction } from "../../policies/shared/regions";
import { isStringArray, linkProblems, readPeerNetwork, type NetworkExport } from "../links/peering-plan";
import { linkIdentity, tunnelServiceUrl, type TunnelClient, type TunnelServer } from "../links/link-tls";

/** Tags on every federation resource: what the link is for, and the policy pack's flow marker. */
export const FEDERATION_TAGS: Readonly<Record<string, string>> = {
  Purpose: "alert-federation",
  [FLOW_TAG]: ALERT_LINK_FLOW,
};

/** Path of the AIops Engine's alert webhook (seed). */
const WEBHOOK_PATH = "/api/v1/alerts/webhook";
/** Private hosted zone of the hub, associated with the hub VPC and each linked spoke VPC. */
export const HUB_ZONE_NAME = "central.internal";
/** Record (in HUB_ZONE_NAME) that spokes forward to (seed: ALERT_FORWARD_URL). */
export const HUB_RECORD = "infrasage-hub";

/**
 * The hub's webhook as spokes reach it: the seed's name (ALERT_FORWARD_URL host
 * infrasage-hub.central.internal), but TLS with mutual authentication on PORTS.alertWebhook, passed
 * through the hub's load balancer to its link tunnel (lib/links/link-tls.ts), never plain HTTP.
 */
export const HUB_WEBHOOK_URL = `https://${HUB_RECORD}.${HUB_ZONE_NAME}:${PORTS.alertWebhook}${WEBHOOK_PATH}`;

/** Kubernetes Service of the AIops Engine the hub's link tunnel forwards to (`<release>-aiops`). */
const AIOPS_SERVICE_NAME = "infrasage-aiops";
/** The AIops Engine inside its own cluster. */
const AIOPS_IN_CLUSTER = `${AIOPS_SERVICE_NAME}.${INFRASAGE_NAMESPACE}.svc.cluster.local:${PORTS.aiopsEngine}`;

/** Hub: the link tunnel (server) in front of the AIops Engine, which the load balancer targets. */
export const HUB_TUNNEL_NAME = "infrasage-alert-link";
/** Spoke: the link tunnel (client) its AIops Engine posts to, which carries the alerts to the hub over TLS. */
const SPOKE_TUNNEL = { name: "infrasage-hub-link", port: PORTS.aiopsEngine } as const;
/** A spoke's ALERT_FORWARD_URL: its own link tunnel, which forwards to HUB_WEBHOOK_URL over TLS. */
const SPOKE_FORWARD_URL = `${tunnelServiceUrl(SPOKE_TUNNEL.name, SPOKE_TUNNEL.port)}${WEBHOOK_PATH}`;

/** The hub's link tunnel: TLS from the listed spokes only (their certificates' identities). */
export function hubTunnel(spokeStacks: readonly string[]): TunnelServer {
  return {
    mode: "server",
    name: HUB_TUNNEL_NAME,
    namespace: INFRASAGE_NAMESPACE,
    listenPort: PORTS.alertWebhook,
    target: AIOPS_IN_CLUSTER,
    allowedPeers: spokeStacks.map(linkIdentity),
  };
}

/** A spoke's link tunnel to its hub: dials the hub's webhook name, accepts only the hub's identity. */
export function spokeTunnel(hubStack: string): TunnelClient {
  return {
    mode: "client",
    name: SPOKE_TUNNEL.name,
    namespace: INFRASAGE_NAMESPACE,
    listenPort: SPOKE_TUNNEL.port,
    target: `${HUB_RECORD}.${HUB_ZONE_NAME}:${PORTS.alertWebhook}`,
    peer: linkIdentity(hubStack),
  };
}

/** Alertmanager receiver (the chart's `alertmanager.config.receivers` entry). */
export interface AlertmanagerReceiver {
  readonly name: string;
  readonly webhook_configs: readonly { readonly url: string; readonly send_resolved: boolean }[];
}

/**
 * Seed, hub configuration: receiver `infrasage-hub` posting to the hub AIops Engine, resolved alerts
 * too. The seed's `infrasage-aiops.hub.internal` named the hub's load balancer; that now speaks only
 * TLS with client certificates, so the hub's own Alertmanager posts to the AIops Service directly
 * (same cluster, same namespace: the traffic never leaves the cluster).
 */
export const HUB_RECEIVER: AlertmanagerReceiver = {
  name: "infrasage-hub",
  webhook_configs: [{ url: `http://${AIOPS_IN_CLUSTER}${WEBHOOK_PATH}`, send_resolved: true }],
};
/** Hub: Secret holding every spoke's credential, and its key (JSON `{ "<spoke stack>": "<credential>" }`). */
export const HUB_CREDENTIALS_SECRET = { name: "infrasage-federation-spokes", key: "credentials.json" } as const;
/** Spoke: Secret holding this spoke's credential, and its key. */
export const SPOKE_CREDENTIAL_SECRET = { name: "infrasage-federation-credential", key: "credential" } as const;
/** Length of a spoke's webhook credential (alphanumeric). */
export const CREDENTIAL_LENGTH = 48;

/**
 * How a spoke's AIops Engine retries while the hub is unreachable: exponential backoff up to the
 * cap, alerts kept in a persistent local queue so a hub outage loses none (seed trade-off: the hub
 * is a single point of failure for the unified view only; each spoke keeps working alone).
 */
const FORWARD_RETRY = {
  maxAttempts: 20,
  backoffSeconds: 5,
  backoffMaxSeconds: 300,
  persistentQueue: true,
} as const;

/** An env var read from a Secret (never the value itself). */
export interface SecretEnvVar {
  readonly name: string;
  readonly valueFrom: { readonly secretKeyRef: { readonly name: string; readonly key: string } };
}

/** What pattern 2 adds to the chart values. Plain data, nothing secret. */
export interface FederationValues {
  /** Plain AIops Engine env (a spoke's ALERT_FORWARD_*). */
  readonly aiopsEnv: Readonly<Record<string, string>>;
  /** AIops Engine env read from Secrets (the credentials). */
  readonly aiopsSecretEnv: readonly SecretEnvVar[];
  /** Alertmanager receivers (the hub's `infrasage-hub`). */
  readonly alertmanagerReceivers: readonly AlertmanagerReceiver[];
}

const secretEnv = (name: string, secret: { name: string; key: string }): SecretEnvVar => ({
  name,
  valueFrom: { secretKeyRef: { name: secret.name, key: secret.key } },
});

/** Hub values: the seed's receiver, and every spoke's credential for checking incoming alerts. */
export function hubValues(): FederationValues {
  return {
    aiopsEnv: {},
    aiopsSecretEnv: [secretEnv("ALERT_WEBHOOK_CREDENTIALS", HUB_CREDENTIALS_SECRET)],
    alertmanagerReceivers: [HUB_RECEIVER],
  };
}

/**
 * Spoke values. Without a ready hub nothing is forwarded (the regional stack works alone). With
 * one: the seed's three variables exactly, who is forwarding, the retry settings, the credential.
 */
export function spokeValues(args: {
  readonly stack: string;
  readonly includeMetadata: boolean;
  readonly hubWebhookUrl?: string;
}): FederationValues {
  if (args.hubWebhookUrl === undefined) return { aiopsEnv: {}, aiopsSecretEnv: [], alertmanagerReceivers: [] };
  return {
    aiopsEnv: {
      // The spoke's own link tunnel, which carries the alerts to hubWebhookUrl over TLS.
      ALERT_FORWARD_URL: SPOKE_FORWARD_URL,
      ALERT_FORWARD_INCLUDE_METADATA: String(args.includeMetadata),
      // Raw telemetry stays in region: never anything but "false" (the config parser rejects true).
      ALERT_FORWARD_INCLUDE_RAW_TELEMETRY: "false",
      ALERT_FORWARD_SPOKE_ID: args.stack,
      ALERT_FORWARD_RETRY_MAX_ATTEMPTS: String(FORWARD_RETRY.maxAttempts),
      ALERT_FORWARD_RETRY_BACKOFF_SECONDS: String(FORWARD_RETRY.backoffSeconds),
      ALERT_FORWARD_RETRY_BACKOFF_MAX_SECONDS: String(FORWARD_RETRY.backoffMaxSeconds),
      ALERT_FORWARD_QUEUE_PERSISTENT: String(FORWARD_RETRY.persistentQueue),
    },
    aiopsSecretEnv: [secretEnv("ALERT_FORWARD_CREDENTIAL", SPOKE_CREDENTIAL_SECRET)],
    alertmanagerReceivers: [],
  };
}

/** What a hub exports under its `federation` output for its spokes. */
export interface HubFederationExport {
  /** URL spokes forward alerts to (HUB_WEBHOOK_URL). */
  readonly webhookUrl: string;
  /** Route 53 private hosted zone of HUB_ZONE_NAME (spokes associate their VPC with it). */
  readonly zoneId: string;
  /** Security group of the hub's internal load balancer. */
  readonly lbSecurityGroupId: string;
  /** Hub subnets holding the load balancer's ENIs: the only hub CIDRs spokes route to. */
  readonly lbSubnetCidrs: readonly string[];
  readonly region: string;
  readonly jurisdiction: Jurisdiction;
}

/** The stack name of `org/project/stack`: what names a spoke's credential. */
export const stackOf = (ref: string): string => ref.split("/")[2] ?? ref;

export type HubRead =
  | { readonly ok: true; readonly hub: HubFederationExport; readonly network: NetworkExport }
  | { readonly ok: false; readonly pending: string[] };

/** Reads a hub's `federation` output, or says why it cannot be used (yet). */
function readHubExport(ref: string, f: unknown): { hub?: HubFederationExport; problem?: string } {
  if (f === undefined || f === null) {
    return {
      problem:
        `${ref} has no 'federation' output yet (hub not deployed, or not ` +
        `federation.role hub): pulumi up the hub first, then this spoke again`,
    };
  }
  const o = f as Record<string, unknown>;
  const { webhookUrl: url, zoneId, lbSecurityGroupId, lbSubnetCidrs, region } = o;
  const jurisdiction = typeof region === "string" ? jurisdictionOf(region) : undefined;
  if (
    typeof url !== "string" ||
    url !== HUB_WEBHOOK_URL ||
    typeof zoneId !== "string" ||
    typeof lbSecurityGroupId !== "string" ||
    !isStringArray(lbSubnetCidrs) ||
    lbSubnetCidrs.length === 0 ||
    typeof region !== "string" ||
    !jurisdiction
  ) {
    return {
      problem:
        `${ref}'s 'federation' output is incomplete or not on the TLS ` +
        `webhook ${HUB_WEBHOOK_URL} (deployed by an older version?): pulumi up the hub first`,
    };
  }
  return { hub: { webhookUrl: url, zoneId, lbSecurityGroupId, lbSubnetCidrs, region, jurisdiction } };
}

/**
 * A spoke reads its hub: `federation`, `network` and its own credential in `spokeCredentials`.
 * Anything missing is pending (listed, never an error): the spoke then deploys its regional stack
 * alone. Throws only for what no redeploy fixes: overlapping VPC CIDRs.
 */
export function readHub(
  ref: string,
  outputs: Readonly<Record<string, unknown>> | undefined,
  self: { readonly stack: string; readonly vpcCidr: string },
): HubRead {
  const pending: string[] = [];
  const { hub, problem } = readHubExport(ref, outputs?.federation);
  if (problem) pending.push(problem);
  const net = readPeerNetwork(ref, outputs);
  if (!net.ok) pending.push(net.pending);
  const credentials = outputs?.spokeCredentials;
  if (hub && (typeof credentials !== "object" || credentials === null || !(self.stack in credentials))) {
    pending.push(
      `${ref} does not list this stack (${self.stack}) in infrasage:federation.spokes: ` +
        `add it there, pulumi up the hub, then this spoke again`,
    );
  }
  if (!hub || !net.ok || pending.length > 0) return { ok: false, pending };
  const overlap = linkProblems(self.vpcCidr, net.peer);
  if (overlap.length > 0) throw new Error(`federation.hubStack ${ref}: ${overlap.join("; ")}`);
  const outside = hub.lbSubnetCidrs.filter((c) => !containsCidr(net.peer.vpcCidr, c));
  if (outside.length > 0 || net.peer.region !== hub.region) {
    return {
      ok: false,
      pending: [
        `${ref}'s outputs disagree (load balancer subnets ${outside.join(", ") || "-"} ` +
          `outside VPC ${net.peer.vpcCidr}, or regions differ): pulumi up the hub again`,
      ],
    };
  }
  return { ok: true, hub, network: net.peer };
}

/** The hub reads its listed spokes: the ones deployed get a link (SG rule), the others are pending. */
export function readSpokes(
  hubCidr: string,
  spokes: readonly { readonly ref: string; readonly outputs?: Readonly<Record<string, unknown>> }[],
): { linked: NetworkExport[]; pending: string[] } {
  const linked: NetworkExport[] = [];
  const pending: string[] = [];
  for (const { ref, outputs } of spokes) {
    const net = readPeerNetwork(ref, outputs);
    if (!net.ok) pending.push(net.pending);
    else if (linkProblems(hubCidr, net.peer).length > 0)
      pending.push(...linkProblems(hubCidr, net.peer).map((p) => `${ref}: ${p}`));
    else linked.push(net.peer);
  }
  return { linked, pending };
}

/** The hub's credential Secret content: `{ "<spoke stack>": "<credential>" }`, keys sorted. */
export function credentialsDocument(credentials: Readonly<Record<string, string>>): string {
  return JSON.stringify(Object.fromEntries(Object.entries(credentials).sort(([a], [b]) => a.localeCompare(b))));
}

/** One cross-region flow of pattern 2, for the plan output and reviewers. */
export function alertFlow(
  spoke: { readonly stack: string; readonly region: string },
  hub: { readonly stack: string; readonly region: string },
): string {
  const j = (region: string) => jurisdictionOf(region) ?? "?";
  return (
    `${spoke.stack} (${j(spoke.region)}) -> ${hub.stack} (${j(hub.region)}): alert metadata only, ` +
    `TCP ${PORTS.alertWebhook} (TLS, both sides authenticated ` +
    `by certificate) over VPC peering, to ${HUB_WEBHOOK_URL}`
  );
}
