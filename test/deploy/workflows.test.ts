/**
 * The GitHub Actions workflows (.github/workflows): actionlint-clean; the stack matrix is exactly the
 * stack files (scripts/list-stacks.ts); actions pinned to commit SHAs; deploys wait for checks; no
 * job with write credentials runs for a pull request; every job that talks to a cluster runs on the
 * runner inside its network (or, before that runner exists, excludes every Kubernetes resource);
 * the preflight runs before any credential; the Pulumi CLI matches the SDK; the update bot sees
 * actions, both npm manifests and the pinned charts.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { lintWorkflow, lintWorkflows } from "../../scripts/lint-workflows";
import { listStacks, type StackList } from "../../scripts/list-stacks";
import { runnerProjectName } from "../../lib/deploy/deploy-path";
import { ADDON_CHARTS, CLUSTER_AUTOSCALER_IMAGE_TAGS, IMAGES } from "../../lib/charts/pinned-versions";
import { SUPPORTED_EKS_VERSIONS } from "../../lib/cluster/eks-versions";
import { ROOT } from "../support/plan";

interface Step {
  readonly name?: string;
  readonly id?: string;
  readonly if?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly with?: Record<string, unknown>;
}
interface Job {
  readonly needs?: string | string[];
  readonly if?: string;
  readonly "runs-on"?: string;
  readonly uses?: string;
  readonly with?: Record<string, unknown>;
  readonly permissions?: Record<string, string>;
  readonly environment?: unknown;
  readonly concurrency?: unknown;
  readonly outputs?: Record<string, string>;
  readonly strategy?: {
    readonly matrix?: Record<string, unknown>;
    readonly "max-parallel"?: number;
    readonly "fail-fast"?: boolean;
  };
  readonly steps?: Step[];
}
interface Workflow {
  readonly on: Record<string, unknown>;
  readonly permissions?: Record<string, string>;
  readonly jobs: Record<string, Job>;
}

const WORKFLOWS = join(ROOT, ".github", "workflows");
const FILES = readdirSync(WORKFLOWS)
  .filter((f) => f.endsWith(".yml"))
  .sort();
const text = (name: string) => readFileSync(join(WORKFLOWS, name), "utf8");
const workflow = (name: string) => parseYaml(text(name)) as Workflow;
const shippedStacks = () =>
  readdirSync(ROOT)
    .map((n) => /^Pulumi\.(.+)\.yaml$/.exec(n)?.[1])
    .filter((s): s is string => s !== undefined)
    .sort();
const needsOf = (j: Job) => (j.needs === undefined ? [] : typeof j.needs === "string" ? [j.needs] : j.needs);
const stepsOf = (j: Job) => j.steps ?? [];
const pulumiCommand = (s: Step) =>
  s.uses?.startsWith("pulumi/actions@") && typeof s.with?.command === "string" ? s.with.command : undefined;
const calledFile = (j: Job) => j.uses?.replace(/^\.\/\.github\/workflows\//, "");

/** Every job a workflow runs, following local reusable workflows (`uses: ./.github/workflows/x.yml`). */
function jobsOf(file: string, seen = new Set<string>()): { file: string; name: string; job: Job }[] {
  if (seen.has(file)) return [];
  seen.add(file);
  return Object.entries(workflow(file).jobs).flatMap(([name, job]) => {
    const called = calledFile(job);
    return called ? [{ file, name, job }, ...jobsOf(called, seen)] : [{ file, name, job }];
  });
}

function listStacksCli(dir?: string): { code: number | null; doc?: StackList; stderr: string } {
  const r = spawnSync(process.execPath, ["--import", "tsx", "scripts/list-stacks.ts", ...(dir ? [dir] : [])], {
    cwd: ROOT,
    encoding: "utf8",
  });
  return { code: r.status, stderr: r.stderr, ...(r.status === 0 ? { doc: JSON.parse(r.stdout) as StackList } : {}) };
}

