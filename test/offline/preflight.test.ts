/**
 * Preflight: what the CLI, the engine and the providers refuse before creating anything, which the
 * mock runtime would accept: the chart the Release loads, Pulumi.yaml, stack names, StackReferences.
 */
import { strict as assert } from "node:assert";
import { cpSync, mkdtempSync, readFileSync, readdirSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { checkLocalChart } from "../../offline/preflight/chart";
import { checkStackName, loadProjectFile } from "../../offline/preflight/project";
import type { Finding } from "../../offline/preflight/finding";
import { ROOT, planFiles, runCli, writeStackFile } from "../support/plan";
import { docSection } from "../support/docs";

const CHART = join(ROOT, "test", "fixtures", "chart", "infrasage");
const DEPLOY = {
  repository: "example-team/infrasage",
  connectionArn: "arn:aws:codeconnections:eu-west-1:210987654321:connection/0b4a9f5e-2c1d-4e8f-9a6b-7c3d2e1f0a9b",
};
const base = { "aws:region": "eu-west-1", tenantId: "acme-eu", network: { cidr: "10.10.0.0/16" }, deploy: DEPLOY };
const chartFindings = (fs: readonly Finding[]) => fs.filter((f) => f.kind === "chart");

/** A copy of the fixture chart with one file changed. */
function chartWith(file: string, content: string): string {
  const dir = join(mkdtempSync(join(tmpdir(), "chart-")), "infrasage");
  cpSync(CHART, dir, { recursive: true });
  writeFileSync(join(dir, file), content);
  return dir;
}

describe("preflight: the chart the Release loads (kubernetes provider Check, Helm install)", () => {
  it("accepts the chart and our values against its values.schema.json", async () => {
    const plan = await planFiles([writeStackFile("eu-west-1", { ...base, chart: { path: CHART } })]);
    assert.deepEqual(chartFindings(plan.preflight), []);
  });

  it(
    "reports a missing chart, naming the stack file, the key " +
      "and where it looked (the shipped default on a fresh clone)",
    async () => {
      const plan = await planFiles([join(ROOT, "Pulumi.eu-west-1.yaml")]);
      const [f, ...rest] = chartFindings(plan.preflight);
      assert.equal(rest.length, 0);
      assert.equal(f!.file, join(ROOT, "Pulumi.eu-west-1.yaml"));
      assert.equal(f!.key, "chart.path");
      assert.match(f!.message, /path "\.\/infrasage-chart" not found/);
      assert.match(f!.fix, /docs\/deploying\.md "The InfraSage chart"/);
      assert.ok(
        docSection("The InfraSage chart").includes("./infrasage-chart"),
        "the fix points at a section that says where the chart goes",
      );
    },
  );

  it(
    "resolves a relative chart path against the folder the " +
      "program runs in (Pulumi.yaml main), not the stack file's",
    async () => {
      const plan = await planFiles([join(ROOT, "examples", "hub-spoke", "Pulumi.eu-west-1.yaml")]);
      assert.ok(
        chartFindings(plan.preflight).some((f) => f.message.includes(`looked in ${join(ROOT, "infrasage-chart")}`)),
        JSON.stringify(plan.preflight),
      );
    },
  );

  const check = (chartPath: string, values?: Record<string, unknown>) =>
    checkLocalChart({
      file: "Pulumi.x.yaml",
      key: "chart.path",
      chartPath,
      programDir: ROOT,
      ...(values ? { values } : {}),
    });

  it("reports what Helm refuses in Chart.yaml: library charts, versions that are not SemVer, missing names", () => {
    assert.deepEqual(check(CHART), []);
    assert.match(
      check(chartWith("Chart.yaml", "apiVersion: v2\nname: infrasage\nversion: 1.0.0\ntype: library\n"))[0]!.message,
      /library charts are not installable/,
    );
    assert.match(
      check(chartWith("Chart.yaml", "apiVersion: v2\nname: infrasage\nversion: latest\n"))[0]!.message,
      /version "latest" is invalid/,
    );
    assert.match(check(chartWith("Chart.yaml", "apiVersion: v2\nversion: 1.0.0\n"))[0]!.message, /name is required/);
    assert.match(
      check(chartWith("Chart.yaml", "apiVersion: v3\nname: x\nversion: 1.0.0\n"))[0]!.message,
      /apiVersion 'v3' is not valid/,
    );
    assert.deepEqual(
      check(chartWith("Chart.yaml", "apiVersion: v2\nname: infrasage\nversion: v2.4\n")),
      [],
      "Helm's loose SemVer takes v2.4",
    );
  });

  it("reports a directory that is not a chart, and a name the provider would try to download", () => {
    assert.match(check(join(ROOT, "test", "fixtures"))[0]!.message, /Chart\.yaml is missing/);
    assert.match(check("charts/infrasage")[0]!.message, /not a local path, so the provider tries to download it/);
  });

  it("validates the values against values.schema.json (chart defaults merged first), every problem at once", () => {
    const values = { ingestionGateway: { replicaCount: 0 }, apiKey: {}, clickhouse: { persistence: { size: "lots" } } };
    const found = check(CHART, values).map((f) => f.message);
    assert.ok(
      found.some((m) => /\/ingestionGateway\/replicaCount must be >= 1/.test(m)),
      JSON.stringify(found),
    );
    assert.ok(found.some((m) => /\/apiKey must have required property 'existingSecret'/.test(m)));
    assert.ok(found.some((m) => /\/clickhouse\/persistence\/size must match pattern/.test(m)));
    // The chart's values.yaml supplies replicaCount when we set none.
    assert.deepEqual(check(CHART, { apiKey: { existingSecret: "s" } }), []);
  });

  it("compiles a schema once per text, however many stacks and plans validate against it", () => {
    const core = require("ajv/dist/core") as { default: { prototype: { compile: (...a: unknown[]) => unknown } } };
    const compile = core.default.prototype.compile;
    let compiled = 0;
    core.default.prototype.compile = function (this: unknown, ...a: unknown[]) {
      compiled++;
      return compile.apply(this, a);
    };
    try {
      const schema = JSON.parse(readFileSync(join(CHART, "values.schema.json"), "utf8")) as Record<string, unknown>;
      const fresh = chartWith("values.schema.json", JSON.stringify({ ...schema, title: `fresh ${process.pid}` }));
      const good = { apiKey: { existingSecret: "s" } };
      assert.deepEqual([check(fresh, good), check(fresh, good)], [[], []]);
      assert.equal(check(fresh, { ingestionGateway: { replicaCount: 0 }, ...good }).length, 1);
      assert.equal(compiled, 1);
      const other = chartWith("values.schema.json", JSON.stringify({ ...schema, title: `other ${process.pid}` }));
      assert.deepEqual(check(other, good), []);
      assert.equal(compiled, 2, "another schema text is compiled");
    } finally {
      core.default.prototype.compile = compile;
    }
  });

  it("validates with JSON Schema 2020-12 unless the schema names an older draft (as Helm's validator)", () => {
    const schema = JSON.parse(readFileSync(join(CHART, "values.schema.json"), "utf8")) as Record<string, unknown>;
    const draft7 = chartWith(
      "values.schema.json",
      JSON.stringify({ ...schema, $schema: "http://json-schema.org/draft-07/schema#" }),
    );
    assert.deepEqual(check(draft7, { ingestionGateway: { replicaCount: 1 }, apiKey: { existingSecret: "s" } }), []);
    assert.equal(check(draft7, { ingestionGateway: { replicaCount: 0 }, apiKey: { existingSecret: "s" } }).length, 1);
  });
});

describe("preflight: Pulumi.yaml and stack names (the CLI's project loader)", () => {
  const project = (yaml: string, files: Record<string, string> = {}) => {
    const dir = mkdtempSync(join(tmpdir(), "proj-"));
    writeFileSync(join(dir, "Pulumi.yaml"), yaml);
    for (const [f, c] of Object.entries(files)) {
      mkdirSync(join(dir, f, ".."), { recursive: true });
      writeFileSync(join(dir, f), c);
    }
    return loadProjectFile(join(dir, "Pulumi.yaml"));
  };

  it("accepts every Pulumi.yaml in the repository, and runs the examples' program in the repository root", () => {
    const found: string[] = [];
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        if (e.name === "node_modules" || e.name.startsWith(".")) continue;
        if (e.isDirectory()) walk(join(dir, e.name));
        else if (e.name === "Pulumi.yaml") found.push(join(dir, e.name));
      }
    };
    walk(ROOT);
    assert.ok(found.length >= 4, found.join());
    for (const f of found) {
      const p = loadProjectFile(f);
      assert.deepEqual(p.findings, [], relative(ROOT, f));
      // bootstrap/ is its own program (the account and repository set-up); every other project runs the root's.
      assert.equal(
        p.programDir,
        f === join(ROOT, "bootstrap", "Pulumi.yaml") ? join(ROOT, "bootstrap") : ROOT,
        relative(ROOT, f),
      );
    }
  });

  it("refuses a main that does not exist, a missing or non-Node runtime, an invalid name", () => {
    assert.match(
      project("name: x\nruntime: nodejs\nmain: ../nowhere-at-all/\n").findings[0]!.message,
      /project 'main' could not be read/,
    );
    assert.match(project("name: x\nmain: .\n", { "index.ts": "" }).findings[0]!.key!, /runtime/);
    assert.match(project("name: x\nruntime: python\n", { "index.ts": "" }).findings[0]!.message, /runtime "python"/);
    assert.match(
      project("name: a b\nruntime: nodejs\n", { "index.ts": "" }).findings[0]!.message,
      /project names may only contain/,
    );
    assert.match(
      project("runtime: nodejs\n", { "index.ts": "" }).findings[0]!.message,
      /missing a non-empty string 'name'/,
    );
    assert.match(project("name: x\nruntime: nodejs\n").findings[0]!.message, /neither index\.ts nor package\.json/);
    assert.deepEqual(project("name: x\nruntime:\n  name: nodejs\nmain: src/\n", { "src/index.ts": "" }).findings, []);
  });

  it("refuses stack names the CLI refuses", () => {
    assert.deepEqual(checkStackName("f", "eu-west-1"), []);
    assert.deepEqual(checkStackName("f", "prod_eu.1"), []);
    for (const bad of ["eu west 1", "eu/west", "x".repeat(101), "é"])
      assert.equal(checkStackName("f", bad).length, 1, bad);
  });
});

