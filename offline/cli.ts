/**
 * `npm run plan -- <selector> [--json]` (the plan CLI contract: docs/plan.md "Offline plan (`--json`)").
 * Exit 0 = no mandatory violation, 1 = a mandatory violation, 2 = bad input or program failure.
 */
import "./process-setup";
import { join, resolve } from "node:path";
import { lstatSync } from "node:fs";
import type { PlanResult } from "./plan";
import { AnalyzerError, PolicyAnalyzer } from "./analyzer";
import type { DestroyMode } from "./second-life";
import { PolicyConfigError } from "./policy-config";
import { checkOutputFile, OutputFileError, writeOutputFile } from "./output-file";
import { readRunInputs, type RunInputs } from "./run-inputs";
import { planRedactor, redactCredentials } from "./redaction";
import { findProject, listStackFiles, PROGRAM_ROOT, readTextFile, stackNameOf, StackFileError } from "./stack-file";
import { parseBoundedJson } from "./json-input";
import { STACK_NAME_RE } from "../lib/links/stack-ref";

const USAGE = `usage: npm run plan -- (--stack NAME | --config-file PATH | --all [--dir DIR]) [options]
  --stack NAME        plan Pulumi.NAME.yaml beside Pulumi.yaml
  --config-file PATH  plan any Pulumi.<stack>.yaml
  --all [--dir DIR]   plan every Pulumi.*.yaml in DIR (default: the project root) together
  --bootstrap         plan the bootstrap stacks (bootstrap/Pulumi.*.yaml; --stack NAME for one)
options:
  --preview           a first pulumi preview of stacks that do not exist yet (computed values unknown)
  --deployed A,B      these stacks of the plan already have a deployment (default: all in the up view,
                      none with --preview); the others are new, as created with pulumi stack init
  --after-destroy all|exclude-protected
                      plan the next life of the stacks: deployed, destroyed (after unprotecting, or with
                      pulumi destroy --exclude-protected), then planned against what the destroy left
  --previous PATH     the --json of the stacks' last deployment: their outputs are what each stack reads
                      as its previous outputs (the running cluster's version for upgrades, ...)
  --strict            exit 1 on any preflight finding (what a real preview would refuse)
  --policy-pack-config PATH   policy config, as pulumi preview --policy-pack-config
  --stack-tags PATH   tags stored with each stack in its backend (pulumi stack tag set), as JSON
                      { "<stack>": { "<tag>": "<value>" } } (default: none)
  --base PATH         diff against an earlier plan's --json (what is deployed): create / update / replace /
                      delete per resource, and the replacement guard for stateful resources
  --json              print one JSON document on stdout (use npm run -s: npm's banner is not JSON)
  --out FILE          write the JSON document to FILE (stdout keeps the readable summary)`;

class UsageError extends Error {}

interface CliArgs {
  readonly files: string[];
  readonly json: boolean;
  readonly preview: boolean;
  readonly strict: boolean;
  readonly deployed?: string[];
  readonly policyConfigFile?: string;
  readonly afterDestroy?: DestroyMode;
  readonly baseFile?: string;
  readonly outFile?: string;
  /** The --json of the stacks' last deployment (`--previous`): their outputs are each stack's previous outputs. */
  readonly previousFile?: string;
  /** Tags stored with each stack (from `--stack-tags`). */
  readonly storedTags?: Record<string, Record<string, string>>;
  readonly storedTagsFile?: string;
}

