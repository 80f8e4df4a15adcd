import assert from "node:assert/strict";
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import {
  awsProvidersInHomeRegionStack,
  awsResourceInHomeRegion,
  stackIdentityMatchesHome,
  resourceHomeMatchesStackIdentity,
  crossRegionNetworkingInJurisdiction,
  crossRegionRoutesInJurisdiction,
  storageClassesInHomeRegionStack,
  telemetryStoresInHomeRegion,
  workloadStorageInHomeRegionStack,
} from "../../policies/rules/residency";
import { ALERT_LINK_FLOW, FLOW_TAG } from "../../policies/shared/flows";
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
// Network residency before each resource is created (resource rules) and after apply (their second line).
import { join } from "node:path";
import { crossRegionRoutesInJurisdictionStack } from "../../policies/rules/residency";
import { ALERT_SPOKE_COMPONENT_TYPE, PEERING_COMPONENT_TYPE } from "../../policies/shared/flows";
import { planDir, ROOT } from "../support/plan";
import { registered, under } from "../support/registered";

const VPC = "aws:ec2/vpc:Vpc";
const SC = "kubernetes:storage.k8s.io/v1:StorageClass";
const RELEASE = "kubernetes:helm.sh/v3:Release";

const res = (p: ResourceValidationPolicy, spec: ResourceSpec, config: object = {}) =>
  runResourcePolicy(p, spec, config);
const stack = (
  p: StackValidationPolicy,
  specs: ResourceSpec[],
  config: object = {},
  tags: Record<string, string> = {},
) => runStackPolicy(p, specs, config, tags);

describe("policy aws-resource-in-home-region", () => {
  it("passes a resource in its provider's region", async () =>
    clean(await res(awsResourceInHomeRegion, { type: VPC })));
  it("rejects a resource whose region input is another region", async () =>
    violates(
      await res(awsResourceInHomeRegion, { type: VPC, props: { region: "us-east-1" } }),
      /us-east-1, outside the home region eu-west-1/,
    ));
  it("uses homeRegion from policy config over the provider", async () =>
    violates(
      await res(
        awsResourceInHomeRegion,
        { type: VPC, provider: awsProvider("us-east-1") },
        { homeRegion: "eu-west-1" },
      ),
      /outside the home region eu-west-1/,
    ));
  it("exempts global services (IAM, Route 53 zones, CloudFront)", async () => {
    for (const type of ["aws:iam/role:Role", "aws:route53/zone:Zone", "aws:cloudfront/distribution:Distribution"]) {
      clean(await res(awsResourceInHomeRegion, { type, props: { region: "us-east-1" } }, { homeRegion: "eu-west-1" }));
    }
  });
  // At up (region known) another region is a mandatory violation: "rejects a resource whose region input is another
  // region" above.
  it("defers to up when the region is unknown at preview", async () =>
    deferred(await res(awsResourceInHomeRegion, { type: VPC, unknown: ["region"] })));
  it("fails closed when no home region can be determined", async () =>
    violates(await res(awsResourceInHomeRegion, { type: VPC, provider: null }), /cannot determine the home region/));
  it("honours an exemption with a reason, ignores one without", async () => {
    const spec = { type: VPC, name: "legacy", props: { region: "us-east-1" } };
    clean(
      await res(awsResourceInHomeRegion, spec, {
        exemptions: [{ urn: "urn:pulumi:*::legacy", reason: "migrating out by 2027-01 (TICKET-1)" }],
      }),
    );
    // An empty reason is now refused by the pack's config schema (reason: minLength 10), as `pulumi preview` would
    // refuse it...
    await assert.rejects(
      res(awsResourceInHomeRegion, spec, { exemptions: [{ urn: "urn:pulumi:*::legacy", reason: "" }] }),
      /exemptions\/0\/reason must NOT have fewer than 10 characters/,
    );
    // ...and a blank one that passes the schema is still ignored by the rule: the violation stands.
    violates(
      await res(awsResourceInHomeRegion, spec, {
        exemptions: [{ urn: "urn:pulumi:*::legacy", reason: " ".repeat(12) }],
      }),
      /outside the home region/,
    );
  });
});

