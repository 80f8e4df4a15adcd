/**
 * A region deployed again after `pulumi destroy`: whatever the destroy leaves behind with a fixed
 * physical name (retainOnDelete) must not make the next `up` fail with "already exists". Planned for
 * every shipped stack and example group, after both ways of destroying a stack with a protected cluster.
 */
import { strict as assert } from "node:assert";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import type * as pulumi from "@pulumi/pulumi";
import { createMockCloud, fixedPhysicalName } from "../../offline/mock-cloud";
import { keptByExcludeProtected, leftoversAfterDestroy } from "../../offline/second-life";
import type { RecordedResource } from "../../offline/run-program";
import { hasMandatory, planSummary } from "../../offline/report";
import { planAll, type PlanResult } from "../../offline/plan";
import { ROOT, planDir, planFiles, runCli } from "../support/plan";
import { sharedAnalyzer } from "../support/analyzer";

const SHIPPED = readdirSync(ROOT)
  .filter((f) => /^Pulumi\..+\.yaml$/.test(f) && f !== "Pulumi.yaml")
  .map((f) => join(ROOT, f));
const EXAMPLES = readdirSync(join(ROOT, "examples"), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => join(ROOT, "examples", d.name));
const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";

const r = (type: string, name: string, more: Partial<RecordedResource> = {}): RecordedResource => ({
  urn: `urn:pulumi:s::p::${type}::${name}`,
  type,
  name,
  custom: true,
  inputs: {},
  rawInputs: {},
  wire: { inputs: {}, outputs: {} },
  propertyDependencies: {},
  dependencies: [],
  protect: false,
  retainOnDelete: false,
  ignoreChanges: [],
  aliases: [],
  deleteBeforeReplace: false,
  ...more,
});

// Here rather than with the bad-stack corpus: the up plan of each example is also its first life below (one plan per
// process).
describe("shipped examples", () => {
  for (const dir of EXAMPLES)
    it(`examples/${dir.split("/").pop()} plans together with no mandatory violation`, async () => {
      const result = await planDir(dir);
      assert.equal(hasMandatory(result), false, planSummary(result).slice(-3000));
    });
});

