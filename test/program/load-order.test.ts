/**
 * Every lib/ module loaded first, in a fresh module cache, exports what it exports once everything is
 * loaded: no value (nor a field of one, one level down) is undefined only because of the load order. An import cycle
 * makes exactly that happen to whichever module of the cycle loads second (a constant read before the module defining
 * it has run).
 */
import { strict as assert } from "node:assert";
import { readdirSync } from "node:fs";
import { join, relative } from "node:path";

const ROOT = join(__dirname, "..", "..");
const LIB = join(ROOT, "lib");

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

/** Drops every project module from the CommonJS cache (packages stay loaded: they are not ours). */
function forgetProjectModules(): void {
  for (const key of Object.keys(require.cache)) {
    if (key.startsWith(ROOT) && !key.includes("node_modules")) delete require.cache[key];
  }
}

function undefinedExports(mod: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const [name, value] of Object.entries(mod)) {
    if (value === undefined) out.push(name);
    else if (value && typeof value === "object" && !Array.isArray(value)) {
      for (const [k, v] of Object.entries(value)) if (v === undefined) out.push(`${name}.${k}`);
    }
  }
  return out;
}

describe("lib modules load in any order", () => {
  const files = tsFiles(LIB);
  // What each module exports once everything is loaded (some fields are undefined on purpose).
  const settled = new Map<string, string[]>();
  // The project modules the run had loaded before (test support, its shared analyzer and plan caches).
  const loaded = new Map<string, NodeJS.Module | undefined>();
  before(() => {
    for (const [key, mod] of Object.entries(require.cache))
      if (key.startsWith(ROOT) && !key.includes("node_modules")) loaded.set(key, mod);
    forgetProjectModules();
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    for (const file of files) require(file);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    for (const file of files) settled.set(file, undefinedExports(require(file) as Record<string, unknown>));
  });

  it("finds the lib modules", () => assert.ok(files.length > 30, `only ${files.length} modules under lib/`));

  for (const file of files) {
    it(`${relative(ROOT, file)} loaded first exports no undefined value`, () => {
      forgetProjectModules();
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const mod = require(file) as Record<string, unknown>;
      assert.deepEqual(undefinedExports(mod), settled.get(file));
    });
  }
  // Later files (a parallel worker runs several) get those same modules back, not a second copy of each.
  after(() => {
    forgetProjectModules();
    for (const [key, mod] of loaded) require.cache[key] = mod;
  });
});