describe("policy stack-identity-matches-home-region", () => {
  const vpcIn = (stack: string, region: string): ResourceSpec[] => [
    {
      type: VPC,
      urn: urnOf(VPC, "vpc", stack),
      provider: { ...awsProvider(region), urn: urnOf("pulumi:providers:aws", "aws", stack) },
    },
    {
      type: "pulumi:providers:aws",
      name: "aws",
      urn: urnOf("pulumi:providers:aws", "aws", stack),
      props: { region },
      provider: null,
    },
  ];
  it("passes a stack named for its home region", async () =>
    clean(await stack(stackIdentityMatchesHome, vpcIn("eu-west-1", "eu-west-1"))));
  it("rejects a stack named for one region deploying to another (the EU tenant's stack built in India)", async () =>
    violates(
      await stack(stackIdentityMatchesHome, vpcIn("eu-west-1", "ap-south-1")),
      /stack eu-west-1 is named for eu-west-1 but its resources go to ap-south-1/,
    ));
  it("reads a region anywhere in the name (prod-eu-west-1)", async () =>
    violates(await stack(stackIdentityMatchesHome, vpcIn("prod-eu-west-1", "us-east-1")), /named for eu-west-1/));
  it("checks the infrasage:jurisdiction tag stored with the stack (DIY backends send stored tags only)", async () => {
    clean(await stack(stackIdentityMatchesHome, vpcIn("prod", "eu-central-1"), {}, { "infrasage:jurisdiction": "EU" }));
    violates(
      await stack(stackIdentityMatchesHome, vpcIn("prod", "ap-south-1"), {}, { "infrasage:jurisdiction": "EU" }),
      /tagged infrasage:jurisdiction=EU but its home region ap-south-1 is in IN/,
    );
  });
  // Pulumi Cloud merges the stack's pulumi:tags config (Pulumi.yaml, the stack file: a pull request's)
  // over the stored tags and adds pulumi:project / pulumi:runtime: such a tag is no anchor.
  const cloudTags = (jurisdiction: string) => ({
    "pulumi:project": "infrasage",
    "pulumi:runtime": "nodejs",
    "infrasage:jurisdiction": jurisdiction,
  });
  it("ignores a jurisdiction tag a pull request can set: a good stack stays good, a bad one bad", async () => {
    clean(await stack(stackIdentityMatchesHome, vpcIn("eu-west-1", "eu-west-1"), {}, cloudTags("IN")));
    violates(
      await stack(stackIdentityMatchesHome, vpcIn("eu-west-1", "ap-south-1"), {}, cloudTags("IN")),
      /stack eu-west-1 is named for eu-west-1 but its resources go to ap-south-1/,
    );
    const bad = await stack(stackIdentityMatchesHome, vpcIn("eu-west-1", "ap-south-1"), {}, cloudTags("IN"));
    assert.ok(
      bad.messages.every((m) => !/tagged/.test(m)),
      "the PR's tag is not read",
    );
  });
});

