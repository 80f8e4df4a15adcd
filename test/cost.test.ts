/** The offline cost estimate: itemised, from the versioned price table, and the small profile pays off. */
import assert from "node:assert/strict";

import { estimateCost, quantityGiB } from "../lib/cost";
import { PRICE_TABLE_VERSION, REGION_PRICES, HOURS_PER_MONTH, GLOBAL_PRICES } from "../lib/prices";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { planShipped, ROOT, writeStackFile, planFile } from "./support/plan";

async function planProfile(profile: string) {
  return planFile(writeStackFile("eu-west-1", {
    "aws:region": "eu-west-1",
    "infrasage:tenantId": "acme-eu",
    "infrasage:scaleProfile": profile,
    "infrasage:network": { cidr: "10.10.0.0/16" },
  }));
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
    assert.equal(item("NAT gateways")?.monthly, Math.round(3 * REGION_PRICES["eu-west-1"]!.natHour * HOURS_PER_MONTH * 100) / 100);
    assert.equal(item("EC2 nodes m6i.xlarge")?.quantity, 3);
    assert.equal(item("EBS gp3 ClickHouse")?.quantity, 500);
    const sum = cost.items.reduce((s, i) => s + i.monthly, 0);
    assert.ok(Math.abs(sum - cost.monthlyTotal) < 0.01);
    assert.ok(cost.notEstimated.some((n) => /data transfer/.test(n)));
  });

  it("makes the small profile cost at most half of medium in eu-west-1", async () => {
    const small = await planProfile("small");
    const medium = await planProfile("medium");
    assert.ok(small.cost.monthlyTotal <= medium.cost.monthlyTotal / 2, `small ${small.cost.monthlyTotal} vs medium ${medium.cost.monthlyTotal}`);
    assert.ok(!small.cost.items.some((i) => /m6i.xlarge/.test(i.item)));
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    assert.match(readme, new RegExp(`\\| estimated USD / month \\| ${small.cost.monthlyTotal.toFixed(2)} \\| ${medium.cost.monthlyTotal.toFixed(2)} \\|`), "README cost table is stale");
  });

  it("says when a region has no prices in the table instead of pretending", async () => {
    const plan = await planShipped("eu-west-1");
    const elsewhere = estimateCost({ ...plan.config, region: "af-south-1" }, plan.record.resources);
    assert.match(elsewhere.priceTable, /no prices for af-south-1/);
  });

  it("reads Kubernetes quantities in GiB", () => {
    assert.equal(quantityGiB("500Gi"), 500);
    assert.equal(quantityGiB("2Ti"), 2048);
    assert.equal(quantityGiB("512Mi"), 0.5);
  });
});
