/**
 * The plan as a diff against what is deployed (--base): base/head pairs planned by the real program
 * under the mock runtime, diffed as `npm run plan -- ... --base` diffs them.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { planFiles, writeStackFile, ROOT } from "../support/plan";
import { planJson } from "../../offline/report";
import { parseBasePlan, type BasePlan } from "../../offline/diff/base-file";
import { diffResources, KNOWN_AFTER_APPLY, type ResourceDiff } from "../../offline/diff/stack-diff";
import { guardFindings } from "../../offline/diff/guard";
import { diffStack } from "../../offline/diff/plan-diff";
import { diffLines } from "../../offline/diff/diff-report";
import { runProgram } from "../../offline/run-program";
import type { PlanResult } from "../../offline/plan";

type Config = Record<string, unknown>;
const shipped = (stack: string, dir = ROOT): Config =>
  (parse(readFileSync(join(dir, `Pulumi.${stack}.yaml`), "utf8")) as { config: Config }).config;
const asBase = (result: PlanResult, file = "base.json"): BasePlan =>
  parseBasePlan(file, JSON.stringify(planJson(result)));
const byOp = (diffs: readonly ResourceDiff[], op: ResourceDiff["op"]) => diffs.filter((d) => d.custom && d.op === op);
const names = (diffs: readonly ResourceDiff[]) => diffs.map((d) => `${d.type.split(":").pop()} ${d.name}`).sort();

describe("plan diff against a base (--base)", function () {
  this.timeout(180000);
  const eu = shipped("eu-west-1");
  let base: BasePlan;
  before(async () => {
    base = asBase(await planFiles([writeStackFile("eu-west-1", eu)]));
  });

  it("the same program and config: every resource unchanged, no finding", async () => {
    const head = await planFiles([writeStackFile("eu-west-1", eu)], { base });
    const diff = head.stacks[0]!.diff!;
    assert.equal(diff.counts.unchanged, head.stacks[0]!.record.resources.filter((r) => r.custom).length);
    assert.deepEqual(diff.guard, []);
  });

  it(
    "an allowReplace entry that matches nothing is reported " +
      "(advisory), so a stale one cannot allow a later replacement unseen",
    async () => {
      const head = await planFiles(
        [
          writeStackFile("eu-west-1", {
            ...eu,
            "infrasage:allowReplace": [{ resource: "network-vpc", reason: "re-addressing done last week" }],
          }),
        ],
        { base },
      );
      assert.deepEqual(
        head.stacks[0]!.diff!.guard.map((g) => [g.level, g.message]),
        [
          [
            "advisory",
            'infrasage:allowReplace entry "network-vpc" matches no guarded resource ' +
              "replaced or deleted by this change: remove it once the change is deployed",
          ],
        ],
      );
    },
  );

  it(
    "a VPC CIDR change replaces the VPC and what hangs off it, " +
      "and fails the guard naming the property and the way out",
    async () => {
      const head = await planFiles(
        [
          writeStackFile("eu-west-1", {
            ...eu,
            "infrasage:network": { ...(eu["infrasage:network"] as object), cidr: "10.20.0.0/16" },
          }),
        ],
        { base },
      );
      const s = head.stacks[0]!;
      const replaced = names(byOp(s.diff!.resources, "replace"));
      for (const n of [
        "Vpc network-vpc",
        "Subnet network-private-a",
        "Subnet network-lb-a",
        "RouteTable network-private-a-rt",
        "NatGateway network-nat-a",
        "NodeGroup cluster-nodes",
      ]) {
        assert.ok(replaced.includes(n), `${n} not replaced: ${replaced.join(", ")}`);
      }
      const vpc = s.diff!.resources.find((d) => d.type === "aws:ec2/vpc:Vpc")!;
      assert.deepEqual(
        vpc.changes.map((c) => [c.path, c.old, c.new, c.effect]),
        [["cidrBlock", "10.10.0.0/16", "10.20.0.0/16", "replace"]],
      );
      assert.match(vpc.changes[0]!.source, /terraform-provider-aws >=v6\.61\.0 internal\/service\/ec2\/vpc_\.go/);
      // Computed from a replaced resource: unknown, never the mock id.
      const subnet = s.diff!.resources.find((d) => d.name === "network-private-a")!;
      assert.equal(subnet.changes.find((c) => c.path === "vpcId")!.new, KNOWN_AFTER_APPLY);
      // The internet gateway is re-attached in place (vpc_id is not ForceNew).
      assert.equal(s.diff!.resources.find((d) => d.type === "aws:ec2/internetGateway:InternetGateway")!.op, "update");
      const mandatory = s.violations.filter((v) => v.policy === "replacement-guard" && v.level === "mandatory");
      const vpcFinding = mandatory.find((v) => v.urn === vpc.urn)!;
      assert.match(vpcFinding.message, /Vpc network-vpc \(eu-west-1\) would be replaced/);
      assert.match(vpcFinding.message, /Cause: cidrBlock changes/);
      assert.match(vpcFinding.message, /Way out: keep network\.cidr/);
      assert.match(vpcFinding.message, /infrasage:allowReplace/);
      assert.ok(mandatory.some((v) => /Subnet network-private-a .*carries the cluster's nodes/.test(v.message)));
      assert.ok(mandatory.some((v) => /NodeGroup cluster-nodes/.test(v.message)));
      // Subnets that carry no nodes (load balancer, public) are replaced without a finding.
      assert.ok(!mandatory.some((v) => /Subnet network-lb-a /.test(v.message)));
    },
  );

  it("a replacement declared in infrasage:allowReplace with a reason is reported, not mandatory", async () => {
    const allowReplace = [
      "network-vpc",
      "network-private-a",
      "network-private-b",
      "network-private-c",
      "cluster-nodes",
    ].map((resource) => ({ resource, reason: "re-addressing the VPC before go-live, nothing deployed yet" }));
    const head = await planFiles(
      [
        writeStackFile("eu-west-1", {
          ...eu,
          "infrasage:network": { ...(eu["infrasage:network"] as object), cidr: "10.20.0.0/16" },
          "infrasage:allowReplace": allowReplace,
        }),
      ],
      { base },
    );
    const guard = head.stacks[0]!.violations.filter((v) => v.policy === "replacement-guard");
    assert.ok(guard.length >= 5);
    assert.ok(
      guard.every((v) => v.level === "advisory"),
      JSON.stringify(guard, null, 1),
    );
    assert.match(guard[0]!.message, /allowed by infrasage:allowReplace: re-addressing/);
  });

  it("a replica count change is an in-place update of the Release only", async () => {
    const head = await planFiles(
      [writeStackFile("eu-west-1", { ...eu, "infrasage:ingestionGateway": { replicaCount: 5 } })],
      { base },
    );
    const diff = head.stacks[0]!.diff!;
    assert.deepEqual(names(diff.resources.filter((d) => d.op !== "unchanged")), ["Release infrasage-release"]);
    const release = diff.resources.find((d) => d.op === "update")!;
    assert.deepEqual(
      release.changes.map((c) => [c.path, c.old, c.new, c.effect]),
      [["values.ingestionGateway.replicaCount", 3, 5, "update"]],
    );
    assert.deepEqual(diff.guard, []);
  });

  // pulumi-kubernetes replaces a ConfigMap whose data changes unless the provider sets
  // enableConfigMapMutable (provider.go Configure: default false). components/cluster/cluster.ts sets it, so a
  // new peer's keeper_config.xml is an in-place update that reaches running members (mounted as a
  // directory), and neither the Keeper StatefulSet nor any volume is replaced.
  it("a new peer in pattern 3 creates links, updates the Keeper config in place, replaces no volume", async () => {
    // Base: the group before the Stockholm witness joined (two members peering each other).
    const dir = join(ROOT, "examples", "active-active");
    const before = ["eu-west-1", "eu-central-1"].map((stack) => {
      const c = shipped(stack, dir);
      const r = c["infrasage:replication"] as { peers: string[] };
      return writeStackFile(stack, {
        ...c,
        "infrasage:replication": {
          ...r,
          peers: r.peers.filter((p) => !p.endsWith("/eu-north-1")),
          acceptRegionLossRisk: "two regions until the witness joins",
        },
      });
    });
    const groupBase = asBase(await planFiles(before));
    const head = await planFiles(
      ["eu-west-1", "eu-central-1", "eu-north-1"].map((s) => join(dir, `Pulumi.${s}.yaml`)),
      { base: groupBase },
    );
    for (const s of head.stacks.filter((x) => x.stack !== "eu-north-1")) {
      const d = s.diff!.resources;
      assert.deepEqual(byOp(d, "delete"), [], `${s.stack}: nothing deleted`);
      assert.ok(byOp(d, "create").length > 0, `${s.stack}: links to the new peer are created`);
      const keeper = d.find((x) => x.name === "replication-keeper-config")!;
      assert.equal(keeper.op, "update");
      const xml = keeper.changes.find((c) => c.path === "data.keeper_config.xml")!;
      assert.ok(String(xml.new).includes("eu-north-1"));
      assert.equal(xml.effect, "update");
      assert.match(xml.source, /enableConfigMapMutable/);
      assert.deepEqual(
        byOp(d, "replace")
          .concat(byOp(d, "may-replace"))
          .map((x) => x.name),
        [],
        `${s.stack}: nothing replaced`,
      );
      assert.equal(
        d.find((x) => x.type === "kubernetes:apps/v1:StatefulSet")!.op,
        "unchanged",
        `${s.stack}: the Keeper StatefulSet and its volumes stay`,
      );
      assert.ok(
        !s.violations.some((v) => v.policy === "replacement-guard" && v.level === "mandatory"),
        `${s.stack}: the guard has nothing to say`,
      );
      // The premise of the ConfigMap rule: the program's Kubernetes provider updates ConfigMaps in place.
      const provider = s.record.resources.find((r) => r.type === "pulumi:providers:kubernetes")!;
      assert.equal(
        String(provider.rawInputs.enableConfigMapMutable),
        "true",
        "provider config reaches the engine as a string",
      );
      assert.equal(
        String(provider.rawInputs.enableSecretMutable),
        "true",
        "Secret data too (test/journeys: adding a spoke)",
      );
    }
    assert.equal(head.stacks.find((x) => x.stack === "eu-north-1")!.diff!.newStack, true);
  });
});

describe("aliases in the diff, as the engine honours them", function () {
  this.timeout(60000);
  class Net extends pulumi.ComponentResource {
    constructor(name: string, cidr: string, opts?: pulumi.ComponentResourceOptions) {
      super("infrasage:network:RegionalNetwork", name, {}, opts);
      const vpc = new aws.ec2.Vpc(`${name}-vpc`, { cidrBlock: cidr }, { parent: this });
      new aws.ec2.Subnet(`${name}-private-a`, { vpcId: vpc.id, cidrBlock: "10.10.0.0/18" }, { parent: this });
      this.registerOutputs({});
    }
  }
  const run = (program: () => void) =>
    runProgram(
      () => {
        program();
        return {};
      },
      { project: "infrasage", stack: "eu-west-1", region: "eu-west-1", config: { "aws:region": "eu-west-1" } },
    );

  it("a component renamed with an alias replaces nothing: its children follow (inherited child aliases)", async () => {
    const base = await run(() => new Net("network", "10.10.0.0/16"));
    const head = await run(() => new Net("net", "10.10.0.0/16", { aliases: [{ name: "network" }] }));
    const diffs = diffResources(base.resources, head.resources);
    assert.deepEqual(
      diffs.map((d) => d.op),
      ["unchanged", "unchanged", "unchanged"],
      JSON.stringify(diffs.map((d) => [d.op, d.urn])),
    );
    assert.ok(diffs.find((d) => d.name === "net-vpc")!.aliasedFrom!.endsWith("::network-vpc"));
  });

  it("without the alias the VPC is deleted and created again, and the guard says to add the alias", async () => {
    const base = await run(() => new Net("network", "10.10.0.0/16"));
    const head = await run(() => new Net("net", "10.10.0.0/16"));
    const diffs = diffResources(base.resources, head.resources);
    assert.equal(diffs.filter((d) => d.op === "delete").length, 3);
    assert.equal(diffs.filter((d) => d.op === "create").length, 3);
    const findings = guardFindings(diffs, base.resources, []);
    const vpc = findings.find((f) => /Vpc network-vpc/.test(f.message))!;
    assert.equal(vpc.level, "mandatory");
    assert.match(vpc.message, /add aliases: \[\{ name: "network-vpc" \}\]/);
  });
});

describe("secrets in the diff", () => {
  it("compares and prints secret inputs as [secret] on both sides, never their values", () => {
    const urn = "urn:pulumi:eu-west-1::infrasage::kubernetes:core/v1:Secret::api-key";
    const base = {
      stack: "eu-west-1",
      resources: [
        {
          urn,
          type: "kubernetes:core/v1:Secret",
          name: "api-key",
          inputs: { stringData: "[secret]", metadata: { name: "api-key", labels: { a: "1" } } },
        },
      ],
    };
    const head = [
      {
        urn,
        type: "kubernetes:core/v1:Secret",
        name: "api-key",
        custom: true,
        inputs: { stringData: "[secret]", metadata: { name: "api-key", labels: { a: "2" } } },
        propertyDependencies: {
          stringData: ["urn:pulumi:eu-west-1::infrasage::random:index/randomPassword:RandomPassword::pw"],
        },
        dependencies: [],
        ignoreChanges: [],
        protect: false,
      },
    ];
    const d = diffStack("base.json", base, head, []);
    const secret = d.resources[0]!;
    assert.equal(secret.op, "update");
    assert.deepEqual(
      secret.changes.map((c) => c.path),
      ["metadata.labels.a"],
    );
    // The password it is computed from is replaced: the new value is unknown, the old one still masked.
    const fresh = diffStack(
      "base.json",
      { ...base, resources: [...base.resources] },
      [
        {
          urn: "urn:pulumi:eu-west-1::infrasage::random:index/randomPassword:RandomPassword::pw",
          type: "random:index/randomPassword:RandomPassword",
          name: "pw",
          custom: true,
          inputs: { length: 32 },
          propertyDependencies: {},
          dependencies: [],
          ignoreChanges: [],
          protect: false,
        },
        ...head,
      ],
      [],
    );
    const lines = diffLines(fresh, "eu-west-1").join("\n");
    assert.match(lines, /stringData: \[secret\] => \(known after apply\)/);
    assert.doesNotMatch(lines, /"\[secret\]"/, "the mask is printed as such, not as a JSON string");
  });
});

describe("the replacement guard on volumes and replication links", () => {
  const res = (type: string, name: string, inputs: Record<string, unknown>, parent?: string) => ({
    urn: `urn:pulumi:eu-west-1::infrasage::${parent ? `${parent.split("::")[2]}$` : ""}${type}::${name}`,
    type,
    name,
    custom: true,
    inputs,
    ...(parent ? { parent } : {}),
    propertyDependencies: {},
    dependencies: [],
    ignoreChanges: [],
    protect: false,
  });
  const member = "urn:pulumi:eu-west-1::infrasage::infrasage:replication:ActiveActiveMember::replication";
  const memberRes = {
    urn: member,
    type: "infrasage:replication:ActiveActiveMember",
    name: "replication",
    custom: false,
    inputs: {},
    propertyDependencies: {},
    dependencies: [],
    ignoreChanges: [],
    protect: false,
  };

  it("a Keeper volume claim template change replaces the StatefulSet: mandatory, naming the property", () => {
    const keeper = (size: string) =>
      res(
        "kubernetes:apps/v1:StatefulSet",
        "replication-keeper",
        {
          metadata: { name: "keeper" },
          spec: { replicas: 2, volumeClaimTemplates: [{ spec: { resources: { requests: { storage: size } } } }] },
        },
        member,
      );
    const base = [memberRes, keeper("10Gi")];
    const diffs = diffResources(base, [memberRes, keeper("20Gi")]);
    assert.equal(diffs.find((d) => d.name === "replication-keeper")!.op, "replace");
    const [f] = guardFindings(diffs, base, []);
    assert.equal(f!.level, "mandatory");
    assert.match(
      f!.message,
      new RegExp(
        /StatefulSet replication-keeper would be replaced: its pods hold /.source +
          /volumes .*Cause: spec\.volumeClaimTemplates changes \(forces /.source +
          /replacement: pulumi-kubernetes 4\.34 provider\/pkg\/provider\/diff\.go/.source,
      ),
    );
  });

  it("renaming the StorageClass replaces it: mandatory; its allowed topologies update in place", () => {
    const sc = (name: string, zones: string[]) =>
      res("kubernetes:storage.k8s.io/v1:StorageClassPatch", "infrasage-storage-class", {
        metadata: { name },
        allowedTopologies: zones,
      });
    const base = [sc("gp3-eu-west-1", ["a"])];
    assert.equal(guardFindings(diffResources(base, [sc("gp3-eu-west-1", ["a", "b"])]), base, []).length, 0);
    const renamed = diffResources(base, [sc("gp3-fast", ["a"])]);
    assert.equal(renamed[0]!.op, "replace");
    assert.match(
      guardFindings(renamed, base, [])[0]!.message,
      /StorageClassPatch infrasage-storage-class .*would be replaced/,
    );
  });

  it("a peering connection that carries replication is guarded; one outside a replication group is not", () => {
    const pcx = (peerVpcId: string, parent?: string) =>
      res(
        "aws:ec2/vpcPeeringConnection:VpcPeeringConnection",
        "net-eu-north-1",
        { vpcId: "vpc-a", peerVpcId, peerRegion: "eu-north-1" },
        parent,
      );
    const inGroup = [memberRes, pcx("vpc-b", member)];
    const replaced = diffResources(inGroup, [memberRes, pcx("vpc-c", member)]);
    assert.match(
      guardFindings(replaced, inGroup, [])[0]!.message,
      /carries ClickHouse replication between the members/,
    );
    const alone = [pcx("vpc-b")];
    assert.deepEqual(guardFindings(diffResources(alone, [pcx("vpc-c")]), alone, []), []);
  });
});
