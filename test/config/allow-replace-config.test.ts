/** `infrasage:allowReplace`: intended replacements, validated like the rest of the config. */
import assert from "node:assert/strict";
import { parseStackConfig } from "../../lib/config/parse";

const raw = (allowReplace: unknown): Record<string, string> => ({
  "aws:region": "eu-west-1",
  "infrasage:tenantId": "acme-eu",
  "infrasage:network": JSON.stringify({ cidr: "10.10.0.0/16" }),
  "infrasage:allowReplace": JSON.stringify(allowReplace),
});

const problems = (allowReplace: unknown) => {
  const r = parseStackConfig(raw(allowReplace), "eu-west-1");
  return r.ok ? [] : r.problems.map((p) => `${p.key}: ${p.message}. Fix: ${p.fix}`);
};

describe("infrasage:allowReplace", () => {
  it("defaults to none and takes entries by name or by URN of this stack, with a reason", () => {
    const none = parseStackConfig(
      {
        "aws:region": "eu-west-1",
        "infrasage:tenantId": "acme-eu",
        "infrasage:network": JSON.stringify({ cidr: "10.10.0.0/16" }),
      },
      "eu-west-1",
    );
    assert.ok(none.ok && none.config.allowReplace.length === 0);
    const entries = [
      { resource: "network-vpc", reason: "re-addressing before go-live" },
      {
        resource:
          "urn:pulumi:eu-west-1::infrasage::infrasage:cluster:EksCluster$aws:eks/nodeGroup:NodeGroup::cluster-nodes",
        reason: "moving to Graviton nodes",
      },
    ];
    const r = parseStackConfig(raw(entries), "eu-west-1");
    assert.ok(r.ok, JSON.stringify(!r.ok && r.problems));
    assert.deepEqual(r.config.allowReplace, entries);
  });

  it("rejects an entry without a reason, with a short reason, without a resource, or with unknown fields", () => {
    const list = problems([
      { resource: "network-vpc" },
      { resource: "network-vpc", reason: "oops" },
      { reason: "a long enough reason" },
      { resource: "x", reason: "a long enough reason", urn: "y" },
    ]);
    assert.ok(
      list.includes(
        "infrasage:allowReplace.0.reason: is required. Fix: set infrasage:allowReplace.0.reason in the stack file",
      ),
      list.join("\n"),
    );
    assert.ok(
      list.some((p) =>
        p.startsWith('infrasage:allowReplace.1.reason: "oops" must give a reason (at least 10 characters)'),
      ),
      list.join("\n"),
    );
    assert.ok(
      list.some((p) => p.startsWith("infrasage:allowReplace.2.resource: is required")),
      list.join("\n"),
    );
    assert.ok(
      list.some(
        (p) =>
          p.startsWith("infrasage:allowReplace.3.urn: is not a known InfraSage setting") &&
          /known keys here: resource, reason/.test(p),
      ),
      list.join("\n"),
    );
  });

  it("rejects a URN of another stack and a malformed URN, naming the entry and the fix", () => {
    const list = problems([
      {
        resource: "urn:pulumi:ap-south-1::infrasage::aws:ec2/vpc:Vpc::network-vpc",
        reason: "copied from the wrong plan",
      },
      { resource: "urn:nonsense", reason: "not a pulumi urn at all" },
    ]);
    assert.ok(
      list.some((p) =>
        /allowReplace\.0\.resource: names a resource of stack ap-south-1, not of this stack \(eu-west-1\)/.test(p),
      ),
      list.join("\n"),
    );
    assert.ok(
      list.some((p) => /allowReplace\.1\.resource: "urn:nonsense" is not a Pulumi URN/.test(p)),
      list.join("\n"),
    );
  });
});
