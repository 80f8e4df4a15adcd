/**
 * The plan CLI's own files under hostile input: --out never destroys an input, --previous is checked
 * like a stack file, megabyte and deeply nested inputs are refused before any plan, nothing secret is
 * printed, and no policy pack process outlives a run.
 */
import assert from "node:assert/strict";
import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { parse } from "yaml";
import { runCli, writeStackFile, ROOT } from "../support/plan";

const tmp = () => mkdtempSync(join(tmpdir(), "infrasage-hostile-"));
const eu = (parse(readFileSync(join(ROOT, "Pulumi.eu-west-1.yaml"), "utf8")) as { config: Record<string, unknown> })
  .config;
const MB = 1024 * 1024;
const nested = (depth: number) => "[".repeat(depth) + "]".repeat(depth);
const json = (dir: string, name: string, doc: unknown) => {
  const f = join(dir, name);
  writeFileSync(f, typeof doc === "string" ? doc : JSON.stringify(doc));
  return f;
};
const noTrace = (stderr: string) => assert.doesNotMatch(stderr, /\n\s+at |Maximum call stack/, "a stack trace");

describe("plan CLI: --out never overwrites an input of the run", function () {
  this.timeout(120_000);
  const stack = writeStackFile("eu-west-1", eu);
  const dir = dirname(stack);
  const policy = json(dir, "policy.json", {});
  const base = json(dir, "base.json", { view: "up", stacks: [{ stack: "eu-west-1", resources: [] }] });
  const previous = json(dir, "last.json", { stacks: [{ stack: "eu-west-1", outputs: {} }] });
  const link = join(tmp(), "plan.json");
  symlinkSync(stack, link);
  const cases: [string, string[], string, RegExp][] = [
    ["the stack file", [], stack, /is the stack file /],
    ["a symlink to the stack file", [], link, /is the stack file .*\(it resolves to .*Pulumi\.eu-west-1\.yaml\)/],
    ["the --policy-pack-config file", ["--policy-pack-config", policy], policy, /is the --policy-pack-config file/],
    ["the --base file", ["--base", base], base, /is the --base file/],
    ["the --previous file", ["--previous", previous], previous, /is the --previous file/],
    ["the project's Pulumi.yaml", [], join(dir, "Pulumi.yaml"), /is the project file/],
  ];
  for (const [what, extra, out, message] of cases) {
    it(`${what}: exit 2 naming --out and the file, the input unchanged`, async () => {
      const before = readFileSync(out);
      const run = await runCli(["--config-file", stack, ...extra, "--out", out]);
      assert.equal(run.code, 2, run.stdout);
      assert.match(run.stderr, new RegExp(`^--out ${out.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: `));
      assert.match(run.stderr, message);
      assert.match(run.stderr, /an input of this run: writing there would destroy it\. Fix: give another file/);
      assert.deepEqual(readFileSync(out), before, "the input was changed");
      assert.equal(run.stdout, "");
    });
  }

  it("a file of the chart folder: exit 2, nothing written there", async () => {
    const chart = join(tmp(), "chart");
    mkdirSync(chart);
    const withChart = writeStackFile("eu-west-1", {
      ...eu,
      "infrasage:chart": { path: chart, allowOutsideRepository: true },
    });
    const run = await runCli(["--config-file", withChart, "--out", join(chart, "values.yaml")]);
    assert.equal(run.code, 2, run.stdout);
    assert.match(run.stderr, /values\.yaml: is in the chart folder .*chart, an input of this run/);
    assert.deepEqual(readdirSync(chart), []);
  });

  it("a new file named like a stack file, a folder: exit 2 before planning", async () => {
    const other = tmp();
    const named = await runCli(["--config-file", stack, "--out", join(other, "Pulumi.new.yaml")]);
    assert.equal(named.code, 2);
    assert.match(named.stderr, /Pulumi\.new\.yaml: is named like a Pulumi project or stack file/);
    assert.throws(() => lstatSync(join(other, "Pulumi.new.yaml")));
    const folder = await runCli(["--config-file", stack, "--out", other]);
    assert.equal(folder.code, 2);
    assert.match(folder.stderr, /: is a directory\. Fix: give a file path/);
  });
});

