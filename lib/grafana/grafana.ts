/**
 * Shared Grafana (seed, cost: "Share the Grafana instance across regions (point to multiple
 * Prometheus remotes)"), as pure data: what a source stack exports for the Grafana host, how the
 * host reads it (a source not deployed yet is pending, never an error), the typed datasource list
 * of the chart values, Grafana's admin Secret, and the one flow that crosses regions (metrics).
 *
 * Roles: the host runs Grafana (`grafana.mode: local`) and lists `grafana.sources`; each source sets
 * `grafana.mode: shared` + `grafana.hostStack`, runs no Grafana and exposes its Prometheus to the
 * host only. Metrics are aggregates, not raw telemetry: they may cross jurisdictions.
 */
import { FLOW_TAG, METRICS_LINK_FLOW } from "../../policies/shared/flows";
import { INFRASAGE_NAMESPACE, PORTS } from "../../policies/shared/ports";
import { jurisdictionOf, type Jurisdiction } from "../../policies/shared/regions";
import { linkIdentity, tunnelServiceUrl, type TunnelClient, type TunnelServer } from "../links/link-tls";

/** Tags on every resource of a source's metrics link (components/grafana/grafana-link.ts). */
export const METRICS_LINK_TAGS: Readonly<Record<string, string>> = {
  Purpose: "metrics",
  [FLOW_TAG]: METRICS_LINK_FLOW,
};
/**
 * The InfraSage chart's in-cluster Prometheus Service, which the source's load balancer targets.
 * Assumption about the chart (its Prometheus subchart named `<release>-prometheus`, HTTP API on
 * PORTS.prometheus); change it here if the chart names the Service otherwise.
 */
const PROMETHEUS_SERVICE = { name: "infrasage-prometheus", port: PORTS.prometheus } as const;

/** Source: the link tunnel (server) in front of Prometheus, which its load balancer targets. */
export const SOURCE_TUNNEL_NAME = "infrasage-metrics-link";

/** A source's link tunnel: TLS on PORTS.metricsLink from its Grafana host's certificate only. */
export function sourceTunnel(hostStack: string): TunnelServer {
  return {
    mode: "server",
    name: SOURCE_TUNNEL_NAME,
    namespace: INFRASAGE_NAMESPACE,
    listenPort: PORTS.metricsLink,
    target: `${PROMETHEUS_SERVICE.name}.${INFRASAGE_NAMESPACE}.svc.cluster.local:${PROMETHEUS_SERVICE.port}`,
    allowedPeers: [linkIdentity(hostStack)],
  };
}

/** Host: name of the link tunnel (client) to one source (a DNS label: at most 63 characters). */
function hostTunnelName(sourceStack: string): string {
  return `infrasage-metrics-${linkIdentity(sourceStack).split(".")[0]}`.slice(0, 63).replace(/-+$/, "");
}

/**
 * Host: the link tunnel Grafana queries a source through; dials the source's load balancer, accepts only the source's
 * certificate.
 */
