/**
 * Turns plan results into the contract-2 JSON document and the readable summary.
 * Secrets are masked here once: outputs marked secret print as "[secret]".
 */
import { SECRET, UNKNOWN, type RecordedOutput, type RecordedResource } from "./run-program";
import type { PlanResult, StackPlan } from "./plan";
import type { Violation } from "./policy-runner";
import type { Flow } from "../policies/rules/cross-stack";
import type { Finding } from "./preflight/finding";
import { diffJson, diffLines } from "./diff/diff-report";
import { AFTER_APPLY, CANT_RUN_RE, OFFLINE_ONLY } from "./update-order";
import { maskMockText, shownForHumans } from "./mock-values";

/**
 * An output as printed: secrets masked, values unknown at preview as `pulumi preview` shows them, and
 * with `--base` a value computed from a resource being created or replaced unknown too (its offline
 * value would be a mock id).
 */
const shownOutput = (o: RecordedOutput, fresh: ReadonlySet<string> = new Set()): unknown =>
  o.secret ? SECRET : !o.known || (o.dependencies ?? []).some((u) => fresh.has(u)) ? UNKNOWN : o.value;

/** URNs the diff creates or replaces: their outputs are known after apply. */
const freshUrns = (plan: StackPlan): Set<string> =>
  new Set((plan.diff?.resources ?? []).filter((r) => r.op === "create" || r.op === "replace").map((r) => r.urn));

function stackJson(plan: StackPlan) {
  return {
    stack: plan.stack,
    view: plan.view,
    deployedBefore: plan.deployedBefore,
    existing: plan.existing,
    region: plan.config.region,
    jurisdiction: plan.config.jurisdiction,
    pattern: plan.config.pattern,
    resources: plan.record.resources.map((r) => ({
      urn: r.urn,
      type: r.type,
      name: r.name,
      region: r.region ?? null,
      parent: r.parent ?? null,
      provider: r.provider ?? null,
      inputs: r.inputs,
      dependencies: r.dependencies,
      protect: r.protect,
      retainOnDelete: r.retainOnDelete,
      ignoreChanges: r.ignoreChanges,
      custom: r.custom,
      aliases: r.aliases,
    })),
    outputs: Object.fromEntries(
      Object.entries(plan.record.outputs).map(([k, o]) => [k, shownOutput(o, freshUrns(plan))]),
    ),
    violations: plan.violations,
    update: plan.run,
    stackTags: plan.stackTags,
    cost: plan.cost,
    ...(plan.diff ? { diff: diffJson(plan.diff) } : {}),
  };
}

export function planJson(result: PlanResult) {
  return {
    view: result.view,
    organization: result.organization,
    preflight: result.preflight,
    stacks: result.stacks.map(stackJson),
    violations: result.crossStack.violations,
    flows: result.crossStack.flows,
    replication: result.crossStack.replication,
    ...(result.removedStacks ? { removedStacks: result.removedStacks } : {}),
  };
}

