/** The documentation as tests read it: README.md (the front door) and docs/*.md, by heading. */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./plan";

export interface DocFile {
  /** Path relative to the repository root, e.g. `docs/operations.md`. */
  readonly file: string;
  readonly text: string;
}

export interface Heading {
  readonly level: number;
  readonly title: string;
  /** Index of the heading's line in the file. */
  readonly line: number;
}

/** README.md, then every docs/*.md in name order. */
export function docFiles(): DocFile[] {
  const docs = readdirSync(join(ROOT, "docs"))
    .filter((f) => f.endsWith(".md"))
    .sort()
    .map((f) => `docs/${f}`);
  return ["README.md", ...docs].map((file) => ({ file, text: readFileSync(join(ROOT, file), "utf8") }));
}

/** Line indexes inside fenced code blocks (a `# comment` in a YAML block is no heading). */
function fencedLines(lines: readonly string[]): Set<number> {
  const fenced = new Set<number>();
  let open = false;
  lines.forEach((l, i) => {
    if (/^\s*```/.test(l)) {
      fenced.add(i);
      open = !open;
    } else if (open) fenced.add(i);
  });
  return fenced;
}

/** The Markdown headings of a file, code blocks left out. */
export function headingsOf(text: string): Heading[] {
  const lines = text.split("\n");
  const fenced = fencedLines(lines);
  return lines.flatMap((l, line) => {
    const m = /^(#{1,6}) +(.+?)\s*#*\s*$/.exec(l);
    return m && !fenced.has(line) ? [{ level: m[1]!.length, title: m[2]!, line }] : [];
  });
}

/**
 * A heading's anchor as GitHub makes it: the rendered text (no backticks, link text only), lower case,
 * every character that is not a letter, digit, space, hyphen or underscore dropped, spaces to hyphens.
 */
export function githubAnchor(title: string): string {
  const rendered = title.replace(/\[([^\]]*)\]\([^)]*\)/g, "$1").replace(/[`*]/g, "");
  return rendered
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/ /g, "-");
}

/** Every anchor of a file, repeated headings numbered as GitHub does (`x`, `x-1`, ...). */
export function anchorsOf(text: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const h of headingsOf(text)) {
    const base = githubAnchor(h.title);
    const n = seen.get(base) ?? 0;
    anchors.add(n === 0 ? base : `${base}-${n}`);
    seen.set(base, n + 1);
  }
  return anchors;
}

/** Where a section lives: the one file of README.md and docs/*.md with that heading. */
export function docFileOf(title: string): DocFile {
  const hits = docFiles().filter((d) => headingsOf(d.text).some((h) => h.title === title));
  if (hits.length !== 1)
    throw new Error(
      `heading "${title}" is in ${hits.length === 0 ? "no file" : hits.map((h) => h.file).join(", ")} ` +
        `of README.md and docs/*.md: expected exactly one`,
    );
  return hits[0]!;
}

/** A section's text, from its heading to the next heading of the same or a higher level, in whichever doc holds it. */
export function docSection(title: string): string {
  const { text } = docFileOf(title);
  const lines = text.split("\n");
  const headings = headingsOf(text);
  const start = headings.find((h) => h.title === title)!;
  const end = headings.find((h) => h.line > start.line && h.level <= start.level);
  return lines.slice(start.line + 1, end?.line).join("\n");
}
