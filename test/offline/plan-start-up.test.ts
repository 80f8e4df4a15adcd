/**
 * What the plan loads before it runs a program (docs/plan.md "Speed"): not how long that takes (a time
 * limit fails on a loaded machine), but that the modules that made its start-up slow stay out of it.
 * A child process: this one has loaded everything already.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { getCompileCacheDir, getSourceMapsSupport } from "node:module";
import { join } from "node:path";

const ROOT = join(__dirname, "..", "..");
const LOAD =
  `require("./offline/cli"); require("./offline/plan"); const m = require("node:module"); ` +
  "process.stdout.write(JSON.stringify({ loaded: Object.keys(require.cache), " +
  "cache: m.getCompileCacheDir(), maps: m.getSourceMapsSupport(), " +
  'store: require("./offline/remembered").memory.shared !== undefined }));';

describe("plan start-up", () => {
  let loaded: string[];
  let setUp: { cache?: string; maps: { enabled: boolean; nodeModules: boolean }; store: boolean };
  before(() => {
    const r = spawnSync(process.execPath, ["--import", "tsx", "-e", LOAD], { cwd: ROOT, encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as typeof setUp & { loaded: string[] };
    loaded = out.loaded.map((f) => f.slice(ROOT.length + 1));
    setUp = out;
  });

  it("sets the process up before any SDK loads: V8's code cache on, source maps for our own files only", () => {
    assert.ok(setUp.cache, "a code cache folder");
    assert.deepEqual([setUp.maps.enabled, setUp.maps.nodeModules], [true, false]);
    const first = (prefix: string) => loaded.findIndex((f) => f.startsWith(prefix));
    assert.ok(first("offline/process-setup.ts") >= 0);
    assert.ok(first("offline/process-setup.ts") < first("node_modules/@pulumi/"), "before the SDKs");
  });

  it("the CLI keeps its runs in its own memory only: no store shared with other processes", () => {
    assert.equal(setUp.store, false);
  });

  it("every mocha process is set up the same way (.mocharc.json requires it)", () => {
    assert.ok(getCompileCacheDir(), "a code cache folder");
    if (process.sourceMapsEnabled) assert.equal(getSourceMapsSupport().nodeModules, false);
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
