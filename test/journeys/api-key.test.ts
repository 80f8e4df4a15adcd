/** Journey: rotating the API key (docs/operations.md "Rotating the API key"). */
import { strict as assert } from "node:assert";
import { Journey, changes, mandatory, docSection, stackOf } from "./journey";
import { KNOWN_AFTER_APPLY } from "../../offline/diff/stack-diff";

const S = "eu-west-1";

describe("journey: rotating the API key", function () {
  this.timeout(300000);
  const j = new Journey(undefined, [S]);
  after(() => j.close());
  const section = docSection("Rotating the API key");

  it("a new infrasage:apiKeyRotation replaces the key, updates its Secret in place, nothing else", async () => {
    await j.deploy();
    for (const rotation of ["2027-01", "2027-07"]) {
      assert.ok(section.includes("infrasage:apiKeyRotation: 2027-01"), "the section quotes the step");
      j.set(S, "infrasage:apiKeyRotation", rotation);
      const step = await j.deploy();
      assert.equal(step.exit, 0, mandatory(step).join("\n"));
      assert.deepEqual(changes(step, S), {
        replace: ["RandomPassword infrasage-api-key"],
        update: ["Secret infrasage-api-key"],
      });
      const password = stackOf(step, S).diff!.resources.find(
        (r) => r.type === "random:index/randomPassword:RandomPassword" && r.name === "infrasage-api-key",
      )!;
      assert.deepEqual(
        password.changes.map((c) => [c.path, c.effect]),
        [[rotation === "2027-01" ? "keepers" : "keepers.rotation", "replace"]],
      );
      const secret = stackOf(step, S).diff!.resources.find(
        (r) => r.type === "kubernetes:core/v1:Secret" && r.name === "infrasage-api-key",
      )!;
      assert.deepEqual(
        secret.changes.map((c) => [c.path, c.new, c.effect]),
        [["stringData", KNOWN_AFTER_APPLY, "update"]],
      );
      assert.equal(step.json.stacks[0]!.outputs.apiKey, "[secret]", "never printed");
    }
    assert.match(section, /rollout restart/);
  });
});