/** The cross-stack data-flow table (from stack, to stack, jurisdictions, what flows, ports). */
function flowLines(flows: readonly Flow[]): string[] {
  if (flows.length === 0) return ["  none: no data leaves any stack's region"];
  const rows = flows.map((f) => [
    f.from,
    f.to,
    `${f.fromJurisdiction} -> ${f.toJurisdiction}`,
    f.what,
    f.ports.join(","),
  ]);
  const head = ["from", "to", "jurisdictions", "what flows", "ports"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [head, ...rows].map(
    (r) =>
      `  ${r
        .map((c, i) => c.padEnd(widths[i]!))
        .join("  ")
        .trimEnd()}`,
  );
}

const shortType = (t: string) => t.split(":").pop() ?? t;

/** Logical names of a type's resources (the first 8), each outside the home region marked with its region. */
function resourceNames(rs: readonly RecordedResource[], home: string): string {
  const shown = rs.slice(0, 8).map((r) => (r.region && r.region !== home ? `${r.name} [in ${r.region}]` : r.name));
  return `${shown.join(", ")}${rs.length > 8 ? `, and ${rs.length - 8} more` : ""}`;
}

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

/** @pulumi/policy's message for a policy that read a value unknown at preview (server.js). */

/** `before <urn>` as `before <type>::<name>` (the URN's last two parts); the JSON has the whole URN. */
const shortEnforcedAt = (at: string): string => at.replace(/^before urn:pulumi:[^:]*::[^:]*::(?:.*\$)?/, "before ");

function violationLines(violations: readonly Violation[]): string[] {
  if (violations.length === 0) return ["  none"];
  const deferred = new Map<string, number>();
  const lines: string[] = [];
  for (const v of violations) {
    if (v.level === "advisory" && CANT_RUN_RE.test(v.message)) {
      deferred.set(v.policy, (deferred.get(v.policy) ?? 0) + 1);
      continue;
    }
    lines.push(
      `  [${v.level}] ${v.policy}: ${v.message.replace(/\n/g, "\n      ")}${v.urn ? `\n      at ${v.urn}` : ""}\n` +
        `      enforced: ${shortEnforcedAt(v.enforcedAt)}`,
    );
  }
  if (deferred.size > 0) {
    lines.push(
      `  [advisory] checked at pulumi up, not at this preview (a value it reads is ` +
        `known after apply): ${[...deferred].map(([p, n]) => `${p} (${n})`).join(", ")}`,
    );
  }
  return lines;
}

/** The preflight block, first in the text view: what a real preview would refuse before creating anything. */
function preflightLines(findings: readonly Finding[]): string[] {
  if (findings.length === 0) return ["Preflight: nothing a real pulumi preview would refuse before creating anything."];
  return [
    `Preflight: a real pulumi preview / up would fail on ${findings.length} ` +
      `thing${findings.length === 1 ? "" : "s"} (--strict makes this exit 1):`,
    ...findings.map((f) => `  - ${f.file}${f.key ? ` (${f.key})` : ""}: ${f.message}.\n    Fix: ${f.fix}.`),
  ];
}

const nameOf = (plan: StackPlan, urn: string): string => {
  const r = plan.record.resources.find((x) => x.urn === urn);
  return r ? `${r.name} (${shortType(r.type)})` : urn;
};

/** How the real run enforces the results above (offline/update-order.ts), and where `pulumi up` stops. */
function runLines(plan: StackPlan): string[] {
  const run = plan.run;
  if (run.kind === "preview") {
    return [
      "Enforcement (pulumi preview): every resource is analyzed (a mandatory result does " +
        "not stop the preview), stack policies run at the end, then the preview fails on any " +
        "mandatory result. A policy that read a value known only after apply is enforced by " +
        "pulumi up: before that resource (resource policies) or after apply (stack policies).",
    ];
  }
  const lines = [
    `Enforcement (pulumi up --skip-preview, as pulumi/actions command: up runs it): resource policies before ` +
      `each resource, in registration order; stack policies ${AFTER_APPLY}, once every step was applied.`,
  ];
  if (!run.stoppedAt) return lines;
  const custom = (urns: readonly string[]) =>
    urns.filter((u) => plan.record.resources.find((r) => r.urn === u)?.custom);
  const list = (urns: readonly string[]) => {
    const c = custom(urns);
    return `${c
      .slice(0, 10)
      .map((u) => nameOf(plan, u))
      .join(", ")}${c.length > 10 ? `, and ${c.length - 10} more` : ""}`;
  };
  const reached = custom(run.reached);
  const notReached = custom(run.notReached);
  lines.push(
    `  pulumi up stops at ${nameOf(plan, run.stoppedAt.urn)}: mandatory ${run.stoppedAt.policies.join(", ")}.`,
    `  Would already exist (steps applied before the stop): ${reached.length} ` +
      `resource${reached.length === 1 ? "" : "s"}${reached.length > 0 ? `: ${list(run.reached)}` : ""}.`,
    `  Never reached (the stopping one included): ${notReached.length}: ${list(run.notReached)}.`,
    "  After a stop the engine runs no stack policy (deployment_executor.go): " +
      "the stack-policy results above are what the next up meets once this is fixed.",
  );
  return lines;
}

/** What the stack's part of the plan is, in words (the heading): never "deployed" when nothing says so. */
function stackView(plan: StackPlan, planView: "preview" | "up" = plan.view): string {
  if (plan.view === "preview")
    return "first pulumi preview of a new stack (values providers compute are known after apply)";
  if (planView === "preview") return "already deployed (as its rollout left it): what the previewed stacks read";
  if (plan.existing.length > 0)
    return "pulumi up after pulumi destroy (a new life, against what the destroy left behind)";
  if (plan.diff)
    return plan.diff.newStack
      ? `first pulumi up of a new stack (not in ${plan.diff.base})`
      : `pulumi up of the deployed stack, diffed against ${plan.diff.base}`;
  return "the stack as pulumi up leaves it (every value known; --base shows what changes)";
}

export function stackSummary(plan: StackPlan, planView?: "preview" | "up"): string {
  const c = plan.config;
  // Ids the stack file gives are real; every other id in the text is the mock's (offline/mock-values.ts).
  const ev = c.network.existingVpc;
  const real = new Set(ev ? [ev.vpcId, ...ev.privateSubnetIds, ...(ev.loadBalancerSubnetIds ?? [])] : []);
  const what = stackView(plan, planView);
  const lines = [
    `Stack ${plan.stack}: region ${c.region}, jurisdiction ${c.jurisdiction}, ` +
      `pattern ${c.pattern}, profile ${c.scaleProfile}; ${what}`,
  ];
  if (plan.existing.length > 0) {
    lines.push(
      `Left behind by the destroy of an earlier life (this plan runs against ` +
        `them): ${plan.existing.map((o) => `${o.type.split(":").pop()} ${o.physicalName}`).join(", ")}`,
    );
  }
  const groups = new Map<string, Map<string, RecordedResource[]>>();
  for (const r of plan.record.resources) {
    if (!r.custom || r.type.startsWith("pulumi:providers:")) continue;
    const group = componentOf(plan, r.parent);
    const types = groups.get(group) ?? new Map<string, RecordedResource[]>();
    types.set(r.type, [...(types.get(r.type) ?? []), r]);
    groups.set(group, types);
  }
  const total = plan.record.resources.filter((r) => r.custom).length;
  const away = plan.record.resources.filter((r) => r.custom && r.region && r.region !== c.region);
  lines.push(
    `Resources (${total}, home ` +
      `region ${c.region}${away.length > 0 ? `; ${away.length} outside it, marked [in <region>]` : ""}):`,
  );
  for (const [group, types] of groups) {
    lines.push(`  ${group}`);
    for (const [type, rs] of [...types].sort(([a], [b]) => a.localeCompare(b))) {
      lines.push(`    ${String(rs.length).padStart(3)} × ${shortType(type).padEnd(28)} ${type}`);
      lines.push(`          ${resourceNames(rs, c.region)}`);
    }
  }
  if (plan.diff) lines.push(...diffLines(plan.diff, c.region));
  lines.push("Outputs:");
  const fresh = freshUrns(plan);
  for (const [k, o] of Object.entries(plan.record.outputs)) {
    const shown = shownOutput(o, fresh);
    lines.push(
      `  ${k.padEnd(18)} ` +
        `${shown === SECRET || shown === UNKNOWN ? shown : JSON.stringify(shownForHumans(shown, real))}`,
    );
  }
  lines.push("Policy violations:", ...violationLines(plan.violations));
  lines.push(...runLines(plan));
  lines.push(
    `Estimated ` +
      `cost: ${plan.cost.partial ? "PARTIAL, at least " : ""}${plan.cost.monthlyTotal.toFixed(2)}` +
      ` ${plan.cost.currency}/` +
      `month (on-demand, price ` +
      `table ${plan.cost.priceTable})${plan.cost.partial ? `; leaves out ${plan.cost.missing.join("; ")}` : ""}`,
  );
  for (const i of plan.cost.items)
    lines.push(
      `  ${i.item.padEnd(28)} ${String(i.quantity).padStart(6)} ` +
        `${i.unit.padEnd(14)} ${i.monthly.toFixed(2).padStart(10)}`,
    );
  for (const i of plan.cost.savings)
    lines.push(
      `  saves: ${i.item.padEnd(31)} ${String(i.quantity).padStart(6)}` +
        ` ${i.unit.padEnd(14)} ${i.monthly.toFixed(2).padStart(6)}`,
    );
  lines.push(`  not estimated: ${plan.cost.notEstimated.join("; ")}`);
  return maskMockText(lines.join("\n"), real);
}

export function planSummary(result: PlanResult): string {
  const parts = [
    preflightLines(result.preflight).join("\n"),
    ...result.stacks.map((s) => stackSummary(s, result.view)),
  ];
  if (result.removedStacks && result.removedStacks.length > 0) {
    parts.push(
      [
        "Stacks in the base and not in this plan (a stack file removed, or a " +
          "narrower selector; removing a file destroys nothing, pulumi destroy does):",
        ...result.removedStacks.map((r) => `  ${r.stack}: ${r.resources} resources in the base`),
      ].join("\n"),
    );
  }
  if (result.stacks.length > 1) {
    const total = result.stacks.reduce((s, p) => s + p.cost.monthlyTotal, 0);
    const partial = result.stacks.filter((p) => p.cost.partial).map((p) => p.config.stack);
    parts.push(
      `All stacks: ${result.stacks.length}, ` +
        `estimated ${partial.length ? "PARTIAL, at least " : ""}${total.toFixed(2)} ` +
        `USD/month${partial.length ? ` (leaves out what the price table lacks in ${partial.join(", ")})` : ""}`,
    );
  }
  if (result.stacks.length > 1 || result.crossStack.flows.length > 0) {
    parts.push(["Cross-stack data flows:", ...flowLines(result.crossStack.flows)].join("\n"));
    if (result.crossStack.replication.length > 0)
      parts.push(
        ["Replication groups (Keeper quorum):", ...result.crossStack.replication.map((l) => `  ${l}`)].join("\n"),
      );
    parts.push(
      [
        `Cross-stack violations (${OFFLINE_ONLY}: CrossGuard ` +
          `analyzes one stack at a time, no real run enforces these):`,
        ...violationLines(result.crossStack.violations),
      ].join("\n"),
    );
  }
  return parts.join("\n\n");
}

/**
 * The closing line of a plan that exits 1: what made it fail.
 * @public offline/cli.ts loads this module lazily (`require(...) as typeof import(...)`), which knip does not follow.
 */
export function exitReason(result: PlanResult, strict: boolean): string {
  const mandatory = [...result.stacks.flatMap((s) => s.violations), ...result.crossStack.violations].filter(
    (v) => v.level === "mandatory",
  ).length;
  const why = [
    ...(mandatory > 0
      ? [`${mandatory} mandatory violation${mandatory === 1 ? "" : "s"} (listed under the stacks' policy violations)`]
      : []),
    ...(strict && result.preflight.length > 0
      ? [
          `--strict and ${result.preflight.length} preflight ` +
            `finding${result.preflight.length === 1 ? "" : "s"} (listed first)`,
        ]
      : []),
  ];
  return `Exit 1: ${why.join("; ")}.`;
}

export function hasMandatory(result: PlanResult): boolean {
  return [...result.stacks.flatMap((s) => s.violations), ...result.crossStack.violations].some(
    (v) => v.level === "mandatory",
  );
}