export function hostTunnel(source: GrafanaSourceExport): TunnelClient {
  return {
    mode: "client",
    name: hostTunnelName(source.stack),
    namespace: INFRASAGE_NAMESPACE,
    listenPort: PORTS.prometheus,
    target: source.prometheusUrl.replace(/^https:\/\//, ""),
    peer: linkIdentity(source.stack),
  };
}

/** Stack output a source publishes for its Grafana host. */
export const GRAFANA_SOURCE_OUTPUT = "grafanaSource";
/** Secret holding Grafana's admin user and generated password (the grafana chart's `admin.existingSecret`). */
export const GRAFANA_ADMIN_SECRET = {
  name: "infrasage-grafana-admin",
  userKey: "admin-user",
  passwordKey: "admin-password",
} as const;
export const GRAFANA_ADMIN_USER = "admin";
export const GRAFANA_ADMIN_PASSWORD_LENGTH = 32;

/** What a shared (source) stack exports under GRAFANA_SOURCE_OUTPUT. */
export interface GrafanaSourceExport {
  readonly stack: string;
  readonly region: string;
  readonly jurisdiction: Jurisdiction;
  /**
   * `https://<load balancer's DNS name>:<PORTS.metricsLink>` (TLS, client certificates), reachable from the host's
   * private subnets only.
   */
  readonly prometheusUrl: string;
}

/** A Grafana datasource as the chart provisions it (`grafana.datasources`). Nothing secret. */
export interface GrafanaDatasource {
  readonly name: string;
  /** Stable id (dashboards refer to it): `prometheus-<stack>`. */
  readonly uid: string;
  readonly type: "prometheus";
  /** Grafana's backend queries Prometheus (browsers never reach the other region). */
  readonly access: "proxy";
  readonly url: string;
  readonly isDefault: boolean;
  readonly editable: false;
  readonly jsonData: { readonly httpMethod: "POST"; readonly timeInterval: string };
}

/** `grafana` chart values. */
export interface GrafanaValues {
  readonly enabled: boolean;
  /** Admin credentials from a Secret (generated, never in values); only where Grafana runs. */
  readonly admin?: { readonly existingSecret: string; readonly userKey: string; readonly passwordKey: string };
  /** Extra Prometheus datasources (host of a shared Grafana); omitted when none. */
  readonly datasources?: readonly GrafanaDatasource[];
}

export type GrafanaSourceRead =
  | { readonly ok: true; readonly source: GrafanaSourceExport }
  | { readonly ok: false; readonly pending: string };

const stackOf = (ref: string): string => ref.split("/")[2] ?? ref;

/**
 * Reads a source stack's GRAFANA_SOURCE_OUTPUT. Missing or malformed is pending: the host deploys
 * (with its own datasource only) before its sources.
 */
export function readGrafanaSource(
  ref: string,
  outputs: Readonly<Record<string, unknown>> | undefined,
): GrafanaSourceRead {
  const o = outputs?.[GRAFANA_SOURCE_OUTPUT] as Record<string, unknown> | undefined;
  if (!o) {
    return {
      ok: false,
      pending:
        `${ref} has no '${GRAFANA_SOURCE_OUTPUT}' output yet (not deployed, ` +
        `or its Prometheus is not exposed to this host yet): set grafana.mode ` +
        `shared and grafana.hostStack there, pulumi up there, then here again`,
    };
  }
  const { stack, region, prometheusUrl } = o;
  const jurisdiction = typeof region === "string" ? jurisdictionOf(region) : undefined;
  const port =
    typeof prometheusUrl === "string" ? /^https:\/\/[a-z0-9.-]+:(\d+)$/i.exec(prometheusUrl)?.[1] : undefined;
  if (
    typeof stack !== "string" ||
    typeof region !== "string" ||
    !jurisdiction ||
    typeof prometheusUrl !== "string" ||
    Number(port) !== PORTS.metricsLink
  ) {
    return {
      ok: false,
      pending:
        `${ref}'s '${GRAFANA_SOURCE_OUTPUT}' output is incomplete or not TLS on ` +
        `port ${PORTS.metricsLink} (deployed by an older version?): pulumi up there again`,
    };
  }
  if (stack !== stackOf(ref))
    return {
      ok: false,
      pending: `${ref}'s '${GRAFANA_SOURCE_OUTPUT}' names stack ${stack}: outputs of another stack?`,
    };
  return { ok: true, source: { stack, region, jurisdiction, prometheusUrl } };
}

/** One datasource per ready source region, sorted by stack (stable provisioning), each through its link tunnel. */
export function grafanaDatasources(sources: readonly GrafanaSourceExport[]): GrafanaDatasource[] {
  return [...sources]
    .sort((a, b) => a.stack.localeCompare(b.stack))
    .map((s) => ({
      name: `Prometheus ${s.stack} (${s.region})`,
      uid: `prometheus-${s.stack}`,
      type: "prometheus",
      access: "proxy",
      url: tunnelServiceUrl(hostTunnelName(s.stack), PORTS.prometheus),
      // The host's own in-cluster Prometheus stays the chart's default datasource.
      isDefault: false,
      editable: false,
      jsonData: { httpMethod: "POST", timeInterval: "30s" },
    }));
}

/** Chart values of Grafana: on only in `local` mode, with the admin Secret and any shared datasources. */
export function grafanaValues(
  mode: "local" | "shared" | "disabled",
  datasources: readonly GrafanaDatasource[] = [],
): GrafanaValues {
  if (mode !== "local") {
    if (datasources.length > 0) throw new Error(`grafana.mode ${mode} runs no Grafana: it cannot hold datasources`);
    return { enabled: false };
  }
  return {
    enabled: true,
    admin: {
      existingSecret: GRAFANA_ADMIN_SECRET.name,
      userKey: GRAFANA_ADMIN_SECRET.userKey,
      passwordKey: GRAFANA_ADMIN_SECRET.passwordKey,
    },
    ...(datasources.length > 0 ? { datasources: [...datasources] } : {}),
  };
}

/** One cross-region flow of shared Grafana, for the plan output and reviewers. */
export function metricsFlow(
  source: { readonly stack: string; readonly region: string },
  host: { readonly stack: string; readonly region: string },
): string {
  const j = (region: string) => jurisdictionOf(region) ?? "?";
  return (
    `${source.stack} (${j(source.region)}) -> ${host.stack} (${j(host.region)}): metrics only (Grafana ` +
    `queries Prometheus), TCP ${PORTS.metricsLink} (TLS, both sides authenticated by certificate)`
  );
}
