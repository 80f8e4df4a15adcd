/**
 * Every relative link of README.md and docs/*.md leads to a file of the repository, and an `#anchor` to a heading of
 * it.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { anchorsOf, docFiles, docSection, githubAnchor, headingsOf } from "../support/docs";
import { ROOT } from "../support/plan";

/** Link targets of a Markdown text, code blocks and code spans left out (their brackets are not links). */
function linkTargets(text: string): string[] {
  const prose = text.replace(/^\s*```[\s\S]*?^\s*```/gm, "").replace(/`[^`\n]*`/g, "");
  return [...prose.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1]!);
}

/** Why a link of `file` does not resolve, or undefined when it does. */
function brokenLink(file: string, target: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return undefined; // https:, mailto: ...: not ours to check offline
  const [path, anchor] = target.split("#", 2) as [string, string | undefined];
  const absolute = path === "" ? join(ROOT, file) : resolve(dirname(join(ROOT, file)), decodeURIComponent(path));
  const inRepo = relative(ROOT, absolute);
  if (inRepo.startsWith("..")) return `leads outside the repository (${inRepo})`;
  if (!existsSync(absolute)) return `no such file ${inRepo}`;
  if (anchor === undefined) return undefined;
  if (!absolute.endsWith(".md")) return `#${anchor} in a file that is not Markdown`;
  return anchorsOf(readFileSync(absolute, "utf8")).has(anchor) ? undefined : `${inRepo} has no heading #${anchor}`;
}

describe("documentation links", () => {
  it("GitHub's anchor rules: lower case, spaces to hyphens, punctuation dropped", () => {
    assert.equal(githubAnchor("Try it (no cloud account needed)"), "try-it-no-cloud-account-needed");
    assert.equal(
      githubAnchor("The plan as a diff against what is deployed (`--base`)"),
      "the-plan-as-a-diff-against-what-is-deployed---base",
    );
    assert.equal(
      githubAnchor("Compared with terraform-aws-modules/eks and @pulumi/eks"),
      "compared-with-terraform-aws-moduleseks-and-pulumieks",
    );
    assert.equal(githubAnchor("Scale profiles (`lib/profiles/profiles.ts`)"), "scale-profiles-libprofilesprofilests");
    assert.deepEqual([...anchorsOf("# A\n## B\n```yaml\n# not a heading\n```\n## B\n")], ["a", "b", "b-1"]);
  });

  it("finds broken links (the check itself)", () => {
    assert.match(brokenLink("README.md", "docs/nope.md")!, /no such file docs\/nope\.md/);
    assert.match(brokenLink("README.md", "docs/plan.md#no-such-heading")!, /has no heading/);
    assert.match(brokenLink("docs/plan.md", "../../elsewhere/x.md")!, /outside the repository/);
    assert.equal(brokenLink("docs/plan.md", "operations.md#adding-a-region"), undefined);
    assert.deepEqual(linkTargets('[a](x.md) `[b](y.md)`\n```\n[c](z.md)\n```\n[d](w.md#e "title")'), [
      "x.md",
      "w.md#e",
    ]);
  });

  for (const { file, text } of docFiles()) {
    it(`${file}: every relative link resolves, anchors included`, () => {
      const broken = linkTargets(text).flatMap((t) => {
        const why = brokenLink(file, t);
        return why ? [`${t}: ${why}`] : [];
      });
      assert.deepEqual(broken, []);
    });
  }

  it("README links every file of docs/", () => {
    const readmeLinks = new Set(linkTargets(docFiles()[0]!.text).map((t) => t.split("#")[0]));
    const missing = docFiles()
      .slice(1)
      .map((d) => d.file)
      .filter((f) => !readmeLinks.has(f));
    assert.deepEqual(missing, []);
  });

  it("no documented heading is in two files, so a section has one home", () => {
    const seen = new Map<string, string>();
    const twice: string[] = [];
    for (const { file, text } of docFiles()) {
      for (const a of anchorsOf(text)) {
        if (seen.has(a) && seen.get(a) !== file) twice.push(`${a}: ${seen.get(a)} and ${file}`);
        seen.set(a, file);
      }
    }
    assert.deepEqual(twice, []);
    assert.ok(docSection("Adding a region").includes("Pulumi.<region>.yaml"));
  });
});

/** Files of the code, CI and examples that may point into the docs (node_modules and the docs themselves left out). */
function pointingFiles(): string[] {
  const roots = [
    "index.ts",
    "stack.ts",
    "lib",
    "components",
    "offline",
    "policies",
    "scripts",
    "bootstrap",
    "bench",
    "examples",
    "test",
    ".github",
    ".ci",
  ];
  return roots.flatMap((r) => {
    const abs = join(ROOT, r);
    if (!existsSync(abs)) return [];
    if (statSync(abs).isFile()) return [r];
    return (readdirSync(abs, { recursive: true }) as string[])
      .map((f) => join(r, f))
      .filter(
        (f) =>
          !/(^|\/)node_modules\//.test(f) &&
          /\.(ts|cjs|ya?ml|json)$|^\.ci\/run$/.test(f) &&
          statSync(join(ROOT, f)).isFile(),
      );
  });
}

describe("pointers into the docs from code, messages, CI and examples", () => {
  it('every `docs/<file>.md "<heading>"` (or `docs/<file>.md, <heading>`) names a heading of that file', () => {
    const wrong: string[] = [];
    let seen = 0;
    for (const file of pointingFiles().filter((f) => f !== join("test", "docs", "docs-links.test.ts"))) {
      const text = readFileSync(join(ROOT, file), "utf8");
      for (const m of text.matchAll(/docs\/([\w-]+\.md)(?: \\?"([^"\\]+)\\?"|[,:] ([A-Z][^\n]+))?/g)) {
        seen++;
        const doc = join(ROOT, "docs", m[1]!);
        if (!existsSync(doc)) {
          wrong.push(`${file}: docs/${m[1]} does not exist`);
          continue;
        }
        const titles = headingsOf(readFileSync(doc, "utf8")).map((h) => h.title);
        if (m[2] !== undefined && !titles.includes(m[2])) wrong.push(`${file}: docs/${m[1]} has no heading "${m[2]}"`);
        if (m[3] !== undefined && !titles.some((t) => m[3]!.startsWith(t)))
          wrong.push(`${file}: docs/${m[1]} has no heading at "${m[3].slice(0, 40)}"`);
      }
    }
    assert.ok(seen > 20, `${seen} pointers found`);
    assert.deepEqual(wrong, []);
  });
});
