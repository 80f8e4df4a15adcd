/**
 * Backends users have: a self-managed (DIY) backend accepts only `organization` as the org of a stack
 * name or StackReference (pulumi/pulumi pkg/backend/diy/store.go). Every example, switched to one
 * backend per jurisdiction the way docs/deploying.md "From zero to deployed" step 1 says, plans clean under
 * `--strict --preview`; a reference that keeps another org fails there, naming the key and the fix.
 */
import { strict as assert } from "node:assert";
import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { asDiyReference, backendKindOf, diyReferenceProblem } from "../../offline/preflight/backend";
import { StackReferences } from "../../offline/stack-references";
import { prComment, type PlanDoc } from "../../offline/pr-comment";
import { parseStackConfig } from "../../lib/config/parse";
import { jurisdictionOf } from "../../policies/shared/regions";
import { ROOT, runCli } from "../support/plan";
import { docFiles } from "../support/docs";

const CHART = join(ROOT, "test", "fixtures", "chart", "infrasage");
const EXAMPLES = readdirSync(join(ROOT, "examples")).sort();
const REF = /\b[A-Za-z0-9_.-]+\/(infrasage\/[A-Za-z0-9_.-]+)/g;

/**
 * A copy of examples/<name> on per-jurisdiction self-managed backends, as that step 1 says: every
 * stack file sets `infrasage:stateBackend: per-jurisdiction`, names its references
 * `organization/<project>/<stack>`, and links to stacks of another jurisdiction over SSM
 * (`infrasage:links.via: ssm`). The copy lives outside the repository, so its Pulumi.yaml's `main`
 * points at the program; the chart is the test fixture (step 5: commit the chart); the placeholder account and
 * GitHub owner are replaced by the user's own (the preflight names them otherwise).
 */
function diyCopy(name: string, org = "organization"): string {
  const dir = mkdtempSync(join(tmpdir(), `diy-${name}-`));
  cpSync(join(ROOT, "examples", name), dir, { recursive: true });
  const project = parse(readFileSync(join(dir, "Pulumi.yaml"), "utf8")) as Record<string, unknown>;
  writeFileSync(join(dir, "Pulumi.yaml"), stringify({ ...project, main: ROOT }));
  for (const file of readdirSync(dir).filter((f) => /^Pulumi\..+\.yaml$/.test(f) && f !== "Pulumi.yaml")) {
    // Step 1 also has the user put their own account and GitHub owner where the examples hold placeholders.
    const text = readFileSync(join(dir, file), "utf8")
      .replace(REF, (_m, rest: string) => `${org}/${rest}`)
      .replaceAll(":123456789012:", ":210987654321:")
      .replace(/\bacme\/infrasage\b(?!\/)/g, "our-team/infrasage");
    const doc = parse(text) as { config: Record<string, unknown> };
    const c = doc.config;
    c["infrasage:stateBackend"] = "per-jurisdiction";
    c["infrasage:chart"] = { ...(c["infrasage:chart"] as object | undefined), path: CHART };
    const refs = [...text.matchAll(REF)].map((m) => m[1]!.split("/")[1]!);
    const here = jurisdictionOf(String(c["aws:region"]));
    const replication = JSON.stringify(c["infrasage:replication"] ?? {});
    if (refs.some((s) => jurisdictionOf(s) !== here && !replication.includes(`/${s}"`)))
      c["infrasage:links"] = { ...(c["infrasage:links"] as object | undefined), via: "ssm" };
    writeFileSync(join(dir, file), stringify(doc));
  }
  return dir;
}

describe("self-managed backends: stack names and StackReferences (pulumi/pulumi pkg/backend/diy)", () => {
  it("accepts <stack>, organization/<stack>, organization/<project>/<stack>; refuses any other organization", () => {
    for (const ok of ["eu-west-1", "organization/eu-west-1", "organization/infrasage/eu-west-1"])
      assert.equal(diyReferenceProblem(ok), undefined, ok);
    assert.match(
      diyReferenceProblem("acme/infrasage/eu-west-1")!,
      /organization name must be 'organization', not "acme"/,
    );
    // Two parts are org/stack, never project/stack.
    assert.match(diyReferenceProblem("infrasage/eu-west-1")!, /not "infrasage"/);
    assert.equal(asDiyReference("acme/infrasage/eu-west-1"), "organization/infrasage/eu-west-1");
    assert.equal(backendKindOf("shared"), "pulumi-cloud");
    assert.equal(backendKindOf("self-managed"), "self-managed");
    assert.equal(backendKindOf("per-jurisdiction"), "self-managed");
  });

  it(
    "checks references against each stack's backend: organization " +
      "on a self-managed one, any one organization on Pulumi Cloud",
    () => {
      const config = (backend: string, peers: string[]) => {
        const parsed = parseStackConfig(
          {
            "aws:region": "eu-west-1",
            "infrasage:tenantId": "acme-eu",
            "infrasage:pattern": "active-active",
            "infrasage:network": JSON.stringify({ cidr: "10.10.0.0/16" }),
            "infrasage:replication": JSON.stringify({ peers }),
            "infrasage:stateBackend": backend,
            "infrasage:deploy": JSON.stringify({
              repository: "acme/infrasage",
              connectionArn:
                "arn:aws:codeconnections:eu-west-1:123456789012:connection/0b4a9f5e-2c1d-4e8f-9a6b-7c3d2e1f0a9b",
            }),
          },
          "eu-west-1",
        );
        if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
        return [{ stack: "eu-west-1", project: "infrasage", file: "Pulumi.eu-west-1.yaml", references: parsed.config }];
      };
      const cloud = new StackReferences(config("shared", ["acme/infrasage/eu-central-1", "acme/infrasage/eu-north-1"]));
      assert.equal(cloud.organization, "acme");
      assert.deepEqual(cloud.findings(), []);
      for (const backend of ["self-managed", "per-jurisdiction"]) {
        const diy = new StackReferences(
          config(backend, ["organization/infrasage/eu-central-1", "acme/infrasage/eu-north-1"]),
        );
        assert.equal(diy.organization, "organization", "a self-managed backend's stacks are all in organization");
        const f = diy.findings();
        assert.equal(f.length, 1, JSON.stringify(f));
        assert.equal(f[0]!.key, "infrasage:replication.peers[1]");
        assert.match(
          f[0]!.message,
          new RegExp(
            `acme/infrasage/eu-north-1: organization name must be 'organization'.*infrasage:stateBackend ${backend}`,
          ),
        );
        assert.equal(f[0]!.fix, "write organization/infrasage/eu-north-1");
        // Resolving it (the program's StackReference) adds nothing new and reads nothing.
        assert.equal(diy.resolve("eu-west-1", "acme/infrasage/eu-north-1"), undefined);
        assert.equal(diy.findings().length, 1);
      }
    },
  );
});

