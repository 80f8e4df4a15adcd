/**
 * Cross-stack checks of active-active replication groups (pure), for `plan --all`: the stacks'
 * configs are enough (voters, AZs, regions, CIDRs and peers are all config), so the checks do not
 * depend on how far a multi-pass plan has converged.
 *
 * Mandatory: a peer outside the planned set or not agreeing on the group, members in two
 * jurisdictions, overlapping VPC CIDRs, no or an even number of Keeper voters, losing quorum with
 * one AZ, losing quorum with one region unless every member accepts it (`acceptRegionLossRisk`).
 */
import { overlapCidr } from "cidr-tools";
import type { StackConfig } from "../config/types";
import { availabilityZonesOf } from "../../policies/shared/regions";
import { analyseQuorum, describeQuorum, type QuorumAnalysis, type VoterPlacement } from "./quorum";
import { keeperGroupProblems } from "./keeper-plan";
import { stackOfRef } from "./replication-plan";

type ReplicationCheckLevel = "mandatory" | "advisory";

/** Same shape as the offline policy runner's Violation. */
interface ReplicationViolation {
  readonly policy: string;
  readonly level: ReplicationCheckLevel;
  readonly message: string;
  readonly urn?: string;
}

interface ReplicationGroupReport {
  /** Sorted stack names. */
  readonly members: readonly string[];
  readonly analysis: QuorumAnalysis;
  /** One line for the plan summary. */
  readonly summary: string;
}

export interface ReplicationCheckResult {
  readonly violations: ReplicationViolation[];
  readonly groups: ReplicationGroupReport[];
  /** Lines to print under the cross-stack section (one per group). */
  readonly lines: string[];
}

export interface ReplicationCheckOptions {
  /**
   * Pulumi project of the planned stacks: a peer `org/<other project>/stack` is outside the set.
   * @default only the stack part of a reference is compared
   */
  readonly project?: string;
}

export const REPLICATION_POLICY = {
  peerOutsidePlan: "replication-peer-outside-plan",
  membership: "replication-group-membership",
  jurisdiction: "replication-single-jurisdiction",
  cidrOverlap: "replication-cidr-overlap",
  oddVoters: "replication-keeper-odd-voters",
  azLoss: "replication-keeper-survives-az-loss",
  regionLoss: "replication-keeper-survives-region-loss",
  keeperIds: "replication-keeper-ids",
  dataMember: "replication-data-member",
} as const;

type Member = StackConfig & { readonly replication: NonNullable<StackConfig["replication"]> };

/** The stack's voter placement as the Keeper StatefulSet spreads it. */
function placementOf(c: Member): VoterPlacement {
  return {
    stack: c.stack,
    region: c.region,
    voters: c.replication.keeperVoters,
    availabilityZones: availabilityZonesOf(c.region, c.network.availabilityZones),
  };
}

/** Connected components of the "lists as peer" relation among planned active-active stacks. */
function groupsOf(members: readonly Member[]): Member[][] {
  const byStack = new Map(members.map((m) => [m.stack, m]));
  const parent = new Map(members.map((m) => [m.stack, m.stack]));
  const find = (s: string): string => (parent.get(s) === s ? s : find(parent.get(s)!));
  for (const m of members) {
    for (const ref of m.replication.peers) {
      const other = stackOfRef(ref);
      if (byStack.has(other)) parent.set(find(other), find(m.stack));
    }
  }
  const groups = new Map<string, Member[]>();
  for (const m of members) groups.set(find(m.stack), [...(groups.get(find(m.stack)) ?? []), m]);
  return [...groups.values()].map((g) => g.sort((a, b) => a.stack.localeCompare(b.stack)));
}

