import assert from "node:assert/strict";
import * as aws from "@pulumi/aws";
import { RegionalNetwork, type RegionalNetworkArgs } from "../../components/network/network";
import { availabilityZonesOf } from "../../policies/shared/regions";
import { AUTONAME_SUFFIX_LENGTH } from "../../offline/mock-cloud";
import { runProgram, type ProgramRecord, type RecordedResource } from "../../offline/run-program";

const REGION = "eu-west-1";
const COMPONENT = "infrasage:network:RegionalNetwork";
const T = {
  vpc: "aws:ec2/vpc:Vpc",
  subnet: "aws:ec2/subnet:Subnet",
  igw: "aws:ec2/internetGateway:InternetGateway",
  eip: "aws:ec2/eip:Eip",
  nat: "aws:ec2/natGateway:NatGateway",
  routeTable: "aws:ec2/routeTable:RouteTable",
  route: "aws:ec2/route:Route",
  association: "aws:ec2/routeTableAssociation:RouteTableAssociation",
  defaultSg: "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
  logGroup: "aws:cloudwatch/logGroup:LogGroup",
  role: "aws:iam/role:Role",
  flowLog: "aws:ec2/flowLog:FlowLog",
} as const;
/** Types that take tags (everything but routes and associations). */
const TAGGED = [T.vpc, T.subnet, T.igw, T.eip, T.nat, T.routeTable, T.defaultSg, T.logGroup, T.role, T.flowLog];
const TAGS = { "infrasage:tenant": "acme", team: "sre" };

const args = (overrides: Partial<RegionalNetworkArgs> = {}): RegionalNetworkArgs => ({
  cidr: "10.10.0.0/16",
  availabilityZones: availabilityZonesOf(REGION, 3),
  natGateways: "perAz",
  clusterName: "infrasage-eu",
  tags: TAGS,
  ...overrides,
});

/** Runs one or more networks under one explicit eu-west-1 provider. */
function plan(networks: Record<string, RegionalNetworkArgs>): Promise<ProgramRecord> {
  return runProgram(
    () => {
      const provider = new aws.Provider("aws", { region: REGION });
      const outputs: Record<string, unknown> = {};
      for (const [name, a] of Object.entries(networks)) {
        const n = new RegionalNetwork(name, a, { providers: { aws: provider } });
        Object.assign(outputs, {
          [`${name}VpcId`]: n.vpcId,
          [`${name}PublicSubnetIds`]: n.publicSubnetIds,
          [`${name}PrivateSubnetIds`]: n.privateSubnetIds,
          [`${name}PrivateRouteTableIds`]: n.privateRouteTableIds,
          [`${name}PublicRouteTableId`]: n.publicRouteTableId,
          [`${name}NatGatewayCount`]: n.natGatewayCount,
          [`${name}Subnets`]: n.subnets,
          [`${name}VpcCidr`]: n.vpcCidr,
        });
      }
      return outputs;
    },
    { project: "infrasage", stack: REGION, region: REGION, config: { "aws:region": REGION } },
  );
}

const ofType = (rec: ProgramRecord, type: string): RecordedResource[] => rec.resources.filter((r) => r.type === type);
const countByType = (rec: ProgramRecord): Record<string, number> =>
  Object.fromEntries(Object.values(T).map((t) => [t, ofType(rec, t).length]));
/** The one dependency of `r` that has type `type`. */
const dependencyOfType = (rec: ProgramRecord, r: RecordedResource, type: string): RecordedResource => {
  const found = r.dependencies.map((u) => rec.resources.find((x) => x.urn === u)).filter((x) => x?.type === type);
  assert.equal(found.length, 1, `${r.name} should depend on exactly one ${type}`);
  return found[0]!;
};
const azOfSubnet = (s: RecordedResource): string => String(s.inputs.availabilityZone);
const json = (value: unknown): Record<string, unknown> => JSON.parse(String(value)) as Record<string, unknown>;

