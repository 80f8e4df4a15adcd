/**
 * `npm run bench:load`: how long the Pulumi CLI takes to load the program (index.ts and its module
 * graph), type-checked vs transpile-only. A benchmark, not a test: it prints numbers and asserts nothing
 * (test/program/fast-start.test.ts reuses `loadProgram` to check the transpile-only load).
 *
 * Without an engine the CLI's own path (language host -> `node @pulumi/pulumi/cmd/run` -> run.js) cannot
 * run, so a child `node` process (plain node, no tsx) repeats what run.js does before it runs the
 * program. Source: @pulumi/pulumi 3.270.0 cmd/run/run.js, `run()` (pulumi/pulumi sdk/nodejs/cmd/run/run.ts):
 *   - chdir to the program folder (the language host's --pwd: the root, also for examples/*, main: ../../);
 *   - tsConfigPath = PULUMI_NODEJS_TSCONFIG_PATH ?? "tsconfig.json" (the language host sets the variable
 *     from Pulumi.yaml runtime.options.tsconfig), skipProject = !existsSync(tsConfigPath);
 *   - compilerOptions = tsutils.loadTypeScriptCompilerOptions(tsConfigPath);
 *   - transpileOnly = PULUMI_NODEJS_TRANSPILE_ONLY ? === "true" : compilerOptions.noCheck;
 *   - { tsnodeRequire, typescriptRequire } = tsutils.typeScriptRequireStrings() (here: typescript 5.9 from
 *     node_modules, the vendored ts-node 7.0.1), both required from run.js's folder as run.js does;
 *   - not an ES module package (no "type": "module"), so the CommonJS branch:
 *     tsn.register({ compiler, transpileOnly, project, skipProject,
 *       compilerOptions: { target: "ES2020", module: "nodenext", moduleResolution: "nodenext", sourceMap: "true",
 * ...compilerOptions } }). Then, instead of running the program, it loads it as `require(index.ts)` would without
 * executing its body: it compiles index.ts through ts-node's hook (type-checked or not, exactly as the require would)
 * and requires every module index.ts imports (./stack: the whole program's module graph, @pulumi/* and
 * ESM-only cidr-tools through require(esm)). `defineStack()` is not called: running it needs an engine
 * (or mocks and a stack's config) and costs the same in both modes, which would only blur the figure.
 *
 * The two modes are the two project settings: "type-checked" is Pulumi.yaml without runtime.options.tsconfig
 * (tsconfig.json, no noCheck: ts-node's default, type-check), "transpile-only" is Pulumi.yaml as committed
 * (runtime.options.tsconfig: tsconfig.pulumi.json, noCheck). PULUMI_NODEJS_TRANSPILE_ONLY is removed from the
 * child's environment (it would override both). ts-node 7 caches its output on disk (os.tmpdir(), on by
 * default): each run gets a fresh cache folder (TS_NODE_CACHE_DIRECTORY), as on a fresh CI runner and for
 * every file edited since the last run; `--warm` also measures with a cache kept between runs.
 *
 * Usage: npm run bench:load [-- --runs N] [--warm]
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parse as parseYaml } from "yaml";

export const ROOT = resolve(__dirname, "..");

/** The child: run.js's TypeScript set-up, then index.ts loaded without running its body. Plain CommonJS. */
const LOADER = String.raw`
"use strict";
const t0 = process.hrtime.bigint();
const fs = require("fs");
const path = require("path");
const { createRequire } = require("module");
const [entry = "index.ts", pwd] = process.argv.slice(1);
if (pwd) process.chdir(pwd);
// Everything run.js requires, required from run.js's folder.
const runJs = require.resolve("@pulumi/pulumi/cmd/run/run.js", { paths: [process.cwd()] });
const fromRunJs = createRequire(runJs);
const tsutils = fromRunJs("../../tsutils");
const typeScript = process.env["PULUMI_NODEJS_TYPESCRIPT"] === "true";
if (!typeScript) throw new Error("PULUMI_NODEJS_TYPESCRIPT is not true: run.js would not register ts-node");
const tsConfigPath = process.env["PULUMI_NODEJS_TSCONFIG_PATH"] ?? "tsconfig.json";
const skipProject = !fs.existsSync(tsConfigPath);
const compilerOptions = tsutils.loadTypeScriptCompilerOptions(tsConfigPath);
let transpileOnly = undefined;
const transpileOnlyEnv = process.env["PULUMI_NODEJS_TRANSPILE_ONLY"];
if (transpileOnlyEnv) {
  transpileOnly = transpileOnlyEnv === "true";
} else {
  transpileOnly = compilerOptions.noCheck;
}
const { tsnodeRequire, typescriptRequire } = tsutils.typeScriptRequireStrings();
const options = { compiler: typescriptRequire, transpileOnly, project: tsConfigPath, skipProject, compilerOptions: {} };
const pkg = JSON.parse(fs.readFileSync("package.json", "utf8"));
if (pkg.type === "module")
  throw new Error("package.json type: module: run.js would take its ESM branch, not reproduced here");
const ts = fromRunJs(typescriptRequire);
const tsn = fromRunJs(tsnodeRequire);
const useNodeNext =
  Number(ts.version.split(".")[0]) > 4 || ts.version.startsWith("4.") && Number(ts.version.split(".")[1]) >= 7;
options.compilerOptions = {
  target: "ES2020",
  module: useNodeNext ? "nodenext" : "commonjs",
  moduleResolution: useNodeNext ? "nodenext" : "node",
  sourceMap: "true",
  ...compilerOptions,
};
const service = tsn.register(options);
const tRegistered = process.hrtime.bigint();
// require(index.ts) minus running its body: compile it through ts-node's hook, then require its imports.
const entryPath = path.resolve(entry);
const source = fs.readFileSync(entryPath, "utf8");
service.compile(source, entryPath);
const fromEntry = createRequire(entryPath);
const imports = ts.preProcessFile(source, true, true).importedFiles.map((f) => f.fileName);
for (const spec of imports) fromEntry(spec);
const tLoaded = process.hrtime.bigint();
// Whether ts-node built a type checker (a language service): only then does getTypeInfo answer.
const typeChecker = (() => {
  try { service.getTypeInfo(source, entryPath, 0); return true; } catch { return false; }
})();
const own = Object.keys(require.cache).filter((f) => /\.ts$/.test(f) && !f.includes("node_modules"));
process.stdout.write(JSON.stringify({
  tsConfigPath, transpileOnly: transpileOnly === true, typeCheck: transpileOnly !== true,
  typescript: ts.version, tsNode: tsn.VERSION, node: process.version, imports,
  tsModules: own.length + 1, typeChecker,
  registerMs: Number(tRegistered - t0) / 1e6, loadMs: Number(tLoaded - tRegistered) / 1e6,
}) + "\n");
`;

