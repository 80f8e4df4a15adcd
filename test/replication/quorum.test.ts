/** Keeper quorum analysis (lib/replication/quorum.ts): table tests and fast-check properties. */
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  analyseQuorum,
  describeQuorum,
  quorumOf,
  spreadVoters,
  type VoterPlacement,
} from "../../lib/replication/quorum";
import { availabilityZonesOf } from "../../policies/shared/regions";

const at = (stack: string, voters: number, azCount = 3): VoterPlacement => ({
  stack,
  region: stack,
  voters,
  availabilityZones: availabilityZonesOf(stack, azCount),
});

describe("quorum analysis", () => {
  const table: { name: string; group: VoterPlacement[]; odd: boolean; az: boolean; region: boolean }[] = [
    {
      name: "2 + 2 + 1 witness (the example)",
      group: [at("eu-west-1", 2), at("eu-central-1", 2), at("eu-north-1", 1, 2)],
      odd: true,
      az: true,
      region: true,
    },
    {
      name: "1 + 1 + 1",
      group: [at("eu-west-1", 1), at("eu-central-1", 1), at("eu-north-1", 1)],
      odd: true,
      az: true,
      region: true,
    },
    {
      name: "2 + 1 (no third failure domain)",
      group: [at("eu-west-1", 2), at("eu-central-1", 1)],
      odd: true,
      az: true,
      region: false,
    },
    { name: "2 + 2 (even)", group: [at("eu-west-1", 2), at("eu-central-1", 2)], odd: false, az: true, region: false },
    { name: "3 in one region", group: [at("eu-west-1", 3), at("eu-central-1", 0)], odd: true, az: true, region: false },
    { name: "3 in a 2-AZ region: 2 share an AZ", group: [at("eu-west-1", 3, 2)], odd: true, az: false, region: false },
    { name: "no voters", group: [at("eu-west-1", 0), at("eu-central-1", 0)], odd: false, az: false, region: false },
  ];
  for (const t of table) {
    it(t.name, () => {
      const a = analyseQuorum(t.group);
      assert.equal(a.odd, t.odd);
      assert.equal(a.survivesAnyAzLoss, t.az, describeQuorum(a));
      assert.equal(a.survivesAnyRegionLoss, t.region, describeQuorum(a));
    });
  }

  it("counts voters per region and per AZ (round-robin from the first AZ)", () => {
    const a = analyseQuorum([at("eu-west-1", 2), at("eu-north-1", 1, 2)]);
    assert.deepEqual(a.votersPerRegion, { "eu-west-1": 2, "eu-north-1": 1 });
    assert.deepEqual(a.votersPerAz, { "eu-west-1a": 1, "eu-west-1b": 1, "eu-north-1a": 1 });
    assert.deepEqual(spreadVoters(at("eu-west-1", 5)), { "eu-west-1a": 2, "eu-west-1b": 2, "eu-west-1c": 1 });
  });

  it("describes the example as surviving one region loss", () => {
    const line = describeQuorum(analyseQuorum([at("eu-west-1", 2), at("eu-central-1", 2), at("eu-north-1", 1, 2)]));
    assert.match(
      line,
      /^5 Keeper voters .* quorum 3, odd; survives the loss of any one AZ; survives the loss of any one region$/,
    );
  });

  const placements = fc
    .uniqueArray(
      fc.record({
        region: fc.constantFrom("eu-west-1", "eu-central-1", "eu-north-1", "eu-south-1", "eu-west-3"),
        voters: fc.integer({ min: 0, max: 5 }),
        azs: fc.integer({ min: 1, max: 3 }),
      }),
      { minLength: 1, maxLength: 5, selector: (p) => p.region },
    )
    .map((list) => list.map((p) => at(p.region, p.voters, p.azs)));

  it("property: voters per AZ and per region add up to the total; quorum is a strict majority", () => {
    fc.assert(
      fc.property(placements, (group) => {
        const a = analyseQuorum(group);
        const sum = (r: Readonly<Record<string, number>>) => Object.values(r).reduce((s, n) => s + n, 0);
        assert.equal(sum(a.votersPerAz), a.totalVoters);
        assert.equal(sum(a.votersPerRegion), a.totalVoters);
        assert.ok(2 * a.quorum > a.totalVoters && 2 * (a.quorum - 1) <= a.totalVoters);
        assert.equal(a.quorum, quorumOf(a.totalVoters));
      }),
    );
  });

  it("property: surviving a region loss implies surviving an AZ loss (an AZ is inside a region)", () => {
    fc.assert(
      fc.property(placements, (group) => {
        const a = analyseQuorum(group);
        if (a.survivesAnyRegionLoss) assert.ok(a.survivesAnyAzLoss);
      }),
    );
  });

  it("property: a group survives a region loss iff every region holds fewer than n - quorum + 1 voters", () => {
    fc.assert(
      fc.property(placements, (group) => {
        const a = analyseQuorum(group);
        const max = Math.max(...Object.values(a.votersPerRegion));
        assert.equal(a.survivesAnyRegionLoss, a.totalVoters > 0 && max <= a.tolerates);
      }),
    );
  });

  it("property: voters never share an AZ while a stack has at most one voter per AZ", () => {
    fc.assert(
      fc.property(placements, (group) => {
        for (const p of group) {
          const spread = spreadVoters(p);
          if (p.voters <= p.availabilityZones.length) assert.ok(Object.values(spread).every((n) => n === 1));
          assert.ok(Math.max(0, ...Object.values(spread)) === Math.ceil(p.voters / p.availabilityZones.length));
        }
      }),
    );
  });

  it("property: two regions alone never survive losing either one", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 5 }), (x, y) => {
        assert.equal(analyseQuorum([at("eu-west-1", x), at("eu-central-1", y)]).survivesAnyRegionLoss, false);
      }),
    );
  });
});