/** `--stack-tags`: `{ "<stack>": { "<tag>": "<value>" } }`, every value a string. */
function readStoredTags(path: string): Record<string, Record<string, string>> {
  let text: string;
  try {
    text = readTextFile(path, "stack tags file");
  } catch (e) {
    // A StackFileError's message starts with the path already.
    const why = e instanceof StackFileError ? e.message : `${path}: ${e instanceof Error ? e.message : String(e)}`;
    throw new UsageError(`--stack-tags ${why} (give JSON { "<stack>": { "<tag>": "<value>" } })`);
  }
  const parsed = parseBoundedJson(text);
  const doc = parsed.ok ? parsed.value : undefined;
  const ok =
    typeof doc === "object" &&
    doc !== null &&
    !Array.isArray(doc) &&
    Object.values(doc).every(
      (tags) =>
        typeof tags === "object" &&
        tags !== null &&
        !Array.isArray(tags) &&
        Object.values(tags).every((v) => typeof v === "string"),
    );
  if (!ok)
    throw new UsageError(
      `--stack-tags ${path}: ${parsed.ok ? "" : `${parsed.reason}; `}must ` +
        `be JSON { "<stack>": { "<tag>": "<value>" } } with string values`,
    );
  return doc as Record<string, Record<string, string>>;
}

/** A `--stack-tags` key that names no planned stack (a misspelt name) would silently tag nothing. */
function unplannedTagStacks(path: string, tags: Readonly<Record<string, unknown>>, inputs: RunInputs): void {
  const planned = inputs.stacks.map((s) => s.file.stack);
  const stray = Object.keys(tags).filter((name) => !planned.includes(name));
  if (stray.length > 0)
    throw new StackFileError(
      path,
      `names ${stray.map((n) => `'${n}'`).join(", ")}, which this run does not plan ` +
        `(it plans ${planned.join(", ")}); key each entry by a planned stack's name`,
    );
}

function parseArgs(argv: readonly string[], cwd: string): CliArgs {
  let json = false;
  let preview = false;
  let strict = false;
  let deployed: string[] | undefined;
  let policyConfigFile: string | undefined;
  let afterDestroy: DestroyMode | undefined;
  let baseFile: string | undefined;
  let outFile: string | undefined;
  let previousFile: string | undefined;
  let storedTags: Record<string, Record<string, string>> | undefined;
  let storedTagsFile: string | undefined;
  let stack: string | undefined;
  let configFile: string | undefined;
  let all = false;
  let dir: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith("--")) throw new UsageError(`${arg} needs a value`);
      return v;
    };
    if (arg === "--json") json = true;
    else if (arg === "--preview") preview = true;
    else if (arg === "--strict") strict = true;
    else if (arg === "--deployed")
      deployed = value()
        .split(",")
        .map((x) => x.trim())
        .filter((x) => x !== "");
    else if (arg === "--policy-pack-config") policyConfigFile = resolve(cwd, value());
    else if (arg === "--after-destroy") {
      const mode = value();
      if (mode !== "all" && mode !== "exclude-protected")
        throw new UsageError(`--after-destroy takes all or exclude-protected, not ${mode}`);
      afterDestroy = mode;
    } else if (arg === "--base") baseFile = resolve(cwd, value());
    else if (arg === "--out") outFile = resolve(cwd, value());
    else if (arg === "--previous") previousFile = resolve(cwd, value());
    else if (arg === "--stack-tags") {
      storedTagsFile = resolve(cwd, value());
      storedTags = readStoredTags(storedTagsFile);
    } else if (arg === "--stack") stack = value();
    else if (arg === "--config-file") configFile = value();
    else if (arg === "--all") all = true;
    else if (arg === "--dir") dir = value();
    else throw new UsageError(`unknown argument ${arg}`);
  }
  const selectors = [stack, configFile, all ? "all" : undefined].filter((s) => s !== undefined);
  if (selectors.length !== 1) throw new UsageError("give exactly one of --stack, --config-file, --all");
  if (dir !== undefined && !all) throw new UsageError("--dir goes with --all");
  if (baseFile !== undefined && preview)
    throw new UsageError(
      "--base diffs a deployed stack's next up; --preview plans stacks that do not exist yet: use one or the other",
    );
  const opts = {
    json,
    preview,
    strict,
    ...(baseFile ? { baseFile } : {}),
    ...(outFile ? { outFile } : {}),
    ...(deployed ? { deployed } : {}),
    ...(policyConfigFile ? { policyConfigFile } : {}),
    ...(afterDestroy ? { afterDestroy } : {}),
    ...(previousFile ? { previousFile } : {}),
    ...(storedTags ? { storedTags } : {}),
    ...(storedTagsFile ? { storedTagsFile } : {}),
  };
  // The project root: the nearest Pulumi.yaml above cwd, else this program's own.
  let root: string;
  try {
    root = findProject(cwd).root;
  } catch {
    root = PROGRAM_ROOT;
  }
  if (stack !== undefined) {
    // A stack name, never a path: `--stack ../../x` must not read files outside the project.
    if (!STACK_NAME_RE.test(stack))
      throw new UsageError(
        `--stack ${JSON.stringify(stack)} is not a stack name (1 to 100 letters, digits, -, _ or .)`,
      );
    const file = join(root, `Pulumi.${stack}.yaml`);
    const yml = join(root, `Pulumi.${stack}.yml`);
    // lstat, not exists: a broken symlink or a FIFO is reported by readStackFile, never skipped.
    const present = (p: string) => {
      try {
        lstatSync(p);
        return true;
      } catch {
        return false;
      }
    };
    if (!present(file) && present(yml)) return { files: [yml], ...opts };
    if (!present(file)) {
      const known = listStackFiles(root).map((f) => stackNameOf(f) ?? f);
      throw new StackFileError(file, `does not exist; stacks here: ${known.join(", ") || "none"}`);
    }
    return { files: [file], ...opts };
  }
  if (configFile !== undefined) return { files: [resolve(cwd, configFile)], ...opts };
  const files = listStackFiles(resolve(cwd, dir ?? root));
  if (files.length === 0) throw new StackFileError(resolve(cwd, dir ?? root), "has no Pulumi.<stack>.yaml files");
  return { files, ...opts };
}

