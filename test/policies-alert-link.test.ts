/** alert-link-scope: the one cross-jurisdiction link carries the webhook and nothing wider. */
import { alertLinkScope, ALERT_ROUTE_MIN_PREFIX } from "../policies/rules/alert-link";
import { ALERT_LINK_FLOW, FLOW_TAG } from "../policies/shared/flows";
import { PORTS } from "../policies/shared/ports";
import { assertClean as clean, assertDeferredToUp as deferred, assertViolation as violates, awsProvider, runStackPolicy, urnOf, type ResourceSpec } from "./support/policy-args";
import { planDir, ROOT } from "./support/plan";
import { join } from "node:path";
import assert from "node:assert/strict";

const TAGS = { [FLOW_TAG]: ALERT_LINK_FLOW };
const SG = "aws:ec2/securityGroup:SecurityGroup";
const RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const PCX = "aws:ec2/vpcPeeringConnection:VpcPeeringConnection";
const ROUTE = "aws:ec2/route:Route";

const lbSg: ResourceSpec = { type: SG, name: "hub-lb-sg", props: { tags: TAGS } };
const ingress = (props: Record<string, unknown>, name = "from-spoke"): ResourceSpec =>
  ({ type: RULE, name, props: { ipProtocol: "tcp", fromPort: PORTS.alertWebhook, toPort: PORTS.alertWebhook, cidrIpv4: "10.20.0.0/18", ...props }, dependencies: [urnOf(SG, "hub-lb-sg")] });
const pcx: ResourceSpec = { type: PCX, name: "to-hub", props: { peerRegion: "eu-west-1", tags: TAGS }, provider: awsProvider("ap-south-1") };
const route = (destinationCidrBlock: string, region = "ap-south-1"): ResourceSpec => ({
  type: ROUTE, name: `r-${destinationCidrBlock}`, props: { destinationCidrBlock, vpcPeeringConnectionId: "pcx-1", ...(region === "ap-south-1" ? {} : { region }) },
  provider: awsProvider("ap-south-1"), dependencies: [urnOf(PCX, "to-hub")],
});
const spokeProvider: ResourceSpec = { type: "pulumi:providers:aws", name: "aws", urn: urnOf("pulumi:providers:aws", "aws"), props: { region: "ap-south-1" }, provider: null };

describe("policy alert-link-scope", () => {
  it("passes the webhook port from a spoke's private subnet and the NLB -> tunnel pods hop by security group", async () => {
    clean(await runStackPolicy(alertLinkScope, [lbSg, ingress({}), ingress({ cidrIpv4: undefined, referencedSecurityGroupId: "sg-lb", tags: TAGS }, "tunnel-from-lb")]));
  });
  it("rejects a hop to the pods on another port (the AIops Engine's plain HTTP port)", async () =>
    violates(await runStackPolicy(alertLinkScope, [ingress({ cidrIpv4: undefined, fromPort: PORTS.aiopsEngine, toPort: PORTS.aiopsEngine, referencedSecurityGroupId: "sg-lb", tags: TAGS }, "aiops-from-lb")]), /needs only 8443/));
  const listener = (props: Record<string, unknown>): ResourceSpec => ({ type: "aws:lb/listener:Listener", name: "webhook", props: { port: PORTS.alertWebhook, protocol: "TCP", tags: TAGS, ...props } });
  it("passes a TCP passthrough listener on the TLS webhook port", async () => clean(await runStackPolicy(alertLinkScope, [listener({})])));
  it("rejects plain HTTP on 80, TLS ended on the load balancer, and another port", async () => {
    violates(await runStackPolicy(alertLinkScope, [listener({ port: 80, protocol: "HTTP" })]), /HTTP on port 80; the link is TLS end to end/);
    violates(await runStackPolicy(alertLinkScope, [listener({ protocol: "TLS" })]), /TLS on port 8443/);
    violates(await runStackPolicy(alertLinkScope, [listener({ port: 80 })]), /TCP on port 80/);
  });
  it("rejects a hub load-balancer group open to 0.0.0.0/0", async () =>
    violates(await runStackPolicy(alertLinkScope, [lbSg, ingress({ cidrIpv4: "0.0.0.0/0" })]), /admits 0\.0\.0\.0\/0/));
  it("rejects another port on the alert link, even from a private range", async () =>
    violates(await runStackPolicy(alertLinkScope, [lbSg, ingress({ fromPort: PORTS.clickhouseNative, toPort: PORTS.clickhouseNative })]), /only the webhook port 8443/));
  it("rejects inline ingress on a tagged group", async () =>
    violates(await runStackPolicy(alertLinkScope, [{ type: SG, name: "x", props: { tags: TAGS, ingress: [{ protocol: "tcp", fromPort: 0, toPort: 65535, cidrBlocks: ["10.0.0.0/8"] }] } }]), /opens ports 0-65535/));
  it("leaves untagged groups to the other rules", async () =>
    clean(await runStackPolicy(alertLinkScope, [{ type: SG, name: "other" }, { ...ingress({ fromPort: 22, toPort: 22 }), dependencies: [urnOf(SG, "other")] }])));
  it(`passes routes to load-balancer subnets (/${ALERT_ROUTE_MIN_PREFIX} or narrower) and return routes in the hub region`, async () =>
    clean(await runStackPolicy(alertLinkScope, [spokeProvider, pcx, route("10.10.240.0/22"), route("10.20.0.0/18", "eu-west-1")])));
  it("rejects a route covering the whole hub VPC or its pods' subnets", async () => {
    violates(await runStackPolicy(alertLinkScope, [spokeProvider, pcx, route("10.10.0.0/16")]), /wider than a \/22/);
    violates(await runStackPolicy(alertLinkScope, [spokeProvider, pcx, route("10.10.0.0/18")]), /wider than a \/22/);
  });
  // At up (destination known) a too-wide route is a mandatory violation: "rejects a route covering the whole hub VPC ..." above.
  it("defers to up when a route's destination is unknown at preview", async () =>
    deferred(await runStackPolicy(alertLinkScope, [spokeProvider, pcx, { ...route("10.10.240.0/22"), unknown: ["destinationCidrBlock"] }])));
  it("still rejects a known too-wide route next to a route whose destination is unknown at preview", async () => {
    const o = await runStackPolicy(alertLinkScope, [spokeProvider, pcx, { ...route("10.10.240.0/22"), unknown: ["destinationCidrBlock"] }, route("10.10.0.0/16")]);
    violates(o, /wider than a \/22/);
    assert.equal(o.downgraded, true);
  });
  it("passes the shipped hub-and-spoke example", async () => {
    const result = await planDir(join(ROOT, "examples", "hub-spoke"));
    for (const s of result.stacks) assert.deepEqual(s.violations.filter((v) => v.policy === "alert-link-scope"), [], s.stack);
  });
});
