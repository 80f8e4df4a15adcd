/** The pull request comment's Markdown (offline/pr-comment.ts, scripts/pr-comment.ts). */
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { COMMENT_MARKER, MAX_COMMENT_CHARS, flowDiagram, md, prComment, type PlanDoc } from "../../offline/pr-comment";
import { parseArgs } from "../../scripts/pr-comment";

const stack = (
  name: string,
  jurisdiction: string,
  extra: Partial<PlanDoc["stacks"][number]> = {},
): PlanDoc["stacks"][number] => ({
  stack: name,
  region: name,
  jurisdiction,
  violations: [],
  cost: { monthlyTotal: 100, currency: "USD" },
  ...extra,
});

const doc: PlanDoc = {
  stacks: [
    stack("eu-west-1", "EU", {
      cost: { monthlyTotal: 812.5, currency: "USD" },
      violations: [
        {
          policy: "replacement-guard",
          level: "mandatory",
          message: "Vpc network-vpc (eu-west-1) would be replaced: everything of the stack runs in it",
        },
        { policy: "x", level: "advisory", message: "fyi" },
      ],
      diff: {
        newStack: false,
        monthlyTotalBefore: 800,
        counts: { create: 2, update: 1, replace: 3, "may-replace": 0, delete: 1, unchanged: 90 },
        resources: [
          { op: "replace", type: "aws:ec2/vpc:Vpc", name: "network-vpc", region: "eu-west-1", custom: true },
          { op: "delete", type: "aws:ec2/route:Route", name: "peer-route", region: "eu-central-1", custom: true },
          {
            op: "update",
            type: "kubernetes:helm.sh/v3:Release",
            name: "infrasage-release",
            region: null,
            custom: true,
          },
        ],
      },
    }),
    stack("ap-south-1", "IN", {
      diff: {
        newStack: true,
        counts: { create: 80, update: 0, replace: 0, "may-replace": 0, delete: 0, unchanged: 0 },
        resources: [],
      },
    }),
  ],
  violations: [],
  removedStacks: [{ stack: "us-east-1", resources: 80 }],
  flows: [
    {
      from: "ap-south-1",
      to: "eu-west-1",
      fromJurisdiction: "IN",
      toJurisdiction: "EU",
      what: "alert metadata",
      ports: [443],
    },
  ],
};

