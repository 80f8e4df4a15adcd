/** ClickHouse / Keeper XML (lib/replication/clickhouse-xml.ts), parsed back with fast-xml-parser. */
import assert from "node:assert/strict";
import fc from "fast-check";
import { XMLParser } from "fast-xml-parser";
import {
  CLICKHOUSE_CLUSTER,
  INTERSERVER_PASSWORD_ENV,
  INTERSERVER_USER,
  KEEPER_SERVER_ID_ENV,
  buildClickHouseReplicationXml,
  buildKeeperXml,
} from "../../lib/replication/clickhouse-xml";
import {
  clickhouseHostname,
  keeperClientOrder,
  planKeeperGroup,
  type KeeperStackSpec,
} from "../../lib/replication/keeper-plan";
import { buildHelmValues, type HelmValuesInput } from "../../lib/release/helm-values";
import { PORTS, REPLICATION_PORTS } from "../../policies/shared/ports";

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@_",
  parseTagValue: false,
  // Repeated elements are lists even when there is one (macros/replica is a single value).
  isArray: (name, jpath) => ["replica", "node", "server"].includes(name) && !String(jpath).endsWith("macros.replica"),
});
type Node = Record<string, unknown>;
const parse = (xml: string): Node => (parser.parse(xml) as { clickhouse: Node }).clickhouse;
const get = (n: unknown, ...path: string[]): unknown => path.reduce<unknown>((o, k) => (o as Node | undefined)?.[k], n);

const EXAMPLE: KeeperStackSpec[] = [
  { stack: "eu-west-1", region: "eu-west-1", voters: 2, witness: false },
  { stack: "eu-central-1", region: "eu-central-1", voters: 2, witness: false },
  { stack: "eu-north-1", region: "eu-north-1", voters: 1, witness: true },
];
const DATA = ["eu-west-1", "eu-central-1"];

function replicaXml(local: string, members = EXAMPLE): string {
  const servers = planKeeperGroup(members);
  const witnesses = new Set(members.filter((m) => m.witness).map((m) => m.stack));
  return buildClickHouseReplicationXml({
    localStack: local,
    localHost: clickhouseHostname(local),
    replicas: members.filter((m) => !m.witness).map((m) => ({ stack: m.stack, host: clickhouseHostname(m.stack) })),
    keeperServers: keeperClientOrder(servers, local, witnesses),
  });
}

