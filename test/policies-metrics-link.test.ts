/** metrics-link-scope: the shared-Grafana link may cross jurisdictions, carrying Prometheus and nothing wider. */
import assert from "node:assert/strict";
import { join } from "node:path";
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { metricsLinkScope, METRICS_HOME_ROUTE_MIN_PREFIX, METRICS_PEER_ROUTE_MIN_PREFIX } from "../policies/rules/metrics-link";
import { crossRegionNetworkingInJurisdiction, crossRegionRoutesInJurisdiction } from "../policies/rules/residency";
import { FLOW_TAG, METRICS_LINK_FLOW } from "../policies/shared/flows";
import { PORTS } from "../policies/shared/ports";
import {
  assertClean as clean, assertDeferredToUp as deferred, assertViolation as violates, awsProvider, homeProvider, runResourcePolicy, runStackPolicy, urnOf, type ResourceSpec,
} from "./support/policy-args";
import { planDir, ROOT } from "./support/plan";

const TAGS = { [FLOW_TAG]: METRICS_LINK_FLOW };
const SG = "aws:ec2/securityGroup:SecurityGroup";
const RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const PCX = "aws:ec2/vpcPeeringConnection:VpcPeeringConnection";
const ROUTE = "aws:ec2/route:Route";
const IN = awsProvider("ap-south-1");

const lbSg: ResourceSpec = { type: SG, name: "link-lb-sg", props: { tags: TAGS } };
const ingress = (props: Record<string, unknown>, name = "from-host"): ResourceSpec =>
  ({ type: RULE, name, props: { ipProtocol: "tcp", fromPort: PORTS.metricsLink, toPort: PORTS.metricsLink, cidrIpv4: "10.10.0.0/18", ...props }, dependencies: [urnOf(SG, "link-lb-sg")] });
const pcx = (tags: Record<string, string> = TAGS): ResourceSpec => ({ type: PCX, name: "to-host", props: { peerRegion: "eu-west-1", tags }, provider: IN });
const route = (destinationCidrBlock: string, region = "ap-south-1"): ResourceSpec => ({
  type: ROUTE, name: `r-${destinationCidrBlock}-${region}`, props: { destinationCidrBlock, vpcPeeringConnectionId: "pcx-1", ...(region === "ap-south-1" ? {} : { region }) },
  provider: IN, dependencies: [urnOf(PCX, "to-host")],
});
const run = (...specs: ResourceSpec[]) => runStackPolicy(metricsLinkScope, [homeProvider("ap-south-1"), ...specs]);

