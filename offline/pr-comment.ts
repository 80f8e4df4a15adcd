/**
 * The pull request's plan comment, as Markdown: per plan (shipped stacks, each examples/* group) and
 * per stack the diff summary against the target branch, the monthly cost before and after and the
 * policy results; then the cross-region flows as a Mermaid diagram (which stack sends what to which,
 * over which port, grouped by jurisdiction). Input: the `--json` of plans made with `--base`.
 * Everything printed comes from plan JSON, where secrets are already "[secret]"; text is escaped for
 * Markdown tables and Mermaid labels, since stack and resource names come from the pull request.
 */

import { maskMockText } from "./mock-values";

/** First line of the comment: how the posting job finds the comment to update in place. */
export const COMMENT_MARKER = "<!-- infrasage-offline-plan -->";
/** GitHub rejects comments over 65536 characters; keep a margin for the truncation note. */
export const MAX_COMMENT_CHARS = 60000;

/** `enforcedAt`: where a real run enforces it (offline/update-order.ts); absent in plans made before it existed. */
interface PlanViolation {
  readonly policy: string;
  readonly level: string;
  readonly message: string;
  readonly enforcedAt?: string;
}
interface PlanRun {
  readonly kind: string;
  readonly stoppedAt?: { readonly urn: string; readonly policies: readonly string[] };
  readonly reached: readonly string[];
  readonly notReached: readonly string[];
}
interface PlanDiffResource {
  readonly op: string;
  readonly type: string;
  readonly name: string;
  readonly region: string | null;
  readonly custom?: boolean;
}
interface PlanStack {
  readonly stack: string;
  readonly region: string;
  readonly jurisdiction: string;
  readonly violations: readonly PlanViolation[];
  readonly update?: PlanRun;
  readonly cost: {
    readonly monthlyTotal: number;
    readonly currency: string;
    readonly partial?: boolean;
    readonly missing?: readonly string[];
    readonly notEstimated?: readonly string[];
  };
  readonly diff?: {
    readonly newStack: boolean;
    readonly monthlyTotalBefore?: number;
    readonly monthlyTotalBeforePartial?: boolean;
    readonly counts: Readonly<Record<string, number>>;
    readonly resources: readonly PlanDiffResource[];
  };
}
interface PreflightFinding {
  readonly kind: string;
  readonly file: string;
  readonly key?: string;
  readonly message: string;
  readonly fix: string;
}
interface Flow {
  readonly from: string;
  readonly to: string;
  readonly fromJurisdiction: string;
  readonly toJurisdiction: string;
  readonly what: string;
  readonly ports: readonly number[];
}
export interface PlanDoc {
  /** What the --strict preview and deploy jobs refuse before creating anything. */
  readonly preflight?: readonly PreflightFinding[];
  readonly stacks: readonly PlanStack[];
  readonly violations: readonly PlanViolation[];
  readonly flows: readonly Flow[];
  /** Stacks of the base this plan does not have (CI plans every file: their stack file was removed). */
  readonly removedStacks?: readonly { readonly stack: string; readonly resources: number }[];
}

export interface CommentInput {
  /** What was planned, e.g. "shipped stacks" or "examples/active-active". */
  readonly title: string;
  /** The plan's --json; undefined when the plan failed (exit 2). */
  readonly plan?: PlanDoc;
  /** The plan's exit status. */
  readonly exitCode: number;
  /** What the plan printed when it failed (exit 2): the file, the key and the fix. */
  readonly error?: string;
}

