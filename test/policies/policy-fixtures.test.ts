/**
 * The bad-stack corpus (test/fixtures/bad/<case>/Pulumi.<stack>.yaml): each case is planned by the
 * CLI and must fail with the expected policy (exit 1) or config key (exit 2). Every shipped stack
 * file plans clean, alone and together (every examples/<pattern> set: test/program/second-life.test.ts,
 * which plans them first in the same process).
 */
import { strict as assert } from "node:assert";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { ROOT, runCli } from "../support/plan";

const BAD = join(ROOT, "test", "fixtures", "bad");

interface Case {
  readonly dir: string;
  /** `--config-file` on the one file, or `--all --dir` on the directory. */
  readonly mode: "file" | "all";
  readonly exit: 1 | 2;
  /** Policy names (exit 1) or config keys (exit 2) that must be named. */
  readonly expect: readonly string[];
  /** Stacks the first preview sees deployed (`--deployed`): a link exists once the other side does. @default none */
  readonly deployed?: readonly string[];
}

const CASES: readonly Case[] = [
  // Resource rules (block before the class and the release are created) and their second line after apply.
  // Refused as config before anything runs; the pack's storage rules are tested on the resources themselves
  // (policies-residency-at-create).
  { dir: "foreign-storage-class", mode: "file", exit: 2, expect: ["clickhouse.storageClass"] },
  { dir: "replication-peer-other-jurisdiction", mode: "all", exit: 1, expect: ["cross-stack-residency-flow"] },
  { dir: "replication-peer-not-planned", mode: "file", exit: 1, expect: ["cross-stack-peer-in-plan"] },
  // Every pair of stacks planned together, linked or not: refused before anything runs.
  { dir: "overlapping-cidrs", mode: "all", exit: 2, expect: ["network.cidr"] },
  { dir: "raw-telemetry-forwarding", mode: "file", exit: 2, expect: ["federation.includeRawTelemetry"] },
  { dir: "public-endpoint", mode: "file", exit: 2, expect: ["cluster.publicAccessCidrs"] },
  { dir: "keeper-even-voters", mode: "all", exit: 1, expect: ["replication-keeper-odd-voters"] },
  { dir: "keeper-two-regions", mode: "all", exit: 1, expect: ["replication-keeper-survives-region-loss"] },
  { dir: "federation-spoke-not-listed", mode: "all", exit: 1, expect: ["cross-stack-federation-pairing"] },
  { dir: "federation-hub-lists-non-spoke", mode: "all", exit: 1, expect: ["cross-stack-federation-pairing"] },
  { dir: "stack-without-jurisdiction", mode: "file", exit: 2, expect: ["jurisdiction"] },
  { dir: "reserved-tag", mode: "file", exit: 2, expect: ["tags.Jurisdiction", "tags.infrasage.io/flow"] },
  { dir: "chart-repo-credentials", mode: "file", exit: 2, expect: ["chart.repo", "chart.version"] },
  { dir: "public-endpoint-union", mode: "file", exit: 2, expect: ["cluster.publicAccessCidrs"] },
  {
    dir: "unbounded-sizes",
    mode: "file",
    exit: 2,
    expect: ["cluster.version", "ingestionGateway.replicaCount", "kafka.size"],
  },
  // Resource rules (reported on the offending route's own Analyze, before it is created) and their second line after
  // apply.
  {
    dir: "alert-link-wide-routes",
    mode: "all",
    exit: 1,
    expect: ["alert-link-scope", "alert-link-scope-stack"],
    deployed: ["eu-west-1"],
  },
  {
    dir: "metrics-link-wide-routes",
    mode: "all",
    exit: 1,
    expect: ["metrics-link-scope", "metrics-link-scope-stack"],
    deployed: ["eu-west-1"],
  },
];

interface Json {
  stacks: { violations: { policy: string; level: string }[] }[];
  violations: { policy: string; level: string }[];
  flows: unknown[];
}

describe("bad stack corpus", () => {
  it("has a case for every fixture directory", () =>
    assert.deepEqual(readdirSync(BAD).sort(), CASES.map((c) => c.dir).sort()));

  for (const c of CASES)
    for (const view of [[], ["--preview"]]) {
      it(`${c.dir}${view.length ? " (first preview)" : ""}: exit ${c.exit} naming ${c.expect.join(", ")}`, async () => {
        const dir = join(BAD, c.dir);
        const files = readdirSync(dir).filter((f) => /^Pulumi\..+\.yaml$/.test(f));
        const selector = c.mode === "all" ? ["--all", "--dir", dir] : ["--config-file", join(dir, files[0]!)];
        const deployed = view.length && c.deployed ? ["--deployed", c.deployed.join(",")] : [];
        const run = await runCli([...selector, ...view, ...deployed, "--json"]);
        assert.equal(run.code, c.exit, run.stderr || run.stdout.slice(0, 2000));
        if (c.exit === 2) {
          for (const key of c.expect) assert.match(run.stderr, new RegExp(`infrasage:${key.replace(/\./g, "\\.")}`));
          return;
        }
        const doc = JSON.parse(run.stdout) as Json;
        const mandatory = [...doc.stacks.flatMap((s) => s.violations), ...doc.violations]
          .filter((v) => v.level === "mandatory")
          .map((v) => v.policy);
        for (const policy of c.expect)
          assert.ok(mandatory.includes(policy), `${policy} not in ${JSON.stringify(mandatory)}`);
      });
    }
});

describe("shipped stack files", () => {
  it("plan together with no mandatory violation and print the flow table", async () => {
    const run = await runCli(["--all"]);
    assert.equal(run.code, 0, run.stdout.slice(-3000) + run.stderr);
    assert.match(run.stdout, /Cross-stack data flows:/);
  });
  for (const file of readdirSync(ROOT).filter((f) => /^Pulumi\..+\.yaml$/.test(f))) {
    it(`${file} has no mandatory violation`, async () => {
      const run = await runCli(["--config-file", join(ROOT, file), "--json"]);
      assert.equal(run.code, 0, run.stderr);
      const doc = JSON.parse(run.stdout) as Json;
      assert.deepEqual(
        doc.stacks.flatMap((s) => s.violations).filter((v) => v.level === "mandatory"),
        [],
      );
      assert.ok(Array.isArray(doc.flows));
    });
  }
});
