/** The CLI around the diff: --base input errors (exit 2, file and fix), --out, and JSON that pipes. */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { spawnSync } from "node:child_process";
import { parse } from "yaml";
import { runCli, writeStackFile, ROOT } from "../support/plan";

const tmp = () => mkdtempSync(join(tmpdir(), "infrasage-base-"));
const eu = (parse(readFileSync(join(ROOT, "Pulumi.eu-west-1.yaml"), "utf8")) as { config: Record<string, unknown> })
  .config;

describe("plan CLI --base and --out", function () {
  this.timeout(180000);
  let baseFile: string;
  before(async () => {
    baseFile = join(tmp(), "base.json");
    const run = await runCli(["--stack", "eu-west-1", "--out", baseFile]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^Preflight|Stack eu-west-1/m, "--out keeps the readable summary on stdout");
  });

  it("--out writes the --json document to the file", () => {
    const doc = JSON.parse(readFileSync(baseFile, "utf8")) as {
      stacks: { stack: string; resources: { custom: boolean; aliases: string[] }[] }[];
    };
    assert.equal(doc.stacks[0]!.stack, "eu-west-1");
    assert.ok(doc.stacks[0]!.resources.every((r) => typeof r.custom === "boolean" && Array.isArray(r.aliases)));
  });

  it(
    "diffs against the base: the text names resources and regions, " +
      "the JSON has stacks[].diff; a guarded replacement exits 1",
    async () => {
      const head = writeStackFile("eu-west-1", {
        ...eu,
        "infrasage:network": { ...(eu["infrasage:network"] as object), cidr: "10.20.0.0/16" },
      });
      const text = await runCli(["--config-file", head, "--base", baseFile]);
      assert.equal(text.code, 1, text.stderr);
      assert.match(text.stdout, /Changes against .*base\.json: \d+ to create, \d+ to update, \d+ to replace/);
      assert.match(
        text.stdout,
        new RegExp(
          /\+- +replace +Vpc network-vpc {2}eu-west-1\n +cidrBlock: /.source +
            /"10\.10\.0\.0\/16" => "10\.20\.0\.0\/16" +forces replacement/.source,
        ),
      );
      assert.match(
        text.stdout,
        /vpcId: "\(assigned by AWS\)" => \(known after apply\)/,
        "the deployed id is AWS's, never the offline mock's",
      );
      assert.match(text.stdout, /\[mandatory\] replacement-guard: Vpc network-vpc/);
      // Outputs computed from a replaced resource are unknown, never the offline mock id.
      assert.match(text.stdout, /vpcId +\(known after apply\)/);
      assert.match(text.stdout, /vpcCidr +"10\.20\.0\.0\/16"/);
      assert.doesNotMatch(text.stdout, /BEGIN CERTIFICATE|get-token/, "no secret material");
      const json = await runCli(["--config-file", head, "--base", baseFile, "--json"]);
      const doc = JSON.parse(json.stdout) as {
        stacks: {
          outputs: Record<string, unknown>;
          diff: { counts: Record<string, number>; resources: { op: string }[] };
        }[];
      };
      assert.equal(doc.stacks[0]!.outputs.vpcId, "(known after apply)");
      const guard = (
        JSON.parse(json.stdout) as { stacks: { violations: { policy: string; enforcedAt: string }[] }[] }
      ).stacks[0]!.violations.filter((v) => v.policy === "replacement-guard");
      assert.ok(
        guard.length > 0 && guard.every((v) => v.enforcedAt === "offline plan only"),
        "no real run checks the replacement guard",
      );
      assert.ok(doc.stacks[0]!.diff.counts.replace > 10);
      assert.ok(doc.stacks[0]!.diff.resources.every((r) => r.op !== "unchanged"));
    },
  );

  it("names the stacks of the base the plan does not have (a removed stack file)", async () => {
    const dir = tmp();
    const all = join(dir, "all.json");
    assert.equal((await runCli(["--all", "--out", all])).code, 0);
    const run = await runCli(["--stack", "eu-west-1", "--base", all]);
    assert.match(run.stdout, /Stacks in the base and not in this plan .*:\n {2}ap-south-1: \d+ resources in the base/);
    const json = await runCli(["--stack", "eu-west-1", "--base", all, "--json"]);
    assert.deepEqual(
      (JSON.parse(json.stdout) as { removedStacks: { stack: string }[] }).removedStacks.map((r) => r.stack),
      ["ap-south-1"],
    );
  });

  const bad: [string, (dir: string) => string, RegExp][] = [
    ["a missing file", (d) => join(d, "nope.json"), /nope\.json: does not exist/],
    [
      "text that is not JSON",
      (d) => {
        const f = join(d, "x.json");
        writeFileSync(f, "{ not json");
        return f;
      },
      /x\.json: is not a plan's --json \(not valid JSON/,
    ],
    [
      "npm's banner before the JSON",
      (d) => {
        const f = join(d, "banner.json");
        writeFileSync(f, "\n> infrasage-multi-region@0.1.0 plan\n> tsx offline/cli.ts\n\n{}");
        return f;
      },
      /banner\.json: .*npm's banner: write it with npm run -s or --out/s,
    ],
    [
      "JSON that is not a plan",
      (d) => {
        const f = join(d, "o.json");
        writeFileSync(f, JSON.stringify({ hello: 1 }));
        return f;
      },
      /o\.json: is not a plan's --json \(no "stacks" list\)/,
    ],
    [
      "a --preview plan",
      (d) => {
        const f = join(d, "p.json");
        writeFileSync(f, JSON.stringify({ view: "preview", stacks: [] }));
        return f;
      },
      /p\.json: is a --preview plan/,
    ],
    [
      "a base from another stack",
      (d) => {
        const f = join(d, "other.json");
        writeFileSync(f, JSON.stringify({ view: "up", stacks: [{ stack: "ap-south-1", resources: [] }] }));
        return f;
      },
      /other\.json: holds stack ap-south-1, none of the planned eu-west-1 \(a base from another stack\)/,
    ],
  ];
  for (const [what, make, message] of bad) {
    it(`${what}: exit 2, the file named with the fix, no stack trace`, async () => {
      const run = await runCli(["--stack", "eu-west-1", "--base", make(tmp())]);
      assert.equal(run.code, 2);
      assert.match(run.stderr, message);
      if (what !== "a missing file") assert.match(run.stderr, /npm run -s plan -- <selector> --out base\.json/);
      assert.doesNotMatch(run.stderr, /\n\s+at /, "stack trace");
      assert.equal(run.stdout, "");
    });
  }

  it("refuses --base with --preview, and an --out path it cannot write (exit 2)", async () => {
    const both = await runCli(["--stack", "eu-west-1", "--preview", "--base", baseFile]);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /--base diffs a deployed stack's next up; --preview plans stacks that do not exist yet/);
    const out = await runCli(["--stack", "eu-west-1", "--out", join(tmp(), "no", "such", "dir", "x.json")]);
    assert.equal(out.code, 2);
    assert.match(out.stderr, /--out .*x\.json: cannot be written \(ENOENT\)/);
  });

  it("the README's JSON command prints valid JSON on stdout (npm run -s: no banner), and pipes into jq", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const line = /^(npm run -s plan -- --stack ap-south-1 --json)( \| jq [^#\n]+?)\s+#/m.exec(readme);
    assert.ok(line, "README shows the -s JSON command piped into jq");
    const sh = (command: string) =>
      spawnSync("sh", ["-c", command], { cwd: ROOT, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    if (sh("command -v jq").status === 0) {
      // One run of the plan: tee keeps the document the command prints, jq reads the same stream.
      const printed = join(tmp(), "stdout.json");
      const piped = spawnSync("bash", ["-o", "pipefail", "-c", `${line[1]} | tee ${printed}${line[2]}`], {
        cwd: ROOT,
        encoding: "utf8",
        maxBuffer: 64 * 1024 * 1024,
      });
      assert.equal(piped.status, 0, piped.stderr);
      assert.equal(
        (JSON.parse(readFileSync(printed, "utf8")) as { stacks: { stack: string }[] }).stacks[0]!.stack,
        "ap-south-1",
      );
      assert.equal((JSON.parse(piped.stdout) as { currency: string }).currency, "USD");
    } else {
      const run = sh(line[1]!);
      assert.equal(run.status, 0, run.stderr);
      const doc = JSON.parse(run.stdout) as { stacks: { stack: string }[] };
      assert.equal(doc.stacks[0]!.stack, "ap-south-1");
    }
  });
});
