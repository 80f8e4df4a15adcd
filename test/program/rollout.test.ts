/**
 * The multi-step rollouts docs/patterns.md documents, walked with the offline plan: each step is one
 * `pulumi up` of one stack that sees only what earlier steps deployed (its own previous outputs
 * included), its preview has no mandatory violation, and after the last step nothing is pending.
 */
import { strict as assert } from "node:assert";
import { join } from "node:path";
import type { StackPlan } from "../../offline/plan";
import { parseStackRef } from "../../lib/links/references";
import { ROOT, planFile } from "../support/plan";
import { docSection } from "../support/docs";

interface Rollout {
  readonly dir: string;
  /** The section that documents the order, and its sentence. */
  readonly section: string;
  readonly documented: RegExp;
  readonly steps: readonly string[];
}

const ROLLOUTS: readonly Rollout[] = [
  {
    dir: "hub-spoke",
    section: "Pattern 2: hub-and-spoke alert federation",
    documented: /Deploy order: hub, spokes, hub again/,
    steps: ["eu-west-1", "ap-south-1", "eu-west-1"],
  },
  // Lowest stack name first, then once more each.
  {
    dir: "active-active",
    section: "Pattern 3: active-active",
    documented: /`pulumi up` every member once \(lowest stack name first[^)]*\), then once more each/,
    steps: ["eu-central-1", "eu-north-1", "eu-west-1", "eu-central-1", "eu-north-1", "eu-west-1"],
  },
  {
    dir: "shared-grafana",
    section: "Shared Grafana",
    documented: /deploy the host, then the source, then the host again/,
    steps: ["eu-west-1", "ap-south-1", "eu-west-1"],
  },
];

/** Every `pending` list a stack exports (pattern 2, pattern 3, shared Grafana). */
function pendingOf(plan: StackPlan): string[] {
  const o = plan.record.outputs;
  const list = (v: unknown) => (Array.isArray(v) ? v.map(String) : []);
  return [
    ...list(o.pending?.value),
    ...list(o.replicationPending?.value),
    ...list((o.grafana?.value as { pending?: unknown } | undefined)?.pending),
  ];
}

const mandatory = (p: StackPlan) => p.violations.filter((v) => v.level === "mandatory");

describe("documented rollouts, step by step", () => {
  for (const r of ROLLOUTS) {
    it(`examples/${r.dir}: ${r.steps.join(" -> ")} ends with nothing pending, every step's preview clean`, async () => {
      assert.match(docSection(r.section), r.documented, `"${r.section}" documents this order`);
      const deployed = new Map<string, Record<string, unknown>>();
      const last = new Map<string, StackPlan>();
      for (const [i, stack] of r.steps.entries()) {
        const file = join(ROOT, "examples", r.dir, `Pulumi.${stack}.yaml`);
        const options = {
          deployed: [] as string[], // exactly one run of this stack
          external: (ref: string) => deployed.get(parseStackRef(ref).stack),
          ...(deployed.has(stack) ? { previous: { [stack]: deployed.get(stack)! } } : {}),
        };
        const preview = await planFile(file, { ...options, preview: true });
        assert.deepEqual(mandatory(preview), [], `step ${i + 1} (${stack}) preview`);
        const up = await planFile(file, options);
        assert.deepEqual(mandatory(up), [], `step ${i + 1} (${stack}) up`);
        assert.equal(up.deployedBefore, deployed.has(stack));
        deployed.set(stack, Object.fromEntries(Object.entries(up.record.outputs).map(([k, o]) => [k, o.value])));
        last.set(stack, up);
      }
      for (const [stack, plan] of last)
        assert.deepEqual(pendingOf(plan), [], `${stack} still has pending entries after the rollout`);
      // Before the last step something was still pending: the order matters.
      assert.ok(r.steps.length > new Set(r.steps).size);
    });
  }

  it("an early step does report what it waits for (the walk is not vacuous)", async () => {
    const spokeFirst = await planFile(join(ROOT, "examples", "hub-spoke", "Pulumi.ap-south-1.yaml"), { deployed: [] });
    assert.ok(pendingOf(spokeFirst).length > 0);
    assert.ok(
      spokeFirst.record.resources.every((x) => x.importId === undefined),
      "a first up imports nothing",
    );
  });
});
