/**
 * StackReferences resolve as the engine resolves them: a reference reads the last deployment of a
 * stack of the same backend and organization; a stack with no deployment has no outputs; a reference
 * the real run could not satisfy is a preflight finding, never a silent "not deployed".
 */
import { strict as assert } from "node:assert";
import { join } from "node:path";
import { StackReferences } from "../../offline/stack-references";
import { runProgram } from "../../offline/run-program";
import { readStackFile } from "../../offline/stack-file";
import { parseStackConfig } from "../../lib/config/parse";
import type { StackConfig } from "../../lib/config/types";
import { defineStack } from "../../stack";
import { ROOT, planDir } from "../support/plan";

const EXAMPLE = join(ROOT, "examples", "active-active");
const configOf = (stack: string): { raw: Record<string, string>; config: StackConfig } => {
  const file = readStackFile(join(EXAMPLE, `Pulumi.${stack}.yaml`));
  const raw = file.config;
  const parsed = parseStackConfig(raw, stack, file.parseOptions);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return { raw, config: parsed.config };
};

describe("StackReferences (offline, as the engine)", () => {
  const stacks = ["eu-central-1", "eu-north-1", "eu-west-1"].map((s) => ({
    stack: s,
    project: "infrasage",
    file: `Pulumi.${s}.yaml`,
    references: configOf(s).config,
  }));

  it("takes the group's organization from its references", () =>
    assert.equal(new StackReferences(stacks).organization, "acme"));

  it(
    "reads nothing from a stack with no deployment, its last " +
      "outputs once deployed, its own previous outputs for itself",
    () => {
      const refs = new StackReferences(stacks);
      assert.equal(refs.resolve("eu-west-1", "acme/infrasage/eu-central-1"), undefined);
      assert.equal(
        refs.resolve("eu-west-1", "acme/infrasage/eu-west-1"),
        undefined,
        "a first up has no previous outputs of its own",
      );
      refs.deploy("eu-central-1", { network: { stack: "eu-central-1" } });
      refs.deploy("eu-west-1", { replication: { activeMembers: [] } });
      assert.deepEqual(refs.resolve("eu-west-1", "acme/infrasage/eu-central-1"), {
        network: { stack: "eu-central-1" },
      });
      assert.deepEqual(refs.resolve("eu-west-1", "acme/infrasage/eu-west-1"), { replication: { activeMembers: [] } });
      assert.deepEqual(refs.findings(), []);
    },
  );

  it(
    "reports (once) a reference to a stack outside the plan, another " +
      "organization or project; outside stacks known to exist resolve",
    () => {
      const refs = new StackReferences(stacks, (ref) =>
        ref === "acme/infrasage/eu-south-1" ? { network: {} } : undefined,
      );
      assert.deepEqual(refs.resolve("eu-west-1", "acme/infrasage/eu-south-1"), { network: {} });
      for (let i = 0; i < 2; i++) assert.equal(refs.resolve("eu-west-1", "acme/infrasage/us-east-1"), undefined);
      refs.resolve("eu-west-1", "other/infrasage/eu-central-1");
      refs.resolve("eu-west-1", "acme/elsewhere/eu-central-1");
      const f = refs.findings();
      assert.equal(f.length, 3, JSON.stringify(f));
      assert.match(
        f[0]!.message,
        new RegExp(
          /us-east-1 is not planned alongside, so the plan can neither declare it deployed /.source +
            /\(--deployed\) nor know it exists.*fails unless acme\/infrasage\/us-east-1 exists/.source,
        ),
      );
      assert.match(f[1]!.message, /organization other is not the group's acme/);
      assert.match(f[2]!.message, /project elsewhere is not this program's project infrasage/);
      assert.ok(f.every((x) => x.file === "Pulumi.eu-west-1.yaml" && x.kind === "stack-reference"));
    },
  );

  it("an active-active member reads its own previous outputs from its own organization, not a peer's", async () => {
    const { raw } = configOf("eu-west-1");
    const asked: string[] = [];
    await runProgram(defineStack, {
      project: "infrasage",
      stack: "eu-west-1",
      region: "eu-west-1",
      config: raw,
      organization: "my-org",
      resolveStackReference: (ref) => {
        asked.push(ref);
        return undefined;
      },
    });
    assert.ok(asked.includes("my-org/infrasage/eu-west-1"), JSON.stringify(asked));
    assert.ok(!asked.includes("acme/infrasage/eu-west-1"));
  });

  it(
    "--all: each member's first up finds no outputs of its " +
      "own; the plan's last round is a re-deploy that reads them",
    async () => {
      const result = await planDir(EXAMPLE);
      assert.equal(result.organization, "acme");
      assert.ok(result.stacks.every((s) => s.deployedBefore));
      assert.deepEqual(
        result.preflight.filter((f) => f.kind === "stack-reference"),
        [],
      );
    },
  );
});
