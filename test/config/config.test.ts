import assert from "node:assert/strict";
import { parseStackConfig } from "../../lib/config/parse";
import type { ConfigProblem } from "../../lib/rules/problems";
import { REGIONS, jurisdictionOf } from "../../policies/shared/regions";
import { SCALE_PROFILES } from "../../lib/profiles/profiles";

/** Raw Pulumi config as the CLI passes it: structured values JSON-encoded. */
function raw(overrides: Record<string, unknown> = {}, region: string | null = "eu-west-1"): Record<string, string> {
  const base: Record<string, unknown> = {
    "infrasage:tenantId": "acme-eu",
    "infrasage:network": { cidr: "10.10.0.0/16" },
    ...overrides,
  };
  if (region !== null) base["aws:region"] = region;
  return Object.fromEntries(
    Object.entries(base)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
  );
}

function problems(overrides: Record<string, unknown>, region = "eu-west-1"): ConfigProblem[] {
  const r = parseStackConfig(raw(overrides, region), region);
  assert.equal(r.ok, false, "expected the config to be rejected");
  return r.ok ? [] : r.problems;
}

function problemFor(list: ConfigProblem[], key: string): ConfigProblem {
  const p = list.find((x) => x.key === key);
  assert.ok(p, `expected a problem for ${key}, got: ${list.map((x) => x.key).join(", ")}`);
  return p;
}

