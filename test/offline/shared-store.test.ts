/**
 * npm test's workers share the plans they make (test/support/shared-store.cjs, offline/remembered.ts
 * SharedStore): the suite's config makes one folder per run, each worker's memory reads and writes it,
 * and the folder is gone when the run ends.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { memory } from "../../offline/remembered";
import { ROOT } from "../support/plan";

const STORE = join(ROOT, "test", "support", "shared-store.cjs");
const CONFIG = join(ROOT, "test", "support", "parallel.mocharc.cjs");

describe("npm test's shared store of plans (test/support/shared-store.cjs)", () => {
  it("the suite's config requires it and makes one folder per run, removed when the run ends", () => {
    const env = { ...process.env };
    delete env.INFRASAGE_TEST_SHARED_DIR;
    const script =
      `const c = require(${JSON.stringify(CONFIG)}); const dir = process.env.INFRASAGE_TEST_SHARED_DIR; ` +
      'const fs = require("fs"); console.log(JSON.stringify([c.require, c.parallel, dir, fs.existsSync(dir), ' +
      "fs.statSync(dir).mode]))";
    const r = spawnSync(process.execPath, ["-e", script], { cwd: ROOT, encoding: "utf8", env });
    assert.equal(r.status, 0, r.stderr);
    const [requires, parallel, dir, existed, mode] = JSON.parse(r.stdout) as [
      string[],
      boolean,
      string,
      boolean,
      number,
    ];
    assert.ok(requires.includes("test/support/shared-store.cjs") && requires.includes("offline/process-setup.ts"));
    assert.equal(parallel, true);
    assert.ok(dir.startsWith(join(tmpdir(), "infrasage-test-plans-")) && existed, dir);
    assert.equal(mode & 0o777, 0o700, "only the user who runs the tests reads the records");
    assert.equal(existsSync(dir), false, "removed at exit");
  });

  it("removes a folder a killed run left (untouched for an hour), not a live run's", () => {
    const stale = mkdtempSync(join(tmpdir(), "infrasage-test-plans-"));
    const live = mkdtempSync(join(tmpdir(), "infrasage-test-plans-"));
    const hoursAgo = new Date(Date.now() - 2 * 3600_000);
    utimesSync(stale, hoursAgo, hoursAgo);
    const env = { ...process.env };
    delete env.INFRASAGE_TEST_SHARED_DIR;
    try {
      const r = spawnSync(process.execPath, ["-e", `require(${JSON.stringify(CONFIG)})`], { cwd: ROOT, env });
      assert.equal(r.status, 0, String(r.stderr));
      assert.deepEqual([existsSync(stale), existsSync(live)], [false, true]);
    } finally {
      rmSync(stale, { recursive: true, force: true });
      rmSync(live, { recursive: true, force: true });
    }
  });

  it("hands a worker's memory a store that keeps what is written, and forgets quietly once the folder is gone", () => {
    const dir = mkdtempSync(join(tmpdir(), "shared-store-test-"));
    const saved = { env: process.env.INFRASAGE_TEST_SHARED_DIR, store: memory.shared, module: require.cache[STORE] };
    process.env.INFRASAGE_TEST_SHARED_DIR = dir;
    delete require.cache[STORE];
    try {
      const { mochaHooks } = require(STORE) as { mochaHooks: { beforeAll(): void } };
      mochaHooks.beforeAll();
      const store = memory.shared!;
      assert.ok(store && store !== saved.store);
      assert.equal(store.read("k"), undefined);
      store.write("k", Buffer.from("one"));
      store.write("k", Buffer.from("two"));
      assert.equal(String(store.read("k")), "two");
      rmSync(dir, { recursive: true });
      assert.doesNotThrow(() => store.write("k", Buffer.from("three")));
      assert.equal(store.read("k"), undefined);
    } finally {
      memory.shared = saved.store;
      if (saved.env === undefined) delete process.env.INFRASAGE_TEST_SHARED_DIR;
      else process.env.INFRASAGE_TEST_SHARED_DIR = saved.env;
      if (saved.module) require.cache[STORE] = saved.module;
      else delete require.cache[STORE];
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
