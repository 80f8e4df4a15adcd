/**
 * Cross-stack rules, run by the offline plan on a set of stacks planned together (`plan --all`):
 * CrossGuard sees one stack at a time, so what flows *between* stacks is checked here, from each
 * stack's configuration (federation.hubStack, replication.peers). Pure: no Pulumi import.
 */
import { overlapCidr } from "cidr-tools";
import { KEEPER_PORTS, PORTS, REPLICATION_PORTS } from "../shared/ports";

/** What the plan knows about one stack. */
export interface StackFacts {
  readonly stack: string;
  readonly region: string;
  readonly jurisdiction: string;
  /** VPC CIDR. */
  readonly cidr: string;
  /** `org/project/stack` of the hub (spokes). */
  readonly hubStack?: string;
  /** Federation hub: `org/project/stack` of the spokes it accepts alerts from (its allowlist). */
  readonly spokes?: readonly string[];
  /** `org/project/stack` of the replication peers (active-active). */
  readonly peers: readonly string[];
  /** A Keeper-only witness (active-active): it exchanges coordination, not ClickHouse data. */
  readonly witness?: boolean;
  /** Shared Grafana host: `org/project/stack` of the sources whose Prometheus it reads. */
  readonly grafanaSources?: readonly string[];
  /** Shared Grafana source (grafana.mode shared): `org/project/stack` of its host. */
  readonly grafanaHostStack?: string;
}

type FlowKind = "raw telemetry" | "replicated ClickHouse data" | "Keeper coordination" | "alert metadata" | "metrics";

export interface Flow {
  readonly from: string;
  readonly to: string;
  readonly fromJurisdiction: string;
  /** "?" when the other stack is not in the planned set. */
  readonly toJurisdiction: string;
  readonly what: FlowKind;
  readonly ports: readonly number[];
}

export interface CrossStackFinding {
  readonly policy: string;
  readonly level: "mandatory";
  readonly message: string;
}

/** Kinds of flow that move telemetry itself: never across a jurisdiction boundary. */
const RESIDENT_FLOWS: readonly FlowKind[] = ["raw telemetry", "replicated ClickHouse data", "Keeper coordination"];

/** The stack name of an `org/project/stack` reference. */
const refStack = (ref: string): string => ref.split("/")[2] ?? ref;

/** Every cross-stack flow the configurations declare. */
export function crossStackFlows(stacks: readonly StackFacts[]): Flow[] {
  const byName = new Map(stacks.map((s) => [s.stack, s]));
  const flow = (from: StackFacts, ref: string, what: FlowKind, ports: readonly number[]): Flow => {
    const to = byName.get(refStack(ref));
    return {
      from: from.stack,
      to: to?.stack ?? ref,
      fromJurisdiction: from.jurisdiction,
      toJurisdiction: to?.jurisdiction ?? "?",
      what,
      ports,
    };
  };
  return stacks
    .flatMap((s) => [
      ...(s.hubStack ? [flow(s, s.hubStack, "alert metadata", [PORTS.alertWebhook])] : []),
      ...s.peers.map((p) =>
        s.witness || byName.get(refStack(p))?.witness
          ? flow(s, p, "Keeper coordination", KEEPER_PORTS)
          : flow(s, p, "replicated ClickHouse data", REPLICATION_PORTS),
      ),
    ])
    .concat(metricsFlows(stacks, flow));
}

/** The only port a shared-Grafana (metrics) link may open: Prometheus' HTTP API. */
const METRICS_PORTS: readonly number[] = [PORTS.metricsLink];

/**
 * Shared Grafana: metrics flow from each source to its host, declared by the host (grafana.sources)
 * or the source (grafana.hostStack); listed once per pair. Metrics are not raw telemetry (not in
 * RESIDENT_FLOWS): they may cross jurisdictions, on METRICS_PORTS only.
 */
function metricsFlows(
  stacks: readonly StackFacts[],
  flow: (from: StackFacts, ref: string, what: FlowKind, ports: readonly number[]) => Flow,
): Flow[] {
  const byName = new Map(stacks.map((s) => [s.stack, s]));
  const out = new Map<string, Flow>();
  for (const s of stacks) {
    if (s.grafanaHostStack) {
      const f = flow(s, s.grafanaHostStack, "metrics", METRICS_PORTS);
      out.set(`${f.from}|${f.to}`, f);
    }
    for (const ref of s.grafanaSources ?? []) {
      const source = byName.get(refStack(ref));
      const f: Flow = source
        ? flow(source, s.stack, "metrics", METRICS_PORTS)
        : {
            from: ref,
            to: s.stack,
            fromJurisdiction: "?",
            toJurisdiction: s.jurisdiction,
            what: "metrics",
            ports: METRICS_PORTS,
          };
      if (!out.has(`${f.from}|${f.to}`)) out.set(`${f.from}|${f.to}`, f);
    }
  }
  return [...out.values()];
}

