/**
 * Journeys: resizing, adding and removing node groups, changing instance types the documented safe way
 * (docs/operations.md "Resizing and changing node groups"), and switching autoscaling none -> karpenter ->
 * cluster-autoscaler (docs/operations.md "Switching autoscaling"). Each step is planned against the previous one.
 */
import { strict as assert } from "node:assert";
import { Journey, changedPaths, changes, guardVerdict, mandatory, docSection } from "./journey";

const S = "eu-west-1";
const GROUPS = "infrasage:nodeGroups";

describe("journey: resizing, adding and removing node groups", function () {
  this.timeout(300000);
  const j = new Journey(undefined, [S]);
  after(() => j.close());
  const section = docSection("Resizing and changing node groups");

  it("resizing the default group is an in-place update of scalingConfig only", async () => {
    await j.deploy();
    const resize = { default: { maxSize: 8 } };
    assert.ok(section.includes("infrasage:nodeGroups: { default: { maxSize: 8 } }"), "the section quotes the step");
    j.set(S, GROUPS, resize);
    const step = await j.deploy();
    assert.equal(step.exit, 0, mandatory(step).join("\n"));
    assert.deepEqual(changes(step, S), { update: ["NodeGroup cluster-nodes"] });
    assert.deepEqual(changedPaths(step, S, "cluster-nodes"), ["scalingConfig.maxSize"]);
    assert.deepEqual(guardVerdict(step, S).mandatory, []);
  });

  it("with the Cluster Autoscaler (the medium profile) a desiredSize is the autoscaler's: no change", async () => {
    j.set(S, GROUPS, { default: { maxSize: 8, desiredSize: 4 } });
    const step = await j.plan();
    assert.deepEqual(changes(step, S), {});
    assert.match(section, /desiredSize.*autoscaler's/s);
    j.set(S, GROUPS, { default: { maxSize: 8 } });
  });

  it("adding a group creates its launch template and node group, nothing else", async () => {
    const batch = { instanceTypes: ["c6i.xlarge"], minSize: 0, desiredSize: 0, maxSize: 4 };
    j.set(S, GROUPS, { default: { maxSize: 8 }, batch });
    const step = await j.deploy();
    assert.equal(step.exit, 0);
    assert.deepEqual(changes(step, S), {
      create: ["LaunchTemplate cluster-nodes-batch-lt", "NodeGroup cluster-nodes-batch"],
    });
  });

  it("changing a group's instance types in place replaces it: the guard refuses it (exit 1)", async () => {
    j.set(S, GROUPS, { default: { maxSize: 8, instanceTypes: ["m6i.2xlarge"] }, batch: j.get(S, GROUPS, ["batch"]) });
    const step = await j.plan();
    assert.equal(step.exit, 1);
    assert.deepEqual(changes(step, S), { replace: ["NodeGroup cluster-nodes"] });
    const [finding] = guardVerdict(step, S).mandatory;
    assert.match(
      finding!,
      new RegExp(
        /NodeGroup cluster-nodes \(eu-west-1\) would be replaced.*instanceTypes.*add a /.source +
          /second node group with the new settings, move the workloads, then remove the old one/.source,
      ),
    );
  });

  it("the safe way: add a group with the new types, then remove the old one declared in allowReplace", async () => {
    const batch = j.get(S, GROUPS, ["batch"]);
    const general = { instanceTypes: ["m6i.2xlarge"], minSize: 3, maxSize: 8 };
    j.set(S, GROUPS, { default: { maxSize: 8 }, general, batch });
    let step = await j.deploy();
    assert.equal(step.exit, 0);
    assert.deepEqual(changes(step, S), {
      create: ["LaunchTemplate cluster-nodes-general-lt", "NodeGroup cluster-nodes-general"],
    });

    // Removing the old group without declaring it: a mandatory guard finding.
    j.set(S, GROUPS, { general, batch });
    step = await j.plan();
    assert.equal(step.exit, 1);
    assert.deepEqual(changes(step, S), { delete: ["LaunchTemplate cluster-nodes-lt", "NodeGroup cluster-nodes"] });
    assert.equal(guardVerdict(step, S).mandatory.length, 1);

    const allow = [{ resource: "cluster-nodes", reason: "workloads moved to the general group" }];
    assert.ok(section.includes("resource: cluster-nodes"), "the section shows the allowReplace entry");
    j.set(S, "infrasage:allowReplace", allow);
    step = await j.deploy();
    assert.equal(step.exit, 0, mandatory(step).join("\n"));
    assert.deepEqual(changes(step, S), { delete: ["LaunchTemplate cluster-nodes-lt", "NodeGroup cluster-nodes"] });
    assert.deepEqual(guardVerdict(step, S).advisory, [
      "NodeGroup cluster-nodes (eu-west-1) would be deleted, allowed " +
        "by infrasage:allowReplace: workloads moved to the general group",
    ]);

    // Once deployed the entry matches nothing: advisory until removed, then nothing to say.
    step = await j.plan();
    assert.match(guardVerdict(step, S).advisory.join(), /matches no guarded resource/);
    j.set(S, "infrasage:allowReplace", undefined);
    step = await j.deploy();
    assert.deepEqual(changes(step, S), {});
    assert.deepEqual(guardVerdict(step, S), { mandatory: [], advisory: [] });
  });

  it("removing a group that holds nothing else is a guarded delete too", async () => {
    j.set(S, GROUPS, { general: j.get(S, GROUPS, ["general"]) });
    const step = await j.plan();
    assert.deepEqual(changes(step, S), {
      delete: ["LaunchTemplate cluster-nodes-batch-lt", "NodeGroup cluster-nodes-batch"],
    });
    assert.equal(step.exit, 1);
  });
});

describe("journey: switching autoscaling none -> karpenter -> cluster-autoscaler", function () {
  this.timeout(300000);
  const j = new Journey(undefined, [S]);
  after(() => j.close());
  const section = docSection("Switching autoscaling");
  const karpenter = [
    "AccessEntry karpenter-node-entry",
    "Addon karpenter-pod-identity-agent",
    "EC2NodeClass karpenter-nodeclass",
    "EventRule karpenter-health",
    "EventRule karpenter-rebalance",
    "EventRule karpenter-spot",
    "EventRule karpenter-state",
    "EventTarget karpenter-health",
    "EventTarget karpenter-rebalance",
    "EventTarget karpenter-spot",
    "EventTarget karpenter-state",
    "NodePool karpenter-nodepool",
    "PodIdentityAssociation karpenter-controller",
    "Queue karpenter-interruption",
    "QueuePolicy karpenter-interruption",
    "Release karpenter-release",
    "Role karpenter-controller-role",
    "Role karpenter-node-role",
    "RolePolicyAttachment karpenter-node-amazonec2containerregistryreadonly",
    "RolePolicyAttachment karpenter-node-amazoneksworkernodepolicy",
    "Tag karpenter-sg-discovery",
  ];
  const subnets = ["Subnet network-private-a", "Subnet network-private-b", "Subnet network-private-c"];

  it("none: the Cluster Autoscaler's release and role are deleted, not guarded (they hold no data)", async () => {
    await j.deploy();
    j.set(S, "infrasage:autoscaling", "none");
    const step = await j.deploy();
    assert.equal(step.exit, 0, mandatory(step).join("\n"));
    assert.deepEqual(changes(step, S), {
      delete: ["Release cluster-autoscaler-release", "Role cluster-autoscaler-role"],
    });
  });

  it("with autoscaling none, resizing is an in-place update of scalingConfig.desiredSize only", async () => {
    j.set(S, GROUPS, { default: { desiredSize: 4 } });
    const step = await j.deploy();
    assert.equal(step.exit, 0, mandatory(step).join("\n"));
    assert.deepEqual(changes(step, S), { update: ["NodeGroup cluster-nodes"] });
    assert.deepEqual(changedPaths(step, S, "cluster-nodes"), ["scalingConfig.desiredSize"]);
    assert.match(
      section,
      new RegExp(
        /autoscaling: none`[^;]*keep their\s+`desiredSize`, and writing /.source +
          /one is an in-place update of `scalingConfig\.desiredSize`/.source,
      ),
    );
  });

  it(
    "karpenter: its controller, queue, rules and node pool are " +
      "created; the private subnets get the discovery tag in place",
    async () => {
      j.set(S, "infrasage:autoscaling", "karpenter");
      const step = await j.deploy();
      assert.equal(step.exit, 0, mandatory(step).join("\n"));
      assert.deepEqual(changes(step, S), { update: subnets, create: karpenter });
      for (const s of subnets)
        assert.deepEqual(changedPaths(step, S, s.split(" ")[1]!), ["tags.karpenter.sh/discovery"]);
    },
  );

  it("cluster-autoscaler: Karpenter's resources are deleted and the autoscaler created, nothing replaced", async () => {
    j.set(S, "infrasage:autoscaling", "cluster-autoscaler");
    const step = await j.deploy();
    assert.equal(step.exit, 0, mandatory(step).join("\n"));
    assert.deepEqual(changes(step, S), {
      update: subnets,
      create: ["Release cluster-autoscaler-release", "Role cluster-autoscaler-role"],
      delete: karpenter,
    });
    for (const v of ["none", "karpenter", "cluster-autoscaler"])
      assert.ok(section.includes(`infrasage:autoscaling: ${v}`), `the section names ${v}`);
  });
});