describe("ClickHouse replication XML", () => {
  for (const local of DATA) {
    describe(`as seen by ${local}`, () => {
      const ch = parse(replicaXml(local));

      it("declares infrasage_cluster: one shard, internal_replication, one TLS replica per data region", () => {
        const shard = get(ch, "remote_servers", CLICKHOUSE_CLUSTER, "shard") as Node;
        assert.equal(shard.internal_replication, "true");
        const replicas = shard.replica as Node[];
        assert.deepEqual(
          replicas.map((r) => r.host),
          DATA.map(clickhouseHostname).sort(),
        );
        for (const r of replicas) {
          assert.equal(r.port, String(PORTS.clickhouseNativeTls));
          assert.equal(r.secure, "1");
        }
        assert.equal(ch.tcp_port_secure, String(PORTS.clickhouseNativeTls));
      });

      it("sets macros: the shard equal everywhere, the replica unique (= stack)", () => {
        assert.deepEqual(ch.macros, { shard: "1", replica: local });
      });

      it("lists every Keeper server on the TLS client port, local ones first, in_order", () => {
        const zk = ch.zookeeper as Node;
        assert.equal(zk.zookeeper_load_balancing, "in_order");
        const nodes = zk.node as Node[];
        assert.equal(nodes.length, 5);
        assert.ok(nodes.every((n) => n.port === String(PORTS.keeperClientTls) && n.secure === "1"));
        assert.ok(String(nodes[0]!.host).endsWith(`.${local}.infrasage.internal`));
        assert.ok(String(nodes[1]!.host).endsWith(`.${local}.infrasage.internal`));
        assert.match(String(nodes[4]!.host), /eu-north-1/, "the witness is tried last");
      });

      it("replicates over interserver TLS 9010 with the peers-reachable host and from_env credentials", () => {
        assert.equal(ch.interserver_https_port, String(PORTS.clickhouseInterserverTls));
        assert.equal(get(ch, "interserver_http_port", "@_remove"), "1", "plain 9009 removed");
        assert.equal(ch.interserver_http_host, clickhouseHostname(local));
        assert.equal(get(ch, "interserver_http_credentials", "user"), INTERSERVER_USER);
        assert.equal(get(ch, "interserver_http_credentials", "password", "@_from_env"), INTERSERVER_PASSWORD_ENV);
      });

      it("uses only replication ports (all TLS) for anything that crosses regions", () => {
        const ports = [
          ...(get(ch, "remote_servers", CLICKHOUSE_CLUSTER, "shard", "replica") as Node[]).map((r) => Number(r.port)),
          ...(get(ch, "zookeeper", "node") as Node[]).map((n) => Number(n.port)),
          Number(ch.interserver_https_port),
        ];
        for (const p of ports) assert.ok(REPLICATION_PORTS.includes(p), `${p}`);
      });
    });
  }

  it("differs between replicas only in macros, interserver host and Keeper order", () => {
    const [a, b] = DATA.map((s) => parse(replicaXml(s)));
    assert.deepEqual(a!.remote_servers, b!.remote_servers);
    const hosts = (n: Node) => (get(n, "zookeeper", "node") as Node[]).map((x) => x.host).sort();
    assert.deepEqual(hosts(a!), hosts(b!));
  });

  it("refuses a replica list without the local stack, and a group without Keeper", () => {
    assert.throws(
      () =>
        buildClickHouseReplicationXml({
          localStack: "x",
          localHost: "h",
          replicas: [],
          keeperServers: planKeeperGroup(EXAMPLE),
        }),
      /local stack/,
    );
    assert.throws(
      () =>
        buildClickHouseReplicationXml({
          localStack: "x",
          localHost: "h",
          replicas: [{ stack: "x", host: "h" }],
          keeperServers: [],
        }),
      /Keeper/,
    );
  });

  it("property: host names are escaped by the builder, never break the document", () => {
    fc.assert(
      fc.property(fc.string(), (host) => {
        const xml = buildClickHouseReplicationXml({
          localStack: "a",
          localHost: host,
          replicas: [{ stack: "a", host }],
          keeperServers: planKeeperGroup(EXAMPLE),
        });
        const ch = parse(xml);
        const decoded = new XMLParser({ processEntities: true, parseTagValue: false, trimValues: false }).parse(
          xml,
        ) as { clickhouse: Node };
        assert.equal(typeof ch, "object");
        assert.equal(String(decoded.clickhouse.interserver_http_host ?? ""), host.replace(/\r\n?/g, "\n"));
      }),
      { numRuns: 200 },
    );
  });
});

