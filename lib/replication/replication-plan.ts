/**
 * Active-active group planning for one member (pure): what this stack exports for its peers,
 * reading the peers' exports, and from them the links it owns, the security-group rules it opens,
 * the zone associations it creates, what is still pending and whether the group is complete.
 *
 * A peer that is not deployed yet, is in another jurisdiction or overlaps this VPC is never an
 * error here: it is listed in `pending` and gets no link (the cross-stack checks in
 * lib/replication/replication-checks.ts turn the last two into violations).
 */
import type { Jurisdiction } from "../../policies/shared/regions";
import { PORTS } from "../../policies/shared/ports";
import {
  isStringArray,
  linkOwner,
  linkProblems,
  peerJurisdiction,
  readPeerNetwork,
  type NetworkExport,
} from "../links/peering-plan";
import type { KeeperStackSpec } from "./keeper-plan";
import type { VoterPlacement } from "./quorum";

/** What every active-active stack exports under the `replication` output. */
export interface ReplicationExport {
  readonly stack: string;
  readonly region: string;
  readonly jurisdiction: Jurisdiction;
  /** Sorted stack names of the whole group (this stack included), as this stack's config says. */
  readonly group: readonly string[];
  readonly keeperVoters: number;
  /** AZs the stack's voters are spread over (round-robin). */
  readonly availabilityZones: readonly string[];
  /** Keeper-only member (no ClickHouse). */
  readonly witness: boolean;
  /** Route 53 private zone `<stack>.infrasage.internal` peers associate with their VPC. */
  readonly zoneId: string;
  readonly zoneName: string;
  /** Peers this stack created the peering link to (it is their link owner). */
  readonly linkedPeers: readonly string[];
  /** Keeper members this stack's Keeper and ClickHouse run with (empty until the group first completed). */
  readonly activeMembers: readonly KeeperStackSpec[];
}

/** This stack, as the planner needs it. */
export interface ReplicationSelf {
  readonly stack: string;
  readonly region: string;
  readonly jurisdiction: Jurisdiction;
  readonly vpcCidr: string;
  readonly privateSubnetCidrs: readonly string[];
  readonly keeperVoters: number;
  readonly availabilityZones: readonly string[];
  readonly witness: boolean;
  /** `org/project/stack` of every other member. */
  readonly peerRefs: readonly string[];
}

interface PeerState {
  readonly ref: string;
  readonly network: NetworkExport;
  readonly replication: ReplicationExport;
}

/** A peering link this stack creates (it is the link owner). */
interface OwnedLink {
  readonly peer: NetworkExport;
  /** Peer's private subnets (pods: VPC CNI gives them VPC addresses). */
  readonly routesToPeer: readonly string[];
  /** This stack's private subnets (return path). */
  readonly routesFromPeer: readonly string[];
}

/** One ingress rule on this stack's cluster security group. */
interface IngressRule {
  readonly peerStack: string;
  readonly cidr: string;
  readonly port: number;
  readonly description: string;
}

export interface ReplicationPeerPlan {
  /** Peers that are deployed, in this jurisdiction and do not overlap: SG rules and zone associations. */
  readonly connected: readonly PeerState[];
  readonly ownedLinks: readonly OwnedLink[];
  readonly ingressRules: readonly IngressRule[];
  /** Human-readable reasons the group is not fully wired yet (empty = nothing pending). */
  readonly pending: readonly string[];
  /** Every peer deployed, reachable and agreeing on the group: Keeper and replication may start. */
  readonly complete: boolean;
  /** Keeper members of the whole group, sorted by stack; meaningful when complete. */
  readonly keeperMembers: readonly KeeperStackSpec[];
  readonly placements: readonly VoterPlacement[];
}

const KEEPER_PORTS = [PORTS.keeperClientTls, PORTS.keeperRaft] as const;
const CLICKHOUSE_PORTS = [PORTS.clickhouseNativeTls, PORTS.clickhouseInterserverTls] as const;
const PORT_NAMES: Readonly<Record<number, string>> = {
  [PORTS.clickhouseNativeTls]: "ClickHouse native TLS",
  [PORTS.clickhouseInterserverTls]: "ClickHouse interserver TLS",
  [PORTS.keeperClientTls]: "Keeper client TLS",
  [PORTS.keeperRaft]: "Keeper raft (TLS)",
};