describe("plan CLI: hostile --base, --previous, --policy-pack-config, stack files exit 2 before any plan", function () {
  this.timeout(120_000);
  const stack = writeStackFile("eu-west-1", eu);
  const dir = tmp();
  const cases: [string, (d: string) => string[], RegExp][] = [
    [
      "--base nested 100,000 levels",
      (d) => ["--base", json(d, "deep.json", `{"stacks":[{"stack":"eu-west-1","resources":${nested(100_000)}}]}`)],
      /deep\.json: is not a plan's --json \(nests arrays or objects more than 64 levels deep/,
    ],
    [
      "--base of a megabyte of letters",
      (d) => ["--base", json(d, "junk.json", "a".repeat(MB))],
      /junk\.json: is not a plan's --json \(not valid JSON/,
    ],
    [
      "--previous nested 100,000 levels",
      (d) => ["--previous", json(d, "deep-prev.json", nested(100_000))],
      /--previous .*deep-prev\.json: is not a plan's --json \(nests arrays or objects more than 64 levels/,
    ],
    [
      "--previous over 64 MiB",
      (d) => {
        const f = join(d, "huge.json");
        writeFileSync(f, Buffer.alloc(64 * MB + 1, 32));
        return ["--previous", f];
      },
      /--previous .*huge\.json: is \d+ bytes; a plan --json file is at most/,
    ],
    [
      "--policy-pack-config nested 100,000 levels",
      (d) => ["--policy-pack-config", json(d, "deep-policy.json", `{"all":${nested(100_000)}}`)],
      /--policy-pack-config: .*deep-policy\.json: nests arrays or objects more than 64 levels deep/,
    ],
    [
      "--policy-pack-config of two megabytes",
      (d) => ["--policy-pack-config", json(d, "big-policy.json", `{"x":"${"a".repeat(2 * MB)}"}`)],
      /--policy-pack-config: .*big-policy\.json: is \d+ bytes; a policy config file is at most/,
    ],
    [
      "a stack file of two megabytes",
      (d) => {
        const f = join(d, "Pulumi.eu-west-1.yaml");
        writeFileSync(f, `config:\n  infrasage:tenantId: ${"a".repeat(2 * MB)}\n`);
        return ["--config-file", f];
      },
      /Pulumi\.eu-west-1\.yaml: is \d+ bytes; a stack file is at most/,
    ],
    [
      "--previous with clusterVersion -1",
      (d) => [
        "--previous",
        json(d, "v.json", {
          stacks: [{ stack: "eu-west-1", outputs: { clusterName: "infrasage-eu-west-1", clusterVersion: "-1" } }],
        }),
      ],
      new RegExp(
        /--previous .*v\.json: stack eu-west-1: outputs\.clusterVersion is "-1", not an EKS /.source +
          /Kubernetes version as a string .*; give the --json of the stacks' last deployment/.source,
      ),
    ],
    [
      "--previous with a number for clusterVersion",
      (d) => [
        "--previous",
        json(d, "n.json", {
          stacks: [{ stack: "eu-west-1", outputs: { clusterName: "infrasage-eu-west-1", clusterVersion: 1.33 } }],
        }),
      ],
      /stack eu-west-1: outputs\.clusterVersion is 1\.33, not an EKS Kubernetes version as a string/,
    ],
    [
      "--previous of another stack",
      (d) => [
        "--previous",
        json(d, "other.json", {
          stacks: [{ stack: "ap-south-1", outputs: { clusterName: "infrasage-ap-south-1", clusterVersion: "1.33" } }],
        }),
      ],
      /other\.json: holds stack ap-south-1, none of the planned eu-west-1 \(the outputs of another stack\)/,
    ],
    [
      "--previous naming another region",
      (d) => [
        "--previous",
        json(d, "region.json", { stacks: [{ stack: "eu-west-1", outputs: { region: "ap-south-1" } }] }),
      ],
      /stack eu-west-1: outputs\.region is "ap-south-1", but the stack file deploys to eu-west-1/,
    ],
  ];
  for (const [what, make, message] of cases) {
    it(what, async () => {
      const args = make(dir);
      const run = await runCli(args.includes("--config-file") ? args : ["--config-file", stack, ...args]);
      assert.equal(run.code, 2, run.stdout.slice(0, 200));
      assert.match(run.stderr, message);
      noTrace(run.stderr);
      assert.equal(run.stdout, "");
    });
  }
});