describe("config parsing", () => {
  it("fills every default from the region and the medium profile", () => {
    const r = parseStackConfig(raw(), "eu-west-1");
    assert.ok(r.ok);
    const c = r.config;
    assert.equal(c.jurisdiction, "EU");
    assert.equal(c.pattern, "independent");
    assert.equal(c.scaleProfile, "medium");
    assert.equal(c.network.availabilityZones, 3);
    assert.equal(c.network.natGateways, SCALE_PROFILES.medium.natGateways);
    assert.equal(c.clickhouse.storageClass, "gp3-eu-west-1");
    assert.equal(c.clickhouse.size, SCALE_PROFILES.medium.clickhouseSize);
    assert.deepEqual(c.cluster.publicAccessCidrs, []);
    assert.deepEqual(c.chart, { kind: "path", path: "./infrasage-chart" });
    assert.equal(c.grafana.mode, "local");
    assert.equal(c.federation, undefined);
    assert.equal(c.replication, undefined);
  });

  it("lets the small profile fill defaults and explicit keys override it", () => {
    const r = parseStackConfig(
      raw({ "infrasage:scaleProfile": "small", "infrasage:ingestionGateway": { replicaCount: 5 } }),
      "eu-west-1",
    );
    assert.ok(r.ok);
    assert.equal(r.config.network.natGateways, "single");
    assert.equal(r.config.mlEngine.enabled, false);
    assert.equal(r.config.ingestionGateway.replicaCount, 5);
    assert.deepEqual(r.config.nodeGroups[0]!.instanceTypes, SCALE_PROFILES.small.nodeInstanceTypes);
  });

  it("accepts top-level strings for numbers and booleans, and dotted keys", () => {
    const r = parseStackConfig(
      raw({ "infrasage:ingestionGateway.replicaCount": "4", "infrasage:mlEngine.enabled": "false" }),
      "eu-west-1",
    );
    assert.ok(r.ok, JSON.stringify(r));
    assert.equal(r.config.ingestionGateway.replicaCount, 4);
    assert.equal(r.config.mlEngine.enabled, false);
  });

  it("derives the jurisdiction of every table region and accepts a matching assertion", () => {
    for (const region of REGIONS) {
      const r = parseStackConfig(raw({ "infrasage:jurisdiction": region.jurisdiction }, region.code), "s");
      assert.ok(r.ok, `${region.code}: ${JSON.stringify(r)}`);
      assert.equal(r.config.jurisdiction, jurisdictionOf(region.code));
    }
  });

  const rejected: [string, Record<string, unknown>, string, RegExp][] = [
    [
      "unknown top-level key (typo)",
      { "infrasage:tenantID": "x" },
      "infrasage:tenantID",
      /did you mean infrasage:tenantId/,
    ],
    [
      "unknown nested key",
      { "infrasage:network": { cidr: "10.10.0.0/16", natGateway: "single" } },
      "infrasage:network.natGateway",
      /natGateways/,
    ],
    [
      "wrong type",
      { "infrasage:ingestionGateway": { replicaCount: "three" } },
      "infrasage:ingestionGateway.replicaCount",
      /number/,
    ],
    [
      "zero replicas",
      { "infrasage:ingestionGateway": { replicaCount: 0 } },
      "infrasage:ingestionGateway.replicaCount",
      /at least 1/,
    ],
    [
      "negative replicas",
      { "infrasage:ingestionGateway": { replicaCount: -2 } },
      "infrasage:ingestionGateway.replicaCount",
      /at least 1/,
    ],
    ["bad enum", { "infrasage:pattern": "mesh" }, "infrasage:pattern", /independent \| hub-spoke \| active-active/],
    ["bad profile", { "infrasage:scaleProfile": "huge" }, "infrasage:scaleProfile", /small \| medium \| large/],
    ["malformed CIDR", { "infrasage:network": { cidr: "10.10.0.0/33" } }, "infrasage:network.cidr", /IPv4 CIDR/],
    ["CIDR without prefix", { "infrasage:network": { cidr: "10.10.0.0" } }, "infrasage:network.cidr", /IPv4 CIDR/],
    ["oversized CIDR", { "infrasage:network": { cidr: "10.0.0.0/8" } }, "infrasage:network.cidr", /prefix \/8/],
    ["undersized CIDR", { "infrasage:network": { cidr: "10.10.0.0/24" } }, "infrasage:network.cidr", /prefix \/24/],
    ["host bits set", { "infrasage:network": { cidr: "10.10.1.0/16" } }, "infrasage:network.cidr", /10\.10\.0\.0\/16/],
    ["public range", { "infrasage:network": { cidr: "8.8.0.0/16" } }, "infrasage:network.cidr", /not a private range/],
    [
      "3 AZs in a 2-AZ region",
      { "infrasage:network": { cidr: "10.10.0.0/16", availabilityZones: 3 } },
      "infrasage:network.availabilityZones",
      /only 2/,
    ],
    [
      "AZ count 4",
      { "infrasage:network": { cidr: "10.10.0.0/16", availabilityZones: 4 } },
      "infrasage:network.availabilityZones",
      /at most 3/,
    ],
    ["jurisdiction mismatch", { "infrasage:jurisdiction": "IN" }, "infrasage:jurisdiction", /EU/],
    [
      "public endpoint 0.0.0.0/0",
      { "infrasage:cluster": { publicAccessCidrs: ["0.0.0.0/0"] } },
      "infrasage:cluster.publicAccessCidrs[0]",
      /whole internet/,
    ],
    [
      "public endpoint ::/0",
      { "infrasage:cluster": { publicAccessCidrs: ["203.0.113.0/24", "::/0"] } },
      "infrasage:cluster.publicAccessCidrs[1]",
      /whole internet/,
    ],
    [
      "bad admin ARN",
      { "infrasage:cluster": { adminRoleArns: ["admin"] } },
      "infrasage:cluster.adminRoleArns.0",
      /IAM role ARN/,
    ],
    ["unsupported EKS version", { "infrasage:cluster": { version: "1.20" } }, "infrasage:cluster.version", /1\.35/],
    [
      "unquoted YAML version",
      { "infrasage:cluster": { version: 1.3 } },
      "infrasage:cluster.version",
      /quote it in the stack file/,
    ],
    [
      "raw telemetry forwarding",
      {
        "infrasage:pattern": "hub-spoke",
        "infrasage:federation": { role: "spoke", hubStack: "acme/infrasage/eu-west-1", includeRawTelemetry: true },
      },
      "infrasage:federation.includeRawTelemetry",
      /raw telemetry/,
    ],
    [
      "raw telemetry outside hub-spoke",
      { "infrasage:federation": { includeRawTelemetry: "true" } },
      "infrasage:federation.includeRawTelemetry",
      /raw telemetry/,
    ],
    [
      "spoke without hub",
      { "infrasage:pattern": "hub-spoke", "infrasage:federation": { role: "spoke" } },
      "infrasage:federation.hubStack",
      /required/,
    ],
    ["hub-spoke without role", { "infrasage:pattern": "hub-spoke" }, "infrasage:federation.role", /hub or spoke/],
    [
      "active-active without peers",
      { "infrasage:pattern": "active-active" },
      "infrasage:replication.peers",
      /required/,
    ],
    [
      "bad peer reference",
      { "infrasage:pattern": "active-active", "infrasage:replication": { peers: ["eu-central-1"] } },
      "infrasage:replication.peers.0",
      /org\/project\/stack/,
    ],
    [
      "replication outside active-active",
      { "infrasage:replication": { peers: ["acme/infrasage/eu-central-1"] } },
      "infrasage:replication",
      /active-active/,
    ],
    [
      "chart path and repo",
      { "infrasage:chart": { path: "./c", repo: "https://charts.example.com", name: "infrasage", version: "1.0.0" } },
      "infrasage:chart",
      /either/,
    ],
    [
      "chart repo without version",
      { "infrasage:chart": { repo: "https://charts.example.com", name: "infrasage" } },
      "infrasage:chart.version",
      /required/,
    ],
    ["bad clickhouse size", { "infrasage:clickhouse": { size: "500GB" } }, "infrasage:clickhouse.size", /500Gi/],
    ["missing tenant", { "infrasage:tenantId": undefined }, "infrasage:tenantId", /required/],
  ];
  for (const [what, overrides, key, message] of rejected) {
    it(`rejects ${what}, naming ${key}`, () => {
      const region = what.includes("2-AZ") ? "us-west-1" : "eu-west-1";
      const p = problemFor(problems(overrides, region), key);
      assert.match(`${p.message} ${p.fix}`, message);
      assert.ok(p.fix.length > 0);
    });
  }

  it("rejects a missing or unknown region, naming aws:region", () => {
    assert.match(problemFor(problems({}, "mars-north-1"), "aws:region").message, /mars-north-1/);
    const r = parseStackConfig(raw({}, null), "s");
    assert.ok(!r.ok && r.problems.some((p) => p.key === "aws:region"));
    const typo = parseStackConfig({ ...raw({}, null), "aws:regoin": "eu-west-1" }, "s");
    assert.ok(!typo.ok);
    assert.match(problemFor(typo.problems, "aws:region").message, /aws:regoin is set: a typo\?/);
  });

  it("reports every problem of a bad file at once", () => {
    const list = problems({
      "infrasage:tenantID": "x",
      "infrasage:network": { cidr: "10.10.0.0/33" },
      "infrasage:jurisdiction": "US",
      "infrasage:cluster": { publicAccessCidrs: ["0.0.0.0/0"] },
      "infrasage:federation": { includeRawTelemetry: true },
      "infrasage:ingestionGateway": { replicaCount: 0 },
    });
    for (const key of [
      "infrasage:tenantID",
      "infrasage:network.cidr",
      "infrasage:jurisdiction",
      "infrasage:cluster.publicAccessCidrs[0]",
      "infrasage:federation.includeRawTelemetry",
      "infrasage:ingestionGateway.replicaCount",
    ]) {
      problemFor(list, key);
    }
  });
});
