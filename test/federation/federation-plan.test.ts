/** Pattern 2 end to end under the mock cloud: examples/hub-spoke planned together, a spoke alone, bad variants. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { containsCidr, overlapCidr } from "cidr-tools";
import type { PlanResult, StackPlan } from "../../offline/plan";
import { hasMandatory, planJson } from "../../offline/report";
import type { RecordedResource } from "../../offline/run-program";
import { limitProblems } from "../../lib/aws/aws-limits";
import { HUB_RECEIVER, HUB_WEBHOOK_URL } from "../../lib/federation/federation";
import { PORTS } from "../../policies/shared/ports";
import { ROOT, ofType, one, planDir, runCli, writeStackFile, planFile, infrasageRelease } from "../support/plan";

type SecretData = import("kubernetes-models/v1/Secret").ISecret;

const DIR = join(ROOT, "examples", "hub-spoke");
const FILES = ["Pulumi.ap-south-1.yaml", "Pulumi.eu-west-1.yaml"].map((f) => join(DIR, f));
const under = (plan: StackPlan, componentType: string): RecordedResource[] => {
  const roots = new Set(plan.record.resources.filter((r) => r.type === componentType).map((r) => r.urn));
  const inside = (r: RecordedResource): boolean =>
    r.parent !== undefined &&
    (roots.has(r.parent) || plan.record.resources.some((p) => p.urn === r.parent && inside(p)));
  return plan.record.resources.filter(inside);
};
const values = (plan: StackPlan) =>
  infrasageRelease(plan).rawInputs.values as {
    aiopsEngine: { env: Record<string, string>; extraEnv?: unknown[] };
    alertmanager?: unknown;
  };
const mainRelease = (plan: StackPlan) =>
  ofType(plan, "kubernetes:helm.sh/v3:Release").find((r) => r.rawInputs.name === "infrasage")!;

describe("hub-and-spoke example (examples/hub-spoke, planned together)", () => {
  let result: PlanResult;
  let hub: StackPlan;
  let spoke: StackPlan;
  before(async () => {
    result = await planDir(DIR);
    hub = result.stacks.find((s) => s.stack === "eu-west-1")!;
    spoke = result.stacks.find((s) => s.stack === "ap-south-1")!;
  });

  it("resolves the StackReferences offline: nothing pending on either side, the same one flow in both", () => {
    assert.deepEqual(hub.record.outputs.pending?.value, []);
    assert.deepEqual(spoke.record.outputs.pending?.value, []);
    for (const plan of [hub, spoke]) {
      assert.deepEqual(plan.record.outputs.flows?.value, [
        `ap-south-1 (IN) -> eu-west-1 (EU): alert metadata only, TCP 8443 (TLS, both ` +
          `sides authenticated by certificate) over VPC peering, to ${HUB_WEBHOOK_URL}`,
      ]);
    }
  });

  it("passes the policy pack (exit 0) with only alert metadata crossing IN -> EU on the webhook port", () => {
    const all = [...result.stacks.flatMap((s) => s.violations), ...result.crossStack.violations];
    assert.deepEqual(
      all.filter((v) => v.level === "mandatory"),
      [],
    );
    assert.equal(hasMandatory(result), false);
    assert.deepEqual(
      result.crossStack.flows.map((f) => [f.from, f.to, f.what, [...f.ports]]),
      [["ap-south-1", "eu-west-1", "alert metadata", [PORTS.alertWebhook]]],
    );
  });

  it("gives the spoke the seed's three variables, its TLS link tunnel's URL, the credential only by reference", () => {
    const v = mainRelease(spoke).rawInputs.values as ReturnType<typeof values>;
    assert.equal(
      v.aiopsEngine.env.ALERT_FORWARD_URL,
      "http://infrasage-hub-link.infrasage.svc.cluster.local:8080/api/v1/alerts/webhook",
    );
    // The tunnel the URL names exists, in the release's namespace, and dials the hub's seed name over TLS.
    const tunnel = under(spoke, "infrasage:federation:Spoke").find((r) => r.type === "kubernetes:apps/v1:Deployment")!;
    const meta = tunnel.rawInputs.metadata as { name: string; namespace: string };
    assert.deepEqual([meta.name, meta.namespace], ["infrasage-hub-link", "infrasage"]);
    const args = (tunnel.rawInputs.spec as { template: { spec: { containers: { args: string[] }[] } } }).template.spec
      .containers[0]!.args;
    assert.ok(args.includes("--target=infrasage-hub.central.internal:8443"), args.join(" "));
    assert.ok(args.includes("--verify-dns=eu-west-1.link.infrasage.internal"), args.join(" "));
    assert.equal(v.aiopsEngine.env.ALERT_FORWARD_INCLUDE_METADATA, "true");
    assert.equal(v.aiopsEngine.env.ALERT_FORWARD_INCLUDE_RAW_TELEMETRY, "false");
    assert.ok(v.aiopsEngine.env.ALERT_FORWARD_RETRY_MAX_ATTEMPTS);
    assert.deepEqual(v.aiopsEngine.extraEnv, [
      {
        name: "ALERT_FORWARD_CREDENTIAL",
        valueFrom: { secretKeyRef: { name: "infrasage-federation-credential", key: "credential" } },
      },
    ]);
    assert.equal(v.alertmanager, undefined);
  });

  it("gives the hub the seed's receiver and no forwarding of its own", () => {
    const v = mainRelease(hub).rawInputs.values as ReturnType<typeof values>;
    assert.deepEqual(v.alertmanager, { config: { receivers: [HUB_RECEIVER] } });
    assert.equal(v.aiopsEngine.env.ALERT_FORWARD_URL, undefined);
  });

  it("keeps the spoke's credential secret end to end, the same on both sides, never in printed inputs", async () => {
    assert.equal(hub.record.outputs.spokeCredentials?.secret, true);
    const credential = (hub.record.outputs.spokeCredentials!.value as Record<string, string>)["ap-south-1"]!;
    assert.match(credential, /^[A-Za-z0-9]{48}$/);
    const spokeSecret = under(spoke, "infrasage:federation:Spoke").find((r) => r.type === "kubernetes:core/v1:Secret")!;
    assert.deepEqual(spokeSecret.rawInputs.stringData, { credential });
    assert.equal(spokeSecret.inputs.stringData, "[secret]");
    const hubSecret = under(hub, "infrasage:federation:Hub").find((r) => r.type === "kubernetes:core/v1:Secret")!;
    assert.deepEqual(hubSecret.rawInputs.stringData, {
      "credentials.json": JSON.stringify({ "ap-south-1": credential }),
    });
    const printed = JSON.stringify(planJson(result));
    assert.ok(!printed.includes(credential), "credential in the JSON plan");
    for (const plan of [hub, spoke])
      for (const r of plan.record.resources) assert.ok(!JSON.stringify(r.inputs).includes(credential), r.urn);
    const { Secret } = await import("kubernetes-models/v1/Secret");
    for (const s of [spokeSecret, hubSecret])
      new Secret({ ...s.rawInputs, apiVersion: "v1", kind: "Secret" } as SecretData).validate();
  });

  it("opens the hub's load balancer only on the TLS webhook port, from the spoke's private subnets", () => {
    const sg = under(hub, "infrasage:federation:Hub").find((r) => r.type === "aws:ec2/securityGroup:SecurityGroup")!;
    assert.equal(sg.rawInputs.ingress, undefined, "no inline rules");
    const rules = under(hub, "infrasage:federation:Hub").filter(
      (r) => r.type === "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    );
    const onLb = rules.filter((r) => r.rawInputs.referencedSecurityGroupId === undefined);
    const spokeCidrs = spoke.config.network.cidr;
    const allowed = (spoke.record.outputs.network!.value as { privateSubnetCidrs: string[] }).privateSubnetCidrs;
    assert.equal(onLb.length, 3);
    for (const r of onLb) {
      assert.equal(r.rawInputs.ipProtocol, "tcp");
      assert.equal(r.rawInputs.fromPort, PORTS.alertWebhook);
      assert.equal(r.rawInputs.toPort, PORTS.alertWebhook);
      assert.ok(allowed.includes(String(r.rawInputs.cidrIpv4)), String(r.rawInputs.cidrIpv4));
      assert.notEqual(r.rawInputs.cidrIpv4, "0.0.0.0/0");
      assert.equal((r.rawInputs.tags as Record<string, string>).Purpose, "alert-federation");
    }
    assert.equal(
      onLb.filter((r) => containsCidr(spokeCidrs, String(r.rawInputs.cidrIpv4))).length,
      3,
      "every spoke private subnet",
    );
    // The link tunnel's pods accept from the load balancer's group only, on the same TLS port (passthrough).
    const toPods = rules.filter((r) => r.rawInputs.referencedSecurityGroupId !== undefined);
    assert.equal(toPods.length, 1);
    assert.equal(toPods[0]!.rawInputs.fromPort, PORTS.alertWebhook);
    assert.equal(
      toPods[0]!.rawInputs.referencedSecurityGroupId,
      (hub.record.outputs.federation!.value as { lbSecurityGroupId: string }).lbSecurityGroupId,
    );
  });

  it(
    "routes only to the hub's load-balancer subnets and back " +
      "only to the spoke's private subnets, never a whole VPC",
    () => {
      const routes = under(spoke, "infrasage:federation:Spoke").filter((r) => r.type === "aws:ec2/route:Route");
      const lbSubnets = (hub.record.outputs.federation!.value as { lbSubnetCidrs: string[] }).lbSubnetCidrs;
      const spokePrivate = (spoke.record.outputs.network!.value as { privateSubnetCidrs: string[] }).privateSubnetCidrs;
      const toHub = routes.filter((r) => r.region === "ap-south-1");
      const back = routes.filter((r) => r.region === "eu-west-1");
      assert.equal(toHub.length, 9);
      assert.equal(back.length, 9);
      for (const r of toHub) assert.ok(lbSubnets.includes(String(r.rawInputs.destinationCidrBlock)), r.urn);
      // The load-balancer subnets are small and hold no pods: ClickHouse/Kafka pods are unreachable by route.
      const hubPrivate = (hub.record.outputs.network!.value as { privateSubnetCidrs: string[] }).privateSubnetCidrs;
      for (const c of lbSubnets) {
        assert.ok(!hubPrivate.some((p) => overlapCidr(p, c)), `${c} overlaps the hub's pod subnets`);
        assert.ok(Number(c.split("/")[1]) >= 22, `${c} is wider than a /22`);
      }
      for (const r of back) assert.ok(spokePrivate.includes(String(r.rawInputs.destinationCidrBlock)), r.urn);
      for (const r of routes)
        assert.ok(
          ![hub.config.network.cidr, spoke.config.network.cidr].includes(String(r.rawInputs.destinationCidrBlock)),
          r.urn,
        );
      const pcx = one(spoke, "aws:ec2/vpcPeeringConnection:VpcPeeringConnection");
      assert.equal(pcx.rawInputs.peerRegion, "eu-west-1");
      assert.equal((pcx.rawInputs.tags as Record<string, string>)["infrasage.io/flow"], "alert-metadata");
      assert.equal(one(spoke, "aws:ec2/vpcPeeringConnectionAccepter:VpcPeeringConnectionAccepter").region, "eu-west-1");
    },
  );

  it("names the hub in a private zone the spoke associates with, and the hub keeps that association", () => {
    const zones = ofType(hub, "aws:route53/zone:Zone");
    const central = zones.find((z) => z.rawInputs.name === "central.internal")!;
    assert.deepEqual(central.ignoreChanges, ["vpcs"]);
    assert.deepEqual(zones.map((z) => z.rawInputs.name).sort(), ["central.internal"]);
    const assoc = one(spoke, "aws:route53/zoneAssociation:ZoneAssociation");
    assert.equal(assoc.rawInputs.zoneId, (hub.record.outputs.federation!.value as { zoneId: string }).zoneId);
    assert.equal(assoc.rawInputs.vpcRegion, "ap-south-1");
    const records = ofType(hub, "aws:route53/record:Record")
      .map((r) => r.rawInputs.name)
      .sort();
    assert.deepEqual(records, ["infrasage-hub"]);
  });

  it(
    "fronts the hub's link tunnel with an internal NLB passing TLS " +
      "through, bound by a TargetGroupBinding after the controller",
    () => {
      const lb = one(hub, "aws:lb/loadBalancer:LoadBalancer").rawInputs;
      assert.equal(lb.internal, true);
      assert.equal(lb.loadBalancerType, "network");
      assert.equal((lb.subnets as string[]).length, 3);
      for (const id of lb.subnets as string[])
        assert.ok(
          !(hub.record.outputs.privateSubnetIds!.value as string[]).includes(id),
          "NLB must not sit in the pods' subnets",
        );
      const listener = one(hub, "aws:lb/listener:Listener").rawInputs;
      assert.equal(listener.port, PORTS.alertWebhook);
      assert.equal(listener.protocol, "TCP", "TLS ends in the tunnel, not on the load balancer");
      const tg = one(hub, "aws:lb/targetGroup:TargetGroup");
      assert.equal(tg.rawInputs.targetType, "ip");
      assert.equal(tg.rawInputs.port, PORTS.alertWebhook);
      const tgb = one(hub, "kubernetes:elbv2.k8s.aws/v1beta1:TargetGroupBinding");
      const spec = tgb.rawInputs.spec as {
        serviceRef: { name: string; port: number };
        targetGroupARN: string;
        targetType: string;
      };
      assert.deepEqual(spec.serviceRef, { name: "infrasage-alert-link", port: PORTS.alertWebhook });
      assert.match(spec.targetGroupARN, /^arn:aws:elasticloadbalancing:eu-west-1:\d{12}:targetgroup\//);
      const controller = ofType(hub, "kubernetes:helm.sh/v3:Release").find(
        (r) => r.rawInputs.name === "aws-load-balancer-controller",
      )!;
      assert.ok(tgb.dependencies.includes(controller.urn));
      const role = under(hub, "infrasage:federation:LoadBalancerController").find(
        (r) => r.type === "aws:iam/role:Role",
      )!;
      const policy = JSON.parse(String((role.rawInputs.inlinePolicies as { policy: string }[])[0]!.policy)) as {
        Statement: { Action: string[]; Resource: unknown }[];
      };
      assert.deepEqual(
        policy.Statement.find((s) => s.Action.includes("elasticloadbalancing:RegisterTargets"))!.Resource,
        [spec.targetGroupARN],
      );
    },
  );

  it("parents every federation resource under its component and stays within AWS limits", () => {
    for (const plan of [hub, spoke]) {
      const fed = plan.record.resources.filter((r) => r.custom && r.name.startsWith("federation-"));
      assert.ok(fed.length > 10);
      for (const r of fed) assert.ok(r.parent, `${r.urn} has no parent`);
      assert.deepEqual(limitProblems(plan.record.resources), []);
    }
  });
});

describe("hub-and-spoke, partial deployments and bad variants", () => {
  it("plans a spoke whose hub is not deployed: regional stack only, pending says what is missing", async () => {
    const plan = await planFile(FILES[0]!);
    const pending = plan.record.outputs.pending!.value as string[];
    assert.equal(pending.length, 2);
    assert.match(pending[0]!, /acme\/infrasage\/eu-west-1 has no 'federation' output yet/);
    assert.deepEqual(under(plan, "infrasage:federation:Spoke"), []);
    assert.equal(ofType(plan, "aws:ec2/vpcPeeringConnection:VpcPeeringConnection").length, 0);
    assert.equal(ofType(plan, "aws:eks/cluster:Cluster").length, 1);
    assert.deepEqual(values(plan).aiopsEngine, { env: {} });
  });

  it("rejects includeRawTelemetry: true (exit 2, names the key)", async () => {
    const path = writeStackFile("ap-south-1", {
      "aws:region": "ap-south-1",
      "infrasage:tenantId": "acme-in",
      "infrasage:pattern": "hub-spoke",
      "infrasage:network": { cidr: "10.20.0.0/16" },
      "infrasage:federation": { role: "spoke", hubStack: "acme/infrasage/eu-west-1", includeRawTelemetry: true },
    });
    const run = await runCli(["--config-file", path]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /infrasage:federation\.includeRawTelemetry/);
  });

  it("rejects federation.spokes on a spoke (exit 2, names the key)", async () => {
    const path = writeStackFile("ap-south-1", {
      "aws:region": "ap-south-1",
      "infrasage:tenantId": "acme-in",
      "infrasage:pattern": "hub-spoke",
      "infrasage:network": { cidr: "10.20.0.0/16" },
      "infrasage:federation": {
        role: "spoke",
        hubStack: "acme/infrasage/eu-west-1",
        spokes: ["acme/infrasage/us-east-1"],
      },
    });
    const run = await runCli(["--config-file", path]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /infrasage:federation\.spokes: is set on a spoke/);
  });
});