describe("preflight: StackReferences (a reference to a stack that does not exist fails the real run)", () => {
  it("flags references to stacks outside the plan, naming the key; planning the group resolves them", async () => {
    const single = await planFiles([join(ROOT, "examples", "hub-spoke", "Pulumi.ap-south-1.yaml")]);
    const refs = single.preflight.filter((f) => f.kind === "stack-reference");
    assert.equal(refs.length, 1, JSON.stringify(refs));
    assert.equal(refs[0]!.key, "federation.hubStack");
    assert.match(
      refs[0]!.message,
      new RegExp(
        /acme\/infrasage\/eu-west-1: stack eu-west-1 is not planned alongside, so /.source +
          /the plan can neither declare it deployed \(--deployed\) nor know it exists/.source,
      ),
    );
    const group = await planFiles(
      readdirSync(join(ROOT, "examples", "hub-spoke"))
        .filter((f) => f.startsWith("Pulumi.") && f !== "Pulumi.yaml")
        .map((f) => join(ROOT, "examples", "hub-spoke", f)),
    );
    assert.deepEqual(
      group.preflight.filter((f) => f.kind === "stack-reference"),
      [],
    );
  });

  it("flags a group whose references name two organizations, and another project", async () => {
    const dir = mkdtempSync(join(tmpdir(), "orgs-"));
    const hub = writeStackFile(
      "eu-west-1",
      { ...base, pattern: "hub-spoke", federation: { role: "hub", spokes: ["acme/infrasage/ap-south-1"] } },
      dir,
    );
    const spoke = writeStackFile(
      "ap-south-1",
      {
        ...base,
        "aws:region": "ap-south-1",
        network: { cidr: "10.20.0.0/16" },
        pattern: "hub-spoke",
        federation: { role: "spoke", hubStack: "other-org/infrasage/eu-west-1" },
      },
      dir,
    );
    const plan = await planFiles([hub, spoke]);
    const messages = plan.preflight.filter((f) => f.kind === "stack-reference").map((f) => f.message);
    assert.ok(
      messages.some((m) => /2 organizations \(acme, other-org\)/.test(m)),
      JSON.stringify(messages),
    );
    const other = writeStackFile(
      "ap-south-1",
      {
        ...base,
        "aws:region": "ap-south-1",
        network: { cidr: "10.20.0.0/16" },
        pattern: "hub-spoke",
        federation: { role: "spoke", hubStack: "acme/other-project/eu-west-1" },
      },
      dir,
    );
    const plan2 = await planFiles([hub, other]);
    assert.ok(
      plan2.preflight.some((f) => /project other-project is not this program's project infrasage/.test(f.message)),
      JSON.stringify(plan2.preflight),
    );
  });
});

describe("--strict", () => {
  it(
    "exits 1 on a preflight finding, and the text view says " +
      "it first; without --strict it does not change the exit",
    async () => {
      const plain = await runCli(["--stack", "eu-west-1"]);
      assert.equal(plain.code, 0, plain.stderr);
      // The chart, and the shipped placeholders (account 123456789012 in the connection, preview role and
      // boundary ARNs; organization acme in the repository).
      assert.match(plain.stdout.split("\n")[0]!, /^Preflight: a real pulumi preview \/ up would fail on 5 things/);
      const strict = await runCli(["--stack", "eu-west-1", "--strict"]);
      assert.equal(strict.code, 1);
      const ok = await runCli([
        "--config-file",
        writeStackFile("eu-west-1", { ...base, chart: { path: CHART } }),
        "--strict",
        "--preview",
      ]);
      assert.equal(ok.code, 0, ok.stdout.slice(0, 2000));
      assert.match(ok.stdout.split("\n")[0]!, /^Preflight: nothing a real pulumi preview would refuse/);
    },
  );
});
