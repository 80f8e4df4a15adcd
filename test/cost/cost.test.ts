/** The offline cost estimate: itemised, from the versioned price table, and the small profile pays off. */
import assert from "node:assert/strict";

import { estimateCost, quantityGiB } from "../../lib/cost/cost";
import {
  PRICE_TABLE_VERSION,
  PRICE_PROXIES,
  REGION_PRICES,
  HOURS_PER_MONTH,
  GLOBAL_PRICES,
  SPOT_DISCOUNT,
} from "../../lib/cost/prices";
import { REGIONS } from "../../policies/shared/regions";
import { planShipped, writeStackFile, planFile } from "../support/plan";
import { docSection } from "../support/docs";

async function planProfile(profile: string) {
  return planFile(
    writeStackFile("eu-west-1", {
      "aws:region": "eu-west-1",
      "infrasage:tenantId": "acme-eu",
      "infrasage:scaleProfile": profile,
      "infrasage:network": { cidr: "10.10.0.0/16" },
    }),
  );
}

describe("cost estimate", () => {
  it("prices the shipped eu-west-1 stack item by item from the eu-west-1 table", async () => {
    const plan = await planShipped("eu-west-1");
    const cost = plan.cost;
    assert.equal(cost.currency, "USD");
    assert.match(cost.priceTable, new RegExp(PRICE_TABLE_VERSION));
    const item = (name: string) => cost.items.find((i) => i.item === name);
    assert.equal(item("EKS control plane")?.monthly, GLOBAL_PRICES.eksClusterHour * HOURS_PER_MONTH);
    assert.equal(item("NAT gateways")?.quantity, 3);
    assert.equal(
      item("NAT gateways")?.monthly,
      Math.round(3 * REGION_PRICES["eu-west-1"]!.natHour * HOURS_PER_MONTH * 100) / 100,
    );
    assert.equal(item("EC2 nodes m6i.xlarge")?.quantity, 3);
    assert.equal(item("EBS gp3 ClickHouse")?.quantity, 500);
    const sum = cost.items.reduce((s, i) => s + i.monthly, 0);
    assert.ok(Math.abs(sum - cost.monthlyTotal) < 0.01);
    assert.ok(cost.notEstimated.some((n) => /data transfer/.test(n)));
  });

  it("makes the small profile cost at most half of medium in eu-west-1", async () => {
    const small = await planProfile("small");
    const medium = await planProfile("medium");
    assert.ok(
      small.cost.monthlyTotal <= medium.cost.monthlyTotal / 2,
      `small ${small.cost.monthlyTotal} vs medium ${medium.cost.monthlyTotal}`,
    );
    assert.ok(!small.cost.items.some((i) => /m6i.xlarge/.test(i.item)));
    const table = docSection("Cost (offline estimate)");
    assert.match(
      table,
      new RegExp(
        `\\| estimated USD / month \\| ${small.cost.monthlyTotal.toFixed(2)} ` +
          `\\| ${medium.cost.monthlyTotal.toFixed(2)} \\|`,
      ),
      "docs/plan.md cost table is stale",
    );
  });

  it("prices every region the program deploys to with its own figures or names the neighbour standing in", async () => {
    const plan = await planShipped("eu-west-1");
    for (const { code } of REGIONS) {
      const e = estimateCost({ ...plan.config, region: code }, plan.record.resources);
      assert.ok(!/us-east-1 prices used/.test(e.priceTable) || code === "us-east-1", code);
      if (REGION_PRICES[code]) assert.equal(e.priceTable, PRICE_TABLE_VERSION, code);
      else
        assert.match(e.priceTable, new RegExp(`no list transcribed for ${code}: ${PRICE_PROXIES[code]} prices used`));
    }
    // Each listed region's own NAT price reaches the estimate (not us-east-1's).
    const sa = estimateCost({ ...plan.config, region: "sa-east-1" }, plan.record.resources);
    assert.equal(
      sa.items.find((i) => i.item === "NAT gateways")!.monthly,
      Math.round(3 * REGION_PRICES["sa-east-1"]!.natHour * HOURS_PER_MONTH * 100) / 100,
    );
    assert.match(
      estimateCost({ ...plan.config, region: "xx-nowhere-1" }, plan.record.resources).priceTable,
      /no prices for xx-nowhere-1/,
    );
  });

  it("prices spot groups at the stated discount; the total is partial for instance types it cannot price", async () => {
    const plan = await planFile(
      writeStackFile("eu-west-1", {
        "aws:region": "eu-west-1",
        "infrasage:tenantId": "acme-eu",
        "infrasage:network": { cidr: "10.10.0.0/16" },
        "infrasage:nodeGroups": {
          default: {},
          spot: {
            instanceTypes: ["m6i.xlarge", "m5.xlarge"],
            capacityType: "SPOT",
            minSize: 0,
            desiredSize: 2,
            maxSize: 4,
          },
          big: { instanceTypes: ["x2iedn.32xlarge"], desiredSize: 1, minSize: 0, maxSize: 1 },
        },
      }),
    );
    const spot = plan.cost.items.find((i) => i.item.startsWith("EC2 nodes m6i.xlarge (spot"))!;
    assert.equal(
      spot.monthly,
      Math.round(2 * REGION_PRICES["eu-west-1"]!.ec2["m6i.xlarge"]! * (1 - SPOT_DISCOUNT) * HOURS_PER_MONTH * 100) /
        100,
    );
    assert.equal(plan.cost.partial, true);
    assert.equal(plan.cost.missing.length, 1);
    assert.match(plan.cost.missing[0]!, /^1 × EC2 x2iedn\.32xlarge \(node group .*big.*\): not in the price table/);
  });

  it("reads Kubernetes quantities in GiB", () => {
    assert.equal(quantityGiB("500Gi"), 500);
    assert.equal(quantityGiB("2Ti"), 2048);
    assert.equal(quantityGiB("512Mi"), 0.5);
  });
});