describe("plan CLI: nothing secret is printed", function () {
  this.timeout(300_000);
  const token = "gh" + "p_" + "Zq8Lr3Xv9Tb2Nw6Mk1Pd5Hs7Jf4Gc0Ay2Ue8";

  it("a credential pasted into an allowReplace reason or an argument is never quoted back", async () => {
    const stack = writeStackFile("eu-west-1", {
      ...eu,
      "infrasage:allowReplace": [{ resource: "network-vpc", reason: "db moved, password=hunter2hunter2xyz" }],
    });
    const run = await runCli(["--config-file", stack]);
    assert.equal(run.code, 2);
    assert.match(
      run.stderr,
      new RegExp(
        /infrasage:allowReplace\[0\]\.reason: holds a credential after a /.source +
          /password, secret or token label in plain text \(value not shown\)/.source,
      ),
    );
    assert.ok(!run.stderr.includes("hunter2hunter2xyz"));
    for (const args of [
      ["--stack", token],
      ["--stack", "eu-west-1", `--token=${token}`],
      ["--stack", "eu-west-1", "--after-destroy", token],
    ]) {
      const r = await runCli(args);
      assert.equal(r.code, 2);
      assert.ok(!r.stderr.includes(token) && !r.stdout.includes(token), `${args.join(" ")} echoed the token`);
    }
  });

  it(
    "a plain value in the --base where the plan has a secret is never " +
      "printed (text or JSON); --out writes through a link, atomically",
    async () => {
      const dir = tmp();
      // --out through a symlink to an existing file that is no input: the target is replaced whole.
      const target = join(dir, "base.json");
      writeFileSync(target, "old");
      // Atomically: a new file renamed over the old one (a new inode), never the old file rewritten in place.
      const inodeBefore = statSync(target).ino;
      const link = join(dir, "base-link.json");
      symlinkSync(target, link);
      const made = await runCli(["--stack", "eu-west-1", "--out", link]);
      assert.equal(made.code, 0, made.stderr);
      assert.ok(lstatSync(link).isSymbolicLink(), "the link is kept");
      assert.notEqual(statSync(target).ino, inodeBefore, "written in place, not renamed over the old file");
      const doc = JSON.parse(readFileSync(target, "utf8")) as {
        stacks: { resources: { urn: string; inputs: Record<string, unknown> }[] }[];
      };
      assert.deepEqual(readdirSync(dir).sort(), ["base-link.json", "base.json"], "no temporary file left");
      // The first input the plan holds as a secret, given in plain text in the base.
      const plain = "PlainBaseValue-7f3e91c2";
      let replaced = false;
      const swap = (v: unknown): unknown => {
        if (v === "[secret]" && !replaced) {
          replaced = true;
          return plain;
        }
        if (Array.isArray(v)) return v.map(swap);
        if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, swap(x)]));
        return v;
      };
      for (const r of doc.stacks[0]!.resources) if (!replaced) r.inputs = swap(r.inputs) as Record<string, unknown>;
      assert.ok(replaced, "the plan of eu-west-1 holds a secret input");
      const base = json(dir, "plain-base.json", doc);
      const text = await runCli(["--stack", "eu-west-1", "--base", base]);
      assert.ok(text.code === 0 || text.code === 1, text.stderr);
      assert.match(text.stdout, /Changes against .*plain-base\.json/);
      assert.ok(!text.stdout.includes(plain), "the text view printed the base's plain value");
      const asJson = await runCli(["--stack", "eu-west-1", "--base", base, "--json"]);
      assert.ok(!asJson.stdout.includes(plain), "--json printed the base's plain value");
      assert.match(asJson.stdout, /"old": "\[secret\]"/);
    },
  );
});

