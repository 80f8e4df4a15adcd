/** metrics-link-scope: the shared-Grafana link may cross jurisdictions, carrying Prometheus and nothing wider. */
import assert from "node:assert/strict";
import { join } from "node:path";
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import {
  metricsLinkScope,
  metricsLinkScopeStack,
  METRICS_HOME_ROUTE_MIN_PREFIX,
  METRICS_PEER_ROUTE_MIN_PREFIX,
} from "../../policies/rules/metrics-link";
import {
  crossRegionNetworkingInJurisdiction,
  crossRegionRoutesInJurisdictionStack,
  crossRegionRoutesInJurisdiction,
} from "../../policies/rules/residency";
import {
  FLOW_TAG,
  METRICS_LINK_FLOW,
  METRICS_SOURCE_COMPONENT_TYPE,
  PEERING_COMPONENT_TYPE,
} from "../../policies/shared/flows";
import { PORTS } from "../../policies/shared/ports";
import {
  assertClean as clean,
  assertDeferredToUp as deferred,
  assertViolation as violates,
  awsProvider,
  homeProvider,
  runResourcePolicy,
  runStackPolicy,
  urnOf,
  type ResourceSpec,
} from "../support/policy-args";
import { registered, under } from "../support/registered";
import { planDir, ROOT } from "../support/plan";

const TAGS = { [FLOW_TAG]: METRICS_LINK_FLOW };
const SG = "aws:ec2/securityGroup:SecurityGroup";
const RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const LISTENER = "aws:lb/listener:Listener";
const PCX = "aws:ec2/vpcPeeringConnection:VpcPeeringConnection";
const ROUTE = "aws:ec2/route:Route";
const IN = awsProvider("ap-south-1");
const SOURCE_EP = [METRICS_SOURCE_COMPONENT_TYPE, "infrasage:network:InternalEndpoint"];
const SOURCE_LINK = [METRICS_SOURCE_COMPONENT_TYPE, PEERING_COMPONENT_TYPE];

/** Resources as the source's link component registers them: tagged, under it. */
const ingress = (props: Record<string, unknown>, name = "from-host"): ResourceSpec => ({
  type: RULE,
  name,
  ...under(SOURCE_EP, RULE, name, "ap-south-1"),
  provider: IN,
  props: {
    ipProtocol: "tcp",
    fromPort: PORTS.metricsLink,
    toPort: PORTS.metricsLink,
    cidrIpv4: "10.10.0.0/18",
    tags: TAGS,
    ...props,
  },
});
const listener = (props: Record<string, unknown>): ResourceSpec => ({
  type: LISTENER,
  name: "prometheus",
  ...under(SOURCE_EP, LISTENER, "prometheus", "ap-south-1"),
  provider: IN,
  props: { port: PORTS.metricsLink, protocol: "TCP", tags: TAGS, ...props },
});
const route = (destinationCidrBlock: string, region = "ap-south-1"): ResourceSpec => {
  const name = `r-${destinationCidrBlock}-${region}`;
  return {
    type: ROUTE,
    name,
    ...under(SOURCE_LINK, ROUTE, name, "ap-south-1"),
    provider: IN,
    props: {
      routeTableId: "rtb-1",
      destinationCidrBlock,
      vpcPeeringConnectionId: "pcx-1",
      ...(region === "ap-south-1" ? {} : { region }),
    },
  };
};
const analyze = (spec: ResourceSpec) => runResourcePolicy(metricsLinkScope, spec);

