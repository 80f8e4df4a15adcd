/**
 * Fast start: every `pulumi preview`/`up` transpiles the program only (no type-check by the CLI's ts-node);
 * `npm run typecheck` (CI's checks job) is where it is type-checked.
 * How the CLI decides (@pulumi/pulumi 3.270.0 cmd/run/run.js): PULUMI_NODEJS_TRANSPILE_ONLY if set, else the
 * `noCheck` compiler option of the tsconfig it runs with: PULUMI_NODEJS_TSCONFIG_PATH, which the nodejs language
 * host sets from Pulumi.yaml runtime.options.tsconfig, else ./tsconfig.json. Pulumi.yaml has no option of its own.
 */
import { strict as assert } from "node:assert";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import ts from "typescript";
import { parse as parseYaml } from "yaml";
import { loadProjectFile } from "../../offline/preflight/project";
import { ROOT, loadProgram, tsconfigOption } from "../../bench/program-load";

/**
 * The runtime options the nodejs language host reads (pulumi/pulumi sdk/nodejs/cmd/pulumi-language-nodejs/main.go
 * parseOptions).
 */
const HOST_OPTIONS = ["typescript", "tsconfig", "nodeargs", "packagemanager", "production"];

const projectFiles = (): string[] => [
  join(ROOT, "Pulumi.yaml"),
  ...readdirSync(join(ROOT, "examples"))
    .map((d) => join(ROOT, "examples", d, "Pulumi.yaml"))
    .filter((f) => existsSync(f)),
];

const rawTsconfig = (file: string): { extends?: string; compilerOptions: Record<string, unknown> } => {
  const { config, error } = ts.parseConfigFileTextToJson(file, readFileSync(file, "utf8"));
  assert.equal(error, undefined, file);
  return config;
};

/** The options ts-node 7 compiles with (its readConfig: run.js's overrides on top of the file, `extends` followed). */
function effectiveOptions(tsconfig: string): ts.CompilerOptions {
  const file = resolve(ROOT, tsconfig);
  const overrides = {
    target: "ES2020",
    module: "nodenext",
    moduleResolution: "nodenext",
    sourceMap: "true",
    ...rawTsconfig(file).compilerOptions,
  };
  const config = ts.readConfigFile(file, ts.sys.readFile).config;
  // ts-node 7's DEFAULT_COMPILER_OPTIONS go last (vendor/ts-node@7.0.1 readConfig).
  const tsNodeDefaults = {
    sourceMap: true,
    inlineSourceMap: false,
    inlineSources: true,
    declaration: false,
    noEmit: false,
    outDir: "$$ts-node$$",
  };
  config.compilerOptions = { ...config.compilerOptions, ...overrides, ...tsNodeDefaults };
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, ROOT, undefined, file);
  assert.deepEqual(parsed.errors, [], tsconfig);
  const { configFilePath: _, ...options } = parsed.options;
  return options;
}