describe("RegionalNetwork", () => {
  let perAz: ProgramRecord;
  let single: ProgramRecord;
  let twoAz: ProgramRecord;
  before(async () => {
    perAz = await plan({ net: args() });
    single = await plan({ net: args({ natGateways: "single", flowLogRetentionDays: 30 }) });
    twoAz = await plan({ net: args({ availabilityZones: availabilityZonesOf(REGION, 2) }) });
  });

  it("creates one NAT and EIP per AZ with perAz, one with single, and scales with the AZ count", () => {
    const common = { [T.vpc]: 1, [T.igw]: 1, [T.defaultSg]: 1, [T.logGroup]: 1, [T.role]: 1, [T.flowLog]: 1 };
    assert.deepEqual(countByType(perAz), {
      ...common,
      [T.subnet]: 9,
      [T.eip]: 3,
      [T.nat]: 3,
      [T.routeTable]: 4,
      [T.route]: 4,
      [T.association]: 9,
    });
    assert.deepEqual(countByType(single), {
      ...common,
      [T.subnet]: 9,
      [T.eip]: 1,
      [T.nat]: 1,
      [T.routeTable]: 4,
      [T.route]: 4,
      [T.association]: 9,
    });
    assert.deepEqual(countByType(twoAz), {
      ...common,
      [T.subnet]: 6,
      [T.eip]: 2,
      [T.nat]: 2,
      [T.routeTable]: 3,
      [T.route]: 3,
      [T.association]: 6,
    });
    assert.equal(perAz.outputs.netNatGatewayCount!.value, 3);
    assert.equal(single.outputs.netNatGatewayCount!.value, 1);
  });

  it(
    "parents every resource directly under the component (so its chain " +
      "reaches it) and uses the caller's provider, never a region input",
    () => {
      for (const rec of [perAz, single, twoAz]) {
        const [component] = ofType(rec, COMPONENT);
        const [provider] = ofType(rec, "pulumi:providers:aws");
        assert.ok(component && provider);
        for (const r of rec.resources.filter((x) => x.type.startsWith("aws:"))) {
          assert.equal(r.parent, component.urn, `${r.name} is not a direct child of the component`);
          assert.equal(r.provider, provider.urn, `${r.name} does not use the explicit provider`);
          assert.equal(r.inputs.region, undefined, `${r.name} sets a region input`);
          assert.equal(r.region, REGION);
        }
      }
    },
  );

  it("exports the plan, ids in AZ order and the VPC CIDR", () => {
    const out = perAz.outputs;
    assert.equal(out.netVpcCidr!.value, "10.10.0.0/16");
    assert.match(String(out.netVpcId!.value), /^vpc-/);
    for (const key of ["netPublicSubnetIds", "netPrivateSubnetIds"]) {
      const ids = out[key]!.value as string[];
      assert.equal(ids.length, 3);
      ids.forEach((id) => assert.match(id, /^subnet-/));
    }
    assert.equal((out.netPrivateRouteTableIds!.value as string[]).length, 3);
    assert.match(String(out.netPublicRouteTableId!.value), /^rtb-/);
    const plan = out.netSubnets!.value as { cidr: string }[];
    assert.deepEqual(
      ofType(perAz, T.subnet)
        .map((s) => s.inputs.cidrBlock)
        .sort(),
      plan.map((s) => s.cidr).sort(),
    );
  });

  it("enables DNS support and hostnames on the VPC", () => {
    const [vpc] = ofType(perAz, T.vpc);
    assert.equal(vpc!.inputs.cidrBlock, "10.10.0.0/16");
    assert.equal(vpc!.inputs.enableDnsSupport, true);
    assert.equal(vpc!.inputs.enableDnsHostnames, true);
  });

  it("tags subnets for EKS load balancer discovery and never maps public IPs", () => {
    for (const s of ofType(perAz, T.subnet)) {
      const tags = s.inputs.tags as Record<string, string>;
      const tier = s.name.replace(/^net-/, "").split("-")[0];
      assert.equal(tags["kubernetes.io/cluster/infrasage-eu"], "shared");
      // Internet-facing LBs in public subnets, internal ones in lb subnets, none among the pods.
      assert.equal(tags["kubernetes.io/role/elb"], tier === "public" ? "1" : undefined, s.name);
      assert.equal(tags["kubernetes.io/role/internal-elb"], tier === "lb" ? "1" : undefined, s.name);
      assert.equal(s.inputs.mapPublicIpOnLaunch, false);
    }
  });

  it("puts the caller's tags and a Name on every taggable resource", () => {
    for (const r of perAz.resources.filter((x) => TAGGED.includes(x.type as (typeof TAGGED)[number]))) {
      const tags = r.inputs.tags as Record<string, string>;
      assert.equal(tags.team, "sre", r.name);
      assert.equal(tags["infrasage:tenant"], "acme", r.name);
      assert.match(tags.Name ?? "", /^net-/, r.name);
    }
  });

  it("routes the public table to the IGW and each private table to a NAT in its own AZ (perAz)", () => {
    const [igw] = ofType(perAz, T.igw);
    const routes = ofType(perAz, T.route);
    for (const route of routes) assert.equal(route.inputs.destinationCidrBlock, "0.0.0.0/0");
    const publicRoutes = routes.filter((r) => r.inputs.gatewayId !== undefined);
    assert.equal(publicRoutes.length, 1);
    assert.ok(publicRoutes[0]!.dependencies.includes(igw!.urn));

    const natRoutes = routes.filter((r) => r.inputs.natGatewayId !== undefined);
    assert.equal(natRoutes.length, 3);
    assert.equal(new Set(natRoutes.map((r) => r.inputs.natGatewayId)).size, 3);
    const associations = ofType(perAz, T.association);
    for (const route of natRoutes) {
      assert.match(String(route.inputs.natGatewayId), /^nat-/);
      const table = dependencyOfType(perAz, route, T.routeTable);
      const nat = dependencyOfType(perAz, route, T.nat);
      const natSubnet = dependencyOfType(perAz, nat, T.subnet);
      const tableSubnets = associations
        .filter((a) => a.dependencies.includes(table.urn))
        .map((a) => dependencyOfType(perAz, a, T.subnet));
      assert.deepEqual(
        tableSubnets.map((t) => t.name.replace(/-[a-z]$/, "")).sort(),
        ["net-lb", "net-private"],
        `${table.name} should serve its AZ's private and lb subnets`,
      );
      for (const t of tableSubnets)
        assert.equal(azOfSubnet(natSubnet), azOfSubnet(t), `${table.name} routes to a NAT in another AZ`);
      assert.match(natSubnet.name, /^net-public-/, "NAT gateways live in public subnets");
    }
  });

  it("routes every private table to the single NAT with single", () => {
    const natRoutes = ofType(single, T.route).filter((r) => r.inputs.natGatewayId !== undefined);
    assert.equal(natRoutes.length, 3);
    assert.equal(new Set(natRoutes.map((r) => r.inputs.natGatewayId)).size, 1);
    const [nat] = ofType(single, T.nat);
    assert.equal(azOfSubnet(dependencyOfType(single, nat!, T.subnet)), "eu-west-1a");
  });

  it("associates every subnet with exactly one route table", () => {
    const subnets = ofType(perAz, T.subnet);
    const associated = ofType(perAz, T.association).map((a) => dependencyOfType(perAz, a, T.subnet).urn);
    assert.deepEqual([...associated].sort(), subnets.map((s) => s.urn).sort());
  });

  it("gives each NAT a VPC EIP and orders it after the internet gateway", () => {
    const [igw] = ofType(perAz, T.igw);
    for (const nat of ofType(perAz, T.nat)) {
      const eip = dependencyOfType(perAz, nat, T.eip);
      assert.equal(eip.inputs.domain, "vpc");
      assert.match(String(nat.inputs.allocationId), /^eipalloc-/);
      assert.ok(nat.dependencies.includes(igw!.urn), "AWS rejects a public NAT before the IGW is attached");
    }
  });

  it("locks down the default security group (no rules at all)", () => {
    const [sg] = ofType(perAz, T.defaultSg);
    const [vpc] = ofType(perAz, T.vpc);
    assert.deepEqual(sg!.inputs.ingress, []);
    assert.deepEqual(sg!.inputs.egress, []);
    assert.ok(sg!.dependencies.includes(vpc!.urn));
  });

  it("sends ALL VPC traffic to its own log group with retention, via a least-privilege role", () => {
    for (const [rec, retention] of [
      [perAz, 90],
      [single, 30],
    ] as const) {
      const [flowLog] = ofType(rec, T.flowLog);
      const [vpc] = ofType(rec, T.vpc);
      const logGroup = dependencyOfType(rec, flowLog!, T.logGroup);
      const role = dependencyOfType(rec, flowLog!, T.role);
      assert.ok(flowLog!.dependencies.includes(vpc!.urn));
      assert.equal(flowLog!.inputs.trafficType, "ALL");
      assert.equal(flowLog!.inputs.logDestinationType, "cloud-watch-logs");
      assert.equal(logGroup.inputs.retentionInDays, retention);

      const trust = json(role.inputs.assumeRolePolicy) as {
        Statement: { Principal: { Service: string }; Action: string }[];
      };
      assert.deepEqual(
        trust.Statement.map((s) => [s.Principal.Service, s.Action]),
        [["vpc-flow-logs.amazonaws.com", "sts:AssumeRole"]],
      );
      const inline = role.inputs.inlinePolicies as { policy: string }[];
      assert.equal(inline.length, 1);
      const statements = (
        json(inline[0]!.policy) as { Statement: { Effect: string; Action: string[]; Resource: string[] }[] }
      ).Statement;
      assert.equal(statements.length, 1);
      assert.deepEqual([...statements[0]!.Action].sort(), [
        "logs:CreateLogStream",
        "logs:DescribeLogGroups",
        "logs:DescribeLogStreams",
        "logs:PutLogEvents",
      ]);
      // Scoped to the very log group the flow log writes to, and nothing else.
      const destination = String(flowLog!.inputs.logDestination);
      assert.deepEqual(statements[0]!.Resource, [destination, `${destination}:*`]);
      assert.equal(flowLog!.inputs.iamRoleArn !== undefined, true);
      assert.ok(role.name.length + AUTONAME_SUFFIX_LENGTH <= 64, "IAM role names are at most 64 characters");
    }
  });

  it("lets two networks live in one program without URN or name collisions", async () => {
    const rec = await plan({
      "eu-primary": args(),
      "eu-secondary": args({ cidr: "10.20.0.0/16", natGateways: "single" }),
    });
    const urns = rec.resources.map((r) => r.urn);
    assert.equal(new Set(urns).size, urns.length);
    assert.equal(ofType(rec, COMPONENT).length, 2);
    assert.equal(ofType(rec, T.vpc).length, 2);
    assert.equal(ofType(rec, T.nat).length, 4);
    const components = new Map(ofType(rec, COMPONENT).map((c) => [c.urn, c.name]));
    for (const r of rec.resources.filter((x) => x.type.startsWith("aws:"))) {
      assert.ok(
        r.name.startsWith(`${components.get(r.parent!)}-`),
        `${r.name} is not prefixed by its component's name`,
      );
    }
  });

  it("fails before creating children when the plan is invalid", async () => {
    await assert.rejects(
      plan({ net: args({ cidr: "10.10.0.1/16", availabilityZones: ["eu-west-1a"] }) }),
      (err: Error) => {
        assert.match(err.message, /host bits set/);
        assert.match(err.message, /got 1 availability zone/);
        return true;
      },
    );
  });
});
