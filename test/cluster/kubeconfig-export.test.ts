/** npm run kubeconfigs: every stack's kubeconfig into ~/.kube/<stack>, mergeable, nothing secret printed. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  mkdtempSync,
  mkdirSync,
  writeFileSync,
  readFileSync,
  statSync,
  chmodSync,
  existsSync,
  symlinkSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { planShipped, ROOT } from "../support/plan";
import { buildKubeconfig, mergeKubeconfigs } from "../../lib/cluster/kubeconfig";

/** Runs `npm run kubeconfigs [-- args]` with this HOME and PATH. */
function runScript(args: readonly string[], env: { home: string; path: string }) {
  return spawnSync(process.execPath, ["--import", "tsx", "scripts/write-kubeconfigs.ts", ...args], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, HOME: env.home, PATH: env.path },
  });
}

/**
 * A stand-in Pulumi CLI in a fresh directory: the last argument is the stack, `cases` maps a stack to
 * the shell commands it runs; any other stack fails like an unknown stack.
 */
function stubPulumi(cases: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "pulumi-stub-"));
  const arms = Object.entries(cases)
    .map(([stack, sh]) => `  ${stack}) ${sh} ;;`)
    .join("\n");
  writeFileSync(
    join(dir, "pulumi"),
    `#!/bin/sh\nfor a; do last="$a"; done\ncase "$last" in\n${arms}\n  *) ` +
      `echo "error: no stack named '$last' found" >&2; exit 255 ;;\nesac\n`,
  );
  chmodSync(join(dir, "pulumi"), 0o755);
  return dir;
}

/** Writes `text` into the stub directory and returns the shell command that prints it. */
function catFile(dir: string, name: string, text: string): string {
  writeFileSync(join(dir, `${name}.out`), text);
  return `cat "${join(dir, `${name}.out`)}"`;
}

const kubeconfigOf = (name: string): string =>
  buildKubeconfig({
    clusterName: name,
    endpoint: `https://${name}.example`,
    certificateAuthorityData: "U0VDUkVULUNB",
    region: "eu-west-1",
    contextName: name,
  });

/** Lines of a stream that mention `stack` at their start. */
const linesOf = (out: string, stack: string): string[] => out.split("\n").filter((l) => l.startsWith(`${stack}: `));

