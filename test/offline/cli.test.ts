/** The offline plan CLI contract: selectors, JSON shape, exit codes, errors. */
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import { stringify } from "yaml";
import { spawnSync } from "node:child_process";
import { runCli, writeStackFile, ROOT } from "../support/plan";
import { MAX_USER_TAGS } from "../../lib/aws/config-rules";

const good = {
  "aws:region": "eu-central-1",
  "infrasage:tenantId": "acme-de",
  "infrasage:scaleProfile": "small",
  "infrasage:network": { cidr: "10.30.0.0/16", availabilityZones: 2 },
};

describe("plan CLI", () => {
  it("--stack --json prints one contract-shaped JSON document and exits 0", async () => {
    const run = await runCli(["--stack", "ap-south-1", "--json"]);
    assert.equal(run.code, 0, run.stderr);
    const doc = JSON.parse(run.stdout) as { stacks: Record<string, unknown>[]; violations: unknown[] };
    assert.ok(Array.isArray(doc.violations));
    assert.equal(doc.stacks.length, 1);
    const s = doc.stacks[0] as {
      stack: string;
      region: string;
      jurisdiction: string;
      resources: Record<string, unknown>[];
      outputs: Record<string, unknown>;
      violations: unknown[];
      cost: { currency: string; monthlyTotal: number; items: unknown[] };
    };
    assert.equal(s.stack, "ap-south-1");
    assert.equal(s.region, "ap-south-1");
    assert.equal(s.jurisdiction, "IN");
    for (const r of s.resources)
      for (const k of ["urn", "type", "name", "region", "parent", "inputs", "dependencies"])
        assert.ok(k in r, `resource lacks ${k}`);
    assert.equal(s.outputs.apiKey, "[secret]");
    assert.equal(s.outputs.kubeconfig, "[secret]");
    assert.ok(Array.isArray(s.violations));
    assert.equal(s.cost.currency, "USD");
    assert.ok(s.cost.monthlyTotal > 0 && s.cost.items.length > 0);
    const types = new Set(s.resources.map((r) => r.type));
    for (const t of [
      "aws:ec2/vpc:Vpc",
      "aws:ec2/natGateway:NatGateway",
      "aws:eks/cluster:Cluster",
      "aws:eks/nodeGroup:NodeGroup",
      "aws:eks/addon:Addon",
      "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
      "aws:kms/key:Key",
      "kubernetes:storage.k8s.io/v1:StorageClassPatch",
      "kubernetes:core/v1:Secret",
      "kubernetes:helm.sh/v3:Release",
    ]) {
      assert.ok(types.has(t), `plan lacks ${t}`);
    }
    for (const r of s.resources.filter((x) => String(x.type).startsWith("aws:"))) assert.equal(r.region, "ap-south-1");
  });

  it("never prints a secret value in the readable summary or the JSON", async () => {
    const json = await runCli(["--stack", "eu-west-1", "--json"]);
    const text = await runCli(["--stack", "eu-west-1"]);
    for (const out of [json.stdout, text.stdout]) {
      assert.doesNotMatch(out, /BEGIN CERTIFICATE|get-token/, "kubeconfig leaked");
    }
    assert.match(text.stdout, /apiKey\s+\[secret\]/);
    assert.match(text.stdout, /Estimated cost/);
  });

  it("--config-file plans any stack file, the stack name taken from the file name", async () => {
    const file = writeStackFile("eu-central-1", good);
    const run = await runCli(["--config-file", file, "--json"]);
    assert.equal(run.code, 0, run.stderr);
    const doc = JSON.parse(run.stdout) as {
      stacks: { stack: string; jurisdiction: string; resources: { type: string }[] }[];
    };
    assert.equal(doc.stacks[0]!.stack, "eu-central-1");
    assert.equal(doc.stacks[0]!.jurisdiction, "EU");
    assert.equal(
      doc.stacks[0]!.resources.filter((r) => r.type === "aws:ec2/natGateway:NatGateway").length,
      1,
      "small profile: single NAT",
    );
  });

  it("--config-file plans a stack file kept outside any Pulumi project (using the program's own project)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "scenario-"));
    const file = join(dir, "Pulumi.eu-central-1.yaml");
    writeFileSync(file, stringify({ config: good }));
    const run = await runCli(["--config-file", file, "--json"], dir);
    assert.equal(run.code, 0, run.stderr);
    assert.equal((JSON.parse(run.stdout) as { stacks: { stack: string }[] }).stacks[0]!.stack, "eu-central-1");
  });

  it("rejects more tags than AWS allows per resource before planning (exit 2), and plans the maximum", async () => {
    const tags = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`cost-center-${i}`, "x"]));
    const over = await runCli([
      "--config-file",
      writeStackFile("eu-central-1", { ...good, "infrasage:tags": tags(MAX_USER_TAGS + 1) }),
    ]);
    assert.equal(over.code, 2);
    assert.match(over.stderr, /infrasage:tags: has 41 tags/);
    const max = await runCli([
      "--config-file",
      writeStackFile("eu-central-1", { ...good, "infrasage:tags": tags(MAX_USER_TAGS) }),
      "--json",
    ]);
    assert.equal(max.code, 0, max.stderr);
    const doc = JSON.parse(max.stdout) as { stacks: { violations: { policy: string }[] }[] };
    assert.deepEqual(
      doc.stacks[0]!.violations.filter((v) => v.policy === "aws-provider-limits"),
      [],
      "the program's own tags push a resource over 50",
    );
  });

  it("--all plans every stack file of a directory together", async () => {
    const file = writeStackFile("eu-central-1", good);
    writeStackFile(
      "eu-north-1",
      { ...good, "aws:region": "eu-north-1", "infrasage:network": { cidr: "10.31.0.0/16" } },
      dirname(file),
    );
    const run = await runCli(["--all", "--dir", dirname(file), "--json"]);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(
      (JSON.parse(run.stdout) as { stacks: { stack: string }[] }).stacks.map((s) => s.stack),
      ["eu-central-1", "eu-north-1"],
    );
  });

  it("exits 2 on a bad stack file, naming the file, every key and the fix, without a stack trace", async () => {
    const file = writeStackFile("eu-west-1", {
      "aws:region": "eu-west-1",
      "infrasage:tenantId": "acme-eu",
      "infrasage:network": { cidr: "10.10.0.0/8" },
      "infrasage:netwrk": { cidr: "10.10.0.0/16" },
      "infrasage:cluster": { publicAccessCidrs: ["0.0.0.0/0"] },
    });
    const run = await runCli(["--config-file", file]);
    assert.equal(run.code, 2);
    assert.equal(run.stdout, "");
    assert.match(run.stderr, new RegExp(file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")));
    assert.match(run.stderr, /infrasage:network\.cidr/);
    assert.match(run.stderr, /infrasage:netwrk.*did you mean infrasage:network/);
    assert.match(run.stderr, /infrasage:cluster\.publicAccessCidrs\[0\]/);
    assert.match(run.stderr, /Fix:/);
    assert.doesNotMatch(run.stderr, /\n\s+at .*\(.*:\d+:\d+\)/, "stack trace printed");
  });

  it("exits 2 with a clear message for unreadable YAML, unknown stacks and bad arguments", async () => {
    const bad = writeStackFile("eu-west-1", {});
    writeFileSync(bad, "config: [unclosed");
    const yaml = await runCli(["--config-file", bad]);
    assert.equal(yaml.code, 2);
    assert.match(yaml.stderr, /not valid YAML/);
    const missing = await runCli(["--stack", "eu-west-9"]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /Pulumi\.eu-west-9\.yaml: does not exist; stacks here: .*eu-west-1/);
    const usage = await runCli(["--stack"]);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /usage:/);
    const two = await runCli(["--stack", "eu-west-1", "--all"]);
    assert.equal(two.code, 2);
    const noRegion = writeStackFile("x", { "infrasage:tenantId": "a", "infrasage:network": { cidr: "10.1.0.0/16" } });
    const r = await runCli(["--config-file", noRegion]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /aws:region: is required/);
  });

  it("writes the whole --json document into a pipe before exiting (npm run plan as a subprocess)", function () {
    this.timeout(120_000);
    const run = spawnSync(process.execPath, ["--import", "tsx", "offline/cli.ts", "--stack", "eu-west-1", "--json"], {
      cwd: ROOT,
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    });
    assert.equal(run.status, 0, run.stderr);
    assert.ok(run.stdout.length > 65536, "document should be larger than a pipe buffer for this test to mean anything");
    const doc = JSON.parse(run.stdout) as { stacks: { stack: string }[] };
    assert.equal(doc.stacks[0]!.stack, "eu-west-1");
  });

  it("never prints a plain-text secret or URL credential of a bad stack file (exit 2, every key named)", async () => {
    const accessKeyId = "AK" + "IA" + "Z2Y3X4W5V6U7T8S9";
    const ghToken = "gh" + "p_" + "Zq8Lr3Xv9Tb2Nw6Mk1Pd5Hs7Jf4Gc0Ay2Ue8";
    const password = "Sup3rS3cretPa55";
    const file = writeStackFile("eu-central-1", {
      ...good,
      "aws:accessKey": accessKeyId,
      "acme:dbPassword": password,
      "infrasage:tags": { Owner: ghToken },
      "infrasage:chart": { repo: `https://deploy:${password}@charts.example.com`, name: "infrasage", version: "1.0.0" },
    });
    for (const args of [
      ["--config-file", file],
      ["--config-file", file, "--json"],
    ]) {
      const run = await runCli(args);
      assert.equal(run.code, 2);
      assert.equal(run.stdout, "");
      assert.match(run.stderr, /invalid InfraSage configuration \(\d+ problems\):/);
      for (const key of ["aws:accessKey", "acme:dbPassword", "infrasage:tags.Owner", "infrasage:chart.repo"])
        assert.match(run.stderr, new RegExp(`  - ${key.replace(/\./g, "\\.")}: .*Fix: `));
      assert.match(run.stderr, /pulumi config set --secret aws:accessKey <value>/);
      for (const secret of [accessKeyId, ghToken, password, "deploy:"])
        assert.ok(!run.stderr.includes(secret) && !run.stdout.includes(secret), `${secret} printed`);
    }
  });

  it(
    "exits 2 naming the file for a FIFO, a broken symlink, duplicate " +
      "stack files and a stack name that is a path, without hanging",
    async function () {
      this.timeout(30_000);
      const dir = dirname(writeStackFile("eu-central-1", good));
      const fifo = join(dir, "Pulumi.pipe.yaml");
      execFileSync("mkfifo", [fifo]);
      const started = Date.now();
      const pipe = await runCli(["--config-file", fifo]);
      assert.equal(pipe.code, 2);
      assert.match(pipe.stderr, /Pulumi\.pipe\.yaml: is a FIFO \(named pipe\), not a stack file/);
      assert.ok(Date.now() - started < 5000);
      const all = await runCli(["--all", "--dir", dir]);
      assert.equal(all.code, 2);
      assert.match(all.stderr, /Pulumi\.pipe\.yaml: is a FIFO/);
      const broken = join(dir, "Pulumi.gone.yaml");
      symlinkSync(join(dir, "nowhere.yaml"), broken);
      const link = await runCli(["--config-file", broken]);
      assert.equal(link.code, 2);
      assert.match(link.stderr, /Pulumi\.gone\.yaml: is a broken symbolic link/);
      const twice = dirname(writeStackFile("eu-central-1", good));
      writeFileSync(join(twice, "Pulumi.eu-central-1.yml"), stringify({ config: good }));
      const dup = await runCli(["--all", "--dir", twice]);
      assert.equal(dup.code, 2);
      assert.match(
        dup.stderr,
        /Pulumi\.eu-central-1\.yaml: defines stack "eu-central-1", and so does .*Pulumi\.eu-central-1\.yml;/,
      );
      const traversal = await runCli(["--stack", "../../etc/passwd"]);
      assert.equal(traversal.code, 2);
      assert.match(traversal.stderr, /is not a stack name/);
      const policy = await runCli(["--stack", "eu-west-1", "--policy-pack-config", fifo]);
      assert.equal(policy.code, 2);
      assert.match(policy.stderr, /--policy-pack-config: .*is a FIFO/);
    },
  );

  it(
    "rejects a stack whose name names another region than aws:region, " +
      "and a stack named for no region without infrasage:jurisdiction",
    async () => {
      const wrong = await runCli(["--config-file", writeStackFile("eu-west-1", { ...good })]);
      assert.equal(wrong.code, 2);
      assert.match(
        wrong.stderr,
        /aws:region: is eu-central-1, but the stack name "eu-west-1" names eu-west-1.*Fix: set aws:region to eu-west-1/,
      );
      const prod = await runCli(["--config-file", writeStackFile("prod", good)]);
      assert.equal(prod.code, 2);
      assert.match(
        prod.stderr,
        new RegExp(
          /infrasage:jurisdiction: is required: the stack name "prod" /.source +
            /names no AWS region.*Fix: set infrasage:jurisdiction to EU/.source,
        ),
      );
      const ok = await runCli([
        "--config-file",
        writeStackFile("prod", { ...good, "infrasage:jurisdiction": "EU" }),
        "--json",
      ]);
      assert.equal(ok.code, 0, ok.stderr);
    },
  );

  it("plans the shipped stacks together with --all and exits 0", async () => {
    const run = await runCli(["--all"], ROOT);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /Stack ap-south-1[\s\S]*Stack eu-west-1/);
  });
});
