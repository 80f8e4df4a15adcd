/**
 * `npm test`: every test file (as 'test/**\/*.test.ts' finds them) in mocha workers, the slowest files
 * first so no worker is left with a long file at the end (measured: about a seventh of the run). The
 * order is only a hint: a file missing from SLOWEST_FIRST still runs, a name no longer there is ignored.
 * Settings are .mocharc.json's (single-file runs, `npx mocha test/x.test.ts`, use that file alone); its
 * max-semi-space-size=32 (V8's young generation) cut a plan-heavy file's CPU by about a seventh (less GC).
 */
const { mkdtempSync, readdirSync, rmSync, statSync } = require("node:fs");
const { tmpdir } = require("node:os");
const { join } = require("node:path");

const ROOT = join(__dirname, "..", "..");
const SLOWEST_FIRST = [
  "program/second-life", "policies/policy-fixtures", "journeys/groups", "program/rollout", "offline/plan-base-cli", "offline/plan-cli-hostile", "offline/preview",
  "offline/backends", "journeys/lifecycle", "replication/active-active", "offline/cli", "offline/plan-diff", "policies/policy-pack-standalone", "deploy/bootstrap-actions",
].map((name) => `test/${name}.test.ts`);

const all = readdirSync(join(ROOT, "test"), { recursive: true })
  .map((f) => `test/${String(f).split("\\").join("/")}`)
  .filter((f) => f.endsWith(".test.ts") && !f.includes("/node_modules/"))
  .sort();
const rank = (f) => (SLOWEST_FIRST.includes(f) ? SLOWEST_FIRST.indexOf(f) : SLOWEST_FIRST.length);

// The workers' shared store of plans (test/support/shared-store.cjs): one folder per run, removed at its end.
// A run killed before its end leaves its folder: one untouched for an hour is no live run's, and goes.
const PLANS_PREFIX = "infrasage-test-plans-";
if (!process.env.INFRASAGE_TEST_SHARED_DIR) {
  for (const name of readdirSync(tmpdir()).filter((n) => n.startsWith(PLANS_PREFIX))) {
    const old = join(tmpdir(), name);
    try {
      if (Date.now() - statSync(old).mtimeMs > 3600_000) rmSync(old, { recursive: true, force: true });
    } catch {
      // Gone meanwhile, or another user's.
    }
  }
  const dir = mkdtempSync(join(tmpdir(), PLANS_PREFIX));
  process.env.INFRASAGE_TEST_SHARED_DIR = dir;
  process.on("exit", () => {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // A worker still writing: the next run's clean-up takes it.
    }
  });
}

const base = require("../../.mocharc.json");
module.exports = {
  ...base,
  require: [...base.require, "test/support/shared-store.cjs"],
  spec: [...all].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b)),
  parallel: true,
  // 2 workers: 3 ran 1:20 (115 s CPU) against 1:12 (105 s CPU) with 2, on 2 cores (each worker plans what it needs itself).
  jobs: 2,
};
