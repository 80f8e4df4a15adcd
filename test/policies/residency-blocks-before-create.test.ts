/**
 * Issue 18's promise, end to end: in `pulumi up --skip-preview` (the deploy job) no residency
 * guarantee is given only after apply. Every residency stack rule has a resource rule that runs at the
 * offending resource's own Analyze, and in every bad fixture that breaks residency through the pack,
 * each violation found after apply is also found before its resource is created, where the update stops.
 */
import { strict as assert } from "node:assert";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { ALL_POLICIES } from "../../policies/rules/all";
import { AFTER_APPLY, before as beforeUrn } from "../../offline/update-order";
import { PlanError } from "../../offline/plan";
import { planDir, ROOT } from "../support/plan";

const isStack = (p: object): boolean => "validateStack" in p;
const residency = ALL_POLICIES.filter((p) => (p.tags ?? []).includes("residency"));
/** The resource rule that blocks what a stack rule re-checks after apply. */
const RESOURCE_LINE: Readonly<Record<string, string>> = {
  "stack-identity-matches-home-region": "resource-home-matches-stack-identity",
};
const resourceLineOf = (stackRule: string): string => RESOURCE_LINE[stackRule] ?? stackRule.replace(/-stack$/, "");

describe("residency blocks before the offending resource is created (pulumi up --skip-preview)", () => {
  it("every residency stack rule has a resource rule as its first line", () => {
    const resourceRules = new Set(residency.filter((p) => !isStack(p)).map((p) => p.name));
    const stackRules = residency.filter(isStack).map((p) => p.name);
    assert.ok(stackRules.length > 5, "the second lines are there");
    for (const name of stackRules)
      assert.ok(
        resourceRules.has(resourceLineOf(name)),
        `${name}: no resource rule ${resourceLineOf(name)} blocks before creation`,
      );
  });

  const BAD = join(ROOT, "test", "fixtures", "bad");
  const RESIDENCY = new Set(residency.map((p) => p.name));
  const breaking: string[] = [];
  for (const dir of readdirSync(BAD).sort()) {
    it(`${dir}: every residency violation after apply was already one before its resource`, async function () {
      this.timeout(180_000);
      let plan: Awaited<ReturnType<typeof planDir>>;
      try {
        plan = await planDir(join(BAD, dir));
      } catch (e) {
        // Refused as config before anything runs (exit 2): nothing is created at all. Anything else is a failure.
        assert.ok(e instanceof PlanError, String(e));
        return;
      }
      for (const s of plan.stacks) {
        const mandatory = s.violations.filter((v) => v.level === "mandatory" && RESIDENCY.has(v.policy));
        if (mandatory.length > 0) breaking.push(`${dir}/${s.stack}`);
        for (const v of mandatory.filter((x) => x.enforcedAt === AFTER_APPLY)) {
          assert.ok(v.urn, `${s.stack} ${v.policy}: a stack-wide finding after apply (${v.message})`);
          const first = mandatory.find(
            (w) => w.urn === v.urn && w.enforcedAt === beforeUrn(v.urn!) && w.policy === resourceLineOf(v.policy),
          );
          assert.ok(first, `${s.stack} ${v.policy} on ${v.urn}: only after apply (${v.message})`);
        }
        // Where a residency rule fails, pulumi up stops before the first offending resource exists.
        if (mandatory.some((v) => v.enforcedAt !== AFTER_APPLY)) {
          assert.ok(s.run.stoppedAt, `${s.stack}: the update does not stop`);
          assert.ok(
            !s.run.reached.some((u) => mandatory.some((v) => v.urn === u)),
            `${s.stack}: an offending resource is created before the stop`,
          );
        }
      }
    });
  }
  // Runs after the fixtures above (mocha keeps the order): the check above was not vacuous.
  it("the fixtures that break residency through the pack were among them", () => {
    for (const dir of ["alert-link-wide-routes", "metrics-link-wide-routes"])
      assert.ok(
        breaking.some((b) => b.startsWith(`${dir}/`)),
        `${dir}: ${breaking.join(", ")}`,
      );
  });
});