/** Errors name inputs and may quote them: never a credential found in them. */
const writeError = (text: string) => process.stderr.write(redactCredentials(text));

/**
 * `analyzer`: a running policy pack to reuse (tests); by default each run starts its own.
 * `planAll`: plan.planAll or a stand-in with its contract (tests share plans of unchanged inputs).
 */
export async function main(
  argv: readonly string[],
  cwd = process.cwd(),
  deps: { analyzer?: PolicyAnalyzer; planAll?: typeof import("./plan").planAll } = {},
): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  // The bootstrap project (bootstrap/) has its own stack files and summary: offline/bootstrap-plan.ts.
  if (argv.includes("--bootstrap"))
    return (require("./bootstrap-plan") as typeof import("./bootstrap-plan")).bootstrapMain(
      argv.filter((a) => a !== "--bootstrap"),
      cwd,
      deps,
    );
  let args: CliArgs;
  try {
    args = parseArgs(argv, cwd);
  } catch (e) {
    if (e instanceof UsageError) writeError(`${e.message}\n${USAGE}\n`);
    else writeError(`${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }
  // Every input read and checked first: bad input exits 2 before anything is started.
  let inputs: RunInputs;
  try {
    inputs = readRunInputs(args);
    if (args.storedTagsFile) {
      unplannedTagStacks(args.storedTagsFile, args.storedTags ?? {}, inputs);
      inputs = { ...inputs, paths: [...inputs.paths, { what: "--stack-tags", path: args.storedTagsFile }] };
    }
    if (args.outFile) checkOutputFile("--out", args.outFile, inputs.paths);
  } catch (e) {
    if (e instanceof StackFileError || e instanceof OutputFileError) writeError(`${e.message}\n`);
    else if (e instanceof PolicyConfigError) writeError(`--policy-pack-config: ${e.message}\n`);
    else
      writeError(
        `internal error: ${e instanceof Error ? e.message : String(e)}\n` +
          `${process.env.INFRASAGE_DEBUG ? String((e as Error).stack) : "(set INFRASAGE_DEBUG=1 for a stack trace)"}\n`,
      );
    return 2;
  }
  // The pack starts (ts-node type-checks it, about a second) while the program's modules load and it runs.
  const starting = deps.analyzer ? Promise.resolve(deps.analyzer) : PolicyAnalyzer.start();
  starting.catch(() => undefined); // awaited below
  // Loaded after the pack started: they load the program and its providers' SDKs (most of the start-up).
  const plan = require("./plan") as typeof import("./plan");
  const report = require("./report") as typeof import("./report");
  let result: PlanResult;
  try {
    result = await (deps.planAll ?? plan.planAll)(args.files, {
      ...(inputs.base ? { base: inputs.base } : {}),
      preview: args.preview,
      policyConfig: inputs.policyConfig,
      ...(args.policyConfigFile ? { policyConfigFile: args.policyConfigFile } : {}),
      ...(args.deployed ? { deployed: args.deployed } : {}),
      ...(args.afterDestroy ? { afterDestroy: args.afterDestroy } : {}),
      ...(inputs.previous ? { previous: inputs.previous } : {}),
      ...(args.storedTags ? { storedTags: args.storedTags } : {}),
      analyzer: starting,
    });
  } catch (e) {
    if (e instanceof plan.PlanError || e instanceof StackFileError || e instanceof AnalyzerError)
      writeError(`${e.message}\n`);
    else if (e instanceof PolicyConfigError) writeError(`--policy-pack-config: ${e.message}\n`);
    else
      writeError(
        `internal error: ${e instanceof Error ? e.message : String(e)}\n` +
          `${process.env.INFRASAGE_DEBUG ? String((e as Error).stack) : "(set INFRASAGE_DEBUG=1 for a stack trace)"}\n`,
      );
    return 2;
  } finally {
    // The pack this run started stops with it, on every path (planAll leaves a given analyzer running).
    if (!deps.analyzer)
      void starting.then(
        (a) => a.close(),
        () => undefined,
      );
  }
  // Everything printed or written goes through one redaction (offline/redaction.ts).
  const redactor = planRedactor(result.stacks, inputs.base);
  const json = () => `${JSON.stringify(redactor.json(report.planJson(result)), null, 2)}\n`;
  if (args.outFile) {
    try {
      writeOutputFile("--out", args.outFile, json(), inputs.paths);
    } catch (e) {
      writeError(
        e instanceof OutputFileError
          ? `${e.message}\n`
          : `--out ${args.outFile}: cannot be written ` +
              `(${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); ` +
              `give a path in an existing, writable directory\n`,
      );
      return 2;
    }
  }
  process.stdout.write(args.json ? json() : `${redactor.text(report.planSummary(result))}\n`);
  const code = report.hasMandatory(result) || (args.strict && result.preflight.length > 0) ? 1 : 0;
  // The reason for exit 1, last (the text view is long); on stderr with --json, which owns stdout.
  if (code === 1)
    (args.json ? process.stderr : process.stdout).write(`${redactor.text(report.exitReason(result, args.strict))}\n`);
  return code;
}

if (require.main === module) {
  // Interrupted (Ctrl-C, a CI job cancelled): exit through the exit hooks, which stop the policy pack.
  for (const [signal, code] of [
    ["SIGINT", 130],
    ["SIGTERM", 143],
    ["SIGHUP", 129],
  ] as const)
    process.once(signal, () => process.exit(code));
  // Exit only once stdout is flushed: a large --json document into a pipe is written asynchronously.
  main(process.argv.slice(2)).then(
    (code) => {
      process.stdout.write("", () => process.exit(code));
    },
    (e: unknown) => {
      process.stderr.write(`internal error: ${String(e)}\n`);
      process.exit(2);
    },
  );
}