describe("policy resource-home-matches-stack-identity (the same anchors, before each resource is created)", () => {
  const PROVIDER = "pulumi:providers:aws";
  const providerIn = (stackName: string, region: string): ResourceSpec => ({
    type: PROVIDER,
    name: "aws",
    urn: urnOf(PROVIDER, "aws", stackName),
    props: { region },
    provider: null,
  });
  const vpcOf = (stackName: string, region: string): ResourceSpec => ({
    type: VPC,
    urn: urnOf(VPC, "vpc", stackName),
    provider: { ...awsProvider(region), urn: urnOf(PROVIDER, "aws", stackName) },
  });
  const run = (spec: ResourceSpec, tags?: Record<string, string>, config: object = {}) =>
    runResourcePolicy(resourceHomeMatchesStackIdentity, spec, config, tags);
  it("passes the provider and resources of a stack named for its region", async () => {
    clean(await run(providerIn("eu-west-1", "eu-west-1")));
    clean(await run(vpcOf("prod-eu-west-1", "eu-west-1")));
  });
  it("rejects the AWS provider of a stack named for another region: pulumi up stops before creating any", async () =>
    violates(
      await run(providerIn("eu-west-1", "ap-south-1")),
      /stack eu-west-1 is named for eu-west-1 but its resources go to ap-south-1/,
    ));
  it("rejects each AWS resource whose home (its provider's region, or homeRegion) is not the stack's", async () => {
    violates(await run(vpcOf("eu-west-1", "ap-south-1")), /named for eu-west-1/);
    violates(
      await run(vpcOf("eu-west-1", "eu-west-1"), undefined, { homeRegion: "ap-south-1" }),
      /named for eu-west-1 but its resources go to ap-south-1/,
    );
  });
  it("reads the stored infrasage:jurisdiction tag, never one a pull request can set", async () => {
    violates(
      await run(vpcOf("prod", "ap-south-1"), { "infrasage:jurisdiction": "EU" }),
      /tagged infrasage:jurisdiction=EU/,
    );
    clean(await run(vpcOf("prod", "eu-central-1"), { "infrasage:jurisdiction": "EU" }));
    clean(
      await run(providerIn("eu-west-1", "eu-west-1"), {
        "pulumi:project": "infrasage",
        "pulumi:runtime": "nodejs",
        "infrasage:jurisdiction": "IN",
      }),
    );
    violates(
      await run(providerIn("eu-west-1", "ap-south-1"), {
        "pulumi:project": "infrasage",
        "pulumi:runtime": "nodejs",
        "infrasage:jurisdiction": "IN",
      }),
      /named for eu-west-1/,
    );
  });
  it("leaves resources without an AWS provider region to the region rules", async () =>
    clean(await run({ type: VPC, urn: urnOf(VPC, "vpc", "eu-west-1"), provider: null })));
});

describe("policy aws-providers-in-home-region-stack (second line, after apply)", () => {
  it("passes the one provider named aws", async () =>
    clean(await stack(awsProvidersInHomeRegionStack, [{ type: VPC }])));
  it("rejects a second provider in another region", async () =>
    violates(
      await stack(awsProvidersInHomeRegionStack, [
        { type: VPC },
        { type: VPC, name: "x", provider: awsProvider("us-east-1", "aws-us") },
      ]),
      /AWS provider aws-us is in us-east-1/,
    ));
  it("defers to up on an unknown provider region", async () =>
    deferred(
      await stack(awsProvidersInHomeRegionStack, [
        { type: VPC },
        { type: "pulumi:providers:aws", name: "other", provider: null, unknown: ["region"] },
      ]),
    ));
  it("at up, rejects the same provider once its region is known and another", async () =>
    violates(
      await stack(awsProvidersInHomeRegionStack, [
        { type: VPC },
        { type: "pulumi:providers:aws", name: "other", provider: null, props: { region: "us-east-1" } },
      ]),
      /AWS provider other is in us-east-1/,
    ));
  it("still rejects a known provider in another region next to an unknown one", async () => {
    const o = await stack(awsProvidersInHomeRegionStack, [
      { type: VPC },
      { type: "pulumi:providers:aws", name: "other", provider: null, unknown: ["region"] },
      { type: VPC, name: "x", provider: awsProvider("us-east-1", "aws-us") },
    ]);
    violates(o, /AWS provider aws-us is in us-east-1/);
    assert.equal(o.downgraded, true);
  });
  it("reports when providers disagree and none is named aws", async () =>
    violates(
      await stack(awsProvidersInHomeRegionStack, [
        { type: VPC, provider: awsProvider("eu-west-1", "a") },
        { type: VPC, name: "b", provider: awsProvider("us-east-1", "b") },
      ]),
      /cannot determine the stack's home region/,
    ));
});

