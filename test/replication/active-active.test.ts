/**
 * Pattern 3 end to end under the mock cloud: the example group planned together, a member planned
 * before its peers, and bad groups rejected by the cross-stack checks (lib/replication/replication-checks.ts)
 * or, where the config itself is wrong, by the CLI (exit 2).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import type { PlanResult, StackPlan } from "../../offline/plan";
import { listStackFiles, readStackFile } from "../../offline/stack-file";
import { parseStackConfig } from "../../lib/config/parse";
import type { StackConfig } from "../../lib/config/types";
import { REPLICATION_POLICY, checkReplicationGroups } from "../../lib/replication/replication-checks";
import { linkOwner } from "../../lib/links/peering-plan";
import { portsFor } from "../../lib/replication/replication-plan";
import { REPLICATION_PORTS } from "../../policies/shared/ports";
import { limitProblems } from "../../lib/aws/aws-limits";
import { replicaHosts } from "../../policies/rules/helm-values";
import { HOST_REGIONS_ANNOTATION } from "../../policies/shared/host-regions";
import { ROOT, ofType, one, planDir, runCli, writeStackFile, planFiles, planFile } from "../support/plan";

const EXAMPLE_DIR = join(ROOT, "examples", "active-active");
const planExample = (): Promise<PlanResult> => planDir(EXAMPLE_DIR);
const byStack = (r: PlanResult, stack: string): StackPlan => r.stacks.find((s) => s.stack === stack)!;
const output = (p: StackPlan, key: string): unknown => p.record.outputs[key]?.value;

type Cfg = Record<string, unknown>;
const member = (region: string, cidr: string, peers: string[], voters: number, extra: Cfg = {}): Cfg => ({
  "aws:region": region,
  "infrasage:tenantId": "acme",
  "infrasage:pattern": "active-active",
  "infrasage:network": { cidr },
  "infrasage:replication": { peers: peers.map((p) => `acme/infrasage/${p}`), keeperVoters: voters, ...extra },
});
/** Parses a group (stack -> config) the way the plan does, without running the program. */
function group(stacks: Record<string, Cfg>): { config: StackConfig }[] {
  const dir = mkdtempSync(join(tmpdir(), "infrasage-aa-"));
  return Object.entries(stacks).map(([stack, config]) => {
    const file = readStackFile(writeStackFile(stack, config, dir));
    const parsed = parseStackConfig(file.config, stack, file.parseOptions);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    return { config: parsed.config };
  });
}
const policies = (r: ReturnType<typeof checkReplicationGroups>, level = "mandatory") =>
  r.violations.filter((v) => v.level === level).map((v) => v.policy);

