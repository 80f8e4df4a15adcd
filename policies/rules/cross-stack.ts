/**
 * Cross-stack rules, run by the offline plan on a set of stacks planned together (`plan --all`):
 * CrossGuard sees one stack at a time, so what flows *between* stacks is checked here, from each
 * stack's configuration (federation.hubStack, replication.peers). Pure: no Pulumi import.
 */
import { overlapCidr } from "cidr-tools";
import { KEEPER_PORTS, PORTS, REPLICATION_PORTS } from "../../lib/ports";

/** What the plan knows about one stack. */
export interface StackFacts {
  readonly stack: string;
  readonly region: string;
  readonly jurisdiction: string;
  /** VPC CIDR. */
  readonly cidr: string;
  /** `org/project/stack` of the hub (spokes). */
  readonly hubStack?: string;
  /** `org/project/stack` of the replication peers (active-active). */
  readonly peers: readonly string[];
  /** A Keeper-only witness (active-active): it exchanges coordination, not ClickHouse data. */
  readonly witness?: boolean;
}

export type FlowKind = "raw telemetry" | "replicated ClickHouse data" | "Keeper coordination" | "alert metadata" | "metrics";

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
export const RESIDENT_FLOWS: readonly FlowKind[] = ["raw telemetry", "replicated ClickHouse data", "Keeper coordination"];

/** The stack name of an `org/project/stack` reference. */
const refStack = (ref: string): string => ref.split("/")[2] ?? ref;

/** Every cross-stack flow the configurations declare. */
export function crossStackFlows(stacks: readonly StackFacts[]): Flow[] {
  const byName = new Map(stacks.map((s) => [s.stack, s]));
  const flow = (from: StackFacts, ref: string, what: FlowKind, ports: readonly number[]): Flow => {
    const to = byName.get(refStack(ref));
    return { from: from.stack, to: to?.stack ?? ref, fromJurisdiction: from.jurisdiction, toJurisdiction: to?.jurisdiction ?? "?", what, ports };
  };
  return stacks.flatMap((s) => [
    ...(s.hubStack ? [flow(s, s.hubStack, "alert metadata", [PORTS.alertWebhook])] : []),
    ...s.peers.map((p) => (s.witness || byName.get(refStack(p))?.witness
      ? flow(s, p, "Keeper coordination", KEEPER_PORTS)
      : flow(s, p, "replicated ClickHouse data", REPLICATION_PORTS))),
  ]);
}

export function crossStackFindings(stacks: readonly StackFacts[], flows: readonly Flow[]): CrossStackFinding[] {
  const findings: CrossStackFinding[] = [];
  const add = (policy: string, message: string) => findings.push({ policy, level: "mandatory", message });
  const byName = new Map(stacks.map((s) => [s.stack, s]));

  for (const s of stacks) {
    for (const p of s.peers.filter((ref) => !byName.has(refStack(ref)))) {
      add("cross-stack-peer-in-plan", `${s.stack}: replication peer ${p} is not among the planned stacks, so its region and jurisdiction cannot be proven; plan every member together (plan -- --all --dir <dir>)`);
    }
  }
  for (const f of flows) {
    if (RESIDENT_FLOWS.includes(f.what) && f.toJurisdiction !== "?" && f.fromJurisdiction !== f.toJurisdiction) {
      add("cross-stack-residency-flow", `${f.what} flows from ${f.from} (${f.fromJurisdiction}) to ${f.to} (${f.toJurisdiction}): telemetry must stay in its jurisdiction; only alert metadata may cross`);
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
      add("cross-stack-cidr-overlap", `${a.stack} (${a.cidr}) and ${b.stack} (${b.cidr}) connect (${f.what}) but their VPC CIDRs overlap: peering and routing between them cannot work; give each stack a distinct range`);
    }
  }
  return findings;
}
