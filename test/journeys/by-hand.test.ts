/**
 * Journey: a stack deployed by hand passes --strict once its placeholders are replaced
 * (docs/deploying.md "Deploying for real").
 */
import { strict as assert } from "node:assert";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Journey, mandatory, docSection } from "./journey";
import { listStacks } from "../../scripts/list-stacks";

const S = "eu-west-1";
const findings = (step: Awaited<ReturnType<Journey["plan"]>>) =>
  step.result.preflight.filter((f) => f.kind !== "chart").map((f) => `${f.kind} ${f.key}`);

describe("journey: deploying by hand with --strict", function () {
  this.timeout(300000);
  const j = new Journey(undefined, [S]);
  after(() => j.close());
  const section = docSection("Deploying for real");

  it("the shipped file's placeholders are preflight findings naming each key", async () => {
    const step = await j.plan();
    // The bootstrap's outputs too (deploy.previewRoleArn, deploy.permissionsBoundaryArn) hold the example account until
    // replaced.
    assert.deepEqual(findings(step).sort(), [
      "placeholder infrasage:deploy.connectionArn",
      "placeholder infrasage:deploy.permissionsBoundaryArn",
      "placeholder infrasage:deploy.previewRoleArn",
      "placeholder infrasage:deploy.repository",
    ]);
  });

  it("without CI keys the default runner is a finding; runner operator with the operator's ranges passes", async () => {
    j.set(S, "infrasage:deploy", { runner: "codebuild" });
    let step = await j.plan();
    assert.deepEqual(findings(step).sort(), [
      "deploy-path infrasage:deploy.connectionArn",
      "deploy-path infrasage:deploy.repository",
    ]);

    j.set(S, "infrasage:deploy", { runner: "operator" });
    step = await j.plan();
    assert.deepEqual(findings(step), ["deploy-path infrasage:deploy.runnerCidrs"]);

    const hand = { runner: "operator", runnerCidrs: ["10.10.200.0/24"] };
    assert.ok(
      section.includes("infrasage:deploy: { runner: operator,\nrunnerCidrs: [10.10.200.0/24] }"),
      "the section quotes the setting",
    );
    j.set(S, "infrasage:deploy", hand);
    step = await j.plan();
    // A chart in place (the first preflight finding on a fresh clone) leaves nothing for --strict to refuse.
    mkdirSync(join(j.dir, "chart"), { recursive: true });
    writeFileSync(join(j.dir, "chart", "Chart.yaml"), "apiVersion: v2\nname: infrasage\nversion: 1.0.0\n");
    j.set(S, "infrasage:chart", { path: join(j.dir, "chart"), allowOutsideRepository: true });
    step = await j.plan();
    assert.deepEqual(step.result.preflight, [], "nothing for --strict to refuse");
    assert.equal(step.exit, 0, mandatory(step).join("\n"));
    const ingress = step.result.stacks[0]!.record.resources.filter(
      (r) =>
        r.type === "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule" &&
        r.rawInputs.cidrIpv4 === "10.10.200.0/24",
    );
    assert.equal(ingress.length, 1, "the API server admits the operator's range");
    assert.ok(
      !step.result.stacks[0]!.record.resources.some((r) => r.type === "aws:codebuild/project:Project"),
      "no CI runner",
    );
    assert.deepEqual(listStacks(j.dir).stacks, [], "CI never previews or deploys it");
    assert.match(section, /pulumi login/);
  });
});
