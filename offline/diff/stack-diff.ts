/**
 * The plan of one stack as a diff against what is deployed (the `--json` of an earlier plan, the
 * base): per resource create, update, replace, may-replace, delete or unchanged. Resources are
 * matched by URN, then by alias (./aliases.ts), as the engine matches them. A property's effect comes
 * from the provider's rules (./replace-rules.ts). As in a real preview, every output of a resource
 * being created or replaced is unknown, so a property computed from one changes to
 * `(known after apply)`: that is how a replaced VPC replaces the subnets that name it.
 * Inputs are compared as printed (secrets already "[secret]"), so nothing secret is ever shown.
 */
import { aliasUrns, type AliasSubject } from "./aliases";
import { classifyChange, type ChangeEffect } from "./replace-rules";
import { providerHoldsValue } from "./optional-computed";

/** How `pulumi preview` shows a value a provider computes. */
export const KNOWN_AFTER_APPLY = "(known after apply)";

export type Op = "create" | "update" | "replace" | "may-replace" | "delete" | "unchanged";

/** A resource of the base: the fields of a `--json` resource the diff reads. */
export interface BaseResource {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly region?: string | null;
  readonly parent?: string | null;
  readonly provider?: string | null;
  readonly custom?: boolean;
  readonly inputs: Record<string, unknown>;
  readonly dependencies?: readonly string[];
  readonly protect?: boolean;
}

/** A resource of the head plan (a subset of offline/run-program.ts RecordedResource). */
export interface HeadResource extends AliasSubject {
  readonly region?: string;
  readonly parent?: string;
  readonly provider?: string;
  readonly custom: boolean;
  readonly inputs: Record<string, unknown>;
  readonly propertyDependencies: Record<string, string[]>;
  readonly dependencies: readonly string[];
  readonly ignoreChanges: readonly string[];
  readonly protect: boolean;
}

interface PropertyChange {
  readonly path: string;
  readonly old: unknown;
  readonly new: unknown;
  readonly effect: ChangeEffect;
  /** The provider rule (file and version) behind `effect`. */
  readonly source: string;
}

export interface ResourceDiff {
  readonly op: Op;
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly region: string | null;
  readonly parent: string | null;
  readonly custom: boolean;
  /** The deployed URN when the match was through an alias. */
  readonly aliasedFrom?: string;
  readonly changes: PropertyChange[];
  /** Why a resource is replaced other than by its own properties (its provider is replaced). */
  readonly cause?: string;
  readonly protect: boolean;
}

/** For bases written before `custom` was in the JSON: components are the program's own types and the stack. */
const isCustomType = (type: string) => !type.startsWith("infrasage:") && type !== "pulumi:pulumi:Stack";

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Changed leaves between two input trees (objects are walked, arrays and scalars compared whole). */
export function changedPaths(old: unknown, next: unknown, prefix = ""): { path: string; old: unknown; new: unknown }[] {
  if (isObject(old) && isObject(next)) {
    const keys = [...new Set([...Object.keys(old), ...Object.keys(next)])].sort();
    return keys.flatMap((k) => changedPaths(old[k], next[k], prefix ? `${prefix}.${k}` : k));
  }
  return same(old, next) ? [] : [{ path: prefix, old, new: next }];
}

/** How the plan shows a secret (offline/run-program.ts SECRET). */
const SECRET = "[secret]";

/**
 * A change as it may be shown: wherever either side is secret, both are. A base written before the
 * value became secret holds it in plain text, and a head that no longer marks it secret would show
 * it: either way the value is a secret now or was one.
 */
export function maskSecretPair(old: unknown, next: unknown): [unknown, unknown] {
  if (old === SECRET || next === SECRET) return [old === undefined ? old : SECRET, next === undefined ? next : SECRET];
  if (isObject(old) && isObject(next)) {
    const pairs = [...new Set([...Object.keys(old), ...Object.keys(next)])].map(
      (k) => [k, maskSecretPair(old[k], next[k])] as const,
    );
    return [
      Object.fromEntries(pairs.filter(([k]) => k in old).map(([k, p]) => [k, p[0]])),
      Object.fromEntries(pairs.filter(([k]) => k in next).map(([k, p]) => [k, p[1]])),
    ];
  }
  if (Array.isArray(old) && Array.isArray(next)) {
    const pairs = Array.from({ length: Math.max(old.length, next.length) }, (_, i) => maskSecretPair(old[i], next[i]));
    return [pairs.slice(0, old.length).map((p) => p[0]), pairs.slice(0, next.length).map((p) => p[1])];
  }
  return [old, next];
}

const ignored = (ignore: readonly string[], path: string) => ignore.some((i) => path === i || path.startsWith(`${i}.`));

function opOf(changes: readonly PropertyChange[]): Op {
  if (changes.length === 0) return "unchanged";
  if (changes.some((c) => c.effect === "replace")) return "replace";
  if (changes.some((c) => c.effect === "may-replace")) return "may-replace";
  return "update";
}