describe("policy metrics-link-scope: each resource on its own Analyze, before it is created", () => {
  it("passes Prometheus over TLS from the host's private subnets, NLB -> tunnel pods by security group", async () => {
    clean(await analyze(ingress({})));
    clean(await analyze(ingress({ cidrIpv4: undefined, referencedSecurityGroupId: "sg-lb" }, "tunnel-from-lb")));
  });
  it("passes a TCP passthrough listener on 9443, rejects plain Prometheus on 9090", async () => {
    clean(await analyze(listener({})));
    violates(await analyze(listener({ port: PORTS.prometheus })), /TCP on port 9090; the link is TLS end to end/);
    violates(await analyze(listener({ protocol: "HTTP" })), /HTTP on port 9443/);
  });
  it("rejects the load-balancer group open to 0.0.0.0/0 or to a prefix list", async () => {
    violates(await analyze(ingress({ cidrIpv4: "0.0.0.0/0" })), /admits 0\.0\.0\.0\/0/);
    violates(await analyze(ingress({ cidrIpv4: undefined, prefixListId: "pl-1" })), /admits a prefix list/);
  });
  it("rejects another port, even from a private range or by security group", async () => {
    violates(
      await analyze(ingress({ fromPort: PORTS.clickhouseNative, toPort: PORTS.clickhouseNative })),
      /only Prometheus over TLS \(TCP 9443\)/,
    );
    violates(
      await analyze(
        ingress(
          { cidrIpv4: undefined, fromPort: 0, toPort: 65535, referencedSecurityGroupId: "sg-lb" },
          "pods-from-lb",
        ),
      ),
      /needs only 9443/,
    );
  });
  it(
    "rejects inline ingress on a tagged group; judges the link " +
      "component's resources without the tag; leaves others alone",
    async () => {
      violates(
        await analyze({
          type: SG,
          name: "x",
          props: { tags: TAGS, ingress: [{ protocol: "tcp", fromPort: 0, toPort: 65535, cidrBlocks: ["10.0.0.0/8"] }] },
        }),
        /opens ports 0-65535/,
      );
      violates(await analyze(ingress({ tags: {}, fromPort: 22, toPort: 22 })), /opens ports 22-22/);
      clean(
        await analyze({
          type: RULE,
          name: "other",
          props: { ipProtocol: "tcp", fromPort: 22, toPort: 22, cidrIpv4: "10.0.0.0/8" },
        }),
      );
    },
  );
  it(
    `passes routes to the host's private subnets (/${METRICS_HOME_ROUTE_MIN_PREFIX}+) ` +
      `and return routes to load-balancer subnets (/${METRICS_PEER_ROUTE_MIN_PREFIX}+)`,
    async () => {
      clean(await analyze(route("10.10.0.0/18")));
      clean(await analyze(route("10.20.240.0/22", "eu-west-1")));
    },
  );
  it("rejects a route to 0.0.0.0/0, a public range or the host's whole VPC", async () => {
    violates(await analyze(route("0.0.0.0/0")), /never 0\.0\.0\.0\/0 or a whole VPC/);
    violates(await analyze(route("52.0.0.0/18")), /Grafana host's private subnets/);
    violates(await analyze(route("10.10.0.0/16")), /never 0\.0\.0\.0\/0 or a whole VPC/);
  });
  it("rejects a return route wider than the source's load-balancer subnets", async () =>
    violates(await analyze(route("10.20.0.0/18", "eu-west-1")), /wider than a \/22/));
  it("leaves routes of other links to the other rules", async () =>
    clean(
      await analyze({
        ...route("10.10.0.0/16"),
        ...under(
          ["infrasage:replication:ReplicationNetwork", PEERING_COMPONENT_TYPE],
          ROUTE,
          "replication",
          "ap-south-1",
        ),
      }),
    ));
  // At up (destination known) a whole-VPC route is a mandatory violation: "rejects a route to 0.0.0.0/0, a public range
  // or the host's whole VPC" above.
  it("defers to up when a route's destination is unknown at preview", async () =>
    deferred(await analyze({ ...route("10.10.0.0/18"), unknown: ["destinationCidrBlock"] })));
});

describe(
  "policy metrics-link-scope on the shared-Grafana example's resources " +
    "as registered, and as a changed program would register them",
  () => {
    const plan = () => planDir(join(ROOT, "examples", "shared-grafana"));
    const source = async (name: string, change?: Record<string, unknown>) =>
      analyze(registered(await plan(), "ap-south-1", name, change));
    it("passes the registered ingress rule, listener and routes", async () => {
      clean(await source("grafana-link-ep-from-host-0"));
      clean(await source("grafana-link-ep-pods-from-lb"));
      clean(await source("grafana-link-ep-listener"));
      clean(await source("grafana-link-peering-to-peer-0-0"));
      clean(await source("grafana-link-peering-from-peer-0-0"));
    });
    it("rejects a widened ingress rule (ports, source CIDR), also with its tag dropped", async () => {
      violates(
        await source("grafana-link-ep-from-host-0", { fromPort: PORTS.prometheus, toPort: PORTS.prometheus }),
        /opens ports 9090-9090/,
      );
      violates(
        await source("grafana-link-ep-from-host-0", { cidrIpv4: "0.0.0.0/0", tags: undefined }),
        /admits 0\.0\.0\.0\/0/,
      );
    });
    it("rejects a listener on plain Prometheus", async () =>
      violates(await source("grafana-link-ep-listener", { port: PORTS.prometheus }), /TCP on port 9090/));
    it("rejects routes to the host's whole VPC and return routes to this stack's whole VPC", async () => {
      violates(
        await source("grafana-link-peering-to-peer-0-0", { destinationCidrBlock: "10.10.0.0/16" }),
        /never 0\.0\.0\.0\/0 or a whole VPC/,
      );
      violates(
        await source("grafana-link-peering-from-peer-0-0", { destinationCidrBlock: "10.20.0.0/16" }),
        /wider than a \/22/,
      );
    });
    it("has no violation of either line in the example", async () => {
      for (const s of (await plan()).stacks)
        assert.deepEqual(
          s.violations.filter((v) => v.policy.startsWith("metrics-link-scope")),
          [],
          s.stack,
        );
    });
  },
);

describe("policy metrics-link-scope-stack: the second line, on the stack after apply", () => {
  const lbSg: ResourceSpec = { type: SG, name: "link-lb-sg", props: { tags: TAGS } };
  const rule = (props: Record<string, unknown>): ResourceSpec => ({
    type: RULE,
    name: "added-elsewhere",
    props: {
      ipProtocol: "tcp",
      fromPort: PORTS.metricsLink,
      toPort: PORTS.metricsLink,
      cidrIpv4: "10.10.0.0/18",
      ...props,
    },
    dependencies: [urnOf(SG, "link-lb-sg")],
  });
  const pcx: ResourceSpec = {
    type: PCX,
    name: "to-host",
    props: { peerRegion: "eu-west-1", tags: TAGS },
    provider: IN,
  };
  const viaPcx = (destinationCidrBlock: string, region = "ap-south-1"): ResourceSpec => ({
    type: ROUTE,
    name: `r-${destinationCidrBlock}-${region}`,
    props: { destinationCidrBlock, vpcPeeringConnectionId: "pcx-1", ...(region === "ap-south-1" ? {} : { region }) },
    provider: IN,
    dependencies: [urnOf(PCX, "to-host")],
  });
  const run = (...specs: ResourceSpec[]) =>
    runStackPolicy(metricsLinkScopeStack, [homeProvider("ap-south-1"), ...specs]);
  it(
    "finds an untagged rule on the link's security group by " +
      "its dependency, which no resource's own Analyze reveals",
    async () => {
      clean(await analyze(rule({ cidrIpv4: "0.0.0.0/0" })));
      violates(await run(lbSg, rule({ cidrIpv4: "0.0.0.0/0" })), /admits 0\.0\.0\.0\/0/);
    },
  );
  it("finds too-wide routes and return routes by the tagged peering they go through", async () => {
    clean(await run(pcx, viaPcx("10.10.0.0/18"), viaPcx("10.20.240.0/22", "eu-west-1")));
    violates(await run(pcx, viaPcx("10.10.0.0/16")), /never 0\.0\.0\.0\/0 or a whole VPC/);
    violates(await run(pcx, viaPcx("10.20.0.0/18", "eu-west-1")), /wider than a \/22/);
  });
  it("still rejects a known whole-VPC route next to a route whose destination is unknown at preview", async () => {
    const o = await run(pcx, { ...viaPcx("10.10.0.0/18"), unknown: ["destinationCidrBlock"] }, viaPcx("10.10.0.0/16"));
    violates(o, /never 0\.0\.0\.0\/0 or a whole VPC/);
    assert.equal(o.downgraded, true);
  });
});

describe("residency rules and the metrics flow", () => {
  const ACCEPTER = "aws:ec2/vpcPeeringConnectionAccepter:VpcPeeringConnectionAccepter";
  const peering = (tags: Record<string, string>, ancestors: readonly string[] = SOURCE_LINK): ResourceSpec => ({
    type: PCX,
    name: "to-host",
    ...under(ancestors, PCX, "to-host", "ap-south-1"),
    props: { peerRegion: "eu-west-1", tags },
    provider: IN,
  });
  const accepter = (tags: Record<string, string>): ResourceSpec => ({
    type: ACCEPTER,
    name: "link-accept",
    provider: IN,
    props: { region: "eu-west-1", tags },
  });
  const peerRoute = (ancestors: readonly string[] = SOURCE_LINK): ResourceSpec => ({
    type: ROUTE,
    name: "link-from-peer",
    ...under(ancestors, ROUTE, "link-from-peer", "ap-south-1"),
    provider: IN,
    props: {
      region: "eu-west-1",
      routeTableId: "rtb-1",
      destinationCidrBlock: "10.20.240.0/22",
      vpcPeeringConnectionId: "pcx-1",
    },
    dependencies: [urnOf(ACCEPTER, "link-accept")],
  });
  const stack = (p: StackValidationPolicy, ...specs: ResourceSpec[]) =>
    runStackPolicy(p, [homeProvider("ap-south-1"), ...specs]);
  const res = (p: ResourceValidationPolicy, spec: ResourceSpec) => runResourcePolicy(p, spec);
  it(
    "lets the metrics link's peering and its return routes cross " +
      "jurisdictions (IN -> EU), before they are created and after apply",
    async () => {
      clean(await res(crossRegionNetworkingInJurisdiction, peering(TAGS)));
      clean(await res(crossRegionRoutesInJurisdiction, peerRoute()));
      clean(await stack(crossRegionRoutesInJurisdictionStack, accepter(TAGS), peerRoute()));
    },
  );
  it(
    "still rejects an untagged or otherwise tagged link across jurisdictions, " +
      "and the tag on a peering the link's component did not make",
    async () => {
      violates(
        await res(crossRegionNetworkingInJurisdiction, peering({ [FLOW_TAG]: "raw-telemetry" })),
        /another jurisdiction/,
      );
      violates(
        await res(
          crossRegionNetworkingInJurisdiction,
          peering(TAGS, ["infrasage:replication:ReplicationNetwork", PEERING_COMPONENT_TYPE]),
        ),
        /not made by that link's peering component/,
      );
      violates(
        await res(
          crossRegionRoutesInJurisdiction,
          peerRoute(["infrasage:replication:ReplicationNetwork", PEERING_COMPONENT_TYPE]),
        ),
        /not the alert or metrics link: eu-west-1 is in jurisdiction EU/,
      );
      violates(
        await stack(crossRegionRoutesInJurisdictionStack, accepter({ Purpose: "metrics" }), peerRoute()),
        /jurisdiction EU/,
      );
    },
  );
});