describe("policy metrics-link-scope", () => {
  it("passes Prometheus over TLS from the host's private subnets and the NLB -> tunnel pods hop by security group", async () =>
    clean(await run(lbSg, ingress({}), ingress({ cidrIpv4: undefined, referencedSecurityGroupId: "sg-lb", tags: TAGS }, "tunnel-from-lb"))));
  const listener = (props: Record<string, unknown>): ResourceSpec => ({ type: "aws:lb/listener:Listener", name: "prometheus", props: { port: PORTS.metricsLink, protocol: "TCP", tags: TAGS, ...props } });
  it("passes a TCP passthrough listener on 9443, rejects plain Prometheus on 9090", async () => {
    clean(await run(listener({})));
    violates(await run(listener({ port: PORTS.prometheus })), /TCP on port 9090; the link is TLS end to end/);
    violates(await run(listener({ protocol: "HTTP" })), /HTTP on port 9443/);
  });
  it("rejects the load-balancer group open to 0.0.0.0/0", async () =>
    violates(await run(lbSg, ingress({ cidrIpv4: "0.0.0.0/0" })), /admits 0\.0\.0\.0\/0/));
  it("rejects another port, even from a private range or by security group", async () => {
    violates(await run(lbSg, ingress({ fromPort: PORTS.clickhouseNative, toPort: PORTS.clickhouseNative })), /only Prometheus over TLS \(TCP 9443\)/);
    violates(await run(ingress({ cidrIpv4: undefined, fromPort: 0, toPort: 65535, referencedSecurityGroupId: "sg-lb", tags: TAGS }, "pods-from-lb")), /needs only 9443/);
  });
  it("rejects inline ingress on a tagged group, and leaves untagged groups to the other rules", async () => {
    violates(await run({ type: SG, name: "x", props: { tags: TAGS, ingress: [{ protocol: "tcp", fromPort: 0, toPort: 65535, cidrBlocks: ["10.0.0.0/8"] }] } }), /opens ports 0-65535/);
    clean(await run({ type: SG, name: "other" }, { ...ingress({ fromPort: 22, toPort: 22 }), dependencies: [urnOf(SG, "other")] }));
  });
  it(`passes routes to the host's private subnets (/${METRICS_HOME_ROUTE_MIN_PREFIX}+) and return routes to load-balancer subnets (/${METRICS_PEER_ROUTE_MIN_PREFIX}+)`, async () =>
    clean(await run(pcx(), route("10.10.0.0/18"), route("10.20.240.0/22", "eu-west-1"))));
  it("rejects a route to 0.0.0.0/0, a public range or the host's whole VPC", async () => {
    violates(await run(pcx(), route("0.0.0.0/0")), /never 0\.0\.0\.0\/0 or a whole VPC/);
    violates(await run(pcx(), route("52.0.0.0/18")), /Grafana host's private subnets/);
    violates(await run(pcx(), route("10.10.0.0/16")), /never 0\.0\.0\.0\/0 or a whole VPC/);
  });
  it("rejects a return route wider than the source's load-balancer subnets", async () =>
    violates(await run(pcx(), route("10.20.0.0/18", "eu-west-1")), /wider than a \/22/));
  it("leaves routes of other links to the other rules", async () =>
    clean(await run(pcx({ Purpose: "clickhouse-replication" }), route("10.10.0.0/16"))));
  // At up (destination known) a whole-VPC route is a mandatory violation: "rejects a route to 0.0.0.0/0, a public range or the host's whole VPC" above.
  it("defers to up when a route's destination is unknown at preview", async () =>
    deferred(await run(pcx(), { ...route("10.10.0.0/18"), unknown: ["destinationCidrBlock"] })));
  it("still rejects a known whole-VPC route next to a route whose destination is unknown at preview", async () => {
    const o = await run(pcx(), { ...route("10.10.0.0/18"), unknown: ["destinationCidrBlock"] }, route("10.10.0.0/16"));
    violates(o, /never 0\.0\.0\.0\/0 or a whole VPC/);
    assert.equal(o.downgraded, true);
  });
  it("passes the shipped shared-Grafana example", async () => {
    const result = await planDir(join(ROOT, "examples", "shared-grafana"));
    for (const s of result.stacks) assert.deepEqual(s.violations.filter((v) => v.policy === "metrics-link-scope"), [], s.stack);
  });
});

describe("residency rules and the metrics flow", () => {
  const ACCEPTER = "aws:ec2/vpcPeeringConnectionAccepter:VpcPeeringConnectionAccepter";
  const accepter = (tags: Record<string, string>): ResourceSpec => ({ type: ACCEPTER, name: "link-accept", provider: IN, props: { region: "eu-west-1", tags } });
  const peerRoute: ResourceSpec = {
    type: ROUTE, name: "link-from-peer", provider: IN, props: { region: "eu-west-1", routeTableId: "rtb-1", destinationCidrBlock: "10.20.240.0/22", vpcPeeringConnectionId: "pcx-1" },
    dependencies: [urnOf(ACCEPTER, "link-accept")],
  };
  const stack = (p: StackValidationPolicy, ...specs: ResourceSpec[]) => runStackPolicy(p, [homeProvider("ap-south-1"), ...specs]);
  const res = (p: ResourceValidationPolicy, spec: ResourceSpec) => runResourcePolicy(p, spec);
  it("lets the metrics-tagged link and its return routes cross jurisdictions (IN -> EU)", async () => {
    clean(await res(crossRegionNetworkingInJurisdiction, pcx()));
    clean(await stack(crossRegionRoutesInJurisdiction, accepter(TAGS), peerRoute));
  });
  it("still rejects an untagged or otherwise tagged link across jurisdictions", async () => {
    violates(await res(crossRegionNetworkingInJurisdiction, pcx({ [FLOW_TAG]: "raw-telemetry" })), /another jurisdiction/);
    violates(await stack(crossRegionRoutesInJurisdiction, accepter({ Purpose: "metrics" }), peerRoute), /jurisdiction EU/);
  });
});
