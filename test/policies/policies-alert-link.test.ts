/** alert-link-scope: the one cross-jurisdiction link carries the webhook and nothing wider. */
import { alertLinkScope, alertLinkScopeStack, ALERT_ROUTE_MIN_PREFIX } from "../../policies/rules/alert-link";
import {
  ALERT_HUB_COMPONENT_TYPE,
  ALERT_LINK_FLOW,
  ALERT_SPOKE_COMPONENT_TYPE,
  FLOW_TAG,
  PEERING_COMPONENT_TYPE,
} from "../../policies/shared/flows";
import { PORTS } from "../../policies/shared/ports";
import {
  assertClean as clean,
  assertDeferredToUp as deferred,
  assertViolation as violates,
  awsProvider,
  runResourcePolicy,
  runStackPolicy,
  urnOf,
  type ResourceSpec,
} from "../support/policy-args";
import { registered, under } from "../support/registered";
import { planDir, ROOT } from "../support/plan";
import { join } from "node:path";
import assert from "node:assert/strict";

const TAGS = { [FLOW_TAG]: ALERT_LINK_FLOW };
const SG = "aws:ec2/securityGroup:SecurityGroup";
const RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const LISTENER = "aws:lb/listener:Listener";
const PCX = "aws:ec2/vpcPeeringConnection:VpcPeeringConnection";
const ROUTE = "aws:ec2/route:Route";
const ENDPOINT = "infrasage:network:InternalEndpoint";
const HUB_EP = [ALERT_HUB_COMPONENT_TYPE, ENDPOINT];
const SPOKE_LINK = [ALERT_SPOKE_COMPONENT_TYPE, PEERING_COMPONENT_TYPE];
const IN = awsProvider("ap-south-1");

/** Resources as the hub's and spoke's components register them: tagged, under the link's components. */
const ingress = (
  props: Record<string, unknown>,
  name = "from-spoke",
  ancestors: readonly string[] = HUB_EP,
): ResourceSpec => ({
  type: RULE,
  name,
  ...under(ancestors, RULE, name),
  props: {
    ipProtocol: "tcp",
    fromPort: PORTS.alertWebhook,
    toPort: PORTS.alertWebhook,
    cidrIpv4: "10.20.0.0/18",
    tags: TAGS,
    ...props,
  },
});
const hop = (props: Record<string, unknown>): ResourceSpec =>
  ingress({ cidrIpv4: undefined, referencedSecurityGroupId: "sg-lb", ...props }, "pods-from-lb");
const listener = (props: Record<string, unknown>): ResourceSpec => ({
  type: LISTENER,
  name: "webhook",
  ...under(HUB_EP, LISTENER, "webhook"),
  props: { port: PORTS.alertWebhook, protocol: "TCP", tags: TAGS, ...props },
});
const route = (destinationCidrBlock: string, region = "ap-south-1"): ResourceSpec => {
  const name = `r-${destinationCidrBlock}-${region}`;
  return {
    type: ROUTE,
    name,
    ...under(SPOKE_LINK, ROUTE, name, "ap-south-1"),
    provider: IN,
    props: {
      routeTableId: "rtb-1",
      destinationCidrBlock,
      vpcPeeringConnectionId: "pcx-1",
      ...(region === "ap-south-1" ? {} : { region }),
    },
  };
};
const analyze = (spec: ResourceSpec) => runResourcePolicy(alertLinkScope, spec);

