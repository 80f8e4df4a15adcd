/**
 * ClickHouse and ClickHouse Keeper configuration for active-active replication, as XML built with
 * xmlbuilder2 from plain objects (never string concatenation: names are escaped by the builder).
 * Pure: the inputs come from lib/replication/keeper-plan.ts; the component and the chart only mount the result.
 *
 * Every port that crosses a region is TLS: native 9440 (`<secure>1</secure>` replicas), interserver
 * 9010 (the plain 9009 listener is removed), Keeper client 9281 and Keeper raft 9234
 * (`raft_configuration/secure`). Certificates are mounted from operator-provided Secrets.
 */
import { PORTS } from "../../policies/shared/ports";
import type { KeeperServer } from "./keeper-plan";

/** Cluster name in `remote_servers`, and CLICKHOUSE_CLUSTER (seed). */
export const CLICKHOUSE_CLUSTER = "infrasage_cluster";
/** The one shard every replica belongs to (macro `shard`, equal on every replica). */
const SHARD = "1";
/** User of `interserver_http_credentials`, identical on every replica. */
export const INTERSERVER_USER = "interserver";
/** Env var ClickHouse reads the interserver password from (`from_env`), filled from a Secret. */
export const INTERSERVER_PASSWORD_ENV = "CLICKHOUSE_INTERSERVER_PASSWORD";
/** Env var Keeper reads its server id from; the StatefulSet composes it from the pod index. */
export const KEEPER_SERVER_ID_ENV = "KEEPER_SERVER_ID";
/** Where the ClickHouse TLS Secret (tls.crt, tls.key, ca.crt) is mounted. */
export const CLICKHOUSE_TLS_DIR = "/etc/clickhouse-server/tls";
/** Where the Keeper TLS Secret (tls.crt, tls.key, ca.crt) is mounted. */
export const KEEPER_TLS_DIR = "/etc/clickhouse-keeper-tls";
/** Keeper data volume mount. */
export const KEEPER_DATA_DIR = "/var/lib/clickhouse-keeper";

/** Raft timing for links with tens of milliseconds of latency (defaults assume one LAN). */
const KEEPER_COORDINATION = {
  operation_timeout_ms: 10000,
  session_timeout_ms: 30000,
  heart_beat_interval_ms: 500,
  election_timeout_lower_bound_ms: 2000,
  election_timeout_upper_bound_ms: 4000,
  raft_logs_level: "information",
} as const;

type XmlObject = { [key: string]: string | number | XmlObject | XmlObject[] };

const TLS_PROTOCOLS_OFF = "sslv2,sslv3,tlsv1,tlsv1_1";

/** `openSSL` section: server certificate from `dir`, and a client that only trusts the group's CA. */
function openSsl(dir: string): XmlObject {
  return {
    server: {
      certificateFile: `${dir}/tls.crt`,
      privateKeyFile: `${dir}/tls.key`,
      caConfig: `${dir}/ca.crt`,
      verificationMode: "relaxed",
      loadDefaultCAFile: "false",
      cacheSessions: "true",
      disableProtocols: TLS_PROTOCOLS_OFF,
      preferServerCiphers: "true",
    },
    client: {
      certificateFile: `${dir}/tls.crt`,
      privateKeyFile: `${dir}/tls.key`,
      caConfig: `${dir}/ca.crt`,
      verificationMode: "strict",
      loadDefaultCAFile: "false",
      disableProtocols: TLS_PROTOCOLS_OFF,
      invalidCertificateHandler: { name: "RejectCertificateHandler" },
    },
  };
}

function render(root: XmlObject): string {
  // Required here, not at the top: only active-active stacks render XML, and loading the builder (and
  // its DOM implementation) was about 4% of the start-up of every other stack's plan.
  const { create } = require("xmlbuilder2") as typeof import("xmlbuilder2");
  return create({ version: "1.0", encoding: "UTF-8" }, { clickhouse: root }).end({ prettyPrint: true });
}