describe("policy telemetry-stores-in-home-region", () => {
  const VOLUME = "aws:ebs/volume:Volume";
  it("passes a volume in an AZ of the home region", async () =>
    clean(await res(telemetryStoresInHomeRegion, { type: VOLUME, props: { availabilityZone: "eu-west-1a" } })));
  it("rejects a volume in an AZ of another region", async () =>
    violates(
      await res(telemetryStoresInHomeRegion, { type: VOLUME, props: { availabilityZone: "us-east-1a" } }),
      /us-east-1a is not an availability zone/,
    ));
  it("rejects a bucket or log group in another region", async () => {
    violates(
      await res(telemetryStoresInHomeRegion, { type: "aws:s3/bucket:Bucket", props: { region: "ap-south-1" } }),
      /ap-south-1/,
    );
    violates(
      await res(telemetryStoresInHomeRegion, {
        type: "aws:cloudwatch/logGroup:LogGroup",
        props: { region: "us-west-2" },
      }),
      /us-west-2/,
    );
    violates(
      await res(telemetryStoresInHomeRegion, { type: "aws:msk/cluster:Cluster", props: { region: "us-west-2" } }),
      /us-west-2/,
    );
  });
  // At up (AZ known) another region's AZ is a mandatory violation: "rejects a volume in an AZ of another region" above.
  it("defers to up on an AZ unknown at preview", async () =>
    deferred(await res(telemetryStoresInHomeRegion, { type: VOLUME, unknown: ["availabilityZone"] })));
});

describe("policy cross-region-networking-in-jurisdiction", () => {
  const PEERING = "aws:ec2/vpcPeeringConnection:VpcPeeringConnection";
  const ACCEPTER = "aws:ec2/vpcPeeringConnectionAccepter:VpcPeeringConnectionAccepter";
  const TGW = "aws:ec2transitgateway/peeringAttachment:PeeringAttachment";
  it("passes peering within the EU", async () =>
    clean(await res(crossRegionNetworkingInJurisdiction, { type: PEERING, props: { peerRegion: "eu-central-1" } })));
  it("rejects peering, accepters and TGW peering into another jurisdiction", async () => {
    violates(
      await res(crossRegionNetworkingInJurisdiction, { type: PEERING, props: { peerRegion: "ap-south-1" } }),
      /ap-south-1 is in jurisdiction IN/,
    );
    violates(
      await res(crossRegionNetworkingInJurisdiction, { type: ACCEPTER, props: { region: "us-east-1" } }),
      /us-east-1 is in jurisdiction US/,
    );
    violates(
      await res(crossRegionNetworkingInJurisdiction, { type: TGW, props: { peerRegion: "eu-west-2" } }),
      /jurisdiction UK/,
    );
  });
  const alertTagged = { peerRegion: "ap-south-1", tags: { [FLOW_TAG]: ALERT_LINK_FLOW } };
  it("allows the tagged hub-and-spoke alert link made by the spoke's peering component", async () =>
    clean(
      await res(crossRegionNetworkingInJurisdiction, {
        type: PEERING,
        ...under([ALERT_SPOKE_COMPONENT_TYPE, PEERING_COMPONENT_TYPE], PEERING, "link"),
        props: alertTagged,
      }),
    ));
  it(
    "rejects the alert tag on a peering the spoke's component " +
      "did not make: its routes would escape alert-link-scope",
    async () => {
      violates(
        await res(crossRegionNetworkingInJurisdiction, { type: PEERING, props: alertTagged }),
        /not made by that link's peering component/,
      );
      violates(
        await res(crossRegionNetworkingInJurisdiction, {
          type: PEERING,
          ...under(["infrasage:replication:ReplicationNetwork", PEERING_COMPONENT_TYPE], PEERING, "link"),
          props: alertTagged,
        }),
        /not made by that link's peering component/,
      );
    },
  );
  it("applies region -> jurisdiction overrides from policy config", async () =>
    clean(
      await res(
        crossRegionNetworkingInJurisdiction,
        { type: TGW, props: { peerRegion: "eu-west-2" } },
        { jurisdictions: { "eu-west-2": "EU" } },
      ),
    ));
  // At up (peer region known) another jurisdiction is a mandatory violation: "rejects peering, accepters and TGW
  // peering ..." above.
  it("defers to up on a peer region unknown at preview", async () =>
    deferred(await res(crossRegionNetworkingInJurisdiction, { type: PEERING, unknown: ["peerRegion"] })));
});

