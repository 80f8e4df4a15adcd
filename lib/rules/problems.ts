/** The namespace of InfraSage's own keys (`infrasage:network.cidr`). */
export const NAMESPACE = "infrasage";

/** A config problem: the key it is about, what is wrong, and how to fix it. */
export interface ConfigProblem {
  /** Fully qualified key, e.g. `infrasage:network.cidr` or `aws:region`. */
  readonly key: string;
  readonly message: string;
  readonly fix: string;
}

/** A problem keyed below `infrasage:` (`network.cidr`), as the capabilities' own checks return them. */
export interface KeyedProblem {
  readonly key: string;
  readonly message: string;
  readonly fix: string;
}

/** `p` with its key made whole (`network.cidr` -> `infrasage:network.cidr`). */
export const qualified = (p: KeyedProblem): ConfigProblem => ({
  key: `${NAMESPACE}:${p.key}`,
  message: p.message,
  fix: p.fix,
});

/** A problem list and an `add` that takes a key below `infrasage:`: how each capability's config rules collect. */
export function namespacedProblems(): {
  problems: ConfigProblem[];
  add: (key: string, message: string, fix: string) => void;
} {
  const problems: ConfigProblem[] = [];
  const add = (key: string, message: string, fix: string) => {
    problems.push({ key: `${NAMESPACE}:${key}`, message, fix });
  };
  return { problems, add };
}

/** A value for a message: short, JSON-quoted strings, non-finite numbers by name. */
export function show(v: unknown): string {
  if (typeof v === "number" && !Number.isFinite(v)) return String(v);
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 80 ? `${text.slice(0, 60)}...` : text;
}

/** `<source>: invalid <what> configuration (N problems):` and one line per problem with its fix. */
export function formatProblems(problems: readonly ConfigProblem[], source: string, what = "InfraSage"): string {
  const lines = problems.map((p) => `  - ${p.key}: ${p.message}. Fix: ${p.fix}.`);
  return (
    `${source}: invalid ${what} configuration (${problems.length} ` +
    `problem${problems.length === 1 ? "" : "s"}):\n${lines.join("\n")}`
  );
}

/** Levenshtein distance, for "did you mean" on unknown keys. */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(
        row[j]! + 1,
        row[j - 1]! + 1,
        prev + (a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1),
      );
      prev = cur;
    }
  }
  return row[b.length]!;
}

export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  const limit = Math.max(2, Math.floor(word.length / 3));
  for (const c of candidates) {
    // The distance is at least the difference in length: a word far longer than every candidate
    // (a megabyte value) is never compared cell by cell.
    if (Math.abs(word.length - c.length) > limit) continue;
    const d = editDistance(word, c);
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return bestDistance <= limit ? best : undefined;
}

/**
 * Decodes one raw config value as the Pulumi SDK hands it over: JSON objects and arrays are
 * structured config (`pulumi config set --path`, YAML maps), everything else stays a string.
 */
export function decodeConfigValue(value: string): unknown {
  const t = value.trim();
  if (t.startsWith("{") || t.startsWith("[")) {
    try {
      return JSON.parse(t);
    } catch {
      return value;
    }
  }
  return value;
}
