/**
 * The front door (README.md) and the configuration reference (docs/configuration.md, checked against
 * the schema: every key documented, none invented).
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { infrasageSchema } from "../../lib/config/schema";
import { ROOT } from "../support/plan";
import { docFiles, docSection, headingsOf } from "../support/docs";

type Shaped = { shape?: Record<string, unknown>; unwrap?: () => unknown; def?: { type?: string } };

/** Leaf key paths of a zod object schema (optional wrappers unwrapped; records are leaves). */
function leafKeys(schema: unknown, prefix = ""): string[] {
  let s = schema as Shaped;
  while (s && !s.shape && typeof s.unwrap === "function") s = s.unwrap() as Shaped;
  if (!s?.shape) return [prefix];
  return Object.entries(s.shape).flatMap(([k, v]) => leafKeys(v, prefix ? `${prefix}.${k}` : k));
}

function documentedKeys(): string[] {
  const section = docSection("Configuration reference");
  const table = section.split("\n").filter((l) => l.startsWith("| `"));
  return table.flatMap((row) => [...row.split("|")[1]!.matchAll(/`([^`]+)`/g)].map((m) => m[1]!));
}

describe("configuration reference (docs/configuration.md)", () => {
  it("documents exactly the keys the schema accepts", () => {
    const schemaKeys = leafKeys(infrasageSchema).sort();
    const documented = documentedKeys().sort();
    assert.ok(schemaKeys.length > 20);
    assert.deepEqual(documented, schemaKeys);
  });
});

describe("README as a front door", () => {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");

  it("shows the two set-up commands on its first screen", () => {
    const firstScreen = readme.split("\n").slice(0, 40).join("\n");
    assert.match(firstScreen, /\nnpm ci && npm run plan -- --stack eu-west-1\nnpm test\n/);
  });

  it("stays short (at most 250 lines): the rest lives in docs/", () => {
    assert.ok(readme.split("\n").length <= 250, `${readme.split("\n").length} lines`);
  });
});

/** The top-level layer a repository path belongs to, as the picture in docs/design.md names it. */
function layerOf(path: string): string | undefined {
  if (path === "index.ts" || path === "index") return "index";
  if (path === "stack.ts" || path === "stack") return "stack";
  const prefixes: [string, string][] = [
    ["components/", "components"],
    ["lib/", "lib"],
    ["offline/", "offline"],
    ["policies/shared/", "shared"],
    ["policies/", "policies"],
    ["bootstrap/", "bootstrap"],
  ];
  return prefixes.find(([p]) => path.startsWith(p))?.[1];
}

/** Every import arrow between layers in the code (relative imports of the layers' .ts files). */
function importArrows(): Set<string> {
  const files = [
    "index.ts",
    "stack.ts",
    ...["components", "lib", "offline", "policies", "bootstrap"].flatMap((d) =>
      (readdirSync(join(ROOT, d), { recursive: true }) as string[])
        .filter((f) => f.endsWith(".ts") && !f.split(sep).includes("node_modules"))
        .map((f) => `${d}/${f.split(sep).join("/")}`),
    ),
  ];
  const arrows = new Set<string>();
  for (const file of files) {
    const from = layerOf(file)!;
    for (const m of readFileSync(join(ROOT, file), "utf8").matchAll(/(?:from|import|require\()\s*\(?"(\.[^"]+)"/g)) {
      const to = layerOf(
        relative(ROOT, resolve(ROOT, dirname(file), m[1]!))
          .split(sep)
          .join("/"),
      );
      if (to && to !== from) arrows.add(`${from} --> ${to}`);
    }
  }
  return arrows;
}

describe("docs/design.md: the picture of the layers", () => {
  const section = docSection("The layers");

  it("draws every import arrow between layers the code has", () => {
    const mermaid = /```mermaid\n([\s\S]*?)```/.exec(section)![1]!;
    const drawn = new Set(
      [...mermaid.matchAll(/^\s*(\w+)(?:\[[^\]]*\])? --> (\w+)/gm)].map((m) => `${m[1]} --> ${m[2]}`),
    );
    const actual = importArrows();
    assert.ok(actual.has("stack --> components") && actual.has("components --> lib"), [...actual].join(", "));
    assert.deepEqual(
      [...actual].filter((a) => !drawn.has(a)).sort(),
      [],
      "arrows in the code the picture does not draw",
    );
    assert.deepEqual(
      [...drawn].filter((a) => !actual.has(a)).sort(),
      [],
      "arrows the picture draws that the code does not have",
    );
  });

  it("names the rules file and the command CI runs", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> };
    assert.match(pkg.scripts["lint:deps"]!, /--config \.dependency-cruiser\.cjs/);
    assert.match(readFileSync(join(ROOT, ".ci", "run"), "utf8"), /npm run --silent lint:deps/);
    assert.match(section, /`\.dependency-cruiser\.cjs`/);
    assert.match(section, /`npm run lint:deps`/);
  });
});

describe("docs/operations.md: the journeys", () => {
  it("every journey is read and walked by a test under test/journeys/", () => {
    const ops = docFiles().find((d) => d.file === "docs/operations.md")!;
    const journeys = headingsOf(ops.text)
      .filter((h) => h.level === 2 && h.title !== "Runbooks, kubeconfigs, service discovery")
      .map((h) => h.title);
    const tests = readdirSync(join(ROOT, "test", "journeys"))
      .filter((f) => f.endsWith(".test.ts"))
      .map((f) => readFileSync(join(ROOT, "test", "journeys", f), "utf8"))
      .join("\n");
    assert.ok(journeys.length >= 8, journeys.join());
    assert.deepEqual(
      journeys.filter((j) => !tests.includes(`docSection("${j}")`)),
      [],
    );
  });
});