describe("fast start: the CLI transpiles only, npm run typecheck type-checks", () => {
  it(
    "the root's and the examples' Pulumi.yaml select tsconfig.pulumi.json " +
      "(runtime.options.tsconfig), and no made-up option",
    () => {
      const files = projectFiles();
      assert.ok(files.length >= 4, files.join());
      for (const f of files) {
        const name = relative(ROOT, f);
        const doc = parseYaml(readFileSync(f, "utf8")) as {
          runtime: { name: string; options: Record<string, unknown> };
        };
        assert.equal(doc.runtime.name, "nodejs", name);
        assert.equal(doc.runtime.options.typescript, true, name);
        assert.equal(doc.runtime.options.tsconfig, "tsconfig.pulumi.json", name);
        assert.deepEqual(
          Object.keys(doc.runtime.options).filter((k) => !HOST_OPTIONS.includes(k)),
          [],
          `${name}: the language host ignores unknown options`,
        );
        assert.equal(
          doc.runtime.options.nodeargs,
          undefined,
          `${name}: a --require/--import in nodeargs changes how run.js loads TypeScript`,
        );
        // The path is relative to the folder node runs in: the program folder (examples: main: ../../ = the root).
        const { programDir, findings } = loadProjectFile(f);
        assert.deepEqual(findings, [], name);
        assert.equal(programDir, ROOT, name);
        assert.ok(existsSync(join(programDir, doc.runtime.options.tsconfig as string)), name);
      }
    },
  );

  it("tsconfig.pulumi.json turns type-checking off (noCheck) and changes nothing else ts-node compiles with", () => {
    const raw = rawTsconfig(join(ROOT, "tsconfig.pulumi.json"));
    assert.equal(raw.extends, "./tsconfig.json");
    assert.equal(raw.compilerOptions.noCheck, true);
    // run.js reads the file's own compilerOptions (no `extends`) over its defaults (target ES2020): repeat these.
    const root = rawTsconfig(join(ROOT, "tsconfig.json")).compilerOptions;
    for (const k of ["target", "module", "moduleResolution"]) assert.equal(raw.compilerOptions[k], root[k], k);
    const { noCheck, ...rest } = effectiveOptions("tsconfig.pulumi.json");
    assert.equal(noCheck, true);
    assert.deepEqual(rest, effectiveOptions("tsconfig.json"));
  });

  it("the installed SDK's run.js still takes transpileOnly from noCheck of PULUMI_NODEJS_TSCONFIG_PATH", () => {
    const runJs = readFileSync(require.resolve("@pulumi/pulumi/cmd/run/run.js"), "utf8");
    assert.match(runJs, /process\.env\["PULUMI_NODEJS_TSCONFIG_PATH"\] \?\? defaultTsConfigPath/);
    assert.match(runJs, /tsutils\.loadTypeScriptCompilerOptions\(tsConfigPath\)/);
    assert.match(runJs, /transpileOnly = compilerOptions\.noCheck;/);
    assert.match(runJs, /process\.env\["PULUMI_NODEJS_TRANSPILE_ONLY"\]/);
  });

  // What is loaded, not how long it takes (a time limit fails on a loaded machine): no type checker is built.
  it(
    "the program loads transpile-only as the CLI loads it " +
      "(run.js's ts-node set-up, index.ts's whole module graph)",
    () => {
      const r = loadProgram({ tsconfig: tsconfigOption() });
      assert.equal(r.status, 0, r.stderr);
      assert.ok(r.result);
      assert.equal(r.result.tsConfigPath, "tsconfig.pulumi.json");
      assert.equal(r.result.transpileOnly, true);
      assert.equal(
        r.result.typeChecker,
        false,
        "ts-node built a type checker: every preview would type-check the program",
      );
      assert.equal(r.result.tsNode, "7.0.1", "the ts-node vendored in @pulumi/pulumi (none in node_modules)");
      assert.deepEqual(r.result.imports, ["./stack"]);
      assert.ok(r.result.tsModules > 20, `${r.result.tsModules} modules`);
    },
  );

  it("npm run typecheck type-checks the program with tsconfig.json (no noCheck), and CI runs it", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> };
    assert.match(pkg.scripts.typecheck ?? "", /\btsc --noEmit -p \.(\s|$)/);
    const root = rawTsconfig(join(ROOT, "tsconfig.json")) as {
      compilerOptions: Record<string, unknown>;
      include: string[];
    };
    assert.equal(root.compilerOptions.noCheck, undefined);
    for (const f of ["index.ts", "stack.ts", "lib/**/*.ts", "components/**/*.ts"])
      assert.ok(root.include.includes(f), f);
    const workflows = join(ROOT, ".github", "workflows");
    assert.ok(
      readdirSync(workflows).some((f) => /\bnpm run (-s )?typecheck\b/.test(readFileSync(join(workflows, f), "utf8"))),
    );
  });
});
