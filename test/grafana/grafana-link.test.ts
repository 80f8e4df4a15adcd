/**
 * Shared Grafana's metrics link under the mock cloud: examples/shared-grafana together, a source alone, a hub that is
 * also a source.
 */
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { PlanResult, StackPlan } from "../../offline/plan";
import { SOURCE_TUNNEL_NAME } from "../../lib/grafana/grafana";
import type { NetworkExport } from "../../lib/links/peering-plan";
import { PORTS } from "../../policies/shared/ports";
import { ROOT, ofType, one, planDir, writeStackFile, planFile } from "../support/plan";

const DIR = join(ROOT, "examples", "shared-grafana");
const SG = "aws:ec2/securityGroup:SecurityGroup";
const INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const CONTROLLER = "infrasage:federation:LoadBalancerController";
const mainRelease = (plan: StackPlan) =>
  ofType(plan, "kubernetes:helm.sh/v3:Release").find((r) => r.rawInputs.name === "infrasage")!;
const lbCidrs = (plan: StackPlan) =>
  ofType(plan, "aws:ec2/subnet:Subnet")
    .filter((s) => s.name.startsWith("network-lb-"))
    .map((s) => String(s.rawInputs.cidrBlock));
const linkResources = (plan: StackPlan) => plan.record.resources.filter((r) => r.name.startsWith("grafana-link"));

describe("shared-Grafana metrics link (examples/shared-grafana, planned together)", () => {
  let result: PlanResult;
  let host: StackPlan;
  let source: StackPlan;
  let hostNetwork: NetworkExport;
  before(async () => {
    result = await planDir(DIR);
    host = result.stacks.find((s) => s.stack === "eu-west-1")!;
    source = result.stacks.find((s) => s.stack === "ap-south-1")!;
    hostNetwork = host.record.outputs.network!.value as NetworkExport;
  });

  it("plans clean with metrics IN -> EU on 9443 (TLS) only, nothing pending", () => {
    assert.deepEqual(
      [...result.stacks.flatMap((s) => s.violations), ...result.crossStack.violations].filter(
        (v) => v.level === "mandatory",
      ),
      [],
    );
    assert.deepEqual(
      result.crossStack.flows.map((f) => [
        f.from,
        f.to,
        `${f.fromJurisdiction} -> ${f.toJurisdiction}`,
        f.what,
        [...f.ports],
      ]),
      [["ap-south-1", "eu-west-1", "IN -> EU", "metrics", [PORTS.metricsLink]]],
    );
    for (const plan of [host, source])
      assert.deepEqual((plan.record.outputs.grafana!.value as { pending: string[] }).pending, [], plan.stack);
  });

  it("gives the host one Prometheus datasource through its TLS tunnel to the source's NLB on 9443", () => {
    const ds = (mainRelease(host).rawInputs.values as { grafana: { datasources: { uid: string; url: string }[] } })
      .grafana.datasources;
    const nlb = one(source, "aws:lb/loadBalancer:LoadBalancer");
    assert.equal(nlb.rawInputs.internal, true);
    assert.deepEqual(
      ds.map((d) => d.uid),
      ["prometheus-ap-south-1"],
    );
    assert.equal(ds[0]!.url, "http://infrasage-metrics-ap-south-1.infrasage.svc.cluster.local:9090");
    const exported = (source.record.outputs.grafanaSource!.value as { prometheusUrl: string }).prometheusUrl;
    assert.match(
      exported,
      new RegExp(
        `^https://internal-grafana-link-ep-nlb-[^:]+\\.ap-south-1\\.elb\\.amazonaws\\.com:${PORTS.metricsLink}$`,
      ),
    );
    const tunnel = ofType(host, "kubernetes:apps/v1:Deployment").find(
      (d) => (d.rawInputs.metadata as { name: string }).name === "infrasage-metrics-ap-south-1",
    )!;
    const args = (tunnel.rawInputs.spec as { template: { spec: { containers: { args: string[] }[] } } }).template.spec
      .containers[0]!.args;
    assert.ok(args.includes(`--target=${exported.replace("https://", "")}`), args.join(" "));
  });

  it(
    "admits only TCP 9443 from the host's private subnets on " +
      "the NLB's group, and 9443 from the NLB on the tunnel's pods",
    () => {
      const lbSg = ofType(source, SG).find((r) => r.name === "grafana-link-ep-lb-sg")!;
      const rules = linkResources(source).filter((r) => r.type === INGRESS);
      const byCidr = rules.filter((r) => r.rawInputs.cidrIpv4 !== undefined);
      assert.deepEqual(byCidr.map((r) => r.rawInputs.cidrIpv4).sort(), [...hostNetwork.privateSubnetCidrs].sort());
      for (const r of byCidr) {
        assert.deepEqual(
          [r.rawInputs.ipProtocol, r.rawInputs.fromPort, r.rawInputs.toPort],
          ["tcp", PORTS.metricsLink, PORTS.metricsLink],
        );
        assert.ok(r.dependencies.includes(lbSg.urn));
      }
      const bySg = rules.filter((r) => r.rawInputs.cidrIpv4 === undefined);
      assert.equal(bySg.length, 1);
      assert.deepEqual(
        [bySg[0]!.rawInputs.fromPort, bySg[0]!.rawInputs.toPort],
        [PORTS.metricsLink, PORTS.metricsLink],
      );
      const listener = one(source, "aws:lb/listener:Listener").rawInputs;
      assert.deepEqual([listener.port, listener.protocol], [PORTS.metricsLink, "TCP"]);
      const tgb = one(source, "kubernetes:elbv2.k8s.aws/v1beta1:TargetGroupBinding").rawInputs.spec as {
        serviceRef: unknown;
      };
      assert.deepEqual(tgb.serviceRef, { name: SOURCE_TUNNEL_NAME, port: PORTS.metricsLink });
    },
  );

  it("routes only to the host's private subnets and back to the source's load-balancer subnets, no whole VPC", () => {
    const routes = linkResources(source).filter((r) => r.type === "aws:ec2/route:Route");
    const home = routes.filter((r) => r.region === "ap-south-1");
    const back = routes.filter((r) => r.region === "eu-west-1");
    assert.equal(home.length + back.length, routes.length);
    assert.deepEqual(
      [...new Set(home.map((r) => r.rawInputs.destinationCidrBlock))].sort(),
      [...hostNetwork.privateSubnetCidrs].sort(),
    );
    assert.deepEqual([...new Set(back.map((r) => r.rawInputs.destinationCidrBlock))].sort(), lbCidrs(source).sort());
    assert.deepEqual(new Set(back.map((r) => r.rawInputs.routeTableId)), new Set(hostNetwork.privateRouteTableIds));
    for (const r of routes)
      assert.ok(
        !["10.10.0.0/16", "10.20.0.0/16", "0.0.0.0/0"].includes(String(r.rawInputs.destinationCidrBlock)),
        r.urn,
      );
    const pcx = one(source, "aws:ec2/vpcPeeringConnection:VpcPeeringConnection").rawInputs.tags as Record<
      string,
      string
    >;
    assert.equal(pcx["infrasage.io/flow"], "metrics");
  });

  it("the link's resources pass every policy, at every level", () => {
    const urns = new Set(linkResources(source).map((r) => r.urn));
    assert.ok(urns.size > 20);
    assert.deepEqual(
      source.violations.filter((v) => v.urn !== undefined && urns.has(v.urn)),
      [],
    );
  });
});