export function crossStackFindings(stacks: readonly StackFacts[], flows: readonly Flow[]): CrossStackFinding[] {
  const findings: CrossStackFinding[] = [];
  const add = (policy: string, message: string) => findings.push({ policy, level: "mandatory", message });
  const byName = new Map(stacks.map((s) => [s.stack, s]));

  for (const s of stacks) {
    for (const p of s.peers.filter((ref) => !byName.has(refStack(ref)))) {
      add(
        "cross-stack-peer-in-plan",
        `${s.stack}: replication peer ${p} is not among the planned stacks, so its region and ` +
          `jurisdiction cannot be proven; plan every member together (plan -- --all --dir <dir>)`,
      );
    }
  }
  for (const f of flows) {
    if (RESIDENT_FLOWS.includes(f.what) && f.toJurisdiction !== "?" && f.fromJurisdiction !== f.toJurisdiction) {
      add(
        "cross-stack-residency-flow",
        `${f.what} flows from ${f.from} (${f.fromJurisdiction}) to ${f.to} (${f.toJurisdiction}): ` +
          `telemetry must stay in its jurisdiction; only alert metadata may cross`,
      );
    }
  }
  // Federation: a spoke forwards only to a hub that lists it (the hub's allowlist: credential and
  // firewall opening), and a hub lists only spokes that forward to it; otherwise no alert ever arrives.
  for (const s of stacks) {
    const hub = s.hubStack ? byName.get(refStack(s.hubStack)) : undefined;
    if (hub && !(hub.spokes ?? []).some((r) => refStack(r) === s.stack)) {
      add(
        "cross-stack-federation-pairing",
        `${s.stack} forwards alerts to ${hub.stack} (federation.hubStack), but ${hub.stack} does ` +
          `not list it in federation.spokes, so the hub issues it no credential and its firewall ` +
          `drops its alerts. Fix: add <org>/<project>/${s.stack} to ${hub.stack}'s federation.spokes`,
      );
    }
    for (const ref of s.spokes ?? []) {
      const spoke = byName.get(refStack(ref));
      if (spoke && refStack(spoke.hubStack ?? "") !== s.stack) {
        add(
          "cross-stack-federation-pairing",
          `${s.stack} lists ${spoke.stack} in federation.spokes, but ${spoke.stack} does not ` +
            `set federation.role spoke with federation.hubStack naming ${s.stack}. Fix: ` +
            `configure ${spoke.stack} as a spoke of ${s.stack}, or remove it from federation.spokes`,
        );
      }
    }
  }
  // Shared Grafana: both sides must agree, and a metrics link opens nothing but Prometheus.
  for (const s of stacks) {
    for (const ref of s.grafanaSources ?? []) {
      const source = byName.get(refStack(ref));
      if (source && refStack(source.grafanaHostStack ?? "") !== s.stack) {
        add(
          "cross-stack-grafana-pairing",
          `${s.stack} reads Grafana source ${source.stack}, but ${source.stack} ` +
            `does not set grafana.mode shared with grafana.hostStack naming ${s.stack}`,
        );
      }
    }
    const host = s.grafanaHostStack ? byName.get(refStack(s.grafanaHostStack)) : undefined;
    if (host && !(host.grafanaSources ?? []).some((r) => refStack(r) === s.stack)) {
      add(
        "cross-stack-grafana-pairing",
        `${s.stack} shares its metrics with ${host.stack}, but ${host.stack} does not list it in grafana.sources`,
      );
    }
  }
  for (const f of flows.filter((x) => x.what === "metrics")) {
    const extra = f.ports.filter((p) => !METRICS_PORTS.includes(p));
    if (extra.length > 0 || f.ports.length === 0) {
      add(
        "cross-stack-metrics-prometheus-only",
        `metrics flow ${f.from} -> ${f.to} opens port(s) ${extra.join(", ") || "(none)"}: a ` +
          `shared-Grafana link carries Prometheus queries over TLS (TCP ${PORTS.metricsLink}) only`,
      );
    }
  }
  const seen = new Set<string>();
  for (const f of flows) {
    const a = byName.get(f.from);
    const b = byName.get(f.to);
    const key = [f.from, f.to].sort().join("|");
    if (!a || !b || seen.has(key)) continue;
    seen.add(key);
    if (overlapCidr(a.cidr, b.cidr)) {
      add(
        "cross-stack-cidr-overlap",
        `${a.stack} (${a.cidr}) and ${b.stack} (${b.cidr}) connect (${f.what}) but their VPC CIDRs ` +
          `overlap: peering and routing between them cannot work; give each stack a distinct range`,
      );
    }
  }
  return findings;
}
