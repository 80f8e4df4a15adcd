/**
 * Residency inside the chart's configuration: Helm release values and any Kubernetes object
 * (ConfigMap data, container env) that sets InfraSage's environment variables.
 * An "env scope" is one place variables are set together: a map (`env: { K: v }`, ConfigMap
 * `data`) or a container env list (`[{ name, value }]`).
 */
import { anchoredHomeRegion, noAnchorMessage, requireStackHome, resourceRule, stackRule } from "./framework";
import {
  asString,
  asStrings,
  hostOf,
  isClusterLocal,
  isFalse,
  isObject,
  isTrue,
  outsideJurisdiction,
  regionsInName,
  walk,
  type Props,
} from "./props";
import { INGESTION_ENDPOINT } from "../shared/ports";
import { HOST_REGIONS_ANNOTATION, HOST_REGIONS_VALUES_KEY } from "../shared/host-regions";

export type EnvScope = ReadonlyMap<string, unknown>;

/** Every env scope in a resource's props. */
function envScopes(value: unknown, out: EnvScope[] = [], depth = 0): EnvScope[] {
  if (depth > 40) return out;
  if (Array.isArray(value)) {
    const named = value.filter((v) => isObject(v) && typeof v.name === "string");
    if (named.length > 0) out.push(new Map(named.map((v) => [String(field(v, "name")), field(v, "value")])));
    for (const v of value) envScopes(v, out, depth + 1);
  } else if (isObject(value)) {
    if (Object.keys(value).some((k) => /^[A-Z][A-Z0-9_]*$/.test(k))) out.push(new Map(Object.entries(value)));
    for (const v of Object.values(value)) envScopes(v, out, depth + 1);
  }
  return out;
}

function field(v: unknown, key: string): unknown {
  return isObject(v) ? v[key] : undefined;
}

const k8s = (t: string) => t.startsWith("kubernetes:");

export const alertForwardNoRawTelemetry = resourceRule({
  name: "alert-forward-no-raw-telemetry",
  description: 'Wherever ALERT_FORWARD_URL is set, ALERT_FORWARD_INCLUDE_RAW_TELEMETRY is "false"',
  kind: "residency",
  severity: "critical",
  remediation:
    'Set ALERT_FORWARD_INCLUDE_RAW_TELEMETRY="false" next to ' +
    "ALERT_FORWARD_URL (infrasage:federation.includeRawTelemetry stays false).",
  appliesTo: k8s,
  check: (args, ctx) => {
    for (const scope of envScopes(args.props)) {
      const url = scope.get("ALERT_FORWARD_URL");
      if (url === undefined || url === "") continue;
      const raw = scope.get("ALERT_FORWARD_INCLUDE_RAW_TELEMETRY");
      if (!isFalse(raw)) {
        ctx.report(
          `alerts are forwarded to ${String(url)} with ` +
            `ALERT_FORWARD_INCLUDE_RAW_TELEMETRY=${raw === undefined ? "(unset, chart default)" : String(raw)}: ` +
            `raw telemetry could leave the region`,
        );
      }
    }
  },
});

/** Variables that tell services where to send telemetry: must stay inside the cluster. */
const INGESTION_ENDPOINT_VARS = [
  "INFRASAGE_ENDPOINT",
  "INGESTION_ENDPOINT",
  "INFRASAGE_INGESTION_ENDPOINT",
  "OTEL_EXPORTER_OTLP_ENDPOINT",
];

export const ingestionEndpointsClusterLocal = resourceRule({
  name: "ingestion-endpoints-cluster-local",
  description: "Ingestion endpoints (INFRASAGE_ENDPOINT, ...) point at the local gateway (*.svc.cluster.local)",
  kind: "residency",
  severity: "high",
  remediation: `Point services at ${INGESTION_ENDPOINT} (seed: service discovery).`,
  appliesTo: k8s,
  check: (args, ctx) => {
    for (const scope of envScopes(args.props)) {
      for (const name of INGESTION_ENDPOINT_VARS) {
        const value = scope.get(name);
        if (value === undefined) continue;
        const host = hostOf(String(value));
        if (!isClusterLocal(host))
          ctx.report(
            `${name}=${String(value)}: host ${host} is not a cluster-local ` +
              `service; telemetry would be routed out of the cluster`,
          );
      }
    }
  },
});

/**
 * XML sections that name the hosts replicated data or replication metadata goes to, and the element naming each host.
 */
const HOST_SECTIONS: readonly { section: string; element: string }[] = [
  { section: "remote_servers", element: "host" }, // ClickHouse replicas
  { section: "zookeeper", element: "host" }, // Keeper servers ClickHouse writes the replication log to
  { section: "raft_configuration", element: "hostname" }, // Keeper servers replicating that log
];

/**
 * Replica hosts a resource configures: remote_servers, zookeeper and raft_configuration hosts (XML text or object form)
 * and replica host lists.
 */
export function replicaHosts(props: unknown): string[] {
  const hosts: string[] = [];
  for (const { key, value } of walk(props)) {
    if (typeof value === "string") {
      for (const { section, element } of HOST_SECTIONS) {
        const start = value.indexOf(`<${section}`);
        if (start < 0) continue;
        const end = value.indexOf(`</${section}>`, start);
        const text = value.slice(start, end < 0 ? undefined : end);
        for (const m of text.matchAll(new RegExp(`<${element}>\\s*([^<\\s]+)\\s*</${element}>`, "g")))
          hosts.push(m[1]!);
      }
    }
    const section = HOST_SECTIONS.find((x) => x.section === key);
    if (section) {
      for (const inner of walk(value))
        if (inner.key === section.element && typeof inner.value === "string") hosts.push(inner.value);
    } else if (key === "replicaHosts" || key === "CLICKHOUSE_REPLICA_HOSTS") {
      hosts.push(
        ...(typeof value === "string"
          ? value
              .split(",")
              .map((h) => h.trim())
              .filter(Boolean)
          : asStrings(value)),
      );
    }
  }
  return [...new Set(hosts)];
}