/** Diffs the head plan's resources against the base's. Order: head order, then deletes in base order. */
export function diffResources(base: readonly BaseResource[], head: readonly HeadResource[]): ResourceDiff[] {
  const baseByUrn = new Map(base.map((r) => [r.urn, r]));
  const aliases = aliasUrns(head);
  const headUrns = new Set(head.map((r) => r.urn));
  const matched = new Map<string, BaseResource>();
  for (const r of head) {
    const direct = baseByUrn.get(r.urn);
    // An alias only claims a deployed resource no head resource holds under its own URN.
    const viaAlias = direct
      ? undefined
      : (aliases.get(r.urn) ?? [])
          .map((u) => baseByUrn.get(u))
          .find((b) => b && !headUrns.has(b.urn) && ![...matched.values()].includes(b));
    const b = direct ?? viaAlias;
    if (b) matched.set(r.urn, b);
  }
  // Resources being created or replaced: their outputs are unknown for the others.
  const fresh = new Set<string>();
  // Resources kept through an alias keep their deployed outputs (ids, ARNs); offline their mock ids
  // follow the new name, so a value computed from one differs only in the mock.
  const keptByAlias = new Set([...matched].filter(([urn, b]) => b.urn !== urn).map(([urn]) => urn));
  const result = new Map<string, ResourceDiff>();
  // Dependencies are registered first, so one pass in order mostly settles; repeat until stable.
  for (let pass = 0; pass < 5; pass++) {
    let changed = false;
    for (const r of head) {
      const d = diffOne(r, matched.get(r.urn), fresh, keptByAlias);
      const before = result.get(r.urn);
      if (!before || before.op !== d.op || before.changes.length !== d.changes.length) changed = true;
      result.set(r.urn, d);
      if (d.op === "create" || d.op === "replace") fresh.add(r.urn);
    }
    if (!changed) break;
  }
  const claimed = new Set([...matched.values()].map((b) => b.urn));
  const deletes: ResourceDiff[] = base
    .filter((b) => !claimed.has(b.urn))
    .map((b) => ({
      op: "delete",
      urn: b.urn,
      type: b.type,
      name: b.name,
      region: b.region ?? null,
      parent: b.parent ?? null,
      custom: b.custom ?? isCustomType(b.type),
      changes: [],
      protect: b.protect ?? false,
    }));
  return [...head.map((r) => result.get(r.urn)!), ...deletes];
}

function diffOne(
  r: HeadResource,
  b: BaseResource | undefined,
  fresh: ReadonlySet<string>,
  keptByAlias: ReadonlySet<string>,
): ResourceDiff {
  const common = {
    urn: r.urn,
    type: r.type,
    name: r.name,
    region: r.region ?? null,
    parent: r.parent ?? null,
    custom: r.custom,
    protect: r.protect,
    ...(b && b.urn !== r.urn ? { aliasedFrom: b.urn } : {}),
  };
  if (!b) return { op: "create", ...common, changes: [] };
  const changes: PropertyChange[] = [];
  const seen = new Set<string>();
  for (const c of changedPaths(b.inputs, r.inputs)) {
    if (ignored(r.ignoreChanges, c.path)) continue;
    const top = c.path.split(".")[0]!;
    const deps = r.propertyDependencies[top] ?? [];
    const computed = deps.some((u) => fresh.has(u));
    if (!computed && deps.some((u) => keptByAlias.has(u))) continue;
    if (!computed && c.path === top && providerHoldsValue(r.type, top, c.old, c.new, b.inputs)) continue;
    const { effect, source } = classifyChange(r.type, c.path, computed);
    const [shownOld, shownNew] = maskSecretPair(c.old, c.new);
    changes.push({ ...c, old: shownOld, new: computed ? KNOWN_AFTER_APPLY : shownNew, effect, source });
    seen.add(top);
  }
  // Properties whose value is the same offline but computed from a resource being replaced.
  for (const [prop, deps] of Object.entries(r.propertyDependencies)) {
    if (seen.has(prop) || ignored(r.ignoreChanges, prop) || !(prop in r.inputs) || !deps.some((u) => fresh.has(u)))
      continue;
    const { effect, source } = classifyChange(r.type, prop, true);
    changes.push({
      path: prop,
      old: maskSecretPair(b.inputs[prop], r.inputs[prop])[0],
      new: KNOWN_AFTER_APPLY,
      effect,
      source,
    });
  }
  // A resource whose explicit provider is replaced is replaced with it (the engine's provider diff).
  if (r.provider && fresh.has(r.provider) && b.provider === r.provider) {
    return { op: "replace", ...common, changes, cause: `its provider ${r.provider.split("::").pop()} is replaced` };
  }
  return { op: opOf(changes), ...common, changes };
}

export interface DiffCounts {
  readonly create: number;
  readonly update: number;
  readonly replace: number;
  readonly "may-replace": number;
  readonly delete: number;
  readonly unchanged: number;
}

/** Counts of custom resources (components only group them) per operation. */
export function countOps(diffs: readonly ResourceDiff[]): DiffCounts {
  const counts = { create: 0, update: 0, replace: 0, "may-replace": 0, delete: 0, unchanged: 0 };
  for (const d of diffs) if (d.custom) counts[d.op]++;
  return counts;
}