interface LoadResult {
  readonly tsConfigPath: string;
  readonly transpileOnly: boolean;
  readonly typeCheck: boolean;
  readonly typescript: string;
  readonly tsNode: string;
  readonly node: string;
  readonly imports: string[];
  /** The program's own .ts modules compiled (index.ts included). */
  readonly tsModules: number;
  /** Whether ts-node built a type checker (its getTypeInfo answers): the type-checked mode's cost. */
  readonly typeChecker: boolean;
  readonly registerMs: number;
  readonly loadMs: number;
}

export interface LoadRun {
  readonly status: number | null;
  readonly stderr: string;
  /** Whole child process, spawn to exit. */
  readonly wallMs: number;
  readonly result?: LoadResult;
}

/** runtime.options.tsconfig of a Pulumi.yaml (what the language host puts in PULUMI_NODEJS_TSCONFIG_PATH). */
export function tsconfigOption(pulumiYaml = join(ROOT, "Pulumi.yaml")): string | undefined {
  const doc = parseYaml(readFileSync(pulumiYaml, "utf8")) as { runtime?: { options?: { tsconfig?: unknown } } };
  const v = doc.runtime?.options?.tsconfig;
  return typeof v === "string" ? v : undefined;
}

/**
 * Loads the program in a child node as run.js would. `tsconfig`: Pulumi.yaml's runtime.options.tsconfig
 * (undefined: the option absent). `cacheDir`: ts-node's disk cache (default: a fresh one, removed after).
 */
