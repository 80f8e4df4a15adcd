import { strict as assert } from "node:assert";
import { diffResources, type BaseResource, type HeadResource } from "../../offline/diff/stack-diff";
import { providerHoldsValue } from "../../offline/diff/optional-computed";
import { eksChoices, profileNodeGroup } from "../../lib/nodes/node-groups";
import { SCALE_PROFILES } from "../../lib/profiles/profiles";

const NG = "aws:eks/nodeGroup:NodeGroup";
const urn = `urn:pulumi:eu-west-1::infrasage::${NG}::cluster-nodes`;
const base = (inputs: Record<string, unknown>): BaseResource => ({ urn, type: NG, name: "cluster-nodes", inputs });
const head = (inputs: Record<string, unknown>): HeadResource => ({
  urn,
  type: NG,
  name: "cluster-nodes",
  custom: true,
  inputs,
  propertyDependencies: {},
  dependencies: [],
  ignoreChanges: [],
  protect: false,
});
const deployed = { instanceTypes: ["m6i.xlarge"], scalingConfig: { minSize: 3, desiredSize: 3, maxSize: 6 } };

describe("Optional+Computed properties in the diff (pulumi-terraform-bridge optionalComputed goldens)", () => {
  it("unset -> the value EKS already holds is no change; unset -> another value still replaces", () => {
    const [same] = diffResources(
      [base(deployed)],
      [head({ ...deployed, amiType: "AL2023_x86_64_STANDARD", capacityType: "ON_DEMAND" })],
    );
    assert.equal(same!.op, "unchanged");
    const [spot] = diffResources([base(deployed)], [head({ ...deployed, capacityType: "SPOT" })]);
    assert.equal(spot!.op, "replace");
    assert.deepEqual(
      spot!.changes.map((c) => c.path),
      ["capacityType"],
    );
  });

  it("set -> unset is no change (the provider keeps what it holds)", () => {
    const [d] = diffResources([base({ ...deployed, amiType: "BOTTLEROCKET_x86_64" })], [head(deployed)]);
    assert.equal(d!.op, "unchanged");
  });

  it("an amiType EKS would not have chosen (arm64 instance types) is not assumed", () => {
    assert.equal(
      providerHoldsValue(NG, "amiType", undefined, "AL2023_x86_64_STANDARD", { instanceTypes: ["m7g.xlarge"] }),
      false,
    );
    assert.equal(
      providerHoldsValue(NG, "scalingConfig", undefined, {}, {}),
      false,
      "a Required property is never held",
    );
  });

  it("the default group sends amiType/capacityType only when they are not EKS's own, written or not", () => {
    const profile = profileNodeGroup(SCALE_PROFILES.medium);
    assert.deepEqual(eksChoices(profile), {});
    assert.deepEqual(
      eksChoices({ ...profile, fromProfile: false, desiredSize: 4 }),
      {},
      "nodeGroups.default with a size only",
    );
    assert.deepEqual(eksChoices({ ...profile, fromProfile: false, capacityType: "SPOT" }), { capacityType: "SPOT" });
    assert.deepEqual(
      eksChoices({ ...profile, name: "system", fromProfile: false }),
      { amiType: "AL2023_x86_64_STANDARD", capacityType: "ON_DEMAND" },
      "other groups keep what they were created with",
    );
  });
});
