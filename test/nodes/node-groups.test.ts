/** `nodeGroups`: defaults, what EKS would reject, and what the program wires (one launch template per group). */
import assert from "node:assert/strict";
import { parseStackConfig } from "../../lib/config/parse";
import type { ConfigProblem } from "../../lib/rules/problems";
import {
  instanceArchitecture,
  nodeGroupProblems,
  profileNodeGroup,
  type NodeGroupConfig,
} from "../../lib/nodes/node-groups";
import { SCALE_PROFILES } from "../../lib/profiles/profiles";
import { nodeLaunchSettings } from "../../lib/cluster/cluster-plan";
import { planFile, writeStackFile, ofType } from "../support/plan";
import { estimateCost } from "../../lib/cost/cost";

const raw = (extra: Record<string, unknown>): Record<string, string> =>
  Object.fromEntries(
    Object.entries({
      "aws:region": "eu-west-1",
      "infrasage:tenantId": "acme-eu",
      "infrasage:network": { cidr: "10.10.0.0/16" },
      ...extra,
    }).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
  );

function problems(nodeGroups: unknown): ConfigProblem[] {
  const r = parseStackConfig(raw({ "infrasage:nodeGroups": nodeGroups }), "eu-west-1");
  assert.equal(r.ok, false, "expected the config to be rejected");
  return r.ok ? [] : r.problems;
}
const keyed = (list: ConfigProblem[], key: string) => {
  const p = list.find((x) => x.key === key);
  assert.ok(p, `expected a problem for ${key}, got: ${list.map((x) => `${x.key}: ${x.message}`).join("; ")}`);
  return p;
};
const group = (over: Partial<NodeGroupConfig>): NodeGroupConfig => ({
  ...profileNodeGroup(SCALE_PROFILES.medium),
  fromProfile: false,
  ...over,
});

describe("node groups: config", () => {
  it("fills one `default` group from the profile when nodeGroups is absent", () => {
    const r = parseStackConfig(raw({}), "eu-west-1");
    assert.ok(r.ok);
    assert.deepEqual(
      r.config.nodeGroups.map((g) => [
        g.name,
        g.fromProfile,
        g.instanceTypes.join(),
        g.minSize,
        g.desiredSize,
        g.maxSize,
      ]),
      [["default", true, "m6i.xlarge", 3, 3, 6]],
    );
  });

  it("takes several groups, each defaulting what it leaves out from the profile", () => {
    const r = parseStackConfig(
      raw({
        "infrasage:nodeGroups": {
          system: {},
          "spot-arm": {
            instanceTypes: ["m7g.xlarge", "m6g.xlarge"],
            capacityType: "SPOT",
            amiType: "BOTTLEROCKET_ARM_64",
            minSize: 0,
            maxSize: 10,
            labels: { "infrasage.io/pool": "spot" },
            taints: [{ key: "infrasage.io/spot", value: "true", effect: "NoSchedule" }],
          },
        },
      }),
      "eu-west-1",
    );
    assert.ok(r.ok, JSON.stringify(!r.ok && r.problems));
    const [system, spot] = r.config.nodeGroups;
    assert.equal(system!.fromProfile, false);
    assert.deepEqual(system!.instanceTypes, ["m6i.xlarge"]);
    assert.equal(system!.amiType, "AL2023_x86_64_STANDARD");
    assert.deepEqual([spot!.minSize, spot!.desiredSize, spot!.maxSize], [0, 3, 10]);
    assert.equal(spot!.capacityType, "SPOT");
  });

  it("rejects instance types of the other architecture, naming the key and both fixes", () => {
    const p = keyed(
      problems({ arm: { instanceTypes: ["m6i.large"], amiType: "AL2023_ARM_64_STANDARD" } }),
      "infrasage:nodeGroups.arm.instanceTypes",
    );
    assert.match(p.message, /m6i\.large is x86_64, but amiType AL2023_ARM_64_STANDARD boots arm64/);
    assert.match(p.fix, /arm64 types .*or set amiType to AL2023_x86_64_STANDARD/);
    const mixed = keyed(
      problems({ x: { instanceTypes: ["m6i.large", "m7g.large"] } }),
      "infrasage:nodeGroups.x.instanceTypes",
    );
    assert.match(mixed.fix, /one architecture per group/);
  });

  it("rejects a SPOT group with a single instance type and says why", () => {
    const p = keyed(
      problems({ spot: { instanceTypes: ["m6i.large"], capacityType: "SPOT" } }),
      "infrasage:nodeGroups.spot.instanceTypes",
    );
    assert.match(p.message, /reclaims that one spot pool/);
    assert.match(p.fix, /at least 2 types/);
  });

  it("rejects sizes out of order, every group tainted, bad names, bad enums and unknown fields", () => {
    keyed(problems({ a: { minSize: 5, maxSize: 3 } }), "infrasage:nodeGroups.a");
    keyed(problems({ a: { taints: [{ key: "dedicated", effect: "NoSchedule" }] } }), "infrasage:nodeGroups");
    keyed(problems({ Big_Group: {} }), "infrasage:nodeGroups.Big_Group");
    keyed(problems({}), "infrasage:nodeGroups");
    const enum_ = keyed(problems({ a: { amiType: "AL2_x86_64" } }), "infrasage:nodeGroups.a.amiType");
    assert.match(enum_.fix, /AL2023_x86_64_STANDARD/);
    keyed(problems({ a: { capacity: "SPOT" } }), "infrasage:nodeGroups.a.capacity");
    keyed(problems({ a: { maxSize: 451 } }), "infrasage:nodeGroups.a.maxSize");
    keyed(problems({ a: { diskSize: 8 } }), "infrasage:nodeGroups.a.diskSize");
    keyed(problems({ a: { taints: [{ key: "x", effect: "NO_SCHEDULE" }] } }), "infrasage:nodeGroups.a.taints.0.effect");
  });

  it("accepts a tainted group next to an untainted one (system pods have somewhere to run)", () => {
    assert.deepEqual(
      nodeGroupProblems([group({ name: "a" }), group({ name: "b", taints: [{ key: "k", effect: "NoExecute" }] })]),
      [],
    );
  });
});