/** `org/project/stack` -> `stack`. */
export const stackOfRef = (ref: string): string => ref.split("/")[2] ?? ref;

/** Sorted stack names of the group as this stack's config defines it. */
export function groupOf(self: Pick<ReplicationSelf, "stack" | "peerRefs">): string[] {
  return [...new Set([self.stack, ...self.peerRefs.map(stackOfRef)])].sort();
}

/** Stack that generates the group's interserver password (the lowest name; everyone can compute it). */
export function secretOwner(group: readonly string[]): string {
  return [...group].sort()[0]!;
}

/**
 * Ports this stack opens to a peer's VPC CIDR (a subset of REPLICATION_PORTS). A witness runs no
 * ClickHouse: between a witness and any peer only the Keeper ports are opened (client TLS for the
 * data regions' ClickHouse, raft between voters).
 */
export function portsFor(selfWitness: boolean, peerWitness: boolean): readonly number[] {
  return selfWitness || peerWitness ? KEEPER_PORTS : [...CLICKHOUSE_PORTS, ...KEEPER_PORTS];
}

/** Reads `replication` from a peer's outputs; a missing or partial export is pending, not an error. */
function readPeerReplication(
  ref: string,
  outputs: Readonly<Record<string, unknown>> | undefined,
): { readonly ok: true; readonly replication: ReplicationExport } | { readonly ok: false; readonly pending: string } {
  const r = outputs?.replication as Record<string, unknown> | undefined;
  if (!r)
    return {
      ok: false,
      pending:
        `${ref} has no 'replication' output yet (not deployed ` +
        `as active-active); run pulumi up there, then here again`,
    };
  const { stack, region, group, keeperVoters, availabilityZones, witness, zoneId, zoneName, linkedPeers } = r;
  if (
    typeof stack !== "string" ||
    typeof region !== "string" ||
    !isStringArray(group) ||
    typeof keeperVoters !== "number" ||
    !isStringArray(availabilityZones) ||
    typeof witness !== "boolean" ||
    typeof zoneId !== "string" ||
    typeof zoneName !== "string" ||
    !isStringArray(linkedPeers)
  ) {
    return {
      ok: false,
      pending: `${ref}'s 'replication' output is incomplete (deployed by an older version?); run pulumi up there first`,
    };
  }
  const place = peerJurisdiction(ref, region);
  if (!place.ok) return place;
  return {
    ok: true,
    replication: {
      stack,
      region,
      jurisdiction: place.jurisdiction,
      group,
      keeperVoters,
      availabilityZones,
      witness,
      zoneId,
      zoneName,
      linkedPeers,
      activeMembers: readActiveMembers(outputs),
    },
  };
}

/**
 * The Keeper members to run with: the whole group once it is complete; while it is not (a member
 * being added or removed, a peer not deployed yet), the members this stack already runs with (its
 * own previous `replication.activeMembers`), so a membership change never stops a running group;
 * undefined before the group ever completed (no member starts with a partial raft configuration).
 */
export function effectiveMembers(
  plan: Pick<ReplicationPeerPlan, "complete" | "keeperMembers">,
  previous: readonly KeeperStackSpec[],
): { readonly members: readonly KeeperStackSpec[]; readonly changePending: boolean } | undefined {
  if (plan.complete) return { members: plan.keeperMembers, changePending: false };
  return previous.length > 0 ? { members: previous, changePending: true } : undefined;
}

/** This stack's own previous `activeMembers` (read through a StackReference to itself). */
export function readActiveMembers(outputs: Readonly<Record<string, unknown>> | undefined): KeeperStackSpec[] {
  const list = (outputs?.replication as Record<string, unknown> | undefined)?.activeMembers;
  if (!Array.isArray(list)) return [];
  return list
    .filter(
      (m): m is KeeperStackSpec =>
        typeof m === "object" &&
        m !== null &&
        typeof (m as KeeperStackSpec).stack === "string" &&
        typeof (m as KeeperStackSpec).region === "string" &&
        typeof (m as KeeperStackSpec).voters === "number" &&
        typeof (m as KeeperStackSpec).witness === "boolean",
    )
    .map(({ stack, region, voters, witness }) => ({ stack, region, voters, witness }));
}