describe("active-active example (examples/active-active, planned together)", () => {
  it("plans clean, nothing pending, and every member says the group survives one region loss", async () => {
    const r = await planExample();
    assert.deepEqual(
      r.stacks.map((s) => s.stack),
      ["eu-central-1", "eu-north-1", "eu-west-1"],
    );
    assert.deepEqual(
      [...r.stacks.flatMap((s) => s.violations), ...r.crossStack.violations].filter((v) => v.level === "mandatory"),
      [],
    );
    for (const s of r.stacks) {
      assert.deepEqual(output(s, "replicationPending"), [], s.stack);
      assert.match(
        String(output(s, "replicationQuorum")),
        /^5 Keeper voters .*survives the loss of any one AZ; survives the loss of any one region$/,
      );
    }
    const checks = checkReplicationGroups(r.stacks, { project: "infrasage" });
    assert.deepEqual(checks.violations, []);
    assert.equal(checks.lines.length, 1);
    assert.match(
      checks.lines[0]!,
      new RegExp(
        /^replication group \[eu-central-1, eu-north-1, eu-west-1\]: /.source +
          /5 Keeper voters.*survives the loss of any one region$/.source,
      ),
    );
  });

  it("stays within AWS name limits, parents every resource, and registers each URN once", async () => {
    for (const s of (await planExample()).stacks) {
      assert.deepEqual(limitProblems(s.record.resources), [], s.stack);
      for (const x of s.record.resources)
        if (x.custom && !x.type.startsWith("pulumi:providers:")) assert.ok(x.parent, `${x.urn} has no parent`);
      const urns = s.record.resources.map((x) => x.urn);
      assert.equal(new Set(urns).size, urns.length);
    }
  });

  it("creates every peering link exactly once, by its link owner, tagged clickhouse-replication", async () => {
    const r = await planExample();
    const links = r.stacks.flatMap((s) =>
      ofType(s, "aws:ec2/vpcPeeringConnection:VpcPeeringConnection").map((pcx) => {
        const tags = pcx.rawInputs.tags as Record<string, string>;
        assert.equal(tags.Purpose, "clickhouse-replication");
        assert.equal(linkOwner(s.stack, tags.PeerStack!), s.stack, "created by the owner");
        return [s.stack, tags.PeerStack!].sort().join("<->");
      }),
    );
    assert.deepEqual(links.sort(), ["eu-central-1<->eu-north-1", "eu-central-1<->eu-west-1", "eu-north-1<->eu-west-1"]);
    for (const s of r.stacks) {
      const routes = ofType(s, "aws:ec2/route:Route").filter((x) => x.urn.includes("CrossRegionPeering"));
      for (const route of routes)
        assert.ok(
          /^10\.1[0-2]\.\d+\.0\/18$/.test(String(route.rawInputs.destinationCidrBlock)),
          "private subnets only",
        );
    }
  });

  it("opens each cluster security group only to peers' VPC CIDRs on the replication ports they need", async () => {
    const r = await planExample();
    const cidrOf = (stack: string) => byStack(r, stack).config.network.cidr;
    const witness = (stack: string) => byStack(r, stack).config.replication!.witness;
    for (const s of r.stacks) {
      const sg = (output(s, "network") as { clusterSecurityGroupId: string }).clusterSecurityGroupId;
      const rules = ofType(s, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
        .filter((x) => !x.urn.includes("DeployRunner"))
        .map((x) => x.rawInputs);
      const expected = s.config
        .replication!.peers.map((p) => p.split("/")[2]!)
        .flatMap((peer) => portsFor(witness(s.stack), witness(peer)).map((port) => `${cidrOf(peer)}:${port}`));
      assert.deepEqual(
        rules.map((x) => `${String(x.cidrIpv4)}:${String(x.fromPort)}`).sort(),
        expected.sort(),
        s.stack,
      );
      for (const x of rules) {
        assert.equal(x.securityGroupId, sg);
        assert.equal(x.fromPort, x.toPort);
        assert.equal(x.ipProtocol, "tcp");
        assert.ok(REPLICATION_PORTS.includes(Number(x.fromPort)));
        assert.notEqual(x.cidrIpv4, s.config.network.cidr);
      }
    }
    assert.equal(
      ofType(byStack(r, "eu-north-1"), "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter(
        (x) => !x.urn.includes("DeployRunner"),
      ).length,
      4,
      "witness: Keeper ports only",
    );
  });

  it("gives every member its own private zone (peers' VPCs associated by the peers) and ExternalDNS", async () => {
    const r = await planExample();
    for (const s of r.stacks) {
      const zone = one(s, "aws:route53/zone:Zone");
      assert.equal(zone.rawInputs.name, `${s.stack}.infrasage.internal`);
      assert.deepEqual(zone.ignoreChanges, ["vpcs"]);
      const peerZones = r.stacks
        .filter((p) => p !== s)
        .map((p) => (output(p, "replication") as { zoneId: string }).zoneId)
        .sort();
      assert.deepEqual(
        ofType(s, "aws:route53/zoneAssociation:ZoneAssociation")
          .map((a) => a.rawInputs.zoneId)
          .sort(),
        peerZones,
      );
      const dns = ofType(s, "kubernetes:helm.sh/v3:Release").find((x) => x.rawInputs.chart === "external-dns")!;
      assert.deepEqual((dns.rawInputs.values as { domainFilters: string[] }).domainFilters, [
        `${s.stack}.infrasage.internal`,
      ]);
    }
  });

  it("creates only Kubernetes objects valid against the upstream schema", async () => {
    const models: Record<
      string,
      { apiVersion: string; load: () => Promise<new (data: never) => { validate(): void }> }
    > = {
      "kubernetes:apps/v1:StatefulSet": {
        apiVersion: "apps/v1",
        load: async () => (await import("kubernetes-models/apps/v1/StatefulSet")).StatefulSet,
      },
      "kubernetes:core/v1:ConfigMap": {
        apiVersion: "v1",
        load: async () => (await import("kubernetes-models/v1/ConfigMap")).ConfigMap,
      },
      "kubernetes:core/v1:Service": {
        apiVersion: "v1",
        load: async () => (await import("kubernetes-models/v1/Service")).Service,
      },
      "kubernetes:core/v1:Secret": {
        apiVersion: "v1",
        load: async () => (await import("kubernetes-models/v1/Secret")).Secret,
      },
      "kubernetes:core/v1:Namespace": {
        apiVersion: "v1",
        load: async () => (await import("kubernetes-models/v1/Namespace")).Namespace,
      },
      "kubernetes:policy/v1:PodDisruptionBudget": {
        apiVersion: "policy/v1",
        load: async () => (await import("kubernetes-models/policy/v1/PodDisruptionBudget")).PodDisruptionBudget,
      },
      "kubernetes:storage.k8s.io/v1:StorageClassPatch": {
        apiVersion: "storage.k8s.io/v1",
        load: async () => (await import("kubernetes-models/storage.k8s.io/v1/StorageClass")).StorageClass,
      },
      "kubernetes:core/v1:NamespacePatch": {
        apiVersion: "v1",
        load: async () => (await import("kubernetes-models/v1/Namespace")).Namespace,
      },
      "kubernetes:networking.k8s.io/v1:NetworkPolicy": {
        apiVersion: "networking.k8s.io/v1",
        load: async () => (await import("kubernetes-models/networking.k8s.io/v1/NetworkPolicy")).NetworkPolicy,
      },
    };
    let validated = 0;
    for (const s of (await planExample()).stacks) {
      for (const x of s.record.resources.filter(
        (r) =>
          r.type.startsWith("kubernetes:") &&
          r.type !== "kubernetes:helm.sh/v3:Release" &&
          !r.type.startsWith("pulumi:"),
      )) {
        const model = models[x.type];
        assert.ok(model, `no model for ${x.type}`);
        const Model = await model.load();
        // Revealed inputs: a masked Secret would fail the schema ("[secret]" is not an object).
        new Model({ apiVersion: model.apiVersion, kind: x.type.split(":")[2]!, ...x.rawInputs } as never).validate();
        validated++;
      }
    }
    assert.ok(validated >= 20, `${validated}`);
  });

  it("runs the same raft configuration in every member, one pod per voter", async () => {
    const r = await planExample();
    const xmls = r.stacks.map((s) => {
      const cm = ofType(s, "kubernetes:core/v1:ConfigMap").find((x) => x.name.endsWith("keeper-config"))!;
      assert.equal(
        (one(s, "kubernetes:apps/v1:StatefulSet").rawInputs.spec as { replicas: number }).replicas,
        s.config.replication!.keeperVoters,
      );
      // Where each raft host runs, stated for the policy pack, which judges the ConfigMap on its own inputs.
      const stated = JSON.parse(
        (cm.rawInputs.metadata as { annotations: Record<string, string> }).annotations[HOST_REGIONS_ANNOTATION]!,
      ) as Record<string, string>;
      assert.deepEqual(Object.keys(stated).sort(), replicaHosts(cm.rawInputs.data).sort());
      assert.deepEqual(
        Object.entries(stated).filter(([host, region]) => !host.endsWith(`.${region}.infrasage.internal`)),
        [],
      );
      return (cm.rawInputs.data as Record<string, string>)["keeper_config.xml"]!;
    });
    assert.match(xmls[0]!, /<raft_configuration>/);
    assert.equal(new Set(xmls).size, 1);
  });

  it("runs the witness without InfraSage: Keeper, small nodes, its own Retain storage class", async () => {
    const w = byStack(await planExample(), "eu-north-1");
    assert.deepEqual(
      ofType(w, "kubernetes:helm.sh/v3:Release").map((x) => x.rawInputs.chart),
      ["external-dns"],
    );
    assert.deepEqual(one(w, "aws:eks/nodeGroup:NodeGroup").rawInputs.instanceTypes, ["t3.small"]);
    assert.equal(one(w, "kubernetes:storage.k8s.io/v1:StorageClassPatch").rawInputs.reclaimPolicy, "Retain");
    assert.equal(output(w, "ingestionEndpoint"), undefined);
    assert.ok(w.cost.monthlyTotal < 200, `witness costs ${w.cost.monthlyTotal}`);
  });

  it("gives each data member's release the replication env and XML, and one shared interserver password", async () => {
    const r = await planExample();
    const passwords = ["eu-central-1", "eu-west-1"].map((stack) => {
      const s = byStack(r, stack);
      const release = ofType(s, "kubernetes:helm.sh/v3:Release").find((x) => x.rawInputs.name === "infrasage")!;
      const values = release.rawInputs.values as {
        aiopsEngine: { env: Record<string, string> };
        clickhouse: { replication: { configOverrides: Record<string, string>; hostRegions: Record<string, string> } };
      };
      // Every host the XML names, with its member's region, for the policy pack (never a jurisdiction).
      assert.deepEqual(
        Object.keys(values.clickhouse.replication.hostRegions).sort(),
        replicaHosts(values.clickhouse.replication.configOverrides).sort(),
      );
      assert.equal(
        values.clickhouse.replication.hostRegions["clickhouse.eu-central-1.infrasage.internal"],
        "eu-central-1",
      );
      assert.equal(values.clickhouse.replication.hostRegions["keeper-0.eu-north-1.infrasage.internal"], "eu-north-1");
      assert.equal(values.aiopsEngine.env.CLICKHOUSE_CLUSTER, "infrasage_cluster");
      assert.equal(values.aiopsEngine.env.CLICKHOUSE_REPLICATION_ENABLED, "true");
      assert.match(
        values.clickhouse.replication.configOverrides["infrasage-replication.xml"]!,
        new RegExp(`<replica>${stack}</replica>`),
      );
      const secret = ofType(s, "kubernetes:core/v1:Secret").find((x) => x.name.endsWith("interserver"))!;
      const password = (secret.rawInputs.stringData as Record<string, string>).password!;
      assert.ok(!JSON.stringify(secret.inputs).includes(password), "masked as a secret");
      assert.ok(release.dependencies.includes(secret.urn), "the chart waits for the Secret");
      return password;
    });
    assert.equal(passwords[0]!.length, 40);
    assert.equal(passwords[0], passwords[1]);
    assert.deepEqual(
      r.stacks.filter((s) => s.record.outputs.replicationSecret).map((s) => s.stack),
      ["eu-central-1"],
    );
    assert.equal(byStack(r, "eu-central-1").record.outputs.replicationSecret!.secret, true);
  });
});

describe("active-active member deployed before its peers", () => {
  it("deploys, lists what is pending, creates no link and starts no Keeper pod", async () => {
    const plan = await planFile(join(EXAMPLE_DIR, "Pulumi.eu-west-1.yaml"));
    const pending = output(plan, "replicationPending") as string[];
    assert.equal(pending.filter((p) => /not deployed/.test(p)).length, 2);
    assert.ok(pending.some((p) => /eu-central-1 \(the member with the lowest stack name\)/.test(p)));
    for (const t of [
      "aws:ec2/vpcPeeringConnection:VpcPeeringConnection",
      "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
      "aws:route53/zoneAssociation:ZoneAssociation",
    ]) {
      assert.equal(ofType(plan, t).filter((x) => !x.urn.includes("DeployRunner")).length, 0, t);
    }
    assert.equal((one(plan, "kubernetes:apps/v1:StatefulSet").rawInputs.spec as { replicas: number }).replicas, 0);
    const release = ofType(plan, "kubernetes:helm.sh/v3:Release").find((x) => x.rawInputs.name === "infrasage")!;
    assert.equal(
      (release.rawInputs.values as { clickhouse: { replication?: unknown } }).clickhouse.replication,
      undefined,
    );
    assert.match(String(output(plan, "replicationQuorum")), /not known until every member is deployed/);
  });
});

describe("active-active membership change", () => {
  it("keeps the running group (Keeper pods, raft configuration, replication) until every member agrees", async () => {
    const r = await planExample();
    const outputsOf = (stack: string) => {
      const s = r.stacks.find((x) => x.stack === stack);
      return s ? Object.fromEntries(Object.entries(s.record.outputs).map(([k, o]) => [k, o.value])) : undefined;
    };
    // eu-west-1 now also lists eu-south-1, which is not deployed; its own previous outputs say what runs.
    const path = writeStackFile(
      "eu-west-1",
      member("eu-west-1", "10.10.0.0/16", ["eu-central-1", "eu-north-1", "eu-south-1"], 2),
    );
    // The peers are deployed (outside this plan); eu-west-1 itself was deployed with the old group.
    const plan = await planFile(path, {
      external: (ref) => outputsOf(ref.split("/")[2]!),
      previous: { "eu-west-1": outputsOf("eu-west-1")! },
    });
    const before = byStack(r, "eu-west-1");
    const keeperXml = (p: StackPlan) =>
      (
        ofType(p, "kubernetes:core/v1:ConfigMap").find((x) => x.name.endsWith("keeper-config"))!.rawInputs
          .data as Record<string, string>
      )["keeper_config.xml"];
    assert.equal(keeperXml(plan), keeperXml(before));
    assert.equal((one(plan, "kubernetes:apps/v1:StatefulSet").rawInputs.spec as { replicas: number }).replicas, 2);
    const release = ofType(plan, "kubernetes:helm.sh/v3:Release").find((x) => x.rawInputs.name === "infrasage")!;
    assert.ok(
      (release.rawInputs.values as { clickhouse: { replication?: unknown } }).clickhouse.replication,
      "replication stays on",
    );
    const pending = output(plan, "replicationPending") as string[];
    assert.ok(pending.some((p) => /eu-south-1 has no 'network' output/.test(p)));
    assert.ok(pending.some((p) => /^membership change pending: .*\[eu-central-1, eu-north-1, eu-west-1\]/.test(p)));
  });
});

describe("bad replication groups", () => {
  const good = (): Record<string, Cfg> => ({
    "eu-west-1": member("eu-west-1", "10.10.0.0/16", ["eu-central-1", "eu-north-1"], 2),
    "eu-central-1": member("eu-central-1", "10.11.0.0/16", ["eu-west-1", "eu-north-1"], 2),
    "eu-north-1": member("eu-north-1", "10.12.0.0/16", ["eu-west-1", "eu-central-1"], 1, { witness: true }),
  });

  it("accepts the 2 + 2 + 1 witness group", () => {
    assert.deepEqual(checkReplicationGroups(group(good())).violations, []);
  });

  it("rejects an even number of voters", () => {
    const g = good();
    g["eu-north-1"] = member("eu-north-1", "10.12.0.0/16", ["eu-west-1", "eu-central-1"], 2, { witness: true });
    assert.ok(policies(checkReplicationGroups(group(g))).includes(REPLICATION_POLICY.oddVoters));
  });

  it("rejects 2 + 1 in two regions unless every member accepts the region-loss risk", () => {
    const two = {
      "eu-west-1": member("eu-west-1", "10.10.0.0/16", ["eu-central-1"], 2),
      "eu-central-1": member("eu-central-1", "10.11.0.0/16", ["eu-west-1"], 1),
    };
    const r = checkReplicationGroups(group(two));
    assert.deepEqual(policies(r), [REPLICATION_POLICY.regionLoss]);
    assert.match(r.violations[0]!.message, /loses Keeper quorum when it loses region eu-west-1/);
    const reason = { acceptRegionLossRisk: "RPO of a day is fine; restore from backups" };
    const accepted = checkReplicationGroups(
      group({
        "eu-west-1": member("eu-west-1", "10.10.0.0/16", ["eu-central-1"], 2, reason),
        "eu-central-1": member("eu-central-1", "10.11.0.0/16", ["eu-west-1"], 1, reason),
      }),
    );
    assert.deepEqual(policies(accepted), []);
    assert.deepEqual(policies(accepted, "advisory"), [REPLICATION_POLICY.regionLoss]);
  });

  it("rejects a group that loses quorum with one AZ", () => {
    const r = checkReplicationGroups(
      group({
        "eu-west-1": member("eu-west-1", "10.10.0.0/16", ["eu-central-1"], 3, {
          acceptRegionLossRisk: "single-region Keeper for now",
        }),
        "eu-central-1": member("eu-central-1", "10.11.0.0/16", ["eu-west-1"], 0, {
          acceptRegionLossRisk: "single-region Keeper for now",
        }),
      }).map((s) => ({ config: { ...s.config, network: { ...s.config.network, availabilityZones: 2 as const } } })),
    );
    assert.ok(policies(r).includes(REPLICATION_POLICY.azLoss));
  });

  it("rejects a member in another jurisdiction (eu-west-1 with ap-south-1)", () => {
    // A stack is named for its region (lib/config/identity-rules.ts), so the foreign member is a stack
    // with its own name and an explicit jurisdiction; the peers list it instead of eu-north-1.
    const peers = (self: string) => ["eu-west-1", "eu-central-1", "in-witness"].filter((p) => p !== self);
    const g: Record<string, Cfg> = {
      "eu-west-1": member("eu-west-1", "10.10.0.0/16", peers("eu-west-1"), 2),
      "eu-central-1": member("eu-central-1", "10.11.0.0/16", peers("eu-central-1"), 2),
      "in-witness": {
        ...member("ap-south-1", "10.12.0.0/16", peers("in-witness"), 1, { witness: true }),
        "infrasage:jurisdiction": "IN",
      },
    };
    assert.ok(policies(checkReplicationGroups(group(g))).includes(REPLICATION_POLICY.jurisdiction));
  });

  it("rejects overlapping VPC CIDRs", () => {
    const g = good();
    g["eu-central-1"] = member("eu-central-1", "10.10.128.0/17", ["eu-west-1", "eu-north-1"], 2);
    assert.ok(policies(checkReplicationGroups(group(g))).includes(REPLICATION_POLICY.cidrOverlap));
  });

  it("rejects a peer outside the planned set (or another project), and members that disagree on the group", () => {
    const g = good();
    g["eu-west-1"] = member("eu-west-1", "10.10.0.0/16", ["eu-central-1", "eu-north-1", "eu-south-1"], 2);
    const r = checkReplicationGroups(group(g));
    assert.ok(policies(r).includes(REPLICATION_POLICY.peerOutsidePlan));
    assert.match(
      r.violations.find((v) => v.policy === REPLICATION_POLICY.peerOutsidePlan)!.message,
      /acme\/infrasage\/eu-south-1/,
    );
    assert.ok(
      policies(checkReplicationGroups(group(good()), { project: "other" })).includes(
        REPLICATION_POLICY.peerOutsidePlan,
      ),
    );
    const asym = good();
    asym["eu-north-1"] = member("eu-north-1", "10.12.0.0/16", ["eu-west-1"], 1, { witness: true });
    assert.ok(policies(checkReplicationGroups(group(asym))).includes(REPLICATION_POLICY.membership));
  });

  it("the program refuses to link across jurisdictions even before any check runs", async () => {
    const dir = mkdtempSync(join(tmpdir(), "infrasage-aa-"));
    writeStackFile("eu-west-1", member("eu-west-1", "10.10.0.0/16", ["ap-south-1"], 2), dir);
    writeStackFile("ap-south-1", member("ap-south-1", "10.20.0.0/16", ["eu-west-1"], 1), dir);
    const r = await planFiles(listStackFiles(dir));
    for (const s of r.stacks) {
      assert.equal(ofType(s, "aws:ec2/vpcPeeringConnection:VpcPeeringConnection").length, 0);
      assert.ok((output(s, "replicationPending") as string[]).some((p) => /^refused: .* jurisdiction/.test(p)));
    }
    assert.ok(policies(checkReplicationGroups(r.stacks)).includes(REPLICATION_POLICY.jurisdiction));
  });

  for (const [what, extra, pattern, key] of [
    [
      "a witness without voters",
      { witness: true, keeperVoters: 0 },
      "active-active",
      /replication\.keeperVoters: is 0 on a witness/,
    ],
    [
      "a risk acceptance without a reason",
      { acceptRegionLossRisk: "ok" },
      "active-active",
      /replication\.acceptRegionLossRisk/,
    ],
    [
      "a witness outside active-active",
      { witness: true },
      "independent",
      /infrasage:replication: is set but pattern is independent/,
    ],
  ] as const) {
    it(`exits 2 on ${what}`, async () => {
      const cfg = member("eu-west-1", "10.10.0.0/16", ["eu-central-1"], 1, extra);
      const path = writeStackFile("eu-west-1", { ...cfg, "infrasage:pattern": pattern });
      const run = await runCli(["--config-file", path]);
      assert.equal(run.code, 2, run.stdout);
      assert.match(run.stderr, key);
    });
  }
});