describe("pull request comment (Markdown)", () => {
  const text = prComment(
    [
      { title: "shipped stacks", plan: doc, exitCode: 1 },
      { title: "examples/broken", exitCode: 2 },
    ],
    "main at 1a2b3c4",
  );

  it("starts with the marker the posting job updates in place, and names the base", () => {
    assert.equal(text.split("\n")[0], COMMENT_MARKER);
    assert.match(text, /Against main at 1a2b3c4/);
  });

  it("has one table row per stack: region and jurisdiction, diff counts, cost before and after, policy results", () => {
    assert.match(text, /### shipped stacks: mandatory findings/);
    assert.match(
      text,
      new RegExp(
        /\| eu-west-1 \| eu-west-1 \(EU\) \| \+2 ~1 ±3 ±\?0 −1 \| \$800\.00 /.source +
          /→ \$812\.50 \(\+\$12\.50\) \| ❌ 1 mandatory, 1 advisory \|/.source,
      ),
    );
    assert.match(
      text,
      new RegExp(
        /\| ap-south-1 \| ap-south-1 \(IN\) \| new stack: \+80 ~0 ±0 /.source +
          /±\?0 −0 \| \$100\.00 \(new\) \| ✅ 0 mandatory, 0 advisory \|/.source,
      ),
    );
    assert.match(text, /Monthly cost of the plan: \$800\.00 → \$912\.50/);
    assert.match(text, /\| us-east-1 \| — \| stack file removed: its 80 resources stay deployed, no longer updated \|/);
  });

  it("lists what is replaced or deleted by name and region, marking other regions, and the mandatory findings", () => {
    assert.match(text, /- replace `Vpc network-vpc` \(eu-west-1\)/);
    assert.match(text, /- delete `Route peer-route` \(eu-central-1, outside home region eu-west-1\)/);
    assert.doesNotMatch(text, /infrasage-release/, "updates are counted, not listed");
    assert.match(
      text,
      new RegExp(
        /\*\*Mandatory findings \(1\)\*\*\n\n<details><summary><b>eu-west-1<\/b> /.source +
          /<code>replacement-guard<\/code>: Vpc network-vpc \(eu-west-1\) would be replaced/.source,
      ),
    );
  });

  it(
    "draws the cross-region flows as Mermaid: a subgraph per " +
      "jurisdiction, an edge per flow with what and the port",
    () => {
      const mermaid = /```mermaid\n([\s\S]*?)\n```/.exec(text)?.[1] ?? "";
      assert.match(mermaid, /^flowchart LR/);
      assert.match(mermaid, /subgraph s_j_EU\["EU jurisdiction"\]\n {4}s_eu_west_1\["eu-west-1"\]\n {2}end/);
      assert.match(mermaid, /subgraph s_j_IN\["IN jurisdiction"\]\n {4}s_ap_south_1\["ap-south-1"\]\n {2}end/);
      assert.match(mermaid, /s_ap_south_1 -- "alert metadata, port 443" --> s_eu_west_1/);
    },
  );

  it("says when a plan failed instead of showing nothing", () => {
    assert.match(text, /### examples\/broken: plan failed\n\nThe plan did not produce a document/);
  });

  it("puts plans that change something first and folds unchanged ones into one line each", () => {
    const quiet: PlanDoc = {
      stacks: [
        stack("eu-west-3", "EU", {
          diff: {
            newStack: false,
            monthlyTotalBefore: 100,
            counts: { create: 0, update: 0, replace: 0, "may-replace": 0, delete: 0, unchanged: 40 },
            resources: [],
          },
        }),
      ],
      violations: [],
      flows: [],
    };
    const out = prComment(
      [
        { title: "examples/quiet", plan: quiet, exitCode: 0 },
        { title: "shipped stacks", plan: doc, exitCode: 1 },
      ],
      "main",
    );
    assert.ok(out.indexOf("### shipped stacks") < out.indexOf("### No changes"));
    assert.match(
      out,
      new RegExp(
        /### No changes\n\n- examples\/quiet: 1 stack unchanged /.source +
          /\(eu-west-3\), \$100\.00\/month, ✅ no mandatory finding\n/.source,
      ),
    );
    assert.doesNotMatch(out, /### examples\/quiet/, "no table or diagram for an unchanged plan");
    // Inside a plan, the stack that changed comes before the unchanged one.
    const mixed: PlanDoc = { ...doc, stacks: [quiet.stacks[0]!, doc.stacks[0]!] };
    const m = prComment([{ title: "g", plan: mixed, exitCode: 1 }], "main");
    assert.ok(m.indexOf("| eu-west-1 |") < m.indexOf("| eu-west-3 |"));
  });

  it(
    "shows each mandatory finding whole (the allowReplace fix is at its " +
      "end), preflight findings, partial costs and a failed plan's own words",
    () => {
      const fix = 'declare it in the stack file: infrasage:allowReplace: [{ resource: "network-vpc", reason: "..." }]';
      const long = `Vpc network-vpc (eu-west-1) would be replaced: ${"x".repeat(700)}. ${fix}`;
      const withAll: PlanDoc = {
        ...doc,
        preflight: [
          {
            kind: "placeholder",
            file: "/r/Pulumi.eu-west-1.yaml",
            key: "infrasage:deploy.connectionArn",
            message: "names the AWS documentation account 123456789012",
            fix: "put your account's ARN here",
          },
        ],
        stacks: [
          {
            ...doc.stacks[0]!,
            violations: [{ policy: "replacement-guard", level: "mandatory", message: long }],
            cost: { monthlyTotal: 1, currency: "USD", notEstimated: ["NAT data processing"] },
          },
        ],
      };
      const out = prComment(
        [
          { title: "shipped stacks", plan: withAll, exitCode: 1 },
          {
            title: "examples/broken",
            exitCode: 2,
            error:
              "Pulumi.x.yaml: invalid InfraSage configuration (1 problem):\n" +
              "  - infrasage:network.cidr: is required. Fix: set it.\n```",
          },
        ],
        "main",
      );
      assert.ok(out.includes(md(fix)), "the fix is not cut");
      assert.match(
        out,
        new RegExp(
          /\*\*Preflight\*\*[^\n]*\n- `Pulumi\.eu-west-1\.yaml` `infrasage:deploy\.connectionArn`: /.source +
            /names the AWS documentation account 123456789012\. Fix: put your account's ARN here\./.source,
        ),
      );
      assert.match(out, /⚠️ The cost is partial: not estimated NAT data processing\./);
      assert.match(
        out,
        new RegExp(
          /```text\nPulumi\.x\.yaml: invalid InfraSage /.source +
            /configuration[\s\S]*infrasage:network\.cidr: is required\. Fix: set it\.\nʼʼʼ\n```/.source,
        ),
      );
      const passed = prComment([{ title: "p", plan: { ...withAll, stacks: [doc.stacks[1]!] }, exitCode: 0 }], "main");
      assert.match(passed, /### p: passed; 1 preflight finding \(the --strict preview and deploy jobs fail on them\)/);
    },
  );

  it("escapes names from the pull request: no table breaks, HTML, mentions or Mermaid breakouts", () => {
    assert.equal(md("a|b <script> @team `x`"), "a\\|b \\<script\\> @\u200bteam \\`x\\`");
    const hostile = flowDiagram(
      [stack('x"]; click x', "EU")],
      [{ from: 'x"]; click x', to: "y", fromJurisdiction: "EU", toJurisdiction: "?", what: 'a"b<c>', ports: [1] }],
    );
    assert.ok(
      hostile.every((l) => !/[^#]quot|"\]; click/.test(l.replace(/#quot;/g, ""))),
      hostile.join("\n"),
    );
    assert.ok(hostile.some((l) => l.includes('"a#quot;b#lt;c#gt;, port 1"')));
    assert.ok(hostile.some((l) => l.includes('"unknown jurisdiction"')));
  });

  it("stays under GitHub's comment limit and closes a code block the cut leaves open", () => {
    const many: PlanDoc = {
      ...doc,
      flows: Array.from({ length: 3000 }, (_, i) => ({
        from: `stack-${i}`,
        to: "eu-west-1",
        fromJurisdiction: "EU",
        toJurisdiction: "EU",
        what: "alert metadata",
        ports: [443],
      })),
    };
    const long = prComment([{ title: "many", plan: many, exitCode: 0 }], "main");
    assert.ok(long.length < MAX_COMMENT_CHARS + 200);
    assert.equal((long.match(/^```/gm) ?? []).length % 2, 0);
    assert.match(long, /cut at 60000 characters/);
  });

  it("scripts/pr-comment.ts reads TITLE::FILE::EXIT arguments; a failed plan needs no file; bad ones throw", () => {
    const dir = mkdtempSync(join(tmpdir(), "infrasage-comment-"));
    const file = join(dir, "plan.json");
    writeFileSync(file, JSON.stringify(doc));
    const parsed = parseArgs([
      "--base-label",
      "main",
      "--plan",
      `shipped::${file}::1`,
      "--plan",
      `broken::${join(dir, "none.json")}::2`,
    ]);
    assert.equal(parsed.base, "main");
    assert.equal(parsed.inputs[0]!.plan!.stacks.length, 2);
    assert.equal(parsed.inputs[1]!.plan, undefined);
    assert.throws(() => parseArgs(["--plan", "only-a-title"]), /expected TITLE::FILE::EXIT_STATUS/);
    const out = join(dir, "plan.txt");
    writeFileSync(out, "Pulumi.x.yaml: the fix");
    assert.equal(
      parseArgs(["--plan", `broken::${join(dir, "none.json")}::2::${out}`]).inputs[0]!.error,
      "Pulumi.x.yaml: the fix",
    );
    writeFileSync(file, "> npm banner\n{}");
    assert.throws(() => parseArgs(["--plan", `x::${file}::0`]), /not a plan's --json/);
  });
});
