/**
 * What the plan loads before it runs a program (docs/plan.md "Speed"): not how long that takes (a time
 * limit fails on a loaded machine), but that the modules that made its start-up slow stay out of it.
 * A child process: this one has loaded everything already.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { join } from "node:path";

const ROOT = join(__dirname, "..", "..");
const LOAD =
  `require("./offline/cli"); require("./offline/plan"); ` +
  "process.stdout.write(JSON.stringify(Object.keys(require.cache)));";

describe("plan start-up", () => {
  let loaded: string[];
  before(() => {
    const r = spawnSync(process.execPath, ["--import", "tsx", "-e", LOAD], { cwd: ROOT, encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    loaded = (JSON.parse(r.stdout) as string[]).map((f) => f.slice(ROOT.length + 1));
  });

  it("loads the program and the policy rules (what the rest checks is not vacuous)", () => {
    for (const f of ["stack.ts", "policies/rules/all.ts", "node_modules/@pulumi/pulumi/index.js"])
      assert.ok(loaded.includes(f), f);
    assert.ok(loaded.some((f) => f.startsWith("node_modules/@pulumi/aws/ec2/")));
  });

  it("loads no second Pulumi SDK: the rules require @pulumi/policy only when a check fails", () => {
    assert.deepEqual(
      loaded.filter(
        (f) => f.includes("node_modules/@pulumi/policy/") || f.startsWith("policies/node_modules/@pulumi/"),
      ),
      [],
    );
  });

  it("loads the AWS services the program uses, not @pulumi/aws's index (all of them)", () => {
    assert.equal(loaded.includes("node_modules/@pulumi/aws/index.js"), false);
  });

  it("loads no XML builder (only active-active stacks render XML)", () => {
    assert.deepEqual(
      loaded.filter((f) => f.includes("node_modules/xmlbuilder2/")),
      [],
    );
  });
});