describe("examples on per-jurisdiction DIY backends (docs/deploying.md From zero to deployed, step 1)", function () {
  this.timeout(300_000);
  it("finds examples to copy", () => assert.ok(EXAMPLES.length >= 5, EXAMPLES.join(", ")));
  for (const name of EXAMPLES) {
    it(`examples/${name} plans clean under --strict --preview`, async () => {
      const run = await runCli(["--all", "--dir", diyCopy(name), "--strict", "--preview", "--json"]);
      const doc = JSON.parse(run.stdout) as { preflight: unknown[]; organization: string };
      assert.deepEqual(doc.preflight, [], JSON.stringify(doc.preflight, null, 2));
      assert.equal(run.code, 0, run.stderr);
      assert.equal(doc.organization, "organization");
    });
  }

  it("a reference with another organization fails there, naming the file, the key and the fix", async () => {
    const dir = diyCopy("active-active", "acme");
    const run = await runCli(["--all", "--dir", dir, "--strict", "--preview"]);
    assert.equal(run.code, 1);
    assert.match(
      run.stdout,
      new RegExp(
        `${dir}/Pulumi\\.eu-west-1\\.yaml \\(infrasage:replication\\.peers\\[0\\]\\): ` +
          `StackReference acme/infrasage/eu-central-1: organization name must be ` +
          `'organization'[^\\n]*\\n\\s+Fix: write organization/infrasage/eu-central-1\\.`,
      ),
    );
  });

  it("README and docs: every pulumi stack init names a stack its backend accepts (self-managed: org only)", () => {
    const inits = docFiles().flatMap((d) => {
      const text = d.text.replace(/\s+/g, " ");
      return [...text.matchAll(/pulumi stack init ([^\s`]+)/g)].map((m) => {
        const before = text.slice(Math.max(0, m.index - 300), m.index);
        const backend =
          before.lastIndexOf("self-managed") > before.lastIndexOf("Pulumi Cloud") ? "self-managed" : "pulumi-cloud";
        return { name: m[1]!, backend, file: d.file };
      });
    });
    const diy = inits.filter((i) => i.backend === "self-managed");
    assert.ok(diy.length >= 2, JSON.stringify(inits));
    for (const i of diy) assert.equal(diyReferenceProblem(i.name), undefined, i.name);
  });

  it("examples/hub-spoke-two-backends names its stacks as a self-managed backend does", () => {
    for (const file of ["Pulumi.eu-west-1.yaml", "Pulumi.ap-south-1.yaml"]) {
      const text = readFileSync(join(ROOT, "examples", "hub-spoke-two-backends", file), "utf8");
      assert.match(text, /stateBackend: per-jurisdiction/);
      for (const m of text.matchAll(REF)) assert.equal(diyReferenceProblem(m[0]), undefined, `${file}: ${m[0]}`);
    }
  });
});

describe("a StackReference to a stack neither planned alongside nor deployed", function () {
  this.timeout(120_000);
  it("is named in the text view, in --json and in the pull request comment", async () => {
    const spoke = join(ROOT, "examples", "hub-spoke", "Pulumi.ap-south-1.yaml");
    const why = new RegExp(
      /acme\/infrasage\/eu-west-1: stack eu-west-1 is not planned alongside, so /.source +
        /the plan can neither declare it deployed \(--deployed\) nor know it exists/.source,
    );
    const text = await runCli(["--config-file", spoke, "--preview"]);
    assert.match(
      text.stdout,
      new RegExp(`Pulumi\\.ap-south-1\\.yaml \\(federation\\.hubStack\\): StackReference ${why.source}`),
    );
    const json = await runCli(["--config-file", spoke, "--preview", "--json"]);
    const doc = JSON.parse(json.stdout) as PlanDoc & { preflight: { key?: string; message: string }[] };
    assert.ok(
      doc.preflight.some((f) => f.key === "federation.hubStack" && why.test(f.message)),
      JSON.stringify(doc.preflight),
    );
    const comment = prComment([{ title: "examples/hub-spoke", plan: doc, exitCode: json.code }], "main");
    assert.match(comment, /\*\*Preflight\*\* \(a real preview or up refuses these before creating anything/);
    assert.match(
      comment,
      new RegExp(
        /- `Pulumi\.ap-south-1\.yaml` `federation\.hubStack`: StackReference /.source +
          /acme\/infrasage\/eu-west-1: stack eu-west-1 is not planned alongside/.source,
      ),
    );
  });
});
