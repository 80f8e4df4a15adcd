/**
 * The plan's URNs are the engine's (pulumi/pulumi sdk/go/common/resource/urn.go NewURN: every
 * ancestor's type), so exemption globs and URNs copied from the plan match a real run; a base written
 * in the mock runtime's short form (only the parent's last type) is read in the engine's form.
 */
import { strict as assert } from "node:assert";
import { engineUrn, withEngineUrns } from "../../offline/engine-urn";
import { parseBasePlan } from "../../offline/diff/base-file";
import { join } from "node:path";
import { planDir, ROOT } from "../support/plan";

const P = "urn:pulumi:eu-west-1::infrasage::";

describe("URNs as the engine makes them", () => {
  it("qualifies a type with the parent's whole qualified type, never with the root stack's", () => {
    assert.equal(engineUrn("eu-west-1", "infrasage", undefined, "aws:ec2/vpc:Vpc", "vpc"), `${P}aws:ec2/vpc:Vpc::vpc`);
    assert.equal(
      engineUrn("eu-west-1", "infrasage", `${P}pulumi:pulumi:Stack::infrasage-eu-west-1`, "a:b:C", "c"),
      `${P}a:b:C::c`,
    );
    assert.equal(
      engineUrn("eu-west-1", "infrasage", `${P}x:y:Outer$x:y:Inner::inner`, "aws:ec2/route:Route", "r"),
      `${P}x:y:Outer$x:y:Inner$aws:ec2/route:Route::r`,
    );
  });

  it("reads a base in the mock runtime's short form as the engine's: URNs, parents, providers, dependencies", () => {
    interface R {
      urn: string;
      type: string;
      name: string;
      inputs: object;
      parent?: string;
      dependencies?: string[];
    }
    const outer: R = { urn: `${P}x:y:Outer::o`, type: "x:y:Outer", name: "o", inputs: {} };
    const inner: R = { urn: `${P}x:y:Outer$x:y:Inner::i`, type: "x:y:Inner", name: "i", parent: outer.urn, inputs: {} };
    const route: R = {
      urn: `${P}x:y:Inner$aws:ec2/route:Route::r`,
      type: "aws:ec2/route:Route",
      name: "r",
      parent: inner.urn,
      inputs: {},
      dependencies: [inner.urn],
    };
    const user: R = {
      urn: `${P}aws:ec2/vpc:Vpc::v`,
      type: "aws:ec2/vpc:Vpc",
      name: "v",
      inputs: {},
      dependencies: [route.urn],
    };
    const fixed = withEngineUrns([outer, inner, route, user]);
    const full = `${P}x:y:Outer$x:y:Inner$aws:ec2/route:Route::r`;
    assert.equal(fixed[2]!.urn, full);
    assert.equal(fixed[3]!.dependencies![0], full);
    assert.equal(fixed[0], outer, "resources already in the engine's form are returned as they were");
    assert.equal(fixed[1], inner);
    const base = parseBasePlan(
      "base.json",
      JSON.stringify({ stacks: [{ stack: "eu-west-1", resources: [outer, inner, route, user] }] }),
    );
    assert.equal(base.stacks.get("eu-west-1")!.resources[2]!.urn, full);
  });

  it("the plan of a group with nested components names every ancestor in its URNs", async function () {
    this.timeout(120_000);
    const plan = await planDir(join(ROOT, "examples", "active-active"));
    const byUrn = new Map(plan.stacks.flatMap((s) => s.record.resources.map((r) => [r.urn, r] as const)));
    let nested = 0;
    for (const r of byUrn.values()) {
      if (!r.parent || !byUrn.has(r.parent)) continue;
      const parentType = r.parent.split("::")[2]!;
      assert.equal(r.urn.split("::")[2], `${parentType}$${r.type}`, r.urn);
      if (parentType.includes("$")) nested++;
    }
    assert.ok(nested > 10, `only ${nested} resources nested two components deep`);
  });
});
