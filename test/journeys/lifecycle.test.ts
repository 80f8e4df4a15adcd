/**
 * Journeys over a stack's life: upgrading Kubernetes one minor at a time, twice (docs/operations.md
 * "Upgrading Kubernetes"); destroying and deploying again (docs/deploying.md "Deploying for real"); moving linked
 * stacks to per-jurisdiction backends (docs/operations.md "Moving to per-jurisdiction backends").
 */
import { strict as assert } from "node:assert";
import { join } from "node:path";
import { Journey, changedPaths, changes, mandatory, docSection, stackOf } from "./journey";
import { ROOT } from "../support/plan";

const S = "eu-west-1";

describe("journey: upgrading Kubernetes one minor, twice", function () {
  this.timeout(300000);
  const j = new Journey(undefined, [S]);
  after(() => j.close());
  const section = docSection("Upgrading Kubernetes");

  it("1.34 -> 1.35 -> 1.36: control plane, nodes, add-ons in place; downgrade exits 2 naming the key", async () => {
    assert.match(section, /Raise `cluster\.version` by one minor/);
    assert.match(section, /--previous last\.json/);
    j.set(S, "infrasage:cluster", { version: "1.34" });
    await j.deploy();
    j.set(S, "infrasage:cluster", { version: "1.35" });
    let step = await j.deploy();
    assert.equal(step.exit, 0, mandatory(step).join("\n"));
    assert.deepEqual(changes(step, S), {
      update: [
        "Addon cluster-coredns",
        "Addon cluster-kube-proxy",
        "Cluster cluster-cluster",
        "NodeGroup cluster-nodes",
        "Release cluster-autoscaler-release",
      ],
    });
    assert.deepEqual(changedPaths(step, S, "cluster-cluster"), ["version"]);
    assert.deepEqual(changedPaths(step, S, "cluster-nodes"), ["version"]);
    assert.equal(stackOf(step, S).record.outputs.clusterVersion!.value, "1.35");

    j.set(S, "infrasage:cluster", { version: "1.36" });
    step = await j.deploy();
    assert.equal(step.exit, 0);
    assert.deepEqual(changes(step, S).replace, undefined);
    assert.ok(changes(step, S).update!.includes("Cluster cluster-cluster"));

    // The running cluster (the previous deployment's clusterVersion) is 1.36 now.
    j.set(S, "infrasage:cluster", { version: "1.35" });
    assert.match(await j.refused(), /infrasage:cluster\.version: is 1\.35 but the cluster runs 1\.36/);
  });
});

describe("journey: destroy and deploy again", function () {
  this.timeout(300000);
  const j = new Journey(undefined, [S]);
  after(() => j.close());

  it("the next up after pulumi destroy creates everything and adopts the kept control-plane log group", async () => {
    const section = docSection("Deploying for real");
    assert.match(section, /--after-destroy all/);
    await j.deploy();
    j.destroyed();
    const step = await j.plan({ afterDestroy: "all" });
    assert.equal(step.exit, 0, mandatory(step).join("\n"));
    const plan = stackOf(step, S);
    assert.ok(
      plan.existing.some((e) => e.physicalName === "/aws/eks/infrasage-eu-west-1/cluster"),
      "the log group outlived the destroy",
    );
    const logs = plan.record.resources.find((r) => r.name === "cluster-logs")!;
    assert.equal(logs.importId, "/aws/eks/infrasage-eu-west-1/cluster", "imported, not created again");
    // With the protected cluster kept, the next up passes too (storage classes are upserted as patches).
    assert.equal((await j.plan({ afterDestroy: "exclude-protected" })).exit, 0);
  });
});

describe("journey: moving linked stacks to per-jurisdiction backends", function () {
  this.timeout(300000);
  const j = new Journey(join(ROOT, "examples", "hub-spoke"));
  after(() => j.close());
  const stacks = ["eu-west-1", "ap-south-1"];

  it(
    "first the links move to published contracts, then the " +
      "state: no resource replaced, the preflight says the order",
    async () => {
      const section = docSection("Moving to per-jurisdiction backends");
      await j.deploy();
      // The backend alone: the preflight refuses the StackReferences that would cross backends.
      for (const s of stacks) j.set(s, "infrasage:stateBackend", "per-jurisdiction");
      let step = await j.plan();
      const refs = step.result.preflight.filter((f) => f.kind === "stack-reference");
      const crossing = refs.filter((f) => /set infrasage:links\.via: ssm on both stacks/.test(f.fix));
      assert.deepEqual(crossing.map((f) => f.key).sort(), [
        "infrasage:federation.hubStack",
        "infrasage:federation.spokes[0]",
      ]);
      // A self-managed backend also refuses the organization acme in those references.
      assert.ok(
        refs.filter((f) => !crossing.includes(f)).every((f) => /organization/.test(f.message)),
        JSON.stringify(refs),
      );

      // Step 1 (one PR, still in the shared backend): links through SSM parameters.
      for (const s of stacks) j.set(s, "infrasage:stateBackend", undefined);
      for (const s of stacks) j.set(s, "infrasage:links", { via: "ssm" });
      step = await j.deploy();
      assert.equal(step.exit, 0, mandatory(step).join("\n"));
      assert.deepEqual(changes(step, "ap-south-1"), { create: ["Parameter link-contract-network"] });
      assert.deepEqual(changes(step, "eu-west-1"), {
        create: [
          "Parameter link-contract-federation",
          "Parameter link-contract-network",
          "Secret federation-hub-credential-ap-south-1-secret",
          "SecretVersion federation-hub-credential-ap-south-1-secret-value",
        ],
      });

      // Step 2: the state moves (outside the program), then the files say so: nothing changes.
      for (const s of stacks) j.set(s, "infrasage:stateBackend", "per-jurisdiction");
      step = await j.deploy();
      assert.equal(step.exit, 0);
      for (const s of stacks) assert.deepEqual(changes(step, s), {});
      assert.deepEqual(
        step.result.preflight.filter((f) => f.kind === "stack-reference"),
        [],
      );
      for (const cmd of [
        "infrasage:links",
        "pulumi stack change-secrets-provider",
        "pulumi stack export",
        "pulumi login s3://",
        "pulumi stack import",
        "infrasage:stateBackend: per-jurisdiction",
      ]) {
        assert.ok(section.includes(cmd), `the section says ${cmd}`);
      }
    },
  );
});
