/** The README's config reference is checked against the schema: every key documented, none invented. */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { infrasageSchema } from "../lib/config/schema";
import { ROOT } from "./support/plan";

type Shaped = { shape?: Record<string, unknown>; unwrap?: () => unknown; def?: { type?: string } };

/** Leaf key paths of a zod object schema (optional wrappers unwrapped; records are leaves). */
function leafKeys(schema: unknown, prefix = ""): string[] {
  let s = schema as Shaped;
  while (s && !s.shape && typeof s.unwrap === "function") s = s.unwrap() as Shaped;
  if (!s?.shape) return [prefix];
  return Object.entries(s.shape).flatMap(([k, v]) => leafKeys(v, prefix ? `${prefix}.${k}` : k));
}

function documentedKeys(): string[] {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const section = readme.split("## Configuration reference")[1]?.split("\n## ")[0] ?? "";
  const table = section.split("\n").filter((l) => l.startsWith("| `"));
  return table.flatMap((row) => [...row.split("|")[1]!.matchAll(/`([^`]+)`/g)].map((m) => m[1]!));
}

describe("README configuration reference", () => {
  it("documents exactly the keys the schema accepts", () => {
    const schemaKeys = leafKeys(infrasageSchema).sort();
    const documented = documentedKeys().sort();
    assert.ok(schemaKeys.length > 20);
    assert.deepEqual(documented, schemaKeys);
  });

  it("shows the two set-up commands", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    assert.match(readme, /npm ci && npm run plan -- --stack eu-west-1/);
    assert.match(readme, /\nnpm test\n/);
  });
});