/** Processes (ours) whose environment carries `marker`: the CLI run and anything it started. */
function processesMarked(marker: string): number[] {
  const found: number[] = [];
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      if (readFileSync(`/proc/${pid}/environ`, "latin1").split("\0").includes(`INFRASAGE_TEST_RUN=${marker}`))
        found.push(Number(pid));
    } catch {
      /* gone, or not ours */
    }
  }
  return found;
}

/** Waits until no marked process is left (a killed child needs a moment); returns those still there. */
async function survivors(marker: string): Promise<number[]> {
  for (let i = 0; i < 100; i++) {
    const left = processesMarked(marker);
    if (left.length === 0) return [];
    await new Promise((r) => setTimeout(r, 100));
  }
  return processesMarked(marker);
}

describe("plan CLI: no policy pack process outlives a run", function () {
  this.timeout(300_000);
  before(function () {
    if (!lstatSync("/proc", { throwIfNoEntry: false })) this.skip();
  });
  const cli = (args: string[], marker: string) => ({
    cmd: process.execPath,
    args: ["--import", "tsx", "offline/cli.ts", ...args],
    opts: { cwd: ROOT, encoding: "utf8" as const, env: { ...process.env, INFRASAGE_TEST_RUN: marker } },
  });

  /** Runs the CLI's entry in this process with its own pack; every process it starts carries `marker`. */
  const marked = async (args: string[], marker: string) => {
    const before = process.env.INFRASAGE_TEST_RUN;
    process.env.INFRASAGE_TEST_RUN = marker;
    try {
      return await runCli(args, ROOT, { ownPack: true });
    } finally {
      if (before === undefined) delete process.env.INFRASAGE_TEST_RUN;
      else process.env.INFRASAGE_TEST_RUN = before;
    }
  };

  it(
    "a rejected --base (refused while the pack used to start), a policy config " +
      "its schemas reject, and a clean plan: nothing left once the run returns",
    async () => {
      const dir = tmp();
      const runs: [string[], number, RegExp][] = [
        [
          ["--stack", "eu-west-1", "--base", json(dir, "broken.json", "{ not json")],
          2,
          /broken\.json: is not a plan's --json/,
        ],
        [
          [
            "--stack",
            "eu-west-1",
            "--policy-pack-config",
            json(dir, "bad.json", { "aws-resource-in-home-region": { homeRegion: 5 } }),
          ],
          2,
          /bad\.json: policy pack configuration is invalid/,
        ],
        [["--stack", "eu-west-1", "--json"], 0, /^$/],
      ];
      for (const [args, code, message] of runs) {
        const marker = randomBytes(8).toString("hex");
        const run = await marked(args, marker);
        assert.equal(run.code, code, run.stderr);
        assert.match(run.stderr, message);
        assert.deepEqual(await survivors(marker), [], `${args.join(" ")}: processes left behind`);
      }
    },
  );

  it("interrupted (SIGTERM) while the pack runs: the pack stops with the plan", async () => {
    const marker = randomBytes(8).toString("hex");
    const c = cli(["--stack", "eu-west-1"], marker);
    const child = spawn(c.cmd, c.args, { ...c.opts, stdio: "ignore" });
    const exited = new Promise<number | null>((ok) => child.on("exit", (code) => ok(code)));
    // Wait until the pack runs (a marked process besides the CLI itself).
    for (let i = 0; i < 600 && processesMarked(marker).filter((p) => p !== child.pid).length === 0; i++)
      await new Promise((r) => setTimeout(r, 100));
    assert.ok(
      processesMarked(marker).some((p) => p !== child.pid),
      "the pack never started",
    );
    child.kill("SIGTERM");
    assert.equal(await exited, 143);
    assert.deepEqual(await survivors(marker), [], "processes left behind");
  });
});