/**
 * Regions the resource states for its hosts (shared/host-regions.ts): the Keeper ConfigMap's
 * annotation (JSON) or the release's `clickhouse.replication.hostRegions` values. A statement that
 * cannot be read is ignored (the host must then carry its region in its name).
 */
export function statedHostRegions(props: unknown): ReadonlyMap<string, string> {
  const out = new Map<string, string>();
  for (const { key, value } of walk(props)) {
    if (key !== HOST_REGIONS_ANNOTATION && key !== HOST_REGIONS_VALUES_KEY) continue;
    let map: unknown = value;
    if (typeof value === "string") {
      try {
        map = JSON.parse(value);
      } catch {
        continue;
      }
    }
    if (!isObject(map)) continue;
    for (const [host, region] of Object.entries(map as Props)) if (asString(region)) out.set(host, region as string);
  }
  return out;
}

/**
 * Region a replica host belongs to: cluster-local = home; else the one region code its name carries,
 * else the region the resource states for it. A name and a statement that disagree prove nothing:
 * `{ conflict }`.
 */
export function hostRegion(
  host: string,
  home: string,
  stated: ReadonlyMap<string, string> = new Map(),
): string | undefined | { conflict: string } {
  if (isClusterLocal(host)) return home;
  const named = regionsInName(host);
  if (named.length > 1) return undefined;
  const said = stated.get(host);
  if (named.length === 1 && said !== undefined && said !== named[0])
    return { conflict: `its name names ${named[0]}, the resource states ${said}` };
  return named[0] ?? said;
}

/** Whether a resource replicates ClickHouse data or metadata at all (then every host must be proven). */
const replicates = (props: unknown): boolean =>
  envScopes(props).some((s) => isTrue(s.get("CLICKHOUSE_REPLICATION_ENABLED"))) || replicaHosts(props).length > 0;

function checkReplication(
  props: unknown,
  home: string,
  report: (m: string) => void,
  jurisdictionOf: (r: string) => string | undefined,
): void {
  const enabled = envScopes(props).some((s) => isTrue(s.get("CLICKHOUSE_REPLICATION_ENABLED")));
  const hosts = replicaHosts(props);
  const stated = statedHostRegions(props);
  if (enabled && hosts.length === 0)
    report(
      "CLICKHOUSE_REPLICATION_ENABLED=true but no replica hosts " +
        "(remote_servers) are listed: cannot prove they stay in the jurisdiction",
    );
  for (const host of hosts) {
    const region = hostRegion(host, home, stated);
    if (region === undefined) {
      report(
        `replica host ${host} names no single known region (host names carry their region ` +
          `code, e.g. clickhouse-0.eu-west-1.internal, or the resource states it ` +
          `under ${HOST_REGIONS_ANNOTATION} / clickhouse.replication.${HOST_REGIONS_VALUES_KEY})`,
      );
      continue;
    }
    if (typeof region === "object") {
      report(`replica host ${host}: ${region.conflict}; its region cannot be proven`);
      continue;
    }
    const why = outsideJurisdiction(region, home, jurisdictionOf);
    if (why) report(`replica host ${host}: ${why}`);
  }
}

/**
 * Before the release or Keeper object is created: every host its own values name (remote_servers,
 * Keeper servers) is in the home jurisdiction, the region read from the host's name or stated on the
 * resource (the program states each peer's region, never its jurisdiction).
 */
export const clickhouseReplicationInJurisdiction = resourceRule({
  name: "clickhouse-replication-in-jurisdiction",
  description:
    "ClickHouse replicas and Keeper servers (remote_servers, zookeeper, raft_configuration hosts) are " +
    "all in regions of the home jurisdiction, checked before the release or Keeper object is created",
  kind: "residency",
  severity: "critical",
  remediation:
    "List in replication.peers only stacks of the same jurisdiction; replica host " +
    "names carry their region code or the resource states each host's region.",
  appliesTo: k8s,
  check: (args, ctx) => {
    if (!replicates(args.props)) return;
    const home = anchoredHomeRegion(args, ctx.config);
    if (home === undefined) return ctx.report(noAnchorMessage(`${args.type} ${args.name}`));
    checkReplication(args.props, home, (m) => ctx.report(m), ctx.jurisdictionOf);
  },
});

/**
 * Second line of clickhouse-replication-in-jurisdiction: after apply (AnalyzeStack), against the stack's provider named
 * "aws".
 */
export const clickhouseReplicationInJurisdictionStack = stackRule({
  name: "clickhouse-replication-in-jurisdiction-stack",
  description:
    "ClickHouse replicas and Keeper servers are all in regions of " +
    "the home jurisdiction; second line: the whole stack, after apply",
  kind: "residency",
  severity: "critical",
  remediation:
    "List in replication.peers only stacks of the same jurisdiction; replica host names carry their region code.",
  check: (args, ctx) => {
    const workloads = args.resources.filter((r) => k8s(r.type));
    let home: string | undefined;
    for (const w of workloads) {
      ctx.each(w, () => {
        if (!replicates(w.props)) return;
        home ??= requireStackHome(args, ctx);
        if (home !== undefined) checkReplication(w.props, home, (m) => ctx.report(m, w.urn), ctx.jurisdictionOf);
      });
    }
  },
});

export const HELM_VALUES_POLICIES = [
  alertForwardNoRawTelemetry,
  ingestionEndpointsClusterLocal,
  clickhouseReplicationInJurisdiction,
  clickhouseReplicationInJurisdictionStack,
];
