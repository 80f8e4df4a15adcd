/**
 * lib/config/parse.ts runs each capability's rules (lib/<capability>/config-rules.ts) in a stated
 * order, and hands them the parse options as an argument: no side channel on the raw object.
 */
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseStackConfig } from "../../lib/config/parse";
import { readStackFile } from "../../offline/stack-file";

const encode = (o: Record<string, unknown>): Record<string, string> =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));
const BASE = { "aws:region": "eu-west-1", "infrasage:tenantId": "acme-eu" };
const keysOf = (raw: Record<string, string>, options = {}) => {
  const r = parseStackConfig(raw, "eu-west-1", options);
  assert.ok(!r.ok);
  return r.problems.map((p) => p.key);
};

describe("config rules: order and arguments", () => {
  it("reports the capabilities' problems in CONFIG_RULES order, whatever order the keys are written in", () => {
    const ARN = "arn:aws:iam::123456789012:role/ops";
    const settings: Record<string, unknown> = {
      "infrasage:chart": { repo: "https://charts.example.com", name: "infrasage", version: "^1.2.0", username: "bot" },
      "infrasage:chart.password": "hunter2-plain-text-password",
      "infrasage:tags": { Stack: "mine" },
      "infrasage:runbooks": { namespaceScope: ["kube-system"] },
      "infrasage:nodeGroups": { Bad_Name: { desiredSize: 1 } },
      "infrasage:allowReplace": [
        { resource: "urn:pulumi:other::infrasage::aws:ec2/vpc:Vpc::v", reason: "moved to a new VPC" },
      ],
      "infrasage:links": { regions: { other: "nowhere-1" } },
      "infrasage:deploy": { runnerLabel: "big" },
      "infrasage:grafana": { mode: "shared" },
      "infrasage:replication": { witness: true },
      "infrasage:federation": { includeRawTelemetry: true },
      "infrasage:clickhouse": { size: "5Gi" },
      "infrasage:cluster": {
        version: "1.20",
        addons: { "eks-pod-identity-agent": {} },
        accessEntries: [
          { principalArn: ARN, policy: "view" },
          { principalArn: ARN, policy: "edit" },
        ],
      },
      "infrasage:network": { cidr: "10.0.0.0/8" },
      "infrasage:jurisdiction": "US",
    };
    const rule = (key: string): string => {
      const k = key.replace(/^infrasage:/, "");
      if (/^cluster\.(addons)/.test(k)) return "addons";
      if (/^cluster\.accessEntries/.test(k)) return "access entries";
      if (/^(clickhouse|kafka)\./.test(k)) return "release";
      if (k.startsWith("chart.password")) return "chart credentials";
      return k.split(/[.[]/)[0]!;
    };
    const order = (raw: Record<string, string>) =>
      keysOf(raw)
        .map(rule)
        .filter((r, i, all) => all[i - 1] !== r);
    const expected = [
      "jurisdiction",
      "network",
      "cluster",
      "release",
      "chart",
      "federation",
      "replication",
      "grafana",
      "deploy",
      "links",
      "allowReplace",
      "addons",
      "access entries",
      "nodeGroups",
      "runbooks",
      "tags",
      "chart credentials",
    ];
    assert.deepEqual(order(encode({ ...BASE, ...settings })), expected);
    const reversed = Object.fromEntries(Object.entries(settings).reverse());
    assert.deepEqual(order(encode({ ...BASE, ...reversed })), expected);
  });

  it("judges chart.password by the secret keys passed in the options", () => {
    const raw = encode({
      ...BASE,
      "infrasage:network": { cidr: "10.10.0.0/16" },
      "infrasage:chart": { repo: "https://charts.example.com", name: "infrasage", version: "1.2.0", username: "bot" },
      "infrasage:chart.password": "hunter2-plain-text-password",
    });
    assert.ok(keysOf(raw).includes("infrasage:chart.password"));
    const r = parseStackConfig(raw, "eu-west-1", { secretKeys: ["infrasage:chart.password"] });
    assert.ok(r.ok, JSON.stringify(!r.ok && r.problems));
  });

  it("reads the stack file's source text only from the options argument (StackFile.parseOptions)", () => {
    const dir = mkdtempSync(join(tmpdir(), "infrasage-parse-options-"));
    const path = join(dir, "Pulumi.eu-west-1.yaml");
    writeFileSync(
      path,
      "config:\n  aws:region: eu-west-1\n  infrasage:tenantId: " +
        "acme-eu\n  infrasage:network:\n    cidr: 10.10.0.0/16\n" +
        "  infrasage:chart:\n    repo: https://charts.example.com\n    name: infrasage\n    version: 1.10\n",
    );
    const file = readStackFile(path);
    const fixOf = (options?: Parameters<typeof parseStackConfig>[2]) => {
      const r = parseStackConfig(file.config, file.stack, options);
      assert.ok(!r.ok);
      return r.problems.find((p) => p.key === "infrasage:chart.version")?.fix;
    };
    // YAML reads 1.10 as the number 1.1: the fix quotes what was written, known only from the file's text.
    assert.match(fixOf(file.parseOptions) ?? "", /version: "1\.10\.0"/);
    assert.match(fixOf() ?? "", /version: "1\.1\.0"/);
  });
});
