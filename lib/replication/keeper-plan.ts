/**
 * ClickHouse Keeper group planning (pure): stable names and server ids of every member, and the one
 * `raft_configuration` every member of a replication group runs.
 *
 * Server ids come from (stack name, ordinal) only: `id = base(stack) * 10 + ordinal`, where
 * `base` is a hash of the stack name. Adding, removing or reordering members never changes the id
 * of an existing member (Keeper must never see an id reused or reshuffled). Two stacks whose bases
 * collide are rejected (`planKeeperGroup` throws), never silently renumbered.
 */
import { DEFAULT_AMI_TYPE, DEFAULT_NODE_GROUP_NAME, type NodeGroupConfig } from "../nodes/node-groups";
import { createHash } from "node:crypto";
import { PORTS } from "../../policies/shared/ports";

/** Parent domain of every stack's private Route 53 zone. */
const PRIVATE_DOMAIN = "infrasage.internal";
/** Most voters one stack may run: ordinals are one decimal digit of the server id. */
export const MAX_VOTERS_PER_STACK = 5;
/** Keeper StatefulSet name: pods are `keeper-<ordinal>`, which is the first label of their DNS name. */
export const KEEPER_STATEFULSET_NAME = "keeper";
/** Raft priority of voters in data regions (leadership prefers them: writes stay close to ClickHouse). */
const DATA_VOTER_PRIORITY = 3;
/** Raft priority of a witness voter: still a voter, elected leader only when no data voter can be. */
const WITNESS_VOTER_PRIORITY = 1;

const BASE_SPACE = 99_999_999;
const DNS_LABEL_RE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** One stack of a replication group, as far as Keeper is concerned. */
export interface KeeperStackSpec {
  /** Stack name (a DNS label: it is part of every member's host name). */
  readonly stack: string;
  /** AWS region of the stack. */
  readonly region: string;
  /** Voters the stack runs (0..5). */
  readonly voters: number;
  /** True for a Keeper-only witness stack (no ClickHouse). */
  readonly witness: boolean;
}

/** One Keeper server of the group. */
export interface KeeperServer {
  /** Raft server id, stable for (stack, ordinal). */
  readonly id: number;
  readonly stack: string;
  readonly region: string;
  /** StatefulSet ordinal inside its stack. */
  readonly ordinal: number;
  /** Stable name reachable from every member (Route 53 private zone of `stack`). */
  readonly hostname: string;
  /** Raft port (TLS: raft_configuration is `secure`). */
  readonly raftPort: number;
  /** Client port (TLS) ClickHouse connects to. */
  readonly clientPort: number;
  /** Every planned server is a voter: `can_become_leader=false` would make it a non-voting learner. */
  readonly canBecomeLeader: true;
  readonly priority: number;
}

/** `<stack>.infrasage.internal`: the stack's private hosted zone. */
export function zoneNameFor(stack: string): string {
  return `${stack}.${PRIVATE_DOMAIN}`;
}

/** `keeper-<ordinal>.<stack>.infrasage.internal`. */
export function keeperHostname(stack: string, ordinal: number): string {
  return `${KEEPER_STATEFULSET_NAME}-${ordinal}.${zoneNameFor(stack)}`;
}

/** `clickhouse.<stack>.infrasage.internal`: the stack's ClickHouse replica (interserver host too). */
export function clickhouseHostname(stack: string): string {
  return `clickhouse.${zoneNameFor(stack)}`;
}

/** Stable per-stack base of the server ids: 1..99,999,999 from SHA-256 of the stack name. */
export function keeperBaseId(stack: string): number {
  const h = Number.parseInt(createHash("sha256").update(`keeper:${stack}`).digest("hex").slice(0, 12), 16);
  return (h % BASE_SPACE) + 1;
}

/** Server id of a stack's `ordinal`-th voter (fits Keeper's int32 ids). */
export function keeperServerId(stack: string, ordinal: number): number {
  if (!Number.isInteger(ordinal) || ordinal < 0 || ordinal >= MAX_VOTERS_PER_STACK) {
    throw new Error(`keeper ordinal ${ordinal} of ${stack} is outside 0..${MAX_VOTERS_PER_STACK - 1}`);
  }
  return keeperBaseId(stack) * 10 + ordinal;
}

