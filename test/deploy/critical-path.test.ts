import assert from "node:assert/strict";
import fc from "fast-check";
import { criticalPath, createSeconds, type GraphNode } from "../../lib/deploy/critical-path";
import { planShipped } from "../support/plan";

const node = (urn: string, type: string, dependencies: string[] = [], extra: Partial<GraphNode> = {}): GraphNode => ({
  urn,
  type,
  custom: true,
  dependencies,
  ...extra,
});

describe("critical path", () => {
  it("follows the longest weighted chain, not the longest by count", () => {
    const nodes = [
      node("vpc", "aws:ec2/vpc:Vpc"),
      node("a", "aws:ec2/subnet:Subnet", ["vpc"]),
      node("b", "aws:ec2/route:Route", ["a"]),
      node("c", "aws:ec2/route:Route", ["b"]),
      node("eks", "aws:eks/cluster:Cluster", ["vpc"]),
    ];
    const p = criticalPath(nodes);
    assert.deepEqual(
      p.chain.map((x) => x.urn),
      ["vpc", "eks"],
    );
    assert.equal(p.seconds, createSeconds("aws:ec2/vpc:Vpc") + createSeconds("aws:eks/cluster:Cluster"));
    assert.equal(
      p.serialSeconds,
      nodes.reduce((s, n) => s + createSeconds(n.type), 0),
    );
  });

  it("treats a dependency on a component as one on all its children, and a provider as a dependency", () => {
    const nodes = [
      node("comp", "infrasage:x:Y", [], { custom: false }),
      node("ng", "aws:eks/nodeGroup:NodeGroup", [], { parent: "comp" }),
      node("prov", "pulumi:providers:kubernetes", ["comp"]),
      node("rel", "kubernetes:helm.sh/v3:Release", [], { provider: "prov" }),
    ];
    assert.deepEqual(
      criticalPath(nodes).chain.map((x) => x.urn),
      ["ng", "prov", "rel"],
    );
  });

  it("is never longer than the serial sum nor shorter than the slowest resource", () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom("aws:eks/cluster:Cluster", "aws:ec2/subnet:Subnet", "kubernetes:helm.sh/v3:Release"), {
          minLength: 1,
          maxLength: 12,
        }),
        fc.array(fc.nat(), { maxLength: 30 }),
        (types, edgeSeeds) => {
          // Edges only point to earlier nodes: a DAG, as Pulumi guarantees.
          const nodes = types.map((t, i) =>
            node(`n${i}`, t, i === 0 ? [] : edgeSeeds.filter((_, k) => k % types.length === i).map((s) => `n${s % i}`)),
          );
          const p = criticalPath(nodes);
          assert.ok(p.seconds <= p.serialSeconds);
          assert.ok(p.seconds >= Math.max(...types.map(createSeconds)));
        },
      ),
    );
  });

  it("puts the EKS cluster, node group and Helm release on the shipped stack's critical path", async () => {
    const plan = await planShipped("eu-west-1");
    const types = criticalPath(plan.record.resources).chain.map((x) => x.type);
    for (const t of ["aws:eks/cluster:Cluster", "aws:eks/nodeGroup:NodeGroup", "kubernetes:helm.sh/v3:Release"])
      assert.ok(types.includes(t), `${t} not on ${types.join(" -> ")}`);
  });
});
