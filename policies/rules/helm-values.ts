/**
 * Residency inside the chart's configuration: Helm release values and any Kubernetes object
 * (ConfigMap data, container env) that sets InfraSage's environment variables.
 * An "env scope" is one place variables are set together: a map (`env: { K: v }`, ConfigMap
 * `data`) or a container env list (`[{ name, value }]`).
 */
import type { PolicyResource } from "@pulumi/policy";
import { requireStackHome, resourceRule, stackRule } from "./framework";
import { asStrings, hostOf, isClusterLocal, isFalse, isObject, isTrue, outsideJurisdiction, regionsInName, walk } from "./props";
import { INGESTION_ENDPOINT } from "../shared/ports";

export type EnvScope = ReadonlyMap<string, unknown>;

/** Every env scope in a resource's props. */
export function envScopes(value: unknown, out: EnvScope[] = [], depth = 0): EnvScope[] {
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
  description: "Wherever ALERT_FORWARD_URL is set, ALERT_FORWARD_INCLUDE_RAW_TELEMETRY is \"false\"",
  kind: "residency",
  severity: "critical",
  remediation: "Set ALERT_FORWARD_INCLUDE_RAW_TELEMETRY=\"false\" next to ALERT_FORWARD_URL (infrasage:federation.includeRawTelemetry stays false).",
  appliesTo: k8s,
  check: (args, ctx) => {
    for (const scope of envScopes(args.props)) {
      const url = scope.get("ALERT_FORWARD_URL");
      if (url === undefined || url === "") continue;
      const raw = scope.get("ALERT_FORWARD_INCLUDE_RAW_TELEMETRY");
      if (!isFalse(raw)) {
        ctx.report(`alerts are forwarded to ${String(url)} with ALERT_FORWARD_INCLUDE_RAW_TELEMETRY=${raw === undefined ? "(unset, chart default)" : String(raw)}: raw telemetry could leave the region`);
      }
    }
  },
});

/** Variables that tell services where to send telemetry: must stay inside the cluster. */
export const INGESTION_ENDPOINT_VARS = ["INFRASAGE_ENDPOINT", "INGESTION_ENDPOINT", "INFRASAGE_INGESTION_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT"];

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
        if (!isClusterLocal(host)) ctx.report(`${name}=${String(value)}: host ${host} is not a cluster-local service; telemetry would be routed out of the cluster`);
      }
    }
  },
});

const HOST_RE = /<host>\s*([^<\s]+)\s*<\/host>/g;

/** Replica hosts a resource configures: remote_servers (XML text or object form) and replica host lists. */
export function replicaHosts(props: unknown): string[] {
  const hosts: string[] = [];
  for (const { key, value } of walk(props)) {
    if (typeof value === "string" && value.includes("<remote_servers")) {
      const section = value.slice(value.indexOf("<remote_servers"), value.indexOf("</remote_servers>") + 1 || undefined);
      for (const m of section.matchAll(HOST_RE)) hosts.push(m[1]!);
    } else if (key === "remote_servers") {
      for (const inner of walk(value)) if (inner.key === "host" && typeof inner.value === "string") hosts.push(inner.value);
    } else if (key === "replicaHosts" || key === "CLICKHOUSE_REPLICA_HOSTS") {
      hosts.push(...(typeof value === "string" ? value.split(",").map((h) => h.trim()).filter(Boolean) : asStrings(value)));
    }
  }
  return [...new Set(hosts)];
}

/** Region a replica host belongs to: cluster-local = home; else the one region code its name carries. */
export function hostRegion(host: string, home: string): string | undefined {
  if (isClusterLocal(host)) return home;
  const regions = regionsInName(host);
  return regions.length === 1 ? regions[0] : undefined;
}

function checkReplication(w: PolicyResource, home: string, report: (m: string) => void, jurisdictionOf: (r: string) => string | undefined): void {
  const enabled = envScopes(w.props).some((s) => isTrue(s.get("CLICKHOUSE_REPLICATION_ENABLED")));
  const hosts = replicaHosts(w.props);
  if (enabled && hosts.length === 0) report("CLICKHOUSE_REPLICATION_ENABLED=true but no replica hosts (remote_servers) are listed: cannot prove they stay in the jurisdiction");
  for (const host of hosts) {
    const region = hostRegion(host, home);
    if (region === undefined) {
      report(`replica host ${host} names no single known region (host names must carry their region code, e.g. clickhouse-0.eu-west-1.internal)`);
      continue;
    }
    const why = outsideJurisdiction(region, home, jurisdictionOf);
    if (why) report(`replica host ${host}: ${why}`);
  }
}

export const clickhouseReplicationInJurisdiction = stackRule({
  name: "clickhouse-replication-in-jurisdiction",
  description: "ClickHouse replicas (remote_servers hosts) are all in regions of the home jurisdiction",
  kind: "residency",
  severity: "critical",
  remediation: "List in replication.peers only stacks of the same jurisdiction; replica host names carry their region code.",
  check: (args, ctx) => {
    const workloads = args.resources.filter((r) => k8s(r.type));
    let home: string | undefined;
    for (const w of workloads) {
      ctx.each(w, () => {
        const enabled = envScopes(w.props).some((s) => isTrue(s.get("CLICKHOUSE_REPLICATION_ENABLED")));
        if (!enabled && replicaHosts(w.props).length === 0) return;
        home ??= requireStackHome(args, ctx);
        if (home !== undefined) checkReplication(w, home, (m) => ctx.report(m, w.urn), ctx.jurisdictionOf);
      });
    }
  },
});

export const HELM_VALUES_POLICIES = [alertForwardNoRawTelemetry, ingestionEndpointsClusterLocal, clickhouseReplicationInJurisdiction];