/** Problems that make a group impossible to plan (bad names, duplicate stacks, id collisions). */
export function keeperGroupProblems(members: readonly KeeperStackSpec[]): string[] {
  const problems: string[] = [];
  const seen = new Map<number, string>();
  const stacks = new Set<string>();
  for (const m of members) {
    if (stacks.has(m.stack)) problems.push(`stack ${m.stack} is listed twice in the group`);
    stacks.add(m.stack);
    if (!DNS_LABEL_RE.test(m.stack))
      problems.push(`stack name ${m.stack} is not a DNS label; it must be one to name its Keeper members`);
    if (!Number.isInteger(m.voters) || m.voters < 0 || m.voters > MAX_VOTERS_PER_STACK) {
      problems.push(`stack ${m.stack} runs ${m.voters} voters; allowed 0..${MAX_VOTERS_PER_STACK}`);
    }
    const base = keeperBaseId(m.stack);
    const other = seen.get(base);
    if (other !== undefined && other !== m.stack)
      problems.push(`Keeper id base of ${m.stack} collides with ${other}; rename one stack`);
    seen.set(base, m.stack);
  }
  return problems;
}

/**
 * Every Keeper server of the group, sorted by id (so the list, and the XML built from it, is the
 * same whichever member computes it and in whatever order members are listed). Throws on problems.
 */
export function planKeeperGroup(members: readonly KeeperStackSpec[]): KeeperServer[] {
  const problems = keeperGroupProblems(members);
  if (problems.length > 0) throw new Error(`Keeper group cannot be planned: ${problems.join("; ")}`);
  return members
    .flatMap((m) =>
      Array.from(
        { length: m.voters },
        (_, ordinal): KeeperServer => ({
          id: keeperServerId(m.stack, ordinal),
          stack: m.stack,
          region: m.region,
          ordinal,
          hostname: keeperHostname(m.stack, ordinal),
          raftPort: PORTS.keeperRaft,
          clientPort: PORTS.keeperClientTls,
          canBecomeLeader: true,
          priority: m.witness ? WITNESS_VOTER_PRIORITY : DATA_VOTER_PRIORITY,
        }),
      ),
    )
    .sort((a, b) => a.id - b.id);
}

/**
 * Keeper servers in the order a ClickHouse of `localStack` should try them (`in_order` load
 * balancing): its own region first, then the other data regions, witnesses last; ids break ties.
 */
export function keeperClientOrder(
  servers: readonly KeeperServer[],
  localStack: string,
  witnessStacks: ReadonlySet<string>,
): KeeperServer[] {
  const rank = (s: KeeperServer) => (s.stack === localStack ? 0 : witnessStacks.has(s.stack) ? 2 : 1);
  return [...servers].sort((a, b) => rank(a) - rank(b) || a.id - b.id);
}

/** Node group of a witness: the cheapest that runs the system pods plus its voters, one node per AZ. */
export function witnessNodeGroup(availabilityZones: number): NodeGroupConfig {
  // One node per AZ (the ASG balances across AZs), so a voter's EBS volume always has a node in its AZ.
  // `fromProfile`: it takes the default group's place and inputs (no amiType/capacityType).
  return {
    name: DEFAULT_NODE_GROUP_NAME,
    instanceTypes: ["t3.small"],
    capacityType: "ON_DEMAND",
    amiType: DEFAULT_AMI_TYPE,
    minSize: availabilityZones,
    desiredSize: availabilityZones,
    maxSize: availabilityZones + 1,
    diskSizeGiB: 20,
    labels: {},
    taints: [],
    fromProfile: true,
  };
}

/**
 * Region of every host the group's replication reaches (each data member's ClickHouse replica, every
 * Keeper server), sorted by host: stated on the release values and the Keeper ConfigMap
 * (policies/shared/host-regions.ts) so the policy pack judges each of them before it is created.
 * Regions only: the pack derives the jurisdictions itself.
 */
export function replicationHostRegions(
  members: readonly Pick<KeeperStackSpec, "stack" | "region" | "witness">[],
  servers: readonly Pick<KeeperServer, "hostname" | "region">[],
): Record<string, string> {
  const pairs: [string, string][] = [
    ...members.filter((m) => !m.witness).map((m): [string, string] => [clickhouseHostname(m.stack), m.region]),
    ...servers.map((s): [string, string] => [s.hostname, s.region]),
  ];
  return Object.fromEntries(pairs.sort(([a], [b]) => a.localeCompare(b)));
}