describe("node groups: architecture and launch settings", () => {
  it("tells Graviton families from x86 ones", () => {
    for (const t of [
      "m6g.large",
      "c7gn.xlarge",
      "r8gd.2xlarge",
      "t4g.small",
      "x2gd.medium",
      "im4gn.large",
      "is4gen.large",
      "a1.large",
      "g5g.xlarge",
    ])
      assert.equal(instanceArchitecture(t), "arm64", t);
    for (const t of [
      "m6i.large",
      "m6a.large",
      "c5n.large",
      "g4dn.xlarge",
      "p4d.24xlarge",
      "t3.small",
      "inf2.xlarge",
      "u-6tb1.metal",
    ])
      assert.equal(instanceArchitecture(t), "x86_64", t);
  });

  it("maps Bottlerocket's OS and data volumes, both encrypted; AL2023 one root volume", () => {
    assert.deepEqual(
      nodeLaunchSettings(80, "BOTTLEROCKET_x86_64").blockDeviceMappings.map((m) => [
        m.deviceName,
        m.ebs.volumeSize,
        m.ebs.encrypted,
      ]),
      [
        ["/dev/xvda", 4, "true"],
        ["/dev/xvdb", 80, "true"],
      ],
    );
    assert.deepEqual(
      nodeLaunchSettings(50).blockDeviceMappings.map((m) => [m.deviceName, m.ebs.volumeSize]),
      [["/dev/xvda", 50]],
    );
    assert.equal(nodeLaunchSettings(50, "BOTTLEROCKET_ARM_64").metadataOptions.httpPutResponseHopLimit, 1);
  });
});

