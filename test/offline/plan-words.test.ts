/** The plan's words (issue: headings, mock values, exit reasons, --help, missing files). */
import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../support/plan";
import { shownForHumans, ASSIGNED_BY_AWS, EKS_DEFAULT_BUILD } from "../../offline/mock-values";
import { MOCK_ADDON_VERSION, maskMockText } from "../../offline/mock-values";
import { md, prComment } from "../../offline/pr-comment";

const heading = (stdout: string, stack: string) => stdout.split("\n").find((l) => l.startsWith(`Stack ${stack}:`))!;

describe("the plan's words", function () {
  this.timeout(180000);
  const dir = mkdtempSync(join(tmpdir(), "words-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it(
    "headings say what the view is: the stack as up leaves it, diffed against " +
      "a base, a first preview, a deployed stack in a preview, after destroy",
    async () => {
      const plain = await runCli(["--stack", "eu-west-1", "--out", join(dir, "b.json")]);
      assert.match(
        heading(plain.stdout, "eu-west-1"),
        /the stack as pulumi up leaves it \(every value known; --base shows what changes\)$/,
      );
      const based = await runCli(["--stack", "eu-west-1", "--base", join(dir, "b.json")]);
      assert.match(heading(based.stdout, "eu-west-1"), /pulumi up of the deployed stack, diffed against .*b\.json$/);
      const preview = await runCli(["--stack", "eu-west-1", "--preview"]);
      assert.match(heading(preview.stdout, "eu-west-1"), /first pulumi preview of a new stack/);
      const partly = await runCli(["--all", "--dir", "examples/hub-spoke", "--preview", "--deployed", "eu-west-1"]);
      assert.match(
        heading(partly.stdout, "eu-west-1"),
        /already deployed \(as its rollout left it\): what the previewed stacks read$/,
      );
      assert.match(heading(partly.stdout, "ap-south-1"), /first pulumi preview of a new stack/);
      const again = await runCli(["--stack", "eu-west-1", "--after-destroy", "all"]);
      assert.match(heading(again.stdout, "eu-west-1"), /pulumi up after pulumi destroy/);
      for (const run of [plain, based, again]) {
        assert.doesNotMatch(run.stdout, /\b[a-z]+-[0-9a-f]{17}\b/, "no mock id printed as real");
        assert.ok(!run.stdout.includes(MOCK_ADDON_VERSION), "no placeholder add-on version printed as real");
      }
      assert.ok(plain.stdout.includes(`"vpcId":"${ASSIGNED_BY_AWS}"`));
    },
  );

  it("the PR comment's findings name no mock id or placeholder version as real", () => {
    const stack = {
      stack: "eu-west-1",
      region: "eu-west-1",
      jurisdiction: "EU",
      cost: { monthlyTotal: 1, currency: "USD" },
      violations: [
        { policy: "p", level: "mandatory", message: `peering to vpc-dc0668284e61e7d97 at ${MOCK_ADDON_VERSION}` },
      ],
    };
    const text = prComment([{ title: "t", exitCode: 1, plan: { stacks: [stack], violations: [], flows: [] } }], "main");
    assert.doesNotMatch(text, /vpc-dc0668284e61e7d97|v1\.0\.0-eksbuild\.1/);
    assert.ok(text.includes(md(maskMockText(stack.violations[0]!.message))));
  });

  it("ids the stack file gives (an existing VPC) are printed as they are", () => {
    assert.equal(shownForHumans("vpc-0123456789abcdef0", new Set(["vpc-0123456789abcdef0"])), "vpc-0123456789abcdef0");
    assert.equal(
      (
        shownForHumans({ v: ["subnet-0123456789abcdef0", MOCK_ADDON_VERSION, "v1.35.3-eksbuild.13"] }) as {
          v: string[];
        }
      ).v.join(),
      [ASSIGNED_BY_AWS, EKS_DEFAULT_BUILD, "v1.35.3-eksbuild.13"].join(),
    );
  });

  it("--strict exit 1 ends with the reason; --json keeps stdout JSON and says it on stderr", async () => {
    const text = await runCli(["--stack", "eu-west-1", "--strict"]);
    assert.equal(text.code, 1);
    assert.match(
      text.stdout.trimEnd().split("\n").pop()!,
      /^Exit 1: --strict and \d+ preflight findings \(listed first\)\.$/,
    );
    const json = await runCli(["--stack", "eu-west-1", "--strict", "--json"]);
    assert.equal(json.code, 1);
    JSON.parse(json.stdout);
    assert.match(json.stderr, /^Exit 1: --strict/m);
  });

  it("--help prints the usage, exits 0; a missing --base or --previous file says the fix, not the usage", async () => {
    const help = await runCli(["--help"]);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^usage: npm run plan --/);
    const base = await runCli(["--stack", "eu-west-1", "--base", join(dir, "missing.json")]);
    assert.equal(base.code, 2);
    assert.match(base.stderr, /missing\.json: does not exist; give the --json of a plan of the same stacks/);
    const prev = await runCli(["--stack", "eu-west-1", "--previous", join(dir, "missing.json")]);
    assert.equal(prev.code, 2);
    assert.match(prev.stderr, /missing\.json: does not exist; give the --json of the stacks' last deployment/);
    assert.doesNotMatch(prev.stderr, /usage:/);
  });
});