describe("kubeconfig export (npm run kubeconfigs)", () => {
  it(
    "writes each shipped stack's kubeconfig with mode 0600, " +
      "prints no secret, and the files merge into two contexts",
    async function () {
      this.timeout(120_000);
      const stub = mkdtempSync(join(tmpdir(), "pulumi-stub-"));
      const home = mkdtempSync(join(tmpdir(), "home-"));
      const stacks = ["ap-south-1", "eu-west-1"];
      for (const s of stacks)
        writeFileSync(join(stub, `${s}.yaml`), String((await planShipped(s)).record.outputs.kubeconfig?.value));
      // A stand-in for the Pulumi CLI: `pulumi stack output kubeconfig --show-secrets --stack S` prints S's kubeconfig.
      writeFileSync(join(stub, "pulumi"), `#!/bin/sh\nfor a; do last="$a"; done\ncat "${stub}/$last.yaml"\n`);
      chmodSync(join(stub, "pulumi"), 0o755);
      const run = spawnSync(process.execPath, ["--import", "tsx", "scripts/write-kubeconfigs.ts"], {
        cwd: ROOT,
        encoding: "utf8",
        env: { ...process.env, HOME: home, PATH: `${stub}:${process.env.PATH}` },
      });
      assert.equal(run.status, 0, run.stderr);
      assert.doesNotMatch(run.stdout + run.stderr, /certificate-authority-data|BEGIN CERTIFICATE/);
      const texts = stacks.map((s) => {
        const path = join(home, ".kube", s);
        assert.equal(statSync(path).mode & 0o777, 0o600);
        return readFileSync(path, "utf8");
      });
      assert.match(
        run.stdout,
        new RegExp(`KUBECONFIG=${join(home, ".kube", "ap-south-1")}:${join(home, ".kube", "eu-west-1")}`),
      );
      for (const s of stacks) assert.deepEqual(linesOf(run.stdout, s), [`${s}: wrote ${join(home, ".kube", s)}`]);
      assert.equal(run.stdout.trimEnd().split("\n").at(-1), "2 written, 0 failed");
      assert.equal(run.stderr, "");
      const merged = parseYaml(mergeKubeconfigs(texts)) as { contexts: { name: string }[] };
      assert.equal(new Set(merged.contexts.map((c) => c.name)).size, 2);
    },
  );
  it(
    "without the Pulumi CLI on PATH: one error line naming " +
      "the CLI and the fix, no stack trace, every stack failed",
    () => {
      const home = mkdtempSync(join(tmpdir(), "home-"));
      const emptyPath = mkdtempSync(join(tmpdir(), "no-pulumi-"));
      const run = runScript([], { home, path: emptyPath });
      // The two shipped stacks (Pulumi.ap-south-1.yaml, Pulumi.eu-west-1.yaml) both count as failed.
      assert.equal(run.status, 2, run.stderr);
      const errLines = run.stderr.split("\n").filter(Boolean);
      assert.equal(errLines.length, 1, run.stderr);
      assert.match(errLines[0]!, /Pulumi CLI/);
      assert.match(errLines[0]!, /https:\/\/www\.pulumi\.com\/docs\/install\//);
      assert.match(errLines[0]!, /PATH/);
      assert.doesNotMatch(run.stderr, /ENOENT|^\s+at /m);
      assert.equal(run.stdout, "0 written, 2 failed\n");
      assert.ok(!existsSync(join(home, ".kube", "ap-south-1")) && !existsSync(join(home, ".kube", "eu-west-1")));
    },
  );

  it("a failing stack does not stop the next: its CLI stderr and a fix reported, never its stdout", async function () {
    this.timeout(120_000);
    const home = mkdtempSync(join(tmpdir(), "home-"));
    const eu = String((await planShipped("eu-west-1")).record.outputs.kubeconfig?.value);
    const stub = mkdtempSync(join(tmpdir(), "pulumi-stub-"));
    const dir = stubPulumi({
      // ap-south-1 (listed first) is unknown to the backend, and its stdout carries something secret-looking.
      "ap-south-1": `echo "SECRET-STDOUT-ap"; echo "error: no stack named 'ap-south-1' found" >&2; exit 255`,
      "eu-west-1": catFile(stub, "eu", eu),
    });
    // A previous, world-readable file is replaced and tightened to 0600.
    mkdirSync(join(home, ".kube"), { mode: 0o700 });
    writeFileSync(join(home, ".kube", "eu-west-1"), "stale", { mode: 0o644 });
    const run = runScript([], { home, path: `${dir}:${process.env.PATH}` });
    assert.equal(run.status, 1, run.stderr);
    const euPath = join(home, ".kube", "eu-west-1");
    assert.deepEqual(linesOf(run.stdout, "eu-west-1"), [`eu-west-1: wrote ${euPath}`]);
    assert.equal(readFileSync(euPath, "utf8"), eu);
    assert.equal(statSync(euPath).mode & 0o777, 0o600);
    const [apLine, ...more] = linesOf(run.stderr, "ap-south-1");
    assert.equal(more.length, 0, run.stderr);
    assert.match(
      apLine!,
      /^ap-south-1: failed: pulumi exited with status 255: no stack named 'ap-south-1' found; fix: .*pulumi stack ls/,
    );
    assert.ok(!existsSync(join(home, ".kube", "ap-south-1")));
    assert.doesNotMatch(run.stdout + run.stderr, /SECRET-STDOUT|certificate-authority-data|BEGIN CERTIFICATE/);
    assert.match(run.stdout, new RegExp(`^export KUBECONFIG=${euPath}$`, "m"));
    assert.equal(run.stdout.trimEnd().split("\n").at(-1), "1 written, 1 failed");
  });

  it("exit status = failed stacks, one line per stack with its reason, summary last, no secret printed", () => {
    const home = mkdtempSync(join(tmpdir(), "home-"));
    const stub = mkdtempSync(join(tmpdir(), "pulumi-out-"));
    const dir = stubPulumi({
      "not-logged-in":
        `echo "SECRET-STDOUT-login"; echo "error: PULUMI_ACCESS_TOKEN must ` +
        `be set for login during non-interactive CLI sessions" >&2; exit 255`,
      "no-output": "exit 0",
      "not-kubeconfig": catFile(stub, "garbage", "password: SECRET-hunter2\n  broken: [\n"),
      "not-deployed": `echo "error: current stack does not have output property 'kubeconfig'" >&2; exit 255`,
      unwritable: catFile(stub, "unwritable", kubeconfigOf("unwritable")),
      ok: catFile(stub, "ok", kubeconfigOf("ok")),
      clash: catFile(stub, "clash", kubeconfigOf("ok")),
    });
    // ~/.kube/unwritable is a directory: writing the file fails whoever runs the test (root included).
    mkdirSync(join(home, ".kube", "unwritable"), { recursive: true });
    // Longer than Pulumi's 100-character stack names (tokens.ParseStackName): refused before pulumi runs.
    const tooLong = "s".repeat(101);
    const stacks = [
      "not-logged-in",
      "no-output",
      "not-kubeconfig",
      "not-deployed",
      "unwritable",
      "ok",
      "clash",
      tooLong,
    ];
    const run = runScript(stacks, { home, path: `${dir}:${process.env.PATH}` });
    assert.equal(run.status, 7, run.stdout + run.stderr);
    const expected: Record<string, RegExp> = {
      "not-logged-in": /failed: pulumi exited with status 255: PULUMI_ACCESS_TOKEN must be set.*; fix: .*pulumi login/,
      "no-output": /failed: the stack has no kubeconfig output.*; fix: .*pulumi up -s no-output/,
      "not-kubeconfig": /failed: the `kubeconfig` output is not a kubeconfig.*not shown/,
      "not-deployed": /failed: .*does not have output property 'kubeconfig'; fix: .*pulumi up -s not-deployed/,
      unwritable: new RegExp(`failed: ${join(home, ".kube", "unwritable")} is a directory; fix: `),
      clash: /failed: not written: .*clashes with stack ok's/,
      [tooLong]: /failed: not a valid stack name/,
    };
    for (const [stack, re] of Object.entries(expected)) {
      const lines = linesOf(run.stderr, stack);
      assert.equal(lines.length, 1, `${stack}: ${run.stderr}`);
      assert.match(lines[0]!, re);
      assert.equal(linesOf(run.stdout, stack).length, 0);
    }
    assert.deepEqual(linesOf(run.stdout, "ok"), [`ok: wrote ${join(home, ".kube", "ok")}`]);
    assert.equal(statSync(join(home, ".kube", "ok")).mode & 0o777, 0o600);
    assert.ok(!existsSync(join(home, ".kube", "clash")));
    assert.doesNotMatch(run.stdout + run.stderr, /SECRET|U0VDUkVULUNB|^\s+at /m);
    assert.equal(run.stdout.trimEnd().split("\n").at(-1), "1 written, 7 failed");
  });

  it("caps the exit status at 125 when more stacks fail", function () {
    this.timeout(120_000);
    const home = mkdtempSync(join(tmpdir(), "home-"));
    const dir = stubPulumi({});
    const stacks = Array.from({ length: 130 }, (_, i) => `missing-${i}`);
    const run = runScript(stacks, { home, path: `${dir}:${process.env.PATH}` });
    assert.equal(run.status, 125);
    assert.equal(run.stderr.split("\n").filter((l) => /^missing-\d+: failed: .*no stack named/.test(l)).length, 130);
    assert.equal(run.stdout, "0 written, 130 failed\n");
  });

  it("never writes a kubeconfig over a file of the project (~/.kube/<stack> a link to its stack file)", () => {
    const project = mkdtempSync(join(tmpdir(), "project-"));
    writeFileSync(join(project, "Pulumi.yaml"), "name: infrasage\nruntime: nodejs\n");
    const stackFile = join(project, "Pulumi.lab.yaml");
    writeFileSync(stackFile, "config:\n  aws:region: eu-west-1\n");
    const home = mkdtempSync(join(tmpdir(), "home-"));
    mkdirSync(join(home, ".kube"));
    symlinkSync(stackFile, join(home, ".kube", "lab"));
    const dir = stubPulumi({ lab: catFile(mkdtempSync(join(tmpdir(), "pulumi-out-")), "lab", kubeconfigOf("lab")) });
    // Run from the project (its stack files are what must not be replaced).
    const run = spawnSync(
      process.execPath,
      [
        "--import",
        join(ROOT, "node_modules", "tsx", "dist", "loader.mjs"),
        join(ROOT, "scripts", "write-kubeconfigs.ts"),
      ],
      {
        cwd: project,
        encoding: "utf8",
        env: { ...process.env, HOME: home, PATH: `${dir}:${process.env.PATH}` },
      },
    );
    assert.equal(run.status, 1, run.stdout + run.stderr);
    assert.match(
      run.stderr,
      new RegExp(`^lab: failed: kubeconfig .*lab: is the stack file ${stackFile.replace(/[.]/g, "\\.")}`, "m"),
    );
    assert.equal(readFileSync(stackFile, "utf8"), "config:\n  aws:region: eu-west-1\n");
    assert.doesNotMatch(run.stdout + run.stderr, /U0VDUkVULUNB/);
  });
});
