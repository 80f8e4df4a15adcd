/**
 * Keeper quorum analysis (pure): where a replication group's voters are, and which failures it
 * survives. A stack's voters are spread round-robin across its AZs (the Keeper StatefulSet's
 * topology spread constraint: maxSkew 1 with minDomains = AZ count), so a stack with `v` voters in
 * `n` AZs has at most ceil(v/n) voters in any one AZ.
 */

/** Where one stack's voters run. */
export interface VoterPlacement {
  readonly stack: string;
  readonly region: string;
  /** AZs of the stack, in order (voter i runs in azs[i % azs.length]). */
  readonly availabilityZones: readonly string[];
  readonly voters: number;
}

interface FailureOutcome {
  /** The AZ or region lost. */
  readonly lost: string;
  /** Voters still running. */
  readonly remaining: number;
  /** Whether the remaining voters still form a quorum (strict majority of all voters). */
  readonly keepsQuorum: boolean;
}

export interface QuorumAnalysis {
  readonly totalVoters: number;
  /** Votes needed for a majority: floor(n/2) + 1. */
  readonly quorum: number;
  /** Failures of voters tolerated at once: n - quorum. */
  readonly tolerates: number;
  readonly odd: boolean;
  readonly votersPerRegion: Readonly<Record<string, number>>;
  readonly votersPerAz: Readonly<Record<string, number>>;
  readonly azLosses: readonly FailureOutcome[];
  readonly regionLosses: readonly FailureOutcome[];
  /** Survives losing any one AZ (and there is a quorum to begin with). */
  readonly survivesAnyAzLoss: boolean;
  /** Survives losing any one region (all voters of it at once). */
  readonly survivesAnyRegionLoss: boolean;
}

/** Voters per AZ of one stack: round-robin from the first AZ. */
export function spreadVoters(p: VoterPlacement): Record<string, number> {
  const out: Record<string, number> = {};
  if (p.voters > 0 && p.availabilityZones.length === 0) throw new Error(`${p.stack}: voters but no availability zones`);
  for (let i = 0; i < p.voters; i++) {
    const az = p.availabilityZones[i % p.availabilityZones.length]!;
    out[az] = (out[az] ?? 0) + 1;
  }
  return out;
}

export function quorumOf(voters: number): number {
  return Math.floor(voters / 2) + 1;
}

export function analyseQuorum(placements: readonly VoterPlacement[]): QuorumAnalysis {
  const votersPerRegion: Record<string, number> = {};
  const votersPerAz: Record<string, number> = {};
  for (const p of placements) {
    votersPerRegion[p.region] = (votersPerRegion[p.region] ?? 0) + p.voters;
    for (const [az, n] of Object.entries(spreadVoters(p))) votersPerAz[az] = (votersPerAz[az] ?? 0) + n;
  }
  const totalVoters = placements.reduce((s, p) => s + p.voters, 0);
  const quorum = quorumOf(totalVoters);
  const outcome = (lost: string, n: number): FailureOutcome => ({
    lost,
    remaining: totalVoters - n,
    keepsQuorum: totalVoters > 0 && totalVoters - n >= quorum,
  });
  const azLosses = Object.entries(votersPerAz)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([az, n]) => outcome(az, n));
  const regionLosses = Object.entries(votersPerRegion)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([r, n]) => outcome(r, n));
  return {
    totalVoters,
    quorum,
    tolerates: Math.max(0, totalVoters - quorum),
    odd: totalVoters % 2 === 1,
    votersPerRegion,
    votersPerAz,
    azLosses,
    regionLosses,
    survivesAnyAzLoss: totalVoters > 0 && azLosses.every((o) => o.keepsQuorum),
    survivesAnyRegionLoss: totalVoters > 0 && regionLosses.every((o) => o.keepsQuorum),
  };
}

/** One readable line, e.g. for the plan and the stack's `replicationQuorum` output. */
export function describeQuorum(a: QuorumAnalysis): string {
  const regions = Object.entries(a.votersPerRegion)
    .sort(([x], [y]) => x.localeCompare(y))
    .map(([r, n]) => `${r}: ${n}`)
    .join(", ");
  const worst = (list: readonly FailureOutcome[]) => list.filter((o) => !o.keepsQuorum).map((o) => o.lost);
  const az = a.survivesAnyAzLoss
    ? "survives the loss of any one AZ"
    : `loses quorum if it loses AZ ${worst(a.azLosses).join(" or ") || "(any)"}`;
  const region = a.survivesAnyRegionLoss
    ? "survives the loss of any one region"
    : `loses quorum if it loses region ${worst(a.regionLosses).join(" or ") || "(any)"}`;
  return (
    `${a.totalVoters} Keeper voter${a.totalVoters === 1 ? "" : "s"} ` +
    `(${regions || "none"}), quorum ${a.quorum}, ${a.odd ? "odd" : "EVEN"}; ${az}; ${region}`
  );
}