describe("shared-Grafana metrics link, partial deployments and a hub that is also a source", () => {
  const config = (region: string, cidr: string, more: Record<string, unknown>) => ({
    "aws:region": region,
    "infrasage:tenantId": "acme",
    "infrasage:scaleProfile": "small",
    "infrasage:network": { cidr },
    ...more,
  });

  it("plans a source whose host is not deployed: no link, no grafanaSource, pending says what is missing", async () => {
    const plan = await planFile(join(DIR, "Pulumi.ap-south-1.yaml"));
    assert.equal(linkResources(plan).length, 0);
    assert.equal(plan.record.outputs.grafanaSource, undefined);
    assert.equal(ofType(plan, CONTROLLER).length, 0);
    assert.match(
      (plan.record.outputs.grafana!.value as { pending: string[] }).pending.join(),
      /acme\/infrasage\/eu-west-1 has no 'network' output yet/,
    );
  });

  it(
    "runs one load balancer controller binding both target " +
      "groups on a federation hub that is also a Grafana source",
    async () => {
      const dir = mkdtempSync(join(tmpdir(), "infrasage-hub-source-"));
      writeStackFile(
        "eu-west-1",
        config("eu-west-1", "10.10.0.0/16", {
          "infrasage:pattern": "hub-spoke",
          "infrasage:federation": { role: "hub", spokes: ["acme/infrasage/ap-south-1"] },
          "infrasage:grafana": { mode: "shared", hostStack: "acme/infrasage/eu-central-1" },
        }),
        dir,
      );
      writeStackFile(
        "eu-central-1",
        config("eu-central-1", "10.30.0.0/16", {
          "infrasage:grafana": { mode: "local", sources: ["acme/infrasage/eu-west-1"] },
        }),
        dir,
      );
      const result = await planDir(dir);
      const hub = result.stacks.find((s) => s.stack === "eu-west-1")!;
      assert.equal(ofType(hub, CONTROLLER).length, 1);
      const releases = ofType(hub, "kubernetes:helm.sh/v3:Release").filter(
        (r) => r.rawInputs.name === "aws-load-balancer-controller",
      );
      assert.equal(releases.length, 1);
      const bindings = ofType(hub, "kubernetes:elbv2.k8s.aws/v1beta1:TargetGroupBinding");
      assert.deepEqual(
        bindings.map((b) => (b.rawInputs.spec as { serviceRef: { name: string } }).serviceRef.name).sort(),
        ["infrasage-alert-link", SOURCE_TUNNEL_NAME],
      );
      for (const b of bindings) assert.ok(b.dependencies.includes(releases[0]!.urn));
      const role = ofType(hub, "aws:iam/role:Role").find((r) => r.name === "lb-controller-role")!;
      const policy = JSON.parse(String((role.rawInputs.inlinePolicies as { policy: string }[])[0]!.policy)) as {
        Statement: { Action: string[]; Resource: unknown }[];
      };
      assert.deepEqual(
        [
          ...(policy.Statement.find((s) => s.Action.includes("elasticloadbalancing:RegisterTargets"))!
            .Resource as string[]),
        ].sort(),
        bindings.map((b) => (b.rawInputs.spec as { targetGroupARN: string }).targetGroupARN).sort(),
      );
      assert.deepEqual(
        hub.violations.filter((v) => v.level === "mandatory"),
        [],
      );
      const ds = (
        mainRelease(result.stacks.find((s) => s.stack === "eu-central-1")!).rawInputs.values as {
          grafana: { datasources?: unknown[] };
        }
      ).grafana.datasources;
      assert.equal(ds?.length, 1);
    },
  );
});
