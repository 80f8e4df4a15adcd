/**
 * Turns plan results into the contract-2 JSON document and the readable summary.
 * Secrets are masked here once: outputs marked secret print as "[secret]".
 */
import { SECRET } from "./run-program";
import type { PlanResult, StackPlan } from "./plan";
import type { Violation } from "./policy-runner";
import type { Flow } from "../policies/rules/cross-stack";

export function stackJson(plan: StackPlan) {
  return {
    stack: plan.stack,
    region: plan.config.region,
    jurisdiction: plan.config.jurisdiction,
    pattern: plan.config.pattern,
    resources: plan.record.resources.map((r) => ({
      urn: r.urn, type: r.type, name: r.name, region: r.region ?? null, parent: r.parent ?? null,
      provider: r.provider ?? null, inputs: r.inputs, dependencies: r.dependencies,
      protect: r.protect, retainOnDelete: r.retainOnDelete, ignoreChanges: r.ignoreChanges,
    })),
    outputs: Object.fromEntries(Object.entries(plan.record.outputs).map(([k, o]) => [k, o.secret ? SECRET : o.value])),
    violations: plan.violations,
    cost: plan.cost,
  };
}

export function planJson(result: PlanResult) {
  return { stacks: result.stacks.map(stackJson), violations: result.crossStack.violations, flows: result.crossStack.flows, replication: result.crossStack.replication };
}

/** The cross-stack data-flow table (from stack, to stack, jurisdictions, what flows, ports). */
export function flowLines(flows: readonly Flow[]): string[] {
  if (flows.length === 0) return ["  none: no data leaves any stack's region"];
  const rows = flows.map((f) => [f.from, f.to, `${f.fromJurisdiction} -> ${f.toJurisdiction}`, f.what, f.ports.join(",")]);
  const head = ["from", "to", "jurisdictions", "what flows", "ports"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [head, ...rows].map((r) => `  ${r.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd()}`);
}

const shortType = (t: string) => t.split(":").pop() ?? t;

function componentOf(plan: StackPlan, urn: string | undefined): string {
  const byUrn = new Map(plan.record.resources.map((r) => [r.urn, r]));
  let cur = urn ? byUrn.get(urn) : undefined;
  let top = cur;
  while (cur?.parent && byUrn.has(cur.parent)) {
    cur = byUrn.get(cur.parent);
    top = cur;
  }
  return top && !top.custom ? `${top.name} (${top.type})` : "(stack)";
}

function violationLines(violations: readonly Violation[]): string[] {
  if (violations.length === 0) return ["  none"];
  return violations.map((v) => `  [${v.level}] ${v.policy}: ${v.message}${v.urn ? `\n      at ${v.urn}` : ""}`);
}

export function stackSummary(plan: StackPlan): string {
  const c = plan.config;
  const lines = [`Stack ${plan.stack}: region ${c.region}, jurisdiction ${c.jurisdiction}, pattern ${c.pattern}, profile ${c.scaleProfile}`];
  const groups = new Map<string, Map<string, number>>();
  for (const r of plan.record.resources) {
    if (!r.custom || r.type.startsWith("pulumi:providers:")) continue;
    const group = componentOf(plan, r.parent);
    const types = groups.get(group) ?? new Map<string, number>();
    types.set(r.type, (types.get(r.type) ?? 0) + 1);
    groups.set(group, types);
  }
  const total = plan.record.resources.filter((r) => r.custom).length;
  lines.push(`Resources (${total}, every AWS resource in ${[...new Set(plan.record.resources.map((r) => r.region).filter(Boolean))].join(", ") || "-"}):`);
  for (const [group, types] of groups) {
    lines.push(`  ${group}`);
    for (const [type, n] of [...types].sort()) lines.push(`    ${String(n).padStart(3)} × ${shortType(type).padEnd(28)} ${type}`);
  }
  lines.push("Outputs:");
  for (const [k, o] of Object.entries(plan.record.outputs)) {
    lines.push(`  ${k.padEnd(18)} ${o.secret ? SECRET : JSON.stringify(o.value)}`);
  }
  lines.push("Policy violations:", ...violationLines(plan.violations));
  lines.push(`Estimated cost: ${plan.cost.monthlyTotal.toFixed(2)} ${plan.cost.currency}/month (on-demand, price table ${plan.cost.priceTable})`);
  for (const i of plan.cost.items) lines.push(`  ${i.item.padEnd(28)} ${String(i.quantity).padStart(6)} ${i.unit.padEnd(14)} ${i.monthly.toFixed(2).padStart(10)}`);
  lines.push(`  not estimated: ${plan.cost.notEstimated.join("; ")}`);
  return lines.join("\n");
}

export function planSummary(result: PlanResult): string {
  const parts = result.stacks.map(stackSummary);
  if (result.stacks.length > 1) {
    const total = result.stacks.reduce((s, p) => s + p.cost.monthlyTotal, 0);
    parts.push(`All stacks: ${result.stacks.length}, estimated ${total.toFixed(2)} USD/month`);
  }
  if (result.stacks.length > 1 || result.crossStack.flows.length > 0) {
    parts.push(["Cross-stack data flows:", ...flowLines(result.crossStack.flows)].join("\n"));
    if (result.crossStack.replication.length > 0) parts.push(["Replication groups (Keeper quorum):", ...result.crossStack.replication.map((l) => `  ${l}`)].join("\n"));
    parts.push(["Cross-stack violations:", ...violationLines(result.crossStack.violations)].join("\n"));
  }
  return parts.join("\n\n");
}

export function hasMandatory(result: PlanResult): boolean {
  return [...result.stacks.flatMap((s) => s.violations), ...result.crossStack.violations].some((v) => v.level === "mandatory");
}