export function loadProgram(
  opts: { tsconfig?: string | undefined; cacheDir?: string; timeoutMs?: number } = {},
): LoadRun {
  const fresh = opts.cacheDir === undefined ? mkdtempSync(join(tmpdir(), "infrasage-ts-node-")) : undefined;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PULUMI_NODEJS_TYPESCRIPT: "true",
    TS_NODE_CACHE_DIRECTORY: opts.cacheDir ?? fresh!,
  };
  delete env.PULUMI_NODEJS_TRANSPILE_ONLY;
  delete env.PULUMI_NODEJS_TSCONFIG_PATH;
  for (const k of Object.keys(env)) if (k.startsWith("TS_NODE_") && k !== "TS_NODE_CACHE_DIRECTORY") delete env[k];
  if (opts.tsconfig !== undefined) env.PULUMI_NODEJS_TSCONFIG_PATH = opts.tsconfig;
  try {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, ["-e", LOADER, "index.ts", ROOT], {
      cwd: ROOT,
      env,
      encoding: "utf8",
      timeout: opts.timeoutMs ?? 180_000,
      maxBuffer: 1 << 24,
    });
    const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
    const line = r.status === 0 ? r.stdout.trim().split("\n").pop() : undefined;
    return { status: r.status, stderr: r.stderr, wallMs, ...(line ? { result: JSON.parse(line) as LoadResult } : {}) };
  } finally {
    if (fresh) rmSync(fresh, { recursive: true, force: true });
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const sec = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

function main(): void {
  const args = process.argv.slice(2);
  const runsAt = args.indexOf("--runs");
  const runs = runsAt >= 0 ? Math.max(1, Number(args[runsAt + 1])) : 5;
  const warm = args.includes("--warm");
  const committed = tsconfigOption();
  const modes = [
    { name: "type-checked", tsconfig: undefined },
    { name: "transpile-only", tsconfig: committed },
  ];
  const caches = warm ? [false, true] : [false];
  console.log(
    `node ${process.version}; Pulumi.yaml runtime.options.tsconfig: ${committed ?? "(absent)"}; ${runs} ` +
      `runs per mode after 1 warm-up, modes alternating`,
  );
  for (const warmCache of caches) {
    const dirs = modes.map(() => (warmCache ? mkdtempSync(join(tmpdir(), "infrasage-ts-node-warm-")) : undefined));
    const wall: number[][] = modes.map(() => []);
    const load: number[][] = modes.map(() => []);
    for (let i = -1; i < runs; i++) {
      modes.forEach((m, j) => {
        const r = loadProgram({ tsconfig: m.tsconfig, ...(dirs[j] ? { cacheDir: dirs[j] } : {}) });
        if (r.status !== 0 || !r.result) throw new Error(`${m.name}: the loader exited ${r.status}:\n${r.stderr}`);
        if (i === -1) {
          console.log(
            `  ${m.name}: tsconfig ${r.result.tsConfigPath}, ts-node ${r.result.tsNode} ` +
              `typeCheck=${r.result.typeCheck}, ` +
              `typescript ${r.result.typescript}, ${r.result.tsModules} program modules`,
          );
          return;
        }
        wall[j]!.push(r.wallMs);
        load[j]!.push(r.result.loadMs);
      });
    }
    dirs.forEach((d) => d && rmSync(d, { recursive: true, force: true }));
    console.log(
      warmCache
        ? "ts-node cache kept between runs (nothing edited):"
        : "ts-node cache fresh each run (CI runner, or files edited since the last run):",
    );
    modes.forEach((m, j) => {
      console.log(
        `  ${m.name.padEnd(15)} process min ${sec(Math.min(...wall[j]!))} ` +
          `median ${sec(median(wall[j]!))}   (load after register: median ${sec(median(load[j]!))})`,
      );
    });
    const pairs = wall[0]!.map((w, i) => w / wall[1]![i]!);
    console.log(
      `  => type-checked ${sec(median(wall[0]!))}, transpile-only ${sec(median(wall[1]!))} ` +
        `(${(median(wall[0]!) / median(wall[1]!)).toFixed(1)}x; ` +
        `run-by-run ratio median ${median(pairs).toFixed(1)}x)`,
    );
  }
}

if (require.main === module) main();