const storageClass = (name: string, zones: string[], unknown: string[] = []): ResourceSpec => ({
  type: SC,
  name,
  provider: null,
  unknown,
  props: {
    metadata: { name },
    provisioner: "ebs.csi.aws.com",
    allowedTopologies: [{ matchLabelExpressions: [{ key: "topology.kubernetes.io/zone", values: zones }] }],
  },
});
const release = (
  storageClassName: string | undefined,
  extra: Record<string, unknown> = {},
  unknown: string[] = [],
): ResourceSpec => ({
  type: RELEASE,
  name: "infrasage-release",
  provider: null,
  unknown,
  props: {
    values: {
      clickhouse: { persistence: { storageClass: storageClassName, size: "500Gi" } },
      kafka: { persistence: { storageClass: storageClassName } },
    },
    ...extra,
  },
});
const home = homeProvider();

describe("policy storage-classes-in-home-region-stack (second line, after apply)", () => {
  it("passes gp3-eu-west-1 pinned to eu-west-1 AZs", async () =>
    clean(
      await stack(storageClassesInHomeRegionStack, [home, storageClass("gp3-eu-west-1", ["eu-west-1a", "eu-west-1b"])]),
    ));
  it("rejects a class named for another region", async () =>
    violates(
      await stack(storageClassesInHomeRegionStack, [home, storageClass("gp3-us-east-1", ["eu-west-1a"])]),
      /named for us-east-1/,
    ));
  it("rejects a class whose topology is another region", async () =>
    violates(
      await stack(storageClassesInHomeRegionStack, [home, storageClass("fast", ["ap-south-1a"])]),
      /ap-south-1a is in ap-south-1/,
    ));
  // At up (topology known) another region's zone is a mandatory violation: "rejects a class whose topology is another
  // region" above.
  it("defers to up on topology values unknown at preview", async () =>
    deferred(
      await stack(storageClassesInHomeRegionStack, [
        home,
        storageClass("fast", ["x"], ["allowedTopologies.0.matchLabelExpressions.0.values"]),
      ]),
    ));
  it("still rejects a known class in another region next to one with unknown topology", async () => {
    const o = await stack(storageClassesInHomeRegionStack, [
      home,
      storageClass("fast", ["x"], ["allowedTopologies.0.matchLabelExpressions.0.values"]),
      storageClass("slow", ["ap-south-1a"]),
    ]);
    violates(o, /ap-south-1a is in ap-south-1/);
    assert.equal(o.downgraded, true);
  });
});

