/** npm run kubeconfigs: every stack's kubeconfig into ~/.kube/<stack>, mergeable, nothing secret printed. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync, readFileSync, statSync, chmodSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { planShipped, ROOT } from "./support/plan";
import { mergeKubeconfigs } from "../lib/kubeconfig";

describe("kubeconfig export (npm run kubeconfigs)", () => {
  it("writes each shipped stack's kubeconfig with mode 0600, prints no secret, and the files merge into two contexts", async function () {
    this.timeout(120_000);
    const stub = mkdtempSync(join(tmpdir(), "pulumi-stub-"));
    const home = mkdtempSync(join(tmpdir(), "home-"));
    const stacks = ["ap-south-1", "eu-west-1"];
    for (const s of stacks) writeFileSync(join(stub, `${s}.yaml`), String((await planShipped(s)).record.outputs.kubeconfig?.value));
    // A stand-in for the Pulumi CLI: `pulumi stack output kubeconfig --show-secrets --stack S` prints S's kubeconfig.
    writeFileSync(join(stub, "pulumi"), `#!/bin/sh\nfor a; do last="$a"; done\ncat "${stub}/$last.yaml"\n`);
    chmodSync(join(stub, "pulumi"), 0o755);
    const run = spawnSync(process.execPath, ["--import", "tsx", "scripts/write-kubeconfigs.ts"], {
      cwd: ROOT, encoding: "utf8", env: { ...process.env, HOME: home, PATH: `${stub}:${process.env.PATH}` },
    });
    assert.equal(run.status, 0, run.stderr);
    assert.doesNotMatch(run.stdout + run.stderr, /certificate-authority-data|BEGIN CERTIFICATE/);
    const texts = stacks.map((s) => {
      const path = join(home, ".kube", s);
      assert.equal(statSync(path).mode & 0o777, 0o600);
      return readFileSync(path, "utf8");
    });
    assert.match(run.stdout, new RegExp(`KUBECONFIG=${join(home, ".kube", "ap-south-1")}:${join(home, ".kube", "eu-west-1")}`));
    const merged = parseYaml(mergeKubeconfigs(texts)) as { contexts: { name: string }[] };
    assert.equal(new Set(merged.contexts.map((c) => c.name)).size, 2);
  });
});
