/** `network.existingVpc`: nothing of the VPC created or changed, links to the right subnets, CIDR checks kept. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { mkdtempSync, copyFileSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { parse, stringify } from "yaml";
import { parseStackConfig } from "../../lib/config/parse";
import {
  assumedExistingSubnets,
  existingLayout,
  existingSubnetProblems,
  type ExistingVpcConfig,
} from "../../lib/network/existing-vpc";
import { REPLICATION_POLICY, checkReplicationGroups } from "../../lib/replication/replication-checks";
import { ROOT, ofType, planFile, planFiles, writeStackFile } from "../support/plan";
import { listStackFiles } from "../../offline/stack-file";
import { runProgram } from "../../offline/run-program";
import { defineStack } from "../../stack";

const EV: ExistingVpcConfig = {
  vpcId: "vpc-0123456789abcdef0",
  cidr: "10.40.0.0/16",
  privateSubnetIds: ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0aaaaaaaaaaaaaaa2", "subnet-0aaaaaaaaaaaaaaa3"],
  loadBalancerSubnetIds: ["subnet-0bbbbbbbbbbbbbbb1", "subnet-0bbbbbbbbbbbbbbb2", "subnet-0bbbbbbbbbbbbbbb3"],
};
const raw = (network: Record<string, unknown>) =>
  Object.fromEntries(
    Object.entries({
      "aws:region": "eu-west-1",
      "infrasage:tenantId": "acme-eu",
      "infrasage:network": network,
    }).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
  );
const problems = (network: Record<string, unknown>) => {
  const r = parseStackConfig(raw(network), "eu-west-1");
  assert.equal(r.ok, false, "expected a rejection");
  return r.ok ? [] : r.problems.map((p) => `${p.key}: ${p.message}`);
};

describe("existing VPC: config", () => {
  it("takes the VPC's CIDR as the stack's network.cidr and its AZ count from the subnets", () => {
    const r = parseStackConfig(
      raw({
        existingVpc: { ...EV, privateSubnetIds: EV.privateSubnetIds.slice(0, 2), loadBalancerSubnetIds: undefined },
      }),
      "eu-west-1",
    );
    assert.ok(r.ok, JSON.stringify(!r.ok && r.problems));
    assert.equal(r.config.network.cidr, "10.40.0.0/16");
    assert.equal(r.config.network.availabilityZones, 2);
  });

  it(
    "refuses empty or single subnet lists, bad ids, a differing " +
      "network.cidr, NAT settings and an lb list that names a private subnet",
    () => {
      assert.ok(
        problems({ existingVpc: { ...EV, privateSubnetIds: [] } }).some((p) =>
          /^infrasage:network.existingVpc.privateSubnetIds: has 0 subnets; EKS needs subnets in at least 2 AZs/.test(p),
        ),
      );
      assert.ok(
        problems({ existingVpc: { ...EV, privateSubnetIds: ["subnet-0aaaaaaaaaaaaaaa1"] } }).some((p) =>
          /has 1 subnet;/.test(p),
        ),
      );
      assert.ok(
        problems({ existingVpc: { ...EV, loadBalancerSubnetIds: [] } }).some((p) =>
          /loadBalancerSubnetIds: is empty/.test(p),
        ),
      );
      assert.ok(
        problems({ existingVpc: { ...EV, vpcId: "vpc-xyz" } }).some((p) =>
          p.startsWith("infrasage:network.existingVpc.vpcId"),
        ),
      );
      assert.ok(
        problems({ existingVpc: { ...EV, privateSubnetIds: ["subnet-1", "subnet-2"] } }).some((p) =>
          /are not subnet ids/.test(p),
        ),
      );
      assert.ok(
        problems({ cidr: "10.41.0.0/16", existingVpc: EV }).some((p) =>
          p.startsWith("infrasage:network.cidr: is 10.41.0.0/16 but"),
        ),
      );
      assert.ok(
        problems({ natGateways: "single", existingVpc: EV }).some((p) => p.startsWith("infrasage:network.natGateways")),
      );
      assert.ok(
        problems({ existingVpc: { ...EV, loadBalancerSubnetIds: [EV.privateSubnetIds[0]] } }).some((p) =>
          /would route to the pods' subnet/.test(p),
        ),
      );
      assert.ok(
        problems({ existingVpc: { ...EV, cidr: "10.40.0.0/26" } }).some((p) =>
          p.startsWith("infrasage:network.existingVpc.cidr"),
        ),
      );
      assert.ok(problems({}).some((p) => p.startsWith("infrasage:network.cidr: is required")));
    },
  );

  it("checks what the subnet data sources return: VPC, CIDR containment, one subnet per AZ, lb/private overlap", () => {
    const ok = assumedExistingSubnets(EV, "eu-west-1");
    assert.deepEqual(existingSubnetProblems(EV, "eu-west-1", ok), []);
    const keys = (subnets: typeof ok) => existingSubnetProblems(EV, "eu-west-1", subnets).map((p) => p.message);
    assert.ok(
      keys(ok.map((s, i) => (i === 0 ? { ...s, vpcId: "vpc-0ffffffffffffffff" } : s))).some((m) =>
        /is in vpc-0ffffffffffffffff/.test(m),
      ),
    );
    assert.ok(
      keys(ok.map((s, i) => (i === 0 ? { ...s, cidrBlock: "100.64.0.0/20" } : s))).some((m) =>
        /outside network.existingVpc.cidr/.test(m),
      ),
    );
    assert.ok(
      keys(ok.map((s, i) => (i === 1 ? { ...s, availabilityZone: ok[0]!.availabilityZone } : s))).some((m) =>
        /two subnets in one AZ/.test(m),
      ),
    );
    assert.ok(
      keys(ok.map((s, i) => (i === 3 ? { ...s, cidrBlock: "10.40.0.0/24" } : s))).some((m) =>
        /overlaps private subnet/.test(m),
      ),
    );
    assert.ok(keys(ok.slice(1)).some((m) => /was not found in eu-west-1/.test(m)));
  });

  it("keeps the cross-stack CIDR checks: an existing VPC that overlaps a peer is refused", () => {
    const dir = mkdtempSync(join(tmpdir(), "infrasage-ev-"));
    const member = (stack: string, network: Record<string, unknown>, peer: string) => ({
      "aws:region": stack,
      "infrasage:tenantId": "acme",
      "infrasage:pattern": "active-active",
      "infrasage:network": network,
      "infrasage:replication": {
        peers: [`acme/infrasage/${peer}`],
        keeperVoters: 2,
        acceptRegionLossRisk: "two-member test group only",
      },
    });
    const configs = [
      ["eu-west-1", member("eu-west-1", { existingVpc: { ...EV, cidr: "10.11.0.0/16" } }, "eu-central-1")],
      ["eu-central-1", member("eu-central-1", { cidr: "10.11.128.0/17" }, "eu-west-1")],
    ] as const;
    const group = configs.map(([stack, c]) => {
      writeStackFile(stack, c, dir);
      const parsed = parseStackConfig(
        Object.fromEntries(Object.entries(c).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)])),
        stack,
      );
      if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
      return { config: parsed.config };
    });
    const r = checkReplicationGroups(group);
    assert.ok(
      r.violations.some((v) => v.policy === REPLICATION_POLICY.cidrOverlap && v.level === "mandatory"),
      JSON.stringify(r.violations),
    );
  });
});

describe("existing VPC: planned stacks", function () {
  this.timeout(240000);

  it("creates nothing of the VPC and puts the cluster and nodes in the given private subnets", async () => {
    const plan = await planFile(
      writeStackFile("eu-west-1", {
        "aws:region": "eu-west-1",
        "infrasage:tenantId": "acme-eu",
        "infrasage:network": { existingVpc: EV },
      }),
    );
    for (const t of [
      "aws:ec2/vpc:Vpc",
      "aws:ec2/subnet:Subnet",
      "aws:ec2/natGateway:NatGateway",
      "aws:ec2/internetGateway:InternetGateway",
      "aws:ec2/routeTable:RouteTable",
      "aws:ec2/route:Route",
      "aws:ec2/routeTableAssociation:RouteTableAssociation",
      "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
      "aws:ec2/flowLog:FlowLog",
      "aws:ec2/eip:Eip",
      "aws:ec2/tag:Tag",
    ]) {
      assert.equal(ofType(plan, t).length, 0, `no ${t}`);
    }
    const cluster = ofType(plan, "aws:eks/cluster:Cluster")[0]!;
    assert.deepEqual((cluster.rawInputs.vpcConfig as { subnetIds: string[] }).subnetIds, EV.privateSubnetIds);
    assert.deepEqual(ofType(plan, "aws:eks/nodeGroup:NodeGroup")[0]!.rawInputs.subnetIds, EV.privateSubnetIds);
    assert.equal(plan.record.outputs.vpcId?.value, EV.vpcId);
    assert.deepEqual(
      plan.violations.filter((v) => v.level === "mandatory"),
      [],
    );
  });

  it("stops before creating anything, naming the key, when the real subnets do not fit (another VPC)", async () => {
    const config = Object.fromEntries(
      Object.entries({
        "aws:region": "eu-west-1",
        "infrasage:tenantId": "acme-eu",
        "infrasage:network": { existingVpc: EV },
      }).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
    );
    const subnets = assumedExistingSubnets(EV, "eu-west-1").map((x, i) =>
      i === 2 ? { ...x, vpcId: "vpc-0ffffffffffffffff" } : x,
    );
    let registered = -1;
    await assert.rejects(
      runProgram(
        async () => {
          const out = await defineStack();
          return out;
        },
        { project: "infrasage", stack: "eu-west-1", region: "eu-west-1", config, existingSubnets: subnets },
      ).then((rec) => {
        registered = rec.resources.length;
      }),
      (e: Error) =>
        /infrasage:network\.existingVpc\.privateSubnetIds: subnet-0aaaaaaaaaaaaaaa3 is in vpc-0ffffffffffffffff/.test(
          e.message,
        ),
    );
    assert.equal(registered, -1);
  });

  it("uses the VPC's main route table for a subnet without an association of its own, each table once", async () => {
    const config = Object.fromEntries(
      Object.entries({
        "aws:region": "eu-west-1",
        "infrasage:tenantId": "acme-eu",
        "infrasage:network": { existingVpc: EV },
      }).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
    );
    const subnets = assumedExistingSubnets(EV, "eu-west-1").map((x, i) => (i < 2 ? { ...x, routeTableId: "" } : x));
    const rec = await runProgram(defineStack, {
      project: "infrasage",
      stack: "eu-west-1",
      region: "eu-west-1",
      config,
      existingSubnets: subnets,
    });
    const network = rec.outputs.network?.value as { privateRouteTableIds: string[] };
    assert.deepEqual(network.privateRouteTableIds, ["rtb-main0123456789abcdef0", "rtb-0aaaaaaaaaaaaaaa3"]);
  });

  it("in pattern 3 routes peers only to the existing VPC's private subnets, through its own route tables", async () => {
    const dir = mkdtempSync(join(tmpdir(), "infrasage-ev-aa-"));
    for (const f of listStackFiles(join(ROOT, "examples", "active-active")))
      copyFileSync(f, join(dir, f.split("/").pop()!));
    writeFileSync(join(dir, "Pulumi.yaml"), `name: infrasage\nruntime: nodejs\nmain: ${ROOT}\n`);
    const westPath = join(dir, "Pulumi.eu-west-1.yaml");
    const west = parse(readFileSync(westPath, "utf8")) as { config: Record<string, unknown> };
    west.config["infrasage:network"] = { existingVpc: { ...EV, cidr: "10.10.0.0/16" } };
    writeFileSync(westPath, stringify(west));
    const r = await planFiles(listStackFiles(dir));
    const w = r.stacks.find((s) => s.stack === "eu-west-1")!;
    assert.deepEqual(
      [...r.stacks.flatMap((s) => s.violations), ...r.crossStack.violations].filter((v) => v.level === "mandatory"),
      [],
    );
    const privateCidrs = assumedExistingSubnets({ ...EV, cidr: "10.10.0.0/16" }, "eu-west-1")
      .slice(0, 3)
      .map((s) => s.cidrBlock);
    // Peers route to the existing private subnets only.
    for (const peer of r.stacks.filter((s) => s.stack !== "eu-west-1")) {
      const toWest = ofType(peer, "aws:ec2/route:Route").filter((x) =>
        String(x.rawInputs.destinationCidrBlock).startsWith("10.10."),
      );
      assert.ok(toWest.length > 0, peer.stack);
      for (const route of toWest)
        assert.ok(
          privateCidrs.includes(String(route.rawInputs.destinationCidrBlock)),
          `${peer.stack}: ${String(route.rawInputs.destinationCidrBlock)}`,
        );
    }
    // Routes from west to its peers (whichever stack owns the link creates them) go into the
    // existing subnets' route tables, never into new ones.
    const westRoutes = r.stacks
      .flatMap((s) => ofType(s, "aws:ec2/route:Route"))
      .filter((x) => x.region === "eu-west-1");
    assert.ok(westRoutes.length > 0);
    for (const route of westRoutes) assert.match(String(route.rawInputs.routeTableId), /^rtb-0aaaaaaaaaaaaaaa[123]$/);
    assert.equal(ofType(w, "aws:ec2/routeTable:RouteTable").length, 0);
  });
});

describe("existing VPC: how its subnets are used (pure)", () => {
  const sub = (id: string, az: string, cidr: string, routeTableId: string) => ({
    id,
    vpcId: "vpc-0123456789abcdef0",
    cidrBlock: cidr,
    availabilityZone: az,
    routeTableId,
  });
  const subnets = [
    sub("subnet-00000001", "eu-west-1a", "10.50.0.0/18", "rtb-shared"),
    sub("subnet-00000002", "eu-west-1b", "10.50.64.0/18", "rtb-shared"),
    sub("subnet-00000003", "eu-west-1c", "10.50.128.0/18", ""),
    sub("subnet-00000004", "eu-west-1a", "10.50.192.0/24", "rtb-lb"),
  ];
  const ev: ExistingVpcConfig = {
    vpcId: "vpc-0123456789abcdef0",
    cidr: "10.50.0.0/16",
    privateSubnetIds: ["subnet-00000001", "subnet-00000002", "subnet-00000003"],
  };

  it("routes each private route table once; puts load balancers in the private subnets unless told otherwise", () => {
    const l = existingLayout(ev, subnets);
    assert.deepEqual(l.privateRouteTableIds, ["rtb-shared"]);
    assert.deepEqual(l.loadBalancerSubnetIds, ev.privateSubnetIds);
    assert.deepEqual(l.availabilityZones, ["eu-west-1a", "eu-west-1b", "eu-west-1c"]);
    const withLb = existingLayout({ ...ev, loadBalancerSubnetIds: ["subnet-00000004"] }, subnets);
    assert.deepEqual(
      [withLb.loadBalancerSubnetIds, withLb.loadBalancerSubnetCidrs],
      [["subnet-00000004"], ["10.50.192.0/24"]],
    );
    assert.throws(() => existingLayout({ ...ev, privateSubnetIds: ["subnet-0000000f"] }, subnets), /not read/);
  });
});