describe("second life: what pulumi destroy leaves behind", () => {
  const vpc = r("aws:ec2/vpc:Vpc", "vpc");
  const cluster = r("aws:eks/cluster:Cluster", "cluster", { protect: true, dependencies: [vpc.urn] });
  const logs = r(LOG_GROUP, "logs", { retainOnDelete: true, rawInputs: { name: "/aws/eks/c/cluster" } });
  const flowLogs = r(LOG_GROUP, "flow", { retainOnDelete: true }); // auto-named: cannot collide
  const sc = r("kubernetes:storage.k8s.io/v1:StorageClass", "sc", {
    retainOnDelete: true,
    rawInputs: { metadata: { name: "gp3-eu-west-1" } },
  });
  const scPatch = r("kubernetes:storage.k8s.io/v1:StorageClassPatch", "scp", {
    retainOnDelete: true,
    rawInputs: { metadata: { name: "gp3-x" } },
  });
  const all = [vpc, cluster, logs, flowLogs, sc, scPatch];

  it("destroy --exclude-protected keeps protected resources and what they depend on (getProtectedExcludes)", () =>
    assert.deepEqual([...keptByExcludeProtected(all)].sort(), [cluster.urn, vpc.urn].sort()));

  it("after a full destroy: retained AWS resources with a fixed name; Kubernetes objects went with their cluster", () =>
    assert.deepEqual(leftoversAfterDestroy(all, "all"), [{ type: LOG_GROUP, physicalName: "/aws/eks/c/cluster" }]));

  it("after destroy --exclude-protected: also retained objects in the cluster that stays; patches claim no name", () =>
    assert.deepEqual(leftoversAfterDestroy(all, "exclude-protected"), [
      { type: LOG_GROUP, physicalName: "/aws/eks/c/cluster" },
      { type: "kubernetes:storage.k8s.io/v1:StorageClass", physicalName: "gp3-eu-west-1" },
    ]));

  it("the mock cloud refuses to create what exists, as AWS and Kubernetes do, unless imported or patched", async () => {
    const existing = [
      { type: LOG_GROUP, physicalName: "/aws/eks/c/cluster" },
      { type: "kubernetes:storage.k8s.io/v1:StorageClass", physicalName: "gp3-x" },
    ];
    const cloud = createMockCloud({ region: "eu-west-1", existing });
    const create = (type: string, inputs: Record<string, unknown>, id?: string) =>
      Promise.resolve().then(() =>
        cloud.newResource({
          type,
          name: "n",
          inputs,
          custom: true,
          ...(id ? { id } : {}),
        } as pulumi.runtime.MockResourceArgs),
      );
    await assert.rejects(create(LOG_GROUP, { name: "/aws/eks/c/cluster" }), /ResourceAlreadyExistsException/);
    await assert.rejects(
      create("kubernetes:storage.k8s.io/v1:StorageClass", { metadata: { name: "gp3-x" } }),
      /already exists/,
    );
    await create(LOG_GROUP, { name: "/aws/eks/c/cluster" }, "/aws/eks/c/cluster");
    await create("kubernetes:storage.k8s.io/v1:StorageClassPatch", { metadata: { name: "gp3-x" } });
    await assert.rejects(create(LOG_GROUP, { name: "/aws/eks/d/cluster" }, "/aws/eks/d/cluster"), /does not exist/);
    assert.deepEqual(
      cloud.call({
        token: "aws:cloudwatch/getLogGroups:getLogGroups",
        inputs: { logGroupNamePrefix: "/aws/eks/c/" },
        provider: "",
      }),
      {
        logGroupNames: ["/aws/eks/c/cluster"],
        arns: ["arn:aws:logs:eu-west-1:123456789012:log-group:/aws/eks/c/cluster"],
        id: "eu-west-1",
      },
    );
    assert.equal(
      fixedPhysicalName("aws:route53/zone:Zone", { name: "a.internal" }),
      undefined,
      "Route 53 allows zones of one name",
    );
  });

  for (const mode of ["all", "exclude-protected"] as const) {
    for (const file of SHIPPED) {
      it(`${file.split("/").pop()}: up after destroy (${mode}) succeeds and adopts what was left`, async () => {
        const result = await planFiles([file], { afterDestroy: mode });
        assert.equal(hasMandatory(result), false, planSummary(result).slice(-2000));
        const [plan] = result.stacks;
        if (mode === "all") {
          assert.deepEqual(
            plan!.existing.map((o) => o.type),
            [LOG_GROUP],
            "the control-plane log group outlives the stack",
          );
          const logGroup = plan!.record.resources.find(
            (x) => x.type === LOG_GROUP && x.rawInputs.name === plan!.existing[0]!.physicalName,
          )!;
          assert.ok(logGroup.retainOnDelete);
          assert.equal(logGroup.importId, plan!.existing[0]!.physicalName, "adopted with import, not created again");
        }
      });
    }
    for (const dir of EXAMPLES) {
      it(`examples/${dir.split("/").pop()}: every member deployed again after destroy (${mode})`, async () => {
        const first = await planDir(dir);
        const result = await planFiles(
          first.stacks.map((s) => s.file),
          { afterDestroy: mode },
        );
        assert.equal(hasMandatory(result), false, planSummary(result).slice(-2000));
        assert.ok(result.stacks.every((s) => mode === "exclude-protected" || s.existing.length > 0));
      });
    }
  }

  it(
    "a first life taken from the shared up plan leaves what " +
      "running it again leaves (the tests' shortcut is faithful)",
    async () => {
      const file = SHIPPED.find((f) => f.endsWith("Pulumi.eu-west-1.yaml"))!;
      const analyzer = await sharedAnalyzer();
      const fresh = await planAll([file], { afterDestroy: "all", analyzer });
      const shared = await planFiles([file], { afterDestroy: "all" });
      const view = (result: PlanResult) =>
        result.stacks.map((s) => ({
          existing: s.existing,
          resources: s.record.resources.map((x) => [x.urn, x.importId]),
          violations: s.violations,
        }));
      assert.ok(fresh.stacks[0]!.existing.length > 0, "the destroy leaves something to adopt");
      assert.deepEqual(view(shared), view(fresh));
    },
  );

  it("the CLI plans it: --after-destroy all prints what was left behind", async () => {
    const run = await runCli(["--stack", "eu-west-1", "--after-destroy", "all"]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stdout,
      /Left behind by the destroy of an earlier life .*LogGroup \/aws\/eks\/infrasage-eu-west-1\/cluster/,
    );
    const bad = await runCli(["--stack", "eu-west-1", "--after-destroy", "some"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--after-destroy takes all or exclude-protected/);
  });
});