describe("Keeper XML", () => {
  const keeper = parse(buildKeeperXml({ servers: planKeeperGroup(EXAMPLE) }));

  it("listens on the TLS client port, reads its server_id from the environment, runs TLS raft", () => {
    const ks = keeper.keeper_server as Node;
    assert.equal(ks.tcp_port_secure, String(PORTS.keeperClientTls));
    assert.equal(get(ks, "server_id", "@_from_env"), KEEPER_SERVER_ID_ENV);
    assert.equal(get(ks, "raft_configuration", "secure"), "true");
    assert.ok(
      Number(get(ks, "coordination_settings", "election_timeout_lower_bound_ms")) >= 1000,
      "cross-region latency",
    );
  });

  it("holds every member: ids, hostnames, raft port 9234, voters, witness lowest priority", () => {
    const servers = get(keeper, "keeper_server", "raft_configuration", "server") as Node[];
    assert.equal(servers.length, 5);
    assert.ok(servers.every((s) => s.port === String(PORTS.keeperRaft) && s.can_become_leader === "true"));
    assert.equal(new Set(servers.map((s) => s.id)).size, 5);
    const witness = servers.find((s) => String(s.hostname).includes("eu-north-1"))!;
    assert.ok(servers.every((s) => s === witness || Number(s.priority) > Number(witness.priority)));
    assert.deepEqual(
      servers.map((s) => Number(s.id)),
      servers.map((s) => Number(s.id)).sort((a, b) => a - b),
    );
  });

  it("is byte-identical whichever member builds it and however members are listed", () => {
    const reference = buildKeeperXml({ servers: planKeeperGroup(EXAMPLE) });
    fc.assert(
      fc.property(fc.shuffledSubarray(EXAMPLE, { minLength: 3, maxLength: 3 }), (order) => {
        assert.equal(buildKeeperXml({ servers: planKeeperGroup(order) }), reference);
      }),
    );
  });

  it("keeps every existing server id when a member is added", () => {
    const before = planKeeperGroup(EXAMPLE);
    const after = planKeeperGroup([
      ...EXAMPLE,
      { stack: "eu-south-1", region: "eu-south-1", voters: 2, witness: false },
    ]);
    for (const s of before) assert.equal(after.find((a) => a.hostname === s.hostname)?.id, s.id);
    assert.equal(after.length, 7);
  });

  it("accepts a literal server id only when it is in the raft configuration", () => {
    const servers = planKeeperGroup(EXAMPLE);
    assert.equal(
      get(parse(buildKeeperXml({ servers, serverId: servers[0]!.id })), "keeper_server", "server_id"),
      String(servers[0]!.id),
    );
    assert.throws(() => buildKeeperXml({ servers, serverId: 1 }), /not in the raft_configuration/);
  });
});

describe("Helm values with ClickHouse replication", () => {
  const SEED: HelmValuesInput = {
    tenantId: "acme-eu",
    region: "eu-west-1",
    jurisdiction: "EU",
    apiKeySecretName: "k",
    ingestionGateway: { replicaCount: 3 },
    clickhouse: { storageClass: "gp3-eu-west-1", size: "500Gi" },
    kafka: { replicaCount: 3, size: "200Gi" },
    mlEngine: { enabled: true, replicaCount: 1 },
    grafana: { mode: "local" },
    runbooks: { namespaceScope: [] },
  };
  const replication = {
    configXml: replicaXml("eu-west-1"),
    tlsSecretName: "clickhouse-tls",
    interserverSecret: { name: "clickhouse-interserver", key: "password" },
  };

  it("sets CLICKHOUSE_CLUSTER and CLICKHOUSE_REPLICATION_ENABLED and mounts the XML, secrets by reference", () => {
    const v = buildHelmValues({ ...SEED, clickhouseReplication: replication });
    for (const env of [v.aiopsEngine.env, v.ingestionGateway.env]) {
      assert.equal(env.CLICKHOUSE_CLUSTER, "infrasage_cluster");
      assert.equal(env.CLICKHOUSE_REPLICATION_ENABLED, "true");
    }
    const r = v.clickhouse.replication!;
    assert.equal(r.configOverrides["infrasage-replication.xml"], replication.configXml);
    assert.deepEqual(r.extraEnv, [
      {
        name: INTERSERVER_PASSWORD_ENV,
        valueFrom: { secretKeyRef: { name: "clickhouse-interserver", key: "password" } },
      },
    ]);
    assert.equal(r.tls.existingSecret, "clickhouse-tls");
    assert.doesNotMatch(JSON.stringify(v), /password"?:\s*"[^"]/i, "no password value in the values");
  });

  it("adds nothing without replication, and refuses the env set twice", () => {
    const v = buildHelmValues(SEED);
    assert.equal(v.clickhouse.replication, undefined);
    assert.equal(v.ingestionGateway.env.CLICKHOUSE_CLUSTER, undefined);
    assert.throws(
      () =>
        buildHelmValues({ ...SEED, clickhouseReplication: replication, extraAiopsEnv: { CLICKHOUSE_CLUSTER: "x" } }),
      /CLICKHOUSE_CLUSTER/,
    );
  });
});