/** Escapes text for a Markdown table cell or list item (no HTML, no table breaks, no mentions). */
export function md(text: string): string {
  return text
    .replace(/[\\`*_[\]<>|]/g, (c) => `\\${c}`)
    .replace(/@/g, "@\u200b")
    .replace(/\r?\n/g, " ");
}

/** A Mermaid node id (letters, digits, _) for a stack name. */
const nodeId = (stack: string) => `s_${stack.replace(/[^A-Za-z0-9]/g, "_")}`;
/** A Mermaid label: quotes and angle brackets as entities, inside "...". */
const label = (text: string) =>
  `"${text.replace(/"/g, "#quot;").replace(/</g, "#lt;").replace(/>/g, "#gt;").replace(/\r?\n/g, " ")}"`;

const money = (n: number) => `$${n.toFixed(2)}`;

/** `type::name` of a URN (its parent types dropped). */
const urnTail = (urn: string) => urn.replace(/^urn:pulumi:[^:]*::[^:]*::(?:.*\$)?/, "");
/** Where a result is enforced, with a URN shortened to `type::name`. */
const enforcedShort = (at: string) => (at.startsWith("before urn:") ? `before ${urnTail(at.slice(7))}` : at);

function costCell(s: PlanStack): string {
  const before = s.diff?.monthlyTotalBefore;
  // A partial total (something the price table lacks) says so, and what it leaves out.
  const partial = s.cost.partial ? ` **partial**: leaves out ${md((s.cost.missing ?? []).join("; "))}` : "";
  if (before === undefined) return `${money(s.cost.monthlyTotal)} (new)${partial}`;
  const delta = s.cost.monthlyTotal - before;
  return (
    `${money(before)}${s.diff?.monthlyTotalBeforePartial ? " (partial)" : ""} ` +
    `→ ${money(s.cost.monthlyTotal)} (${delta >= 0 ? "+" : "−"}${money(Math.abs(delta))})${partial}`
  );
}

function changesCell(s: PlanStack): string {
  if (!s.diff) return "no base";
  const c = s.diff.counts;
  const parts = [
    `+${c.create ?? 0}`,
    `~${c.update ?? 0}`,
    `±${c.replace ?? 0}`,
    `±?${c["may-replace"] ?? 0}`,
    `−${c.delete ?? 0}`,
  ];
  return `${s.diff.newStack ? "new stack: " : ""}${parts.join(" ")}`;
}

function policyCell(violations: readonly PlanViolation[]): string {
  const mandatory = violations.filter((v) => v.level === "mandatory").length;
  const advisory = violations.length - mandatory;
  return mandatory > 0 ? `❌ ${mandatory} mandatory, ${advisory} advisory` : `✅ 0 mandatory, ${advisory} advisory`;
}

/** The replaced, maybe replaced and deleted resources of a stack (what a reviewer must look at). */
function riskyLines(s: PlanStack): string[] {
  const risky = (s.diff?.resources ?? []).filter(
    (r) => r.custom !== false && (r.op === "replace" || r.op === "may-replace" || r.op === "delete"),
  );
  return risky
    .slice(0, 30)
    .map(
      (r) =>
        `- ${r.op === "delete" ? "delete" : r.op === "replace" ? "replace" : "may replace"} ` +
        `\`${md(r.type.split(":").pop() ?? r.type)} ${md(r.name)}\`` +
        (r.region ? ` (${md(r.region)}${r.region !== s.region ? `, outside home region ${md(s.region)}` : ""})` : ""),
    )
    .concat(risky.length > 30 ? [`- … and ${risky.length - 30} more (see the job summary)`] : []);
}

/** The cross-region flows as a Mermaid flowchart: one subgraph per jurisdiction, one edge per flow. */
export function flowDiagram(stacks: readonly PlanStack[], flows: readonly Flow[]): string[] {
  const jurisdictionOf = new Map<string, string>(stacks.map((s) => [s.stack, s.jurisdiction]));
  for (const f of flows) {
    if (!jurisdictionOf.has(f.from)) jurisdictionOf.set(f.from, f.fromJurisdiction);
    if (!jurisdictionOf.has(f.to)) jurisdictionOf.set(f.to, f.toJurisdiction);
  }
  const byJurisdiction = new Map<string, string[]>();
  for (const [stack, j] of jurisdictionOf) byJurisdiction.set(j, [...(byJurisdiction.get(j) ?? []), stack]);
  const lines = ["```mermaid", "flowchart LR"];
  for (const [j, members] of [...byJurisdiction].sort(([a], [b]) => a.localeCompare(b))) {
    lines.push(`  subgraph ${nodeId(`j_${j}`)}[${label(`${j === "?" ? "unknown" : j} jurisdiction`)}]`);
    for (const m of members.sort()) lines.push(`    ${nodeId(m)}[${label(m)}]`);
    lines.push("  end");
  }
  for (const f of flows)
    lines.push(`  ${nodeId(f.from)} -- ${label(`${f.what}, port ${f.ports.join(", ")}`)} --> ${nodeId(f.to)}`);
  lines.push("```");
  return lines;
}

/** Whether a stack's plan changes anything or needs a reviewer (findings). */
const stackChanged = (s: PlanStack): boolean =>
  !s.diff ||
  s.diff.newStack ||
  ["create", "update", "replace", "may-replace", "delete"].some((k) => (s.diff!.counts[k] ?? 0) > 0) ||
  s.violations.some((v) => v.level === "mandatory");

/** Whether a plan needs the reviewer: it failed, changes something, or the strict jobs will refuse it. */
function planChanged(input: CommentInput): boolean {
  const p = input.plan;
  return (
    input.exitCode !== 0 ||
    !p ||
    p.stacks.some(stackChanged) ||
    (p.removedStacks ?? []).length > 0 ||
    (p.preflight ?? []).length > 0 ||
    p.violations.some((v) => v.level === "mandatory")
  );
}

/** Text in a fenced block: a fence inside it cannot close the block early. */
const fenced = (text: string) => ["```text", text.replace(/```/g, "ʼʼʼ").trimEnd(), "```"];

function planSection(input: CommentInput): string[] {
  const preflight = input.plan?.preflight ?? [];
  const status =
    input.exitCode === 0
      ? preflight.length > 0
        ? `passed; ${preflight.length} preflight finding${preflight.length === 1 ? "" : "s"} ` +
          `(the --strict preview and deploy jobs fail on them)`
        : "passed"
      : input.exitCode === 1
        ? "mandatory findings"
        : "plan failed";
  const head = `### ${md(input.title)}: ${status}`;
  if (!input.plan) {
    return [
      head,
      "",
      "The plan did not produce a document (exit 2: invalid config or a program error).",
      "",
      ...(input.error ? fenced(input.error) : ["The job log names the file and the fix."]),
    ];
  }
  const p = input.plan;
  const lines = [
    head,
    "",
    "| stack | region (jurisdiction) | changes | monthly cost, before → after | policies |",
    "|---|---|---|---|---|",
  ];
  // Stacks that change first: the one that changed is not buried under the unchanged ones.
  for (const s of [...p.stacks.filter(stackChanged), ...p.stacks.filter((x) => !stackChanged(x))])
    lines.push(
      `| ${md(s.stack)} | ${md(s.region)} (${md(s.jurisdiction)}) ` +
        `| ${changesCell(s)} | ${costCell(s)} | ${policyCell(s.violations)} |`,
    );
  const before = p.stacks.reduce((n, s) => n + (s.diff?.monthlyTotalBefore ?? 0), 0);
  const after = p.stacks.reduce((n, s) => n + s.cost.monthlyTotal, 0);
  for (const r of p.removedStacks ?? [])
    lines.push(
      `| ${md(r.stack)} | — | stack file removed: its ${r.resources} ` +
        `resources stay deployed, no longer updated | — | — |`,
    );
  const partial = p.stacks.filter((s) => s.cost.partial).map((s) => md(s.stack));
  lines.push(
    "",
    `Monthly cost of the plan: ${money(before)} → ${money(after)} (on-demand estimate` +
      (partial.length
        ? `; **partial**, at least: ${partial.join(", ")} run instance types the price table lacks`
        : "") +
      `). ` +
      `Changes: +create ~update ±replace ±?may-replace −delete.`,
  );
  const notEstimated = [...new Set(p.stacks.flatMap((s) => s.cost.notEstimated ?? []))];
  if (notEstimated.length > 0) lines.push("", `⚠️ The cost is partial: not estimated ${md(notEstimated.join("; "))}.`);
  if (preflight.length > 0) {
    lines.push(
      "",
      "**Preflight** (a real preview or up refuses these before creating anything; the `--strict` jobs fail):",
    );
    for (const f of preflight)
      lines.push(
        `- \`${md(f.file.split("/").pop() ?? f.file)}\`${f.key ? ` \`${md(f.key)}\`` : ""}: ${md(f.message)}. ` +
          `Fix: ${md(f.fix)}.`,
      );
  }
  for (const s of p.stacks) {
    const risky = riskyLines(s);
    if (risky.length > 0) lines.push("", `**${md(s.stack)}: replaced or deleted**`, ...risky);
    const stop = s.update?.stoppedAt;
    if (stop) {
      lines.push(
        "",
        `**${md(s.stack)}: \`pulumi up\` stops at ${md(urnTail(stop.urn))}** ` +
          `(${md(stop.policies.join(", "))}): ${s.update!.reached.length} ` +
          `resources registered before it would already exist, ${s.update!.notReached.length} ` +
          `never reached; stack policies do not run after a stop.`,
      );
    }
  }
  const mandatory = [
    ...p.stacks.flatMap((s) => s.violations.map((v) => ({ ...v, stack: s.stack }))),
    ...p.violations.map((v) => ({ ...v, stack: "cross-stack" })),
  ].filter((v) => v.level === "mandatory");
  if (mandatory.length > 0) {
    // Each finding whole (its way out and allowReplace fix come last), folded under its first words.
    lines.push("", `**Mandatory findings (${mandatory.length})**`, "");
    for (const v of mandatory.slice(0, 40)) {
      const short = v.message.length > 140 ? `${v.message.slice(0, 140)}…` : v.message;
      lines.push(
        `<details><summary><b>${md(v.stack)}</b> ` +
          `<code>${md(v.policy)}</` +
          `code>${v.enforcedAt ? ` (enforced ${md(enforcedShort(v.enforcedAt))})` : ""}: ${md(maskMockText(short))}</` +
          `summary>`,
        "",
        md(maskMockText(v.message)),
        "",
        "</details>",
      );
    }
    if (mandatory.length > 40) lines.push(`- … and ${mandatory.length - 40} more (see the job summary)`);
  }
  if (p.flows.length > 0 || p.stacks.length > 1) {
    lines.push("", "Cross-region flows (which stack sends what to which, over which port, in which jurisdiction):", "");
    lines.push(...(p.flows.length > 0 ? flowDiagram(p.stacks, p.flows) : ["No data leaves any stack's region."]));
  }
  return lines;
}

/** The whole comment. `base` names what the diff is against (e.g. "main at 1a2b3c4"). */
export function prComment(inputs: readonly CommentInput[], base: string): string {
  const lines = [
    COMMENT_MARKER,
    "## Offline plan",
    "",
    `Against ${md(base)}: the real program under Pulumi's mock runtime, no ` +
      `cloud credentials (\`npm run plan -- --all --base\`). Updated on every push.`,
    "",
  ];
  // Plans that change something first, each in full; the unchanged ones one line each.
  for (const input of inputs.filter(planChanged)) lines.push(...planSection(input), "");
  const unchanged = inputs.filter((i) => !planChanged(i));
  if (unchanged.length > 0) {
    lines.push("### No changes", "");
    for (const i of unchanged) {
      const p = i.plan!;
      // A partial total stays marked partial here too, on either side of the diff.
      const missing = p.stacks.flatMap((s) => (s.cost.partial ? (s.cost.missing ?? []) : []));
      const beforePartial = p.stacks.some((s) => s.diff?.monthlyTotalBeforePartial);
      const total = money(p.stacks.reduce((n, s) => n + s.cost.monthlyTotal, 0));
      const cost = beforePartial
        ? `${money(p.stacks.reduce((n, s) => n + (s.diff?.monthlyTotalBefore ?? 0), 0))} (partial) → ${total}`
        : total;
      lines.push(
        `- ${md(i.title)}: ${p.stacks.length} stack${p.stacks.length === 1 ? "" : "s"} unchanged ` +
          `(${p.stacks.map((s) => md(s.stack)).join(", ")}), ${cost}/` +
          `month${missing.length ? ` **partial**: leaves out ${md(missing.join("; "))}` : ""}, ` +
          `✅ no mandatory finding`,
      );
    }
    lines.push("");
  }
  let text = lines.join("\n");
  if (text.length > MAX_COMMENT_CHARS) {
    text = text.slice(0, MAX_COMMENT_CHARS);
    // Close a code block the cut left open (a Mermaid diagram), or the rest renders as code.
    if ((text.match(/^```/gm) ?? []).length % 2 === 1) text += "\n```";
    text += `\n\n… (cut at ${MAX_COMMENT_CHARS} characters: the job summary has the full plans)\n`;
  }
  return text;
}