describe("policy alert-link-scope: each resource on its own Analyze, before it is created", () => {
  it("passes the webhook port from spokes' private subnet, the NLB -> tunnel pods hop by security group", async () => {
    clean(await analyze(ingress({})));
    clean(await analyze(hop({})));
  });
  it("decides the hop at the hub's first preview, where the load balancer's security group id is unknown", async () =>
    clean(await analyze({ ...hop({}), unknown: ["referencedSecurityGroupId"] })));
  it("rejects a hop to the pods on another port (the AIops Engine's plain HTTP port)", async () =>
    violates(await analyze(hop({ fromPort: PORTS.aiopsEngine, toPort: PORTS.aiopsEngine })), /needs only 8443/));
  it("passes a TCP passthrough listener on the TLS webhook port", async () => clean(await analyze(listener({}))));
  it("rejects plain HTTP on 80, TLS ended on the load balancer, and another port", async () => {
    violates(await analyze(listener({ port: 80, protocol: "HTTP" })), /HTTP on port 80; the link is TLS end to end/);
    violates(await analyze(listener({ protocol: "TLS" })), /TLS on port 8443/);
    violates(await analyze(listener({ port: 80 })), /TCP on port 80/);
  });
  it("rejects an opening to 0.0.0.0/0, another port even from a private range, and a prefix list", async () => {
    violates(await analyze(ingress({ cidrIpv4: "0.0.0.0/0" })), /admits 0\.0\.0\.0\/0/);
    violates(
      await analyze(ingress({ fromPort: PORTS.clickhouseNative, toPort: PORTS.clickhouseNative })),
      /only the webhook port 8443/,
    );
    violates(await analyze(ingress({ cidrIpv4: undefined, prefixListId: "pl-1" })), /admits a prefix list/);
  });
  it("rejects inline ingress on a tagged group", async () =>
    violates(
      await analyze({
        type: SG,
        name: "x",
        props: { tags: TAGS, ingress: [{ protocol: "tcp", fromPort: 0, toPort: 65535, cidrBlocks: ["10.0.0.0/8"] }] },
      }),
      /opens ports 0-65535/,
    ));
  it("judges what the link's components create even without the tag", async () => {
    violates(await analyze(ingress({ tags: {}, fromPort: 22, toPort: 22 })), /opens ports 22-22/);
    violates(await analyze(listener({ tags: {}, port: 80 })), /TCP on port 80/);
  });
  it("judges a tagged resource created anywhere", async () =>
    violates(await analyze(ingress({ cidrIpv4: "0.0.0.0/0" }, "elsewhere", [])), /admits 0\.0\.0\.0\/0/));
  it("leaves untagged resources outside the link to the other rules", async () =>
    clean(await analyze(ingress({ tags: {}, fromPort: 22, toPort: 22 }, "ssh", ["infrasage:deploy:DeployRunner"]))));
  it(
    `passes routes to load-balancer subnets (/${ALERT_ROUTE_MIN_PREFIX} ` +
      `or narrower) and return routes in the hub region`,
    async () => {
      clean(await analyze(route("10.10.240.0/22")));
      clean(await analyze(route("10.20.0.0/18", "eu-west-1")));
    },
  );
  it("rejects a route covering the whole hub VPC or its pods' subnets", async () => {
    violates(await analyze(route("10.10.0.0/16")), /wider than a \/22/);
    violates(await analyze(route("10.10.0.0/18")), /wider than a \/22/);
  });
  it(
    "finds the link in the URN alone (the engine's: every ancestor's type) " +
      "and in the parent's URN (the mock runtime names only the parent's type)",
    async () => {
      const wide = route("10.10.0.0/16");
      violates(await analyze({ ...wide, parent: undefined }), /wider than a \/22/);
      violates(
        await analyze({ ...wide, urn: urnOf(`${PEERING_COMPONENT_TYPE}$${ROUTE}`, wide.name!, "ap-south-1") }),
        /wider than a \/22/,
      );
    },
  );
  // At up (destination known) a too-wide route is a mandatory violation: "rejects a route covering the whole hub VPC
  // ..." above.
  it("defers to up when a route's destination is unknown at preview", async () =>
    deferred(await analyze({ ...route("10.10.240.0/22"), unknown: ["destinationCidrBlock"] })));
});

describe(
  "policy alert-link-scope on the hub-and-spoke example's resources " +
    "as registered, and as a changed program would register them",
  () => {
    const plan = () => planDir(join(ROOT, "examples", "hub-spoke"));
    const hub = async (name: string, change?: Record<string, unknown>) =>
      analyze(registered(await plan(), "eu-west-1", name, change));
    const spoke = async (name: string, change?: Record<string, unknown>) =>
      analyze(registered(await plan(), "ap-south-1", name, change));
    const RULE_NAME = "federation-hub-ep-from-ap-south-1-0";
    it("passes the registered ingress rule, listener and routes", async () => {
      clean(await hub(RULE_NAME));
      clean(await hub("federation-hub-ep-pods-from-lb"));
      clean(await hub("federation-hub-ep-listener"));
      clean(await spoke("federation-spoke-link-to-peer-0-0"));
      clean(await spoke("federation-spoke-link-from-peer-0-0"));
    });
    it("rejects a widened ingress rule (ports, source CIDR), also with its tag dropped", async () => {
      violates(await hub(RULE_NAME, { fromPort: 0, toPort: 65535 }), /opens ports 0-65535/);
      violates(await hub(RULE_NAME, { cidrIpv4: "0.0.0.0/0" }), /admits 0\.0\.0\.0\/0/);
      violates(await hub(RULE_NAME, { cidrIpv4: "0.0.0.0/0", tags: undefined }), /admits 0\.0\.0\.0\/0/);
    });
    it("rejects a listener that is plain HTTP or on another port", async () =>
      violates(await hub("federation-hub-ep-listener", { port: 80, protocol: "HTTP" }), /HTTP on port 80/));
    it("rejects a spoke route to the hub's whole VPC", async () =>
      violates(
        await spoke("federation-spoke-link-to-peer-0-0", { destinationCidrBlock: "10.10.0.0/16" }),
        /wider than a \/22/,
      ));
    it("has no violation of either line in the example", async () => {
      for (const s of (await plan()).stacks)
        assert.deepEqual(
          s.violations.filter((v) => v.policy.startsWith("alert-link-scope")),
          [],
          s.stack,
        );
    });
  },
);