const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** Plans this member's side of the group from its peers' outputs (undefined = not deployed). */
export function planReplicationPeers(
  self: ReplicationSelf,
  peerOutputs: ReadonlyMap<string, Readonly<Record<string, unknown>> | undefined>,
): ReplicationPeerPlan {
  const group = groupOf(self);
  const pending: string[] = [];
  const connected: PeerState[] = [];
  let consistent = true;
  for (const ref of self.peerRefs) {
    const outputs = peerOutputs.get(ref);
    const net = readPeerNetwork(ref, outputs);
    if (!net.ok) {
      pending.push(net.pending);
      continue;
    }
    const rep = readPeerReplication(ref, outputs);
    if (!rep.ok) {
      pending.push(rep.pending);
      continue;
    }
    const peer = { ref, network: net.peer, replication: rep.replication };
    if (peer.network.stack !== stackOfRef(ref) || peer.replication.stack !== stackOfRef(ref)) {
      pending.push(`${ref} reports itself as stack ${peer.network.stack}; fix replication.peers`);
      continue;
    }
    if (peer.network.jurisdiction !== self.jurisdiction) {
      pending.push(
        `refused: ${ref} is in ${peer.network.region} (${peer.network.jurisdiction}), this ` +
          `stack is in ${self.jurisdiction}; a replication group stays in one jurisdiction`,
      );
      continue;
    }
    const overlap = linkProblems(self.vpcCidr, peer.network);
    if (overlap.length > 0) {
      pending.push(...overlap.map((p) => `refused: ${p}`));
      continue;
    }
    if (!sameList(peer.replication.group, group)) {
      consistent = false;
      pending.push(
        `${ref} sees the group as [${peer.replication.group.join(", ")}], this stack ` +
          `as [${group.join(", ")}]; make replication.peers agree, then pulumi up both`,
      );
    }
    if (
      linkOwner(self.stack, peer.network.stack) !== self.stack &&
      !peer.replication.linkedPeers.includes(self.stack)
    ) {
      pending.push(
        `the peering link to ${peer.network.stack} is created ` +
          `by ${peer.network.stack} (its link owner); run pulumi up there`,
      );
    }
    connected.push(peer);
  }
  const ownedLinks = connected
    .filter((p) => linkOwner(self.stack, p.network.stack) === self.stack)
    .map(
      (p): OwnedLink => ({
        peer: p.network,
        routesToPeer: p.network.privateSubnetCidrs,
        routesFromPeer: self.privateSubnetCidrs,
      }),
    );
  const ingressRules = connected.flatMap((p) =>
    portsFor(self.witness, p.replication.witness).map(
      (port): IngressRule => ({
        peerStack: p.network.stack,
        cidr: p.network.vpcCidr,
        port,
        description: `${PORT_NAMES[port]} from replication peer ${p.network.stack}`,
      }),
    ),
  );
  const complete = consistent && connected.length === self.peerRefs.length;
  const members = [
    {
      stack: self.stack,
      region: self.region,
      voters: self.keeperVoters,
      witness: self.witness,
      azs: self.availabilityZones,
    },
    ...connected.map((p) => ({
      stack: p.replication.stack,
      region: p.replication.region,
      voters: p.replication.keeperVoters,
      witness: p.replication.witness,
      azs: p.replication.availabilityZones,
    })),
  ].sort((a, b) => a.stack.localeCompare(b.stack));
  return {
    connected,
    ownedLinks,
    ingressRules,
    pending,
    complete,
    keeperMembers: members.map(({ stack, region, voters, witness }) => ({ stack, region, voters, witness })),
    placements: members.map(({ stack, region, voters, azs }) => ({ stack, region, voters, availabilityZones: azs })),
  };
}
