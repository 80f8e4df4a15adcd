/**
 * The front door (README.md) and the configuration reference (docs/configuration.md, checked against
 * the schema: every key documented, none invented).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { infrasageSchema } from "../lib/config/schema";
import { ROOT } from "./support/plan";
import { docSection } from "./support/docs";

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