describe("node groups: the planned stack", function () {
  this.timeout(120000);

  it("keeps the default group's name and inputs (no amiType/capacityType, which would replace it)", async () => {
    const plan = await planFile(
      writeStackFile("eu-west-1", {
        "aws:region": "eu-west-1",
        "infrasage:tenantId": "acme-eu",
        "infrasage:network": { cidr: "10.10.0.0/16" },
      }),
    );
    const [ng] = ofType(plan, "aws:eks/nodeGroup:NodeGroup");
    assert.equal(ng!.name, "cluster-nodes");
    // The URN stacks deployed before nodeGroups existed have: no replacement, no alias needed. Their
    // inputs plus `version` (the control plane's, which EKS already reports for the group: no update).
    assert.equal(
      ng!.urn,
      "urn:pulumi:eu-west-1::infrasage::infrasage:cluster:EksCluster$aws:eks/nodeGroup:NodeGroup::cluster-nodes",
    );
    assert.deepEqual(Object.keys(ng!.rawInputs).sort(), [
      "clusterName",
      "instanceTypes",
      "launchTemplate",
      "nodeRoleArn",
      "scalingConfig",
      "subnetIds",
      "tags",
      "updateConfig",
      "version",
    ]);
    assert.equal(ng!.rawInputs.amiType, undefined);
    assert.equal(ng!.rawInputs.capacityType, undefined);
    assert.deepEqual(
      ofType(plan, "aws:ec2/launchTemplate:LaunchTemplate").map((r) => r.name),
      ["cluster-nodes-lt"],
    );
  });

  it("wires one hardened launch template and node group per group: labels, taints, AMI, capacity type", async () => {
    const plan = await planFile(
      writeStackFile("eu-west-1", {
        "aws:region": "eu-west-1",
        "infrasage:tenantId": "acme-eu",
        "infrasage:network": { cidr: "10.10.0.0/16" },
        "infrasage:nodeGroups": {
          default: { instanceTypes: ["m6i.xlarge"] },
          spot: {
            instanceTypes: ["m7g.xlarge", "m6g.xlarge"],
            capacityType: "SPOT",
            amiType: "BOTTLEROCKET_ARM_64",
            diskSize: 60,
            labels: { "infrasage.io/pool": "spot" },
            taints: [{ key: "infrasage.io/spot", effect: "NoSchedule" }],
          },
        },
      }),
    );
    assert.deepEqual(
      plan.violations.filter((v) => v.level === "mandatory"),
      [],
    );
    const groups = ofType(plan, "aws:eks/nodeGroup:NodeGroup");
    assert.deepEqual(groups.map((g) => g.name).sort(), ["cluster-nodes", "cluster-nodes-spot"]);
    const spot = groups.find((g) => g.name === "cluster-nodes-spot")!;
    assert.equal(spot.rawInputs.amiType, "BOTTLEROCKET_ARM_64");
    assert.equal(spot.rawInputs.capacityType, "SPOT");
    assert.deepEqual(spot.rawInputs.labels, { "infrasage.io/pool": "spot" });
    assert.deepEqual(spot.rawInputs.taints, [{ key: "infrasage.io/spot", effect: "NO_SCHEDULE" }]);
    const lt = ofType(plan, "aws:ec2/launchTemplate:LaunchTemplate").find((r) => r.name === "cluster-nodes-spot-lt")!;
    assert.deepEqual((lt.rawInputs.metadataOptions as { httpPutResponseHopLimit: number }).httpPutResponseHopLimit, 1);
    assert.equal((lt.rawInputs.blockDeviceMappings as unknown[]).length, 2);
    // Add-ons that need nodes wait for every group.
    const coredns = ofType(plan, "aws:eks/addon:Addon").find((a) => a.rawInputs.addonName === "coredns")!;
    for (const g of groups) assert.ok(coredns.dependencies.includes(g.urn), `coredns waits for ${g.name}`);
    // Cost counts each group with its own volumes.
    const cost = estimateCost(plan.config, plan.record.resources);
    const volumes = cost.items
      .filter((i) => i.item === "EBS gp3 node volumes")
      .map((i) => i.quantity)
      .sort((a, b) => a - b);
    assert.deepEqual(volumes, [3 * 50, 3 * (4 + 60)]);
  });
});
