/**
 * The diff as a reviewer reads it (names, regions, what changes from what to what, grouped by
 * component) and as `stacks[].diff` in `--json` (unchanged resources counted, not listed).
 */
import { SECRET } from "../run-program";
import type { StackDiff } from "./plan-diff";
import { KNOWN_AFTER_APPLY, type Op, type ResourceDiff } from "./stack-diff";

export function diffJson(d: StackDiff) {
  return { ...d, resources: d.resources.filter((r) => r.op !== "unchanged") };
}

const SYMBOL: Readonly<Record<Op, string>> = {
  create: "+",
  update: "~",
  replace: "+-",
  "may-replace": "+-?",
  delete: "-",
  unchanged: " ",
};
const VERB: Readonly<Record<Op, string>> = {
  create: "create",
  update: "update",
  replace: "replace",
  "may-replace": "may replace",
  delete: "delete",
  unchanged: "unchanged",
};

/** A value as printed: masked and unknown values as such, long ones cut. */
function shownValue(v: unknown): string {
  if (v === undefined) return "(none)";
  if (v === SECRET || v === KNOWN_AFTER_APPLY) return v;
  const s = JSON.stringify(v);
  return s.length > 100 ? `${s.slice(0, 97)}...` : s;
}

/**
 * A change as printed. Long values that share a beginning (XML, Helm values, rule lists) are shown
 * from just before where they differ, so the line shows the change, not the common prefix.
 */
function shownChange(old: unknown, next: unknown): string {
  const [a, b] = [shownValue(old), shownValue(next)];
  if (!a.endsWith("...") && !b.endsWith("...")) return `${a} => ${b}`;
  const [fa, fb] = [old, next].map((v) => (typeof v === "string" ? JSON.stringify(v) : (JSON.stringify(v) ?? "")));
  let i = 0;
  while (i < fa!.length && i < fb!.length && fa![i] === fb![i]) i++;
  const from = Math.max(0, i - 30);
  const cut = (s: string) => `${from > 0 ? "..." : ""}${s.slice(from, from + 90)}${s.length > from + 90 ? "..." : ""}`;
  return `${old === undefined ? "(none)" : cut(fa!)} => ${next === undefined ? "(none)" : cut(fb!)}`;
}

const shortType = (t: string) => t.split(":").pop() ?? t;

/** The outermost component a resource belongs to (by parent chain), as `name (type)`. */
function groupOf(byUrn: ReadonlyMap<string, ResourceDiff>, d: ResourceDiff): string {
  let top: ResourceDiff | undefined;
  let parent = d.parent ?? undefined;
  for (let i = 0; parent && i < 50; i++) {
    const p = byUrn.get(parent);
    if (!p) break;
    if (!p.custom) top = p;
    parent = p.parent ?? undefined;
  }
  return top
    ? `${top.name} (${top.type})${top.op === "create" || top.op === "delete" ? ` [${VERB[top.op]}d]` : ""}`
    : "(stack)";
}

function countsLine(d: StackDiff): string {
  const c = d.counts;
  return (
    `${c.create} to create, ${c.update} to update, ${c.replace} to ` +
    `replace, ${c["may-replace"]} may replace, ${c.delete} to delete, ${c.unchanged} unchanged`
  );
}

/** Text lines of one stack's diff; `homeRegion` marks what is created elsewhere. */
export function diffLines(d: StackDiff, homeRegion: string): string[] {
  const lines = [
    `Changes against ${d.base}${d.newStack ? " (stack not in the base: a new stack)" : ""}: ${countsLine(d)}`,
  ];
  const byUrn = new Map(d.resources.map((r) => [r.urn, r]));
  const groups = new Map<string, ResourceDiff[]>();
  for (const r of d.resources) {
    if (!r.custom || r.op === "unchanged") continue;
    const g = groupOf(byUrn, r);
    groups.set(g, [...(groups.get(g) ?? []), r]);
  }
  if (groups.size === 0) lines.push("  no changes");
  for (const [group, rs] of groups) {
    lines.push(`  ${group}`);
    for (const r of rs) {
      const away = r.region && r.region !== homeRegion ? `  [outside home region ${homeRegion}]` : "";
      const alias = r.aliasedFrom ? `  (was ${r.aliasedFrom.split("::").pop()}, kept through an alias)` : "";
      lines.push(
        `    ${SYMBOL[r.op].padEnd(3)} ${VERB[r.op].padEnd(11)} ${shortType(r.type)}` +
          ` ${r.name}${r.region ? `  ${r.region}` : ""}${away}${alias}`,
      );
      if (r.cause) lines.push(`          ${r.cause}`);
      for (const c of r.changes) {
        const why =
          c.effect === "replace"
            ? "   forces replacement"
            : c.effect === "may-replace"
              ? "   may force replacement"
              : "";
        lines.push(`          ${c.path}: ${shownChange(c.old, c.new)}${why}`);
      }
      // The provider rule behind a replacement, once per resource.
      const rules = [...new Set(r.changes.filter((c) => c.effect !== "update").map((c) => c.source))];
      for (const rule of rules) lines.push(`          rule: ${rule}`);
    }
  }
  return lines;
}