function tempProject(stacks: Record<string, Record<string, unknown>>): string {
  const dir = mkdtempSync(join(tmpdir(), "infrasage-ci-"));
  copyFileSync(join(ROOT, "Pulumi.yaml"), join(dir, "Pulumi.yaml"));
  for (const [name, config] of Object.entries(stacks))
    writeFileSync(join(dir, `Pulumi.${name}.yaml`), stringifyYaml({ config }));
  return dir;
}

describe("CI workflows", () => {
  describe("actionlint", () => {
    it("finds no problem in any workflow", async () => {
      const { files, problems } = await lintWorkflows(ROOT);
      assert.deepEqual(
        files.map((f) => f.replace(/^.*\//, "")),
        FILES,
      );
      assert.deepEqual(FILES, [
        "checks.yml",
        "deploy.yml",
        "drift.yml",
        "plan-comment.yml",
        "preview.yml",
        "stack-deploy.yml",
        "stack-preview.yml",
      ]);
      assert.deepEqual(problems, []);
    });

    it("is live: it reports an unknown job, a bad permission and an undefined input", async () => {
      const cases: [string, string, string][] = [
        ["deploy.yml", "needs: [checks, stacks]", "needs: [checks, stackz]"],
        ["stack-deploy.yml", "id-token: write", "id-token: writ"],
        ["stack-preview.yml", "inputs.preview-role-var", "inputs.preview-role-vra"],
      ];
      for (const [file, from, to] of cases) {
        assert.ok(text(file).includes(from), `${file} has ${from}`);
        assert.ok(
          (await lintWorkflow(text(file).replace(from, to), file)).length > 0,
          `actionlint missed ${from} -> ${to}`,
        );
      }
    });
  });

  describe("the stack matrix (scripts/list-stacks.ts)", () => {
    it("covers exactly the shipped Pulumi.*.yaml files, each deployed exactly once, with its runner", () => {
      const { code, doc, stderr } = listStacksCli();
      assert.equal(code, 0, stderr);
      assert.ok(doc);
      const shipped = shippedStacks();
      assert.ok(shipped.length >= 2);
      assert.deepEqual(doc.stacks, shipped);
      assert.deepEqual([...doc.parallel, ...doc.ordered].map((e) => e.stack).sort(), shipped);
      for (const e of doc.all) {
        assert.equal(e.roleVar, `AWS_ROLE_ARN_${e.region.toUpperCase().replaceAll("-", "_")}`);
        assert.equal(e.runner, "codebuild");
        assert.equal(e.runnerProject, runnerProjectName(e.stack));
      }
    });

    it(
      "picks up a stack file added to a copy of the repo, with " +
        "no workflow edit; a self-hosted runner by its label",
      () => {
        const dir = tempProject({});
        for (const s of shippedStacks()) copyFileSync(join(ROOT, `Pulumi.${s}.yaml`), join(dir, `Pulumi.${s}.yaml`));
        writeFileSync(
          join(dir, "Pulumi.eu-central-1.yaml"),
          stringifyYaml({
            config: {
              "aws:region": "eu-central-1",
              "infrasage:tenantId": "acme-de",
              "infrasage:deploy": { runner: "self-hosted", runnerLabel: "vpc-de", runnerCidrs: ["10.30.0.0/24"] },
            },
          }),
        );
        const { code, doc, stderr } = listStacksCli(dir);
        assert.equal(code, 0, stderr);
        const added = doc!.parallel.find((e) => e.stack === "eu-central-1")!;
        assert.deepEqual(
          [added.roleVar, added.backendVar, added.runner, added.runnerLabel, added.runnerProject],
          ["AWS_ROLE_ARN_EU_CENTRAL_1", "PULUMI_BACKEND_URL_EU", "self-hosted", "vpc-de", ""],
        );
      },
    );

    it(
      "deploys hubs, then spokes, then active-active members, then " +
        "witnesses, each by name; independent stacks in parallel",
      () => {
        const dir = tempProject({
          "us-east-1": { "aws:region": "us-east-1" },
          "zz-hub": {
            "aws:region": "eu-west-1",
            "infrasage:pattern": "hub-spoke",
            "infrasage:federation": { role: "hub" },
          },
          "mm-spoke": {
            "aws:region": "eu-central-1",
            "infrasage:pattern": "hub-spoke",
            "infrasage:federation": { role: "spoke", hubStack: "o/infrasage/zz-hub" },
          },
          "aa-spoke": {
            "aws:region": "eu-north-1",
            "infrasage:pattern": "hub-spoke",
            "infrasage:federation": { role: "spoke", hubStack: "o/infrasage/zz-hub" },
          },
          "b-member": {
            "aws:region": "eu-west-3",
            "infrasage:pattern": "active-active",
            "infrasage:replication": { peers: ["o/infrasage/a-member"] },
          },
          "a-member": {
            "aws:region": "eu-south-1",
            "infrasage:pattern": "active-active",
            "infrasage:replication": { peers: ["o/infrasage/b-member"] },
          },
          "a-witness": {
            "aws:region": "eu-north-1",
            "infrasage:pattern": "active-active",
            "infrasage:replication": { peers: ["o/infrasage/a-member"], witness: true },
          },
        });
        const list = listStacks(dir);
        assert.deepEqual(
          list.parallel.map((e) => e.stack),
          ["us-east-1"],
        );
        assert.deepEqual(
          list.ordered.map((e) => `${e.stack}:${e.role}`),
          ["zz-hub:hub", "aa-spoke:spoke", "mm-spoke:spoke", "a-member:member", "b-member:member", "a-witness:witness"],
        );
      },
    );

    it("orders each examples/* group: hub first, witness last", () => {
      const dirs = readdirSync(join(ROOT, "examples"))
        .map((d) => join(ROOT, "examples", d))
        .filter((d) => existsSync(join(d, "Pulumi.yaml")));
      assert.ok(dirs.length >= 3);
      for (const d of dirs) {
        const list = listStacks(d);
        assert.deepEqual([...list.parallel, ...list.ordered].map((e) => e.stack).sort(), list.stacks, d);
        const roles = list.ordered.map((e) => e.role);
        if (roles.includes("hub")) assert.equal(roles[0], "hub", `${d}: hub first`);
        if (roles.includes("witness")) assert.equal(roles.at(-1), "witness", `${d}: witness last`);
      }
    });

    it("rejects a stack file whose region is unknown: exit 2, naming the file", () => {
      const { code, stderr } = listStacksCli(tempProject({ mars: { "aws:region": "mars-north-1" } }));
      assert.equal(code, 2);
      assert.match(stderr, /Pulumi\.mars\.yaml: aws:region mars-north-1 is not in /);
    });

    for (const [file, jobs] of [
      ["preview.yml", { preview: "all" }],
      ["deploy.yml", { parallel: "parallel", ordered: "ordered" }],
      ["drift.yml", { drift: "all" }],
    ] as const) {
      it(`${file}: every matrix is a list-stacks output; no stack hard-coded`, () => {
        const w = workflow(file);
        const list = w.jobs.stacks!;
        const script = stepsOf(list)
          .map((s) => s.run ?? "")
          .join("\n");
        assert.match(script, /tsx scripts\/list-stacks\.ts/);
        const doc = listStacks(ROOT);
        for (const [job, key] of Object.entries(jobs)) {
          const j = w.jobs[job]!;
          assert.ok(needsOf(j).includes("stacks"));
          assert.deepEqual(j.strategy?.matrix, { include: `\${{ fromJSON(needs.stacks.outputs.${key}) }}` });
          assert.equal(list.outputs?.[key], `\${{ steps.list.outputs.${key} }}`);
          assert.ok(key in doc);
          assert.ok(j.if?.includes(`needs.stacks.outputs.${key} != '[]'`), `${job} skips an empty list`);
        }
        const fields = new Set([...text(file).matchAll(/matrix\.(\w+)/g)].map((m) => m[1]!));
        for (const f of fields)
          assert.ok(Object.keys(doc.all[0]!).includes(f), `matrix.${f} is not printed by list-stacks`);
        for (const s of shippedStacks()) assert.ok(!text(file).includes(s), `${file} hard-codes ${s}`);
      });
    }
  });

  describe("supply chain", () => {
    it("pins every action to a full commit SHA with its version in a comment", () => {
      for (const file of FILES) {
        for (const line of text(file)
          .split("\n")
          .filter((l) => /^\s*(-\s+)?uses:/.test(l))) {
          const ref = line.replace(/^\s*(-\s+)?uses:\s*/, "");
          if (ref.startsWith("./.github/workflows/")) continue; // this repository's reusable workflows
          assert.match(ref, /^[\w.-]+\/[\w.-]+@[0-9a-f]{40} # v\d+(\.\d+){0,2}$/, `${file}: ${ref}`);
        }
      }
    });

    it("installs the Pulumi CLI of the SDK's version in every job that runs pulumi", () => {
      const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
        dependencies: Record<string, string>;
      };
      assert.match(pkg.dependencies["@pulumi/pulumi"]!, /^\d+\.\d+\.\d+$/, "the SDK is pinned exactly");
      assert.equal(readFileSync(join(ROOT, ".pulumi-version"), "utf8").trim(), pkg.dependencies["@pulumi/pulumi"]);
      for (const file of FILES) {
        for (const s of Object.values(workflow(file).jobs)
          .flatMap(stepsOf)
          .filter((x) => x.uses?.startsWith("pulumi/actions@"))) {
          assert.equal(s.with?.["pulumi-version-file"], ".pulumi-version", `${file}: ${s.name ?? s.uses}`);
        }
      }
    });

    it("has the update bot watch actions, both npm manifests and every pinned chart and image", () => {
      const config = JSON.parse(readFileSync(join(ROOT, "renovate.json"), "utf8")) as {
        enabledManagers: string[];
        extends: string[];
        customManagers: { managerFilePatterns: string[]; matchStrings: string[] }[];
      };
      assert.deepEqual(config.enabledManagers.sort(), ["custom.regex", "github-actions", "npm"]);
      assert.ok(config.extends.includes("helpers:pinGitHubActionDigests"));
      assert.ok(
        existsSync(join(ROOT, "package.json")) && existsSync(join(ROOT, "policies", "package.json")),
        "npm finds both manifests",
      );
      // The regex manager as Renovate applies it (global match per matchString) finds every pinned entry.
      const pinned = config.customManagers.find((m) =>
        m.managerFilePatterns.some((p) => p.includes("pinned-versions")),
      )!;
      const source = readFileSync(join(ROOT, "lib", "charts", "pinned-versions.ts"), "utf8");
      const found = pinned.matchStrings.flatMap((ms) =>
        [...source.matchAll(new RegExp(ms, "g"))].map((m) => `${m.groups!.depName}@${m.groups!.currentValue}`),
      );
      const expected = [
        ...Object.values(ADDON_CHARTS).map((c) => `${c.name}@${c.version}`),
        ...Object.values(IMAGES).map((i) => `${i.split(":")[0]}@${i.split(":")[1]}`),
        ...Object.values(CLUSTER_AUTOSCALER_IMAGE_TAGS).map(
          (t) => `registry.k8s.io/autoscaling/cluster-autoscaler@${t}`,
        ),
      ];
      assert.deepEqual(found.sort(), expected.sort());
      const cli = config.customManagers.find((m) => m.managerFilePatterns.some((p) => p.includes("pulumi-version")))!;
      assert.match(readFileSync(join(ROOT, ".pulumi-version"), "utf8"), new RegExp(cli.matchStrings[0]!, "m"));
    });

    it(
      "pins a Cluster Autoscaler image of the cluster's minor for every " +
        "supported version, and lets the update bot raise only its patch",
      () => {
        assert.deepEqual(Object.keys(CLUSTER_AUTOSCALER_IMAGE_TAGS).sort(), [...SUPPORTED_EKS_VERSIONS].sort());
        for (const [minor, tag] of Object.entries(CLUSTER_AUTOSCALER_IMAGE_TAGS)) {
          assert.match(tag, /^v\d+\.\d+\.\d+$/, `${minor}: ${tag}`);
          assert.ok(tag.startsWith(`v${minor}.`), `${minor}: ${tag} has the cluster's minor`);
        }
        const config = JSON.parse(readFileSync(join(ROOT, "renovate.json"), "utf8")) as {
          packageRules: {
            matchDepNames?: string[];
            matchUpdateTypes?: string[];
            enabled?: boolean;
            versioning?: string;
          }[];
        };
        const rules = config.packageRules.filter((r) =>
          r.matchDepNames?.includes("registry.k8s.io/autoscaling/cluster-autoscaler"),
        );
        assert.ok(
          rules.some((r) => r.enabled === false && ["major", "minor"].every((u) => r.matchUpdateTypes?.includes(u))),
          "no minor or major bumps",
        );
        const versioning = rules.find((r) => r.versioning)?.versioning;
        assert.ok(versioning?.startsWith("regex:"), "the v-prefixed tags are versioned by a regex");
        const re = new RegExp(versioning!.slice("regex:".length));
        for (const tag of Object.values(CLUSTER_AUTOSCALER_IMAGE_TAGS)) assert.match(tag, re);
        assert.doesNotMatch("v1.36.0-alpha.1", re, "pre-releases are not proposed");
      },
    );
  });

  describe("credentials and where jobs run", () => {
    it("deploys only after the checks of the same commit, on pushes to main", () => {
      const w = workflow("deploy.yml");
      assert.deepEqual(w.on.push, { branches: ["main"] });
      assert.equal(w.jobs.checks!.uses, "./.github/workflows/checks.yml");
      assert.ok("workflow_call" in workflow("checks.yml").on);
      for (const name of ["parallel", "ordered"]) {
        assert.ok(needsOf(w.jobs[name]!).includes("checks"), `${name} waits for checks`);
        assert.equal(w.jobs[name]!.uses, "./.github/workflows/stack-deploy.yml");
      }
      assert.deepEqual(w.jobs.ordered!.with, w.jobs.parallel!.with, "the two deploy jobs deploy alike");
      assert.equal(w.jobs.ordered!.strategy?.["max-parallel"], 1);
      assert.equal(w.jobs.ordered!.strategy?.["fail-fast"], true);
    });

    it(
      "gates every up on the stack's environment, after a fresh " +
        "read-only preview of the same run; one update per stack at a time",
      () => {
        const w = workflow("stack-deploy.yml");
        assert.equal(w.jobs.preview!.uses, "./.github/workflows/stack-preview.yml");
        for (const name of ["up", "workloads"]) {
          const j = w.jobs[name]!;
          assert.ok(needsOf(j).includes("preview"));
          assert.equal(j.environment, "${{ inputs.stack }}");
          assert.deepEqual(j.concurrency, { group: "deploy-${{ inputs.stack }}", "cancel-in-progress": false });
          assert.equal(stepsOf(j).map(pulumiCommand).find(Boolean), "up");
        }
        assert.deepEqual(
          stepsOf(w.jobs.workloads!),
          stepsOf(w.jobs.up!),
          "the bootstrap's second up runs the same steps",
        );
      },
    );

    it(
      "asks no approval for a stack whose fresh preview changes " +
        "nothing: up is skipped on the preview's own summary",
      () => {
        const deploy = workflow("stack-deploy.yml");
        assert.equal((deploy.jobs.up as { if?: string }).if, "needs.preview.outputs.changes != 'false'");
        const preview = workflow("stack-preview.yml");
        assert.equal(
          (preview.on as { workflow_call: { outputs: Record<string, { value: string }> } }).workflow_call.outputs
            .changes!.value,
          "${{ jobs.preview.outputs.changes }}",
        );
        const step = stepsOf(preview.jobs.preview!).find((x) => (x as { id?: string }).id === "changes") as {
          run: string;
          env: Record<string, string>;
        };
        // A new stack (no preview ran) always counts as a change; otherwise Pulumi's "N to <op>" lines decide.
        assert.match(
          step.run,
          /\[ "\$EXISTS" = "true" \] && ! grep -Eq ' to \(create\|update\|delete\|replace\|import\)\\b'/,
        );
        assert.equal(step.env.OUTPUT, "${{ steps.pulumi.outputs.output }}");
      },
    );

    it(
      "never runs a job with write credentials for a pull request: " +
        "the preview role only, no environment, no up, no new stack",
      () => {
        for (const file of FILES.filter((f) => "pull_request" in workflow(f).on)) {
          for (const { file: f, name, job } of jobsOf(file)) {
            const src = JSON.stringify(job);
            assert.ok(
              !/role-var|roleVar(?!.*preview)/.test(src.replace(/preview-role-var|previewRoleVar/g, "")),
              `${f} job ${name} references the deploy role`,
            );
            assert.equal(job.environment, undefined, `${f} job ${name}`);
            for (const s of stepsOf(job)) {
              assert.notEqual(pulumiCommand(s), "up", `${f} job ${name}`);
              if (pulumiCommand(s))
                assert.equal(s.with?.upsert, false, `${f} job ${name}: a preview never creates a stack`);
            }
          }
        }
      },
    );

    it(
      "runs every job that talks to a cluster on the runner inside its " +
        "network; before it exists, with every Kubernetes resource excluded",
      () => {
        let checked = 0;
        for (const file of FILES) {
          for (const [name, job] of Object.entries(workflow(file).jobs)) {
            const steps = stepsOf(job).filter(pulumiCommand);
            if (steps.length === 0) continue;
            checked++;
            const runsOn = job["runs-on"] ?? "";
            assert.match(
              runsOn,
              new RegExp(
                /^\$\{\{ needs\.(route|preview)\.outputs\.runs-on \}\}$|^codebuild-\$\{\{ /.source +
                  /inputs\.runner-project \}\}-\$\{\{ github\.run_id \}\}-\$\{\{ github\.run_attempt \}\}$/.source,
              ),
              `${file} job ${name}: ${runsOn}`,
            );
            for (const s of steps) {
              if (runsOn.startsWith("codebuild-")) continue;
              // The route falls back to a hosted runner only while bootstrapping: then nothing in the cluster is
              // touched.
              assert.match(
                String(s.with?.exclude),
                /bootstrap == 'true'.*'\*\*pulumi:providers:kubernetes::\*\*'/,
                `${file} job ${name}`,
              );
              assert.match(String(s.with?.["exclude-dependents"]), /bootstrap == 'true'/, `${file} job ${name}`);
            }
          }
        }
        assert.equal(checked, 3, "stack-preview preview, stack-deploy up and workloads");
        const route = stepsOf(workflow("stack-preview.yml").jobs.route!).find((s) => s.id === "route")!;
        assert.match(route.run ?? "", /aws codebuild batch-get-projects --names "\$PROJECT"/);
        assert.match(route.run ?? "", /label="codebuild-\$PROJECT-\$RUN_ID-\$RUN_ATTEMPT"/);
      },
    );

    it("runs the offline --strict preflight before any AWS credential in every job that gets one for pulumi", () => {
      for (const file of FILES) {
        for (const [name, job] of Object.entries(workflow(file).jobs)) {
          const steps = stepsOf(job);
          if (!steps.some(pulumiCommand)) continue;
          const preflight = steps.findIndex((s) =>
            /npm run --silent plan -- --all --strict --preview/.test(s.run ?? ""),
          );
          const creds = steps.findIndex((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"));
          assert.ok(
            preflight >= 0 && preflight < creds,
            `${file} job ${name}: preflight ${preflight}, credentials ${creds}`,
          );
        }
      }
    });

    it("checks drift every day, read-only: refresh and expect no changes (a drift fails the run)", () => {
      const w = workflow("drift.yml");
      assert.ok(Array.isArray(w.on.schedule));
      assert.equal(w.jobs.drift!.with?.mode, "drift");
      const step = stepsOf(workflow("stack-preview.yml").jobs.preview!).find(pulumiCommand)!;
      assert.equal(step.with?.refresh, "${{ inputs.mode == 'drift' }}");
      assert.equal(step.with?.["expect-no-changes"], "${{ inputs.mode == 'drift' }}");
    });

    it("keeps checks credential-free: type-check, lint, test, offline plans in both views", () => {
      const w = workflow("checks.yml");
      const run = Object.values(w.jobs)
        .flatMap((j) => stepsOf(j).map((s) => s.run ?? ""))
        .join("\n");
      for (const cmd of [
        "npm ci",
        "npm run typecheck",
        "npm run lint:workflows",
        "npm test",
        "--all --preview",
        'plan "shipped stacks" --all',
        '--all --dir "$d" --preview',
        "GITHUB_STEP_SUMMARY",
      ]) {
        assert.ok(run.includes(cmd), `checks.yml lacks ${cmd}`);
      }
      assert.ok(!/id-token|secrets\./.test(text("checks.yml")));
    });

    it(
      "diffs a pull request's plan against its target branch without write access, " +
        "and posts the comment from a workflow_run job that never runs its code",
      () => {
        const checks = workflow("checks.yml");
        const diff = checks.jobs["plan-diff"]!;
        assert.equal(diff.if, "github.event_name == 'pull_request'");
        assert.deepEqual(diff.permissions, { contents: "read" });
        const run = stepsOf(diff)
          .map((s) => s.run ?? "")
          .join("\n");
        for (const cmd of [
          "git worktree add --detach",
          "github.event.pull_request.base.sha",
          "--json",
          "--base",
          "--out",
          "scripts/pr-comment.ts",
          "pr-number",
        ]) {
          assert.ok(run.includes(cmd) || JSON.stringify(diff).includes(cmd), `plan-diff lacks ${cmd}`);
        }
        const upload = stepsOf(diff).find((s) => s.uses?.startsWith("actions/upload-artifact@"))!;
        assert.equal(upload.if, "always()");
        assert.equal(upload.with?.name, "plan-comment");

        const post = workflow("plan-comment.yml");
        assert.deepEqual(Object.keys(post.on), ["workflow_run"]);
        assert.deepEqual((post.on.workflow_run as { workflows: string[] }).workflows, ["checks"]);
        const job = post.jobs.comment!;
        assert.equal(job.if, "github.event.workflow_run.event == 'pull_request'");
        assert.deepEqual(job.permissions, { actions: "read", "pull-requests": "write" });
        // Never the pull request's code: no checkout, no install, no script of the repository.
        assert.ok(
          stepsOf(job).every((s) => !s.uses && !/npm|npx|tsx|node /.test(s.run ?? "")),
          "the posting job runs nothing of the pull request",
        );
        const script = stepsOf(job)
          .map((s) => s.run ?? "")
          .join("\n");
        assert.match(script, /\^\[0-9\]\+\$/, "the PR number is checked to be a number");
        assert.match(script, /head\.sha/, "and to be the pull request whose head was planned");
        assert.match(script, /infrasage-offline-plan/, "one comment, found by its marker and updated in place");
        assert.match(script, /-X PATCH/);
      },
    );

    for (const file of FILES) {
      it(`${file}: least-privilege permissions per job, OIDC only`, () => {
        const w = workflow(file);
        assert.deepEqual(w.permissions, { contents: "read" });
        for (const [name, j] of Object.entries(w.jobs)) {
          assert.ok(j.permissions, `${file} job ${name} declares its permissions`);
          // actions:read: plan-comment.yml downloads the checks run's artifact.
          const allowed = new Set(["contents:read", "id-token:write", "pull-requests:write", "actions:read"]);
          for (const [k, v] of Object.entries(j.permissions))
            assert.ok(allowed.has(`${k}:${v}`), `${file} job ${name}: ${k}: ${v}`);
          const usesAws = stepsOf(j).some((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"));
          if (j.steps && !usesAws)
            assert.equal(
              j.permissions["id-token"],
              undefined,
              `${file} job ${name} asks for an OIDC token it does not use`,
            );
          for (const s of stepsOf(j))
            if (s.uses?.startsWith("aws-actions/configure-aws-credentials@")) assert.ok(s.with?.["role-to-assume"]);
        }
        assert.ok(
          !/aws-access-key-id|aws-secret-access-key|AWS_SECRET_ACCESS_KEY/i.test(text(file)),
          "no long-lived AWS keys",
        );
      });
    }
  });
});