function checkGroup(
  group: readonly Member[],
  add: (policy: string, level: ReplicationCheckLevel, message: string) => void,
): ReplicationGroupReport {
  const names = group.map((m) => m.stack);
  const label = `replication group [${names.join(", ")}]`;
  for (const m of group) {
    const others = names.filter((n) => n !== m.stack);
    const listed = m.replication.peers.map(stackOfRef).sort();
    const missing = others.filter((n) => !listed.includes(n));
    if (missing.length > 0)
      add(
        REPLICATION_POLICY.membership,
        "mandatory",
        `${m.stack} does not list ${missing.join(", ")} in replication.peers, but they are in its ${label}: ` +
          `every member must list every other member (the raft configuration must be identical everywhere)`,
      );
  }
  const jurisdictions = [...new Set(group.map((m) => m.jurisdiction))];
  if (jurisdictions.length > 1) {
    add(
      REPLICATION_POLICY.jurisdiction,
      "mandatory",
      `${label} spans jurisdictions ${group.map((m) => `${m.stack}=${m.jurisdiction}`).join(", ")}: a ` +
        `replicated shard copies all telemetry to every member, so a group must stay in one jurisdiction`,
    );
  }
  for (let i = 0; i < group.length; i++) {
    for (let j = i + 1; j < group.length; j++) {
      const [a, b] = [group[i]!, group[j]!];
      if (overlapCidr(a.network.cidr, b.network.cidr)) {
        add(
          REPLICATION_POLICY.cidrOverlap,
          "mandatory",
          `${a.stack} (${a.network.cidr}) and ${b.stack} (${b.network.cidr}) overlap: ` +
            `peering cannot route between them; give one stack another network.cidr`,
        );
      }
    }
  }
  for (const p of keeperGroupProblems(
    group.map((m) => ({
      stack: m.stack,
      region: m.region,
      voters: m.replication.keeperVoters,
      witness: m.replication.witness,
    })),
  )) {
    add(REPLICATION_POLICY.keeperIds, "mandatory", `${label}: ${p}`);
  }
  if (group.every((m) => m.replication.witness))
    add(REPLICATION_POLICY.dataMember, "mandatory", `${label} has only witness members: nothing runs ClickHouse`);

  const analysis = analyseQuorum(group.map(placementOf));
  const summary = `${label}: ${describeQuorum(analysis)}`;
  if (analysis.totalVoters === 0) {
    add(
      REPLICATION_POLICY.oddVoters,
      "mandatory",
      `${label} runs no Keeper voters: set replication.keeperVoters (3 or 5 in total)`,
    );
  } else if (!analysis.odd) {
    add(
      REPLICATION_POLICY.oddVoters,
      "mandatory",
      `${label} has ${analysis.totalVoters} Keeper voters: an even count tolerates no more failures ` +
        `than one voter fewer and can split evenly; use 3 or 5 (e.g. add a witness stack with 1 voter)`,
    );
  }
  if (analysis.totalVoters > 0 && !analysis.survivesAnyAzLoss) {
    const lost = analysis.azLosses
      .filter((o) => !o.keepsQuorum)
      .map((o) => `${o.lost} (${o.remaining} of ${analysis.quorum} left)`);
    add(
      REPLICATION_POLICY.azLoss,
      "mandatory",
      `${label} loses Keeper quorum when it loses AZ ${lost.join(" or ")}: spread voters over more AZs or stacks`,
    );
  }
  if (analysis.totalVoters > 0 && !analysis.survivesAnyRegionLoss) {
    const lost = analysis.regionLosses
      .filter((o) => !o.keepsQuorum)
      .map((o) => `${o.lost} (${o.remaining} voters left, quorum ${analysis.quorum})`);
    const unaccepted = group.filter((m) => !m.replication.acceptRegionLossRisk).map((m) => m.stack);
    if (unaccepted.length > 0) {
      add(
        REPLICATION_POLICY.regionLoss,
        "mandatory",
        `${label} loses Keeper quorum when it loses region ${lost.join(" or ")}: writes stop ` +
          `in every region. Add a witness stack (1 voter) in a third region of the jurisdiction, ` +
          `or set replication.acceptRegionLossRisk (a reason) in ${unaccepted.join(", ")}`,
      );
    } else {
      const reasons = group.map((m) => `${m.stack}: "${m.replication.acceptRegionLossRisk}"`).join("; ");
      add(
        REPLICATION_POLICY.regionLoss,
        "advisory",
        `${label} loses Keeper quorum when it loses region ${lost.join(" or ")}; accepted (${reasons})`,
      );
    }
  }
  return { members: names, analysis, summary };
}

/**
 * Checks every active-active group among the planned stacks. Call from the offline runner's
 * cross-stack evaluation with every planned stack (non-active-active stacks are ignored).
 */
export function checkReplicationGroups(
  stacks: readonly { readonly config: StackConfig }[],
  options: ReplicationCheckOptions = {},
): ReplicationCheckResult {
  const violations: ReplicationViolation[] = [];
  const add = (policy: string, level: ReplicationCheckLevel, message: string) =>
    violations.push({ policy, level, message });
  const planned = new Map(stacks.map((s) => [s.config.stack, s.config]));
  const members = stacks
    .map((s) => s.config)
    .filter((c): c is Member => c.pattern === "active-active" && c.replication !== undefined);
  for (const m of members) {
    for (const ref of m.replication.peers) {
      const [, project, stack] = ref.split("/");
      const target = stack !== undefined ? planned.get(stack) : undefined;
      if (!target || (options.project !== undefined && project !== options.project)) {
        add(
          REPLICATION_POLICY.peerOutsidePlan,
          "mandatory",
          `${m.stack} lists replication peer ${ref}, which is not among the planned stacks ` +
            `(${[...planned.keys()].join(", ")}${options.project ? `, project ${options.project}` : ""}): ` +
            `plan every member of the group together, or fix replication.peers`,
        );
      } else if (target.pattern !== "active-active") {
        add(
          REPLICATION_POLICY.membership,
          "mandatory",
          `${m.stack} lists replication peer ${ref}, whose pattern is ${target.pattern}: ` +
            `set infrasage:pattern active-active there, or remove it from replication.peers`,
        );
      }
    }
  }
  const groups = groupsOf(members).map((g) => checkGroup(g, add));
  return { violations, groups, lines: groups.map((g) => g.summary) };
}