export interface ClickHouseReplicationXmlInput {
  /** This replica's stack (macro `replica`, interserver host). */
  readonly localStack: string;
  /** Host name peers reach this replica by (`interserver_http_host`). */
  readonly localHost: string;
  /** Every ClickHouse replica of the group (data stacks only): stack and reachable host. */
  readonly replicas: readonly { readonly stack: string; readonly host: string }[];
  /** Keeper servers in the order this replica should try them (local first, see keeperClientOrder). */
  readonly keeperServers: readonly KeeperServer[];
}

/**
 * config.d fragment of one replica: TLS native port, `remote_servers` (`infrasage_cluster`, one
 * shard, internal_replication, one replica per data region), macros, zookeeper (all Keeper
 * servers on the TLS client port, `in_order` = local first), interserver over TLS with credentials
 * whose password comes from the environment.
 */
export function buildClickHouseReplicationXml(input: ClickHouseReplicationXmlInput): string {
  if (!input.replicas.some((r) => r.stack === input.localStack))
    throw new Error(`replica list does not contain the local stack ${input.localStack}`);
  if (input.keeperServers.length === 0) throw new Error("no Keeper servers: replicated tables need Keeper");
  const replicas = [...input.replicas].sort((a, b) => a.stack.localeCompare(b.stack));
  return render({
    tcp_port_secure: PORTS.clickhouseNativeTls,
    remote_servers: {
      [CLICKHOUSE_CLUSTER]: {
        shard: {
          // Each INSERT goes to one replica; ReplicatedMergeTree copies it to the others.
          internal_replication: "true",
          replica: replicas.map((r) => ({ host: r.host, port: PORTS.clickhouseNativeTls, secure: 1 })),
        },
      },
    },
    macros: { shard: SHARD, replica: input.localStack },
    zookeeper: {
      // `in_order` with the local region listed first: nearest_hostname compares against the pod's
      // own hostname (infrasage-clickhouse-0), which shares nothing with the Keeper names.
      zookeeper_load_balancing: "in_order",
      session_timeout_ms: KEEPER_COORDINATION.session_timeout_ms,
      node: input.keeperServers.map((s) => ({ host: s.hostname, port: s.clientPort, secure: 1 })),
    },
    interserver_http_port: { "@remove": "1" },
    interserver_https_port: PORTS.clickhouseInterserverTls,
    interserver_http_host: input.localHost,
    interserver_http_credentials: {
      user: INTERSERVER_USER,
      password: { "@from_env": INTERSERVER_PASSWORD_ENV },
    },
    openSSL: openSsl(CLICKHOUSE_TLS_DIR),
  });
}

export interface KeeperXmlInput {
  /** Every Keeper server of the group (planKeeperGroup): the raft_configuration. */
  readonly servers: readonly KeeperServer[];
  /**
   * Literal server id (tests, single-server tools).
   * @default read from env KEEPER_SERVER_ID, so one ConfigMap serves every pod
   */
  readonly serverId?: number;
}

/** keeper_config.xml of every member of the group (identical in every stack unless serverId is given). */
export function buildKeeperXml(input: KeeperXmlInput): string {
  if (input.servers.length === 0) throw new Error("raft_configuration needs at least one server");
  const servers = [...input.servers].sort((a, b) => a.id - b.id);
  if (input.serverId !== undefined && !servers.some((s) => s.id === input.serverId)) {
    throw new Error(`server_id ${input.serverId} is not in the raft_configuration`);
  }
  return render({
    logger: { level: "information", console: 1 },
    listen_host: "0.0.0.0",
    keeper_server: {
      tcp_port_secure: PORTS.keeperClientTls,
      server_id: input.serverId !== undefined ? input.serverId : { "@from_env": KEEPER_SERVER_ID_ENV },
      log_storage_path: `${KEEPER_DATA_DIR}/coordination/log`,
      snapshot_storage_path: `${KEEPER_DATA_DIR}/coordination/snapshots`,
      coordination_settings: { ...KEEPER_COORDINATION },
      raft_configuration: {
        secure: "true",
        server: servers.map((s) => ({
          id: s.id,
          hostname: s.hostname,
          port: s.raftPort,
          can_become_leader: String(s.canBecomeLeader),
          priority: s.priority,
        })),
      },
    },
    openSSL: openSsl(KEEPER_TLS_DIR),
  });
}