describe("policy workload-storage-in-home-region-stack (second line, after apply)", () => {
  it("passes ClickHouse/Kafka persistence on the home class", async () =>
    clean(
      await stack(workloadStorageInHomeRegionStack, [
        home,
        storageClass("gp3-eu-west-1", ["eu-west-1a"]),
        release("gp3-eu-west-1"),
      ]),
    ));
  it("rejects persistence on gp3-<other region>", async () =>
    violates(
      await stack(workloadStorageInHomeRegionStack, [home, release("gp3-us-east-1")]),
      /gp3-us-east-1 is a storage class of us-east-1/,
    ));
  it("rejects persistence on a class whose topology is another region", async () =>
    violates(
      await stack(workloadStorageInHomeRegionStack, [home, storageClass("fast", ["us-east-1a"]), release("fast")]),
      /storageClass fast: .*us-east-1/,
    ));
  it("rejects values the policy cannot read (valueYamlFiles)", async () =>
    violates(
      await stack(workloadStorageInHomeRegionStack, [
        home,
        release("gp3-eu-west-1", { valueYamlFiles: ["values-eu.yaml"] }),
      ]),
      /valueYamlFiles/,
    ));
  // At up (class known) gp3-<other region> is a mandatory violation: "rejects persistence on gp3-<other region>" above.
  it("defers to up on a storage class unknown at preview", async () =>
    deferred(
      await stack(workloadStorageInHomeRegionStack, [
        home,
        release("x", {}, ["values.clickhouse.persistence.storageClass"]),
      ]),
    ));
  it("still rejects a known foreign storage class next to a release whose class is unknown", async () => {
    const o = await stack(workloadStorageInHomeRegionStack, [
      home,
      release("x", {}, ["values.clickhouse.persistence.storageClass"]),
      { ...release("gp3-us-east-1"), name: "other-release" },
    ]);
    violates(o, /gp3-us-east-1 is a storage class of us-east-1/);
    assert.equal(o.downgraded, true);
  });
});

describe("policy cross-region-routes-in-jurisdiction: each route on its own Analyze, before it is created", () => {
  const ROUTE = "aws:ec2/route:Route";
  const IN = awsProvider("ap-south-1");
  const SPOKE_LINK = [ALERT_SPOKE_COMPONENT_TYPE, PEERING_COMPONENT_TYPE];
  const REPLICATION_LINK = ["infrasage:replication:ReplicationNetwork", PEERING_COMPONENT_TYPE];
  /** A route as the peering component under `ancestors` registers it (at up: the connection id is a plain string). */
  const route = (
    region: string | undefined,
    ancestors: readonly string[],
    more: Partial<ResourceSpec> = {},
  ): ResourceSpec => ({
    type: ROUTE,
    name: "link-route",
    ...under(ancestors, ROUTE, "link-route", "ap-south-1"),
    provider: IN,
    props: {
      ...(region ? { region } : {}),
      routeTableId: "rtb-1",
      destinationCidrBlock: "10.20.0.0/18",
      vpcPeeringConnectionId: "pcx-0a1b2c3d",
    },
    ...more,
  });
  const run = (spec: ResourceSpec) => res(crossRegionRoutesInJurisdiction, spec);
  it("passes the alert link's return routes in the hub's region and of links in the home jurisdiction", async () => {
    clean(await run(route("eu-west-1", SPOKE_LINK)));
    clean(await run(route("ap-south-2", REPLICATION_LINK)));
    clean(await run(route(undefined, REPLICATION_LINK)));
  });
  it("rejects a route into another jurisdiction through a peering that is not the alert or metrics link", async () =>
    violates(
      await run(route("eu-west-1", REPLICATION_LINK)),
      new RegExp(
        /route link-route in eu-west-1 belongs to a peering that is /.source +
          /not the alert or metrics link: eu-west-1 is in jurisdiction EU/.source,
      ),
    ));
  it(
    "rejects a peering route the peering component did not make " +
      "(its connection cannot be proven), also in the home region",
    async () => {
      violates(await run(route("eu-west-1", [ALERT_SPOKE_COMPONENT_TYPE])), /not made by the peering component/);
      violates(await run(route(undefined, [])), /not made by the peering component/);
    },
  );
  it("leaves peering routes to this rule, not aws-resource-in-home-region", async () =>
    clean(
      await res(awsResourceInHomeRegion, { ...route("eu-west-1", SPOKE_LINK), unknown: ["vpcPeeringConnectionId"] }),
    ));
  it("defers to up on a route region unknown at preview, and never reads the connection id", async () => {
    deferred(await run({ ...route("x", REPLICATION_LINK), unknown: ["region"] }));
    clean(await run({ ...route("eu-west-1", SPOKE_LINK), unknown: ["vpcPeeringConnectionId"] }));
  });
  it("at up, rejects the same route once its region is known and in another jurisdiction", async () =>
    violates(await run(route("eu-west-1", REPLICATION_LINK)), /eu-west-1 is in jurisdiction EU/));
});