describe("policy alert-link-scope-stack: the second line, on the stack after apply", () => {
  const lbSg: ResourceSpec = { type: SG, name: "hub-lb-sg", props: { tags: TAGS } };
  const rule = (props: Record<string, unknown>, name = "from-spoke"): ResourceSpec => ({
    type: RULE,
    name,
    props: {
      ipProtocol: "tcp",
      fromPort: PORTS.alertWebhook,
      toPort: PORTS.alertWebhook,
      cidrIpv4: "10.20.0.0/18",
      ...props,
    },
    dependencies: [urnOf(SG, "hub-lb-sg")],
  });
  const pcx: ResourceSpec = { type: PCX, name: "to-hub", props: { peerRegion: "eu-west-1", tags: TAGS }, provider: IN };
  const viaPcx = (destinationCidrBlock: string): ResourceSpec => ({
    type: ROUTE,
    name: `r-${destinationCidrBlock}`,
    props: { destinationCidrBlock, vpcPeeringConnectionId: "pcx-1" },
    provider: IN,
    dependencies: [urnOf(PCX, "to-hub")],
  });
  const spokeProvider: ResourceSpec = {
    type: "pulumi:providers:aws",
    name: "aws",
    urn: urnOf("pulumi:providers:aws", "aws"),
    props: { region: "ap-south-1" },
    provider: null,
  };
  it(
    "finds an untagged rule on the link's security group by " +
      "its dependency, which no resource's own Analyze reveals",
    async () => {
      const untagged = { ...rule({ cidrIpv4: "0.0.0.0/0" }), name: "added-elsewhere" };
      clean(await analyze(untagged));
      violates(await runStackPolicy(alertLinkScopeStack, [lbSg, untagged]), /admits 0\.0\.0\.0\/0/);
    },
  );
  it("has its own policy config: an exemption of alert-link-scope alone does not exempt a resource here", async () => {
    const wide = { ...rule({ cidrIpv4: "0.0.0.0/0", tags: TAGS }), name: "exempted" };
    const exemptions = [{ urn: urnOf(RULE, "exempted"), reason: "reviewed: temporary opening for a migration" }];
    clean(await runResourcePolicy(alertLinkScope, wide, { exemptions }));
    violates(await runStackPolicy(alertLinkScopeStack, [lbSg, wide], { exemptions: [] }), /admits 0\.0\.0\.0\/0/);
    clean(await runStackPolicy(alertLinkScopeStack, [lbSg, wide], { exemptions }));
  });
  it("passes the webhook opening and rejects another port", async () => {
    clean(await runStackPolicy(alertLinkScopeStack, [lbSg, rule({})]));
    violates(
      await runStackPolicy(alertLinkScopeStack, [
        lbSg,
        rule({ fromPort: PORTS.clickhouseNative, toPort: PORTS.clickhouseNative }),
      ]),
      /only the webhook port 8443/,
    );
  });
  it("finds a too-wide route by the tagged peering it goes through", async () => {
    clean(await runStackPolicy(alertLinkScopeStack, [spokeProvider, pcx, viaPcx("10.10.240.0/22")]));
    violates(
      await runStackPolicy(alertLinkScopeStack, [spokeProvider, pcx, viaPcx("10.10.0.0/16")]),
      /wider than a \/22/,
    );
  });
  it("still rejects a known too-wide route next to a route whose destination is unknown at preview", async () => {
    const o = await runStackPolicy(alertLinkScopeStack, [
      spokeProvider,
      pcx,
      { ...viaPcx("10.10.240.0/22"), unknown: ["destinationCidrBlock"] },
      viaPcx("10.10.0.0/16"),
    ]);
    violates(o, /wider than a \/22/);
    assert.equal(o.downgraded, true);
  });
});
