/** lib/aws/aws-limits.ts: what AWS rejects at create time and the mock runtime never does. */
import assert from "node:assert/strict";
import { limitProblems, physicalName } from "../../lib/aws/aws-limits";

describe("AWS provider limits", () => {
  it("counts Pulumi's 8-character auto-name suffix against the IAM role limit of 64", () => {
    assert.deepEqual(limitProblems([{ type: "aws:iam/role:Role", name: "x".repeat(56), rawInputs: {} }]), []);
    const [p] = limitProblems([{ type: "aws:iam/role:Role", name: "x".repeat(57), rawInputs: {} }]);
    assert.match(p!.message, /65 characters; AWS allows 64/);
  });

  it("checks explicit names, load balancer names (32) and patterns", () => {
    assert.equal(
      physicalName({ type: "aws:eks/cluster:Cluster", name: "c", rawInputs: { name: "infrasage-eu" } }),
      "infrasage-eu",
    );
    assert.match(
      limitProblems([
        { type: "aws:lb/loadBalancer:LoadBalancer", name: "federation-hub-webhook-nlb", rawInputs: {} },
      ])[0]!.message,
      /AWS allows 32/,
    );
    assert.match(
      limitProblems([{ type: "aws:eks/cluster:Cluster", name: "c", rawInputs: { name: "bad.name" } }])[0]!.message,
      /characters AWS rejects/,
    );
    assert.match(
      limitProblems([{ type: "aws:kms/alias:Alias", name: "a", rawInputs: { name: "eks/x" } }])[0]!.message,
      /characters AWS rejects/,
    );
  });

  it("rejects more than 50 tags, keys over 128 and values over 256 characters", () => {
    const tags = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, "v"]));
    assert.match(
      limitProblems([{ type: "aws:ec2/vpc:Vpc", name: "v", rawInputs: { tags } }])[0]!.message,
      /51 tags; AWS allows 50/,
    );
    assert.equal(
      limitProblems([
        { type: "aws:ec2/vpc:Vpc", name: "v", rawInputs: { tags: { ["k".repeat(129)]: "v", ok: "v".repeat(257) } } },
      ]).length,
      2,
    );
  });
});