describe(
  "policy cross-region-routes-in-jurisdiction on the examples' " +
    "routes as registered, and as a changed program would register them",
  () => {
    const activeActive = () => planDir(join(ROOT, "examples", "active-active"));
    const RETURN_ROUTE = "replication-net-eu-west-1-from-peer-0-0";
    it("passes the replication group's and the alert link's return routes", async () => {
      clean(await res(crossRegionRoutesInJurisdiction, registered(await activeActive(), "eu-central-1", RETURN_ROUTE)));
      clean(
        await res(
          crossRegionRoutesInJurisdiction,
          registered(
            await planDir(join(ROOT, "examples", "hub-spoke")),
            "ap-south-1",
            "federation-spoke-link-from-peer-0-0",
          ),
        ),
      );
    });
    it(
      "rejects a replication peering and its return route into another " +
        "jurisdiction (a program that did not refuse the peer), tag or not",
      async () => {
        const plan = await activeActive();
        violates(
          await res(
            crossRegionRoutesInJurisdiction,
            registered(plan, "eu-central-1", RETURN_ROUTE, { region: "ap-south-1" }),
          ),
          /ap-south-1 is in jurisdiction IN/,
        );
        violates(
          await res(
            crossRegionNetworkingInJurisdiction,
            registered(plan, "eu-central-1", "replication-net-eu-west-1-pcx", { peerRegion: "ap-south-1" }),
          ),
          /ap-south-1 is in jurisdiction IN/,
        );
        const tags = {
          ...(registered(plan, "eu-central-1", "replication-net-eu-west-1-pcx").props?.tags as object),
          [FLOW_TAG]: ALERT_LINK_FLOW,
        };
        violates(
          await res(
            crossRegionNetworkingInJurisdiction,
            registered(plan, "eu-central-1", "replication-net-eu-west-1-pcx", { peerRegion: "ap-south-1", tags }),
          ),
          /not made by that link's peering component/,
        );
      },
    );
  },
);

describe("policy cross-region-routes-in-jurisdiction-stack: the second line, on the stack after apply", () => {
  const ROUTE = "aws:ec2/route:Route";
  const ACCEPTER = "aws:ec2/vpcPeeringConnectionAccepter:VpcPeeringConnectionAccepter";
  const IN = awsProvider("ap-south-1");
  const accepter = (tags: Record<string, string>): ResourceSpec => ({
    type: ACCEPTER,
    name: "link-accept",
    provider: IN,
    props: { region: "eu-west-1", tags },
  });
  const route = (region: string, more: Partial<ResourceSpec> = {}): ResourceSpec => ({
    type: ROUTE,
    name: "link-from-peer",
    provider: IN,
    props: { region, routeTableId: "rtb-1", destinationCidrBlock: "10.20.0.0/18", vpcPeeringConnectionId: "pcx-1" },
    dependencies: [urnOf(ACCEPTER, "link-accept")],
    ...more,
  });
  const run = (...specs: ResourceSpec[]) =>
    runStackPolicy(crossRegionRoutesInJurisdictionStack, [homeProvider("ap-south-1"), ...specs]);
  it("passes peer-side routes of the tagged alert link and routes in the home jurisdiction", async () => {
    clean(await run(accepter({ [FLOW_TAG]: ALERT_LINK_FLOW }), route("eu-west-1")));
    clean(await run(accepter({}), route("ap-south-2")));
  });
  it("rejects peer-side routes of an untagged link or of a connection outside the stack", async () => {
    violates(
      await run(accepter({ Purpose: "clickhouse-replication" }), route("eu-west-1")),
      /not the alert link: eu-west-1 is in jurisdiction EU/,
    );
    violates(await run(route("us-east-1", { dependencies: [] })), /not in this stack/);
  });
  it("defers to up on a route region unknown at preview", async () =>
    deferred(await run(accepter({}), route("x", { unknown: ["region"] }))));
});
