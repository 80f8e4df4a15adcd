/**
 * The first `pulumi preview` of stacks that do not exist yet (--preview): values providers compute
 * are unknown, as the engine sends them; policies that need them are advisory ("can't run ... during
 * preview") and enforced at up. Every shipped stack and every example group, in both views.
 */
import { strict as assert } from "node:assert";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { hasMandatory, planJson, planSummary } from "../../offline/report";
import { SECRET, UNKNOWN } from "../../offline/run-program";
import type { PlanResult } from "../../offline/plan";
import { ROOT, planDir, planShipped, runCli } from "../support/plan";

const SHIPPED = readdirSync(ROOT)
  .filter((f) => /^Pulumi\..+\.yaml$/.test(f) && f !== "Pulumi.yaml")
  .map((f) => f.slice(7, -5));
const EXAMPLES = readdirSync(join(ROOT, "examples"), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => join(ROOT, "examples", d.name));
const RELEASE = "kubernetes:helm.sh/v3:Release";

/** Every Helm Release's values, as a reviewer sees them in the plan (and in pulumi preview --diff). */
function releaseValues(result: PlanResult): string[] {
  return result.stacks.flatMap((s) =>
    s.record.resources.filter((r) => r.type === RELEASE).map((r) => JSON.stringify(r.inputs.values)),
  );
}

describe("first-preview view (--preview)", () => {
  for (const stack of SHIPPED) {
    it(`${stack}: exits 0, no mandatory violation, computed values known after apply, deferrals advisory`, async () => {
      const run = await runCli(["--stack", stack, "--preview"]);
      assert.equal(run.code, 0, run.stdout.slice(-3000) + run.stderr);
      assert.match(run.stdout, /first pulumi preview/);
      assert.match(run.stdout, /vpcId\s+\(known after apply\)/);
      assert.doesNotMatch(run.stdout, /\b(vpc|subnet|sg|rtb)-[0-9a-f]{17}\b/, "no mock ids at preview");
      const plan = await planShipped(stack, { preview: true });
      assert.equal(plan.record.preview, true);
      assert.equal(plan.violations.filter((v) => v.level === "mandatory").length, 0, JSON.stringify(plan.violations));
      // The Secrets' generated values are unknown at preview: those policies run at up instead.
      assert.ok(
        plan.violations.some((v) => v.level === "advisory" && /^can't run policy .* during preview/.test(v.message)),
      );
      const vpc = plan.record.resources.find((r) => r.type === "aws:ec2/vpc:Vpc")!;
      assert.equal(vpc.wire.outputs.id, undefined);
      assert.equal(vpc.wire.outputs.arn, undefined);
      assert.equal(plan.record.outputs.vpcId!.known, false);
    });

    it(`${stack}: the up view of the same stack knows every value and has no advisory left`, async () => {
      const plan = await planShipped(stack);
      assert.equal(plan.record.preview, false);
      assert.deepEqual(plan.violations, []);
      assert.ok(Object.values(plan.record.outputs).every((o) => o.known));
    });
  }

  for (const dir of EXAMPLES) {
    const name = dir.split("/").pop()!;
    for (const preview of [true, false]) {
      it(
        `examples/${name} ${preview ? "--preview" : "up view"}: no ` +
          `mandatory violation, no Release values hidden as secret`,
        async () => {
          const result = await planDir(dir, { preview });
          assert.equal(hasMandatory(result), false, planSummary(result).slice(-4000));
          assert.equal(result.view, preview ? "preview" : "up");
          for (const values of releaseValues(result))
            assert.ok(!values.includes(SECRET), `a Release's values are (partly) secret: ${values.slice(0, 300)}`);
          assert.ok(releaseValues(result).length > 0);
        },
      );
    }
  }

  it("pattern 3: ClickHouse replication values are readable; the interserver password stays in a Secret", async () => {
    const result = await planDir(join(ROOT, "examples", "active-active"));
    const member = result.stacks.find((s) => s.stack === "eu-west-1")!;
    const release = member.record.resources.find((r) => r.type === RELEASE && r.rawInputs.name === "infrasage")!;
    const values = release.inputs.values as { aiopsEngine: { env: Record<string, string> } };
    assert.equal(values.aiopsEngine.env.CLICKHOUSE_CLUSTER, "infrasage_cluster");
    assert.match(JSON.stringify(values), /remote_servers/);
    const secret = member.record.resources.find(
      (r) => r.type === "kubernetes:core/v1:Secret" && r.name.endsWith("-interserver"),
    )!;
    const password = Object.values(secret.rawInputs.stringData as Record<string, string>)[0]!;
    assert.ok(password.length >= 32);
    assert.ok(JSON.stringify(secret.inputs.stringData).includes(SECRET));
    assert.ok(
      !JSON.stringify(member.record.resources.map((r) => r.inputs)).includes(password),
      "the password appears nowhere unmasked",
    );
  });

  it("--all --preview: every stack of a group is new; --deployed marks existing ones (outputs resolve)", async () => {
    const hubSpoke = join(ROOT, "examples", "hub-spoke");
    const fresh = await planDir(hubSpoke, { preview: true });
    const spoke = (r: PlanResult) => r.stacks.find((s) => s.stack === "ap-south-1")!;
    assert.ok(fresh.stacks.every((s) => s.view === "preview" && !s.deployedBefore));
    assert.match(JSON.stringify(spoke(fresh).record.outputs.pending!.value), /has no 'federation' output|not deployed/);
    assert.ok(
      !spoke(fresh).record.resources.some((r) => r.type === "aws:ec2/vpcPeeringConnection:VpcPeeringConnection"),
    );
    const hubDeployed = await planDir(hubSpoke, { preview: true, deployed: ["eu-west-1"] });
    assert.equal(hubDeployed.stacks.find((s) => s.stack === "eu-west-1")!.view, "up");
    assert.equal(spoke(hubDeployed).view, "preview");
    assert.ok(
      spoke(hubDeployed).record.resources.some((r) => r.type === "aws:ec2/vpcPeeringConnection:VpcPeeringConnection"),
      "the spoke previews its link to the deployed hub",
    );
    assert.equal(hasMandatory(hubDeployed), false, planSummary(hubDeployed).slice(-3000));
  });

  it("prints unknown outputs as (known after apply) in text and JSON, secrets as [secret]", async () => {
    const result = await planDir(join(ROOT, "examples", "shared-grafana"), { preview: true });
    const doc = planJson(result);
    const outputs = doc.stacks[0]!.outputs as Record<string, unknown>;
    assert.equal(outputs.vpcId, UNKNOWN);
    assert.equal(outputs.kubeconfig, SECRET);
    assert.match(planSummary(result), /network\s+\(known after apply\)/);
  });

  it("refuses --deployed naming a stack that is not planned", async () => {
    const run = await runCli([
      "--all",
      "--dir",
      join(ROOT, "examples", "hub-spoke"),
      "--preview",
      "--deployed",
      "eu-central-1",
    ]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--deployed eu-central-1: no such stack in the plan \(stacks: ap-south-1, eu-west-1\)/);
  });
});
