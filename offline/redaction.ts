/**
 * The one redaction step of everything the plan CLI prints or writes (the text view, `--json`,
 * `--out`, error messages, the pull request comment): a value is removed when it is secret on either
 * side of a diff (plain in the `--base`, "[secret]" in the plan, or the other way round), or when the
 * config's own secret scanner (lib/config/secrets.ts) finds a credential in it, so a token pasted into
 * a free-text field (an allowReplace reason, an argument) is never quoted back.
 */
import { redact, secretsInValue } from "../lib/config/secrets";

/** How the plan shows a secret (offline/run-program.ts SECRET; not imported: that loads the SDK). */
const SECRET = "[secret]";

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Every string leaf of a value (the value itself when it is a string). */
function stringsOf(v: unknown, out: string[] = [], depth = 0): string[] {
  if (depth > 64) return out;
  if (typeof v === "string") out.push(v);
  else if (Array.isArray(v)) for (const x of v) stringsOf(x, out, depth + 1);
  else if (isObject(v)) for (const x of Object.values(v)) stringsOf(x, out, depth + 1);
  return out;
}

/**
 * The plain values that face a "[secret]" on the other side, walking two input trees together
 * (a base's and a plan's, of one resource).
 */
export function secretCounterparts(a: unknown, b: unknown, out: string[] = [], depth = 0): string[] {
  if (depth > 64) return out;
  if (a === SECRET && b !== SECRET) stringsOf(b, out);
  else if (b === SECRET && a !== SECRET) stringsOf(a, out);
  else if (isObject(a) && isObject(b))
    for (const k of Object.keys(a)) {
      if (k in b) secretCounterparts(a[k], b[k], out, depth + 1);
    }
  else if (Array.isArray(a) && Array.isArray(b)) a.forEach((x, i) => secretCounterparts(x, b[i], out, depth + 1));
  return out;
}

export class Redactor {
  private readonly tokens = new Set<string>();
  /** Texts already redacted: a plan's JSON repeats its keys and many values (a fifth of its strings are distinct). */
  private readonly done = new Map<string, string>();

  /** Values to remove wherever they appear (shorter than 4 characters: too common to remove). */
  add(values: Iterable<string>): this {
    for (const v of values) if (v.trim().length >= 4 && v !== SECRET) this.tokens.add(v);
    this.done.clear();
    return this;
  }

  /** A text with every known secret and every credential the scanner finds replaced by "[redacted]". */
  text(s: string): string {
    const known = this.done.get(s);
    if (known !== undefined) return known;
    const found = secretsInValue(s).flatMap((f) => f.tokens);
    const tokens = [...this.tokens, ...found];
    const redacted = tokens.length === 0 ? s : redact(s, tokens);
    this.done.set(s, redacted);
    return redacted;
  }

  /** A JSON document with every string (keys too) redacted as text is. */
  json<T>(v: T, depth = 0): T {
    if (depth > 256) return v;
    if (typeof v === "string") return this.text(v) as T;
    if (Array.isArray(v)) return v.map((x) => this.json(x, depth + 1)) as T;
    if (isObject(v))
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [this.text(k), this.json(x, depth + 1)])) as T;
    return v;
  }
}

/** Redacts what the scanner finds (for text with no plan around it: error messages, the PR comment). */
export const redactCredentials = (s: string): string => new Redactor().text(s);

interface RedactableStack {
  readonly stack: string;
  readonly record: {
    readonly resources: readonly { readonly urn: string; readonly inputs: Record<string, unknown> }[];
  };
  readonly diff?: {
    readonly resources: readonly { readonly urn: string; readonly op: string; readonly aliasedFrom?: string }[];
  };
}
interface RedactableBase {
  readonly stacks: ReadonlyMap<
    string,
    { readonly resources: readonly { readonly urn: string; readonly inputs: Record<string, unknown> }[] }
  >;
}

/** The redactor of a plan: the values secret on one side of each stack's diff against `base`. */
export function planRedactor(stacks: readonly RedactableStack[], base?: RedactableBase): Redactor {
  const redactor = new Redactor();
  for (const s of stacks) {
    const baseResources = new Map((base?.stacks.get(s.stack)?.resources ?? []).map((r) => [r.urn, r]));
    const head = new Map(s.record.resources.map((r) => [r.urn, r]));
    for (const d of s.diff?.resources ?? []) {
      const b = baseResources.get(d.aliasedFrom ?? d.urn);
      const h = head.get(d.urn);
      if (b && h) redactor.add(secretCounterparts(b.inputs, h.inputs));
    }
  }
  return redactor;
}
