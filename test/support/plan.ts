/** Test helpers around the offline plan: plan a shipped stack once and reuse it; run the CLI in-process. */
import { join } from "node:path";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { stringify } from "yaml";
import { planAll, planStackFile, type PlanOptions, type PlanResult, type StackPlan } from "../../offline/plan";
import { sharedAnalyzer } from "./analyzer";
import { listStackFiles, readStackFile } from "../../offline/stack-file";
import { main } from "../../offline/cli";
import type { RecordedResource } from "../../offline/run-program";

export const ROOT = join(__dirname, "..", "..");

type Options = Omit<PlanOptions, "analyzer">;
const withAnalyzer = async (options: Options): Promise<PlanOptions> => ({
  ...options,
  analyzer: await sharedAnalyzer(),
});

const shared = new Map<string, Promise<PlanResult>>();

/**
 * What identifies a plan whose every input stays the same for the whole test run: stack files of this
 * repository (tests write theirs into temp dirs, which may change) and plain options. undefined: plan afresh.
 */
function sharedPlanKey(paths: readonly string[], options: PlanOptions): string | undefined {
  const { analyzer: _, base, external, policyFiles, preview, policyConfig, firstLife, ...rest } = options;
  if (external || policyFiles || firstLife || !paths.every((p) => p.startsWith(`${ROOT}/`))) return undefined;
  // The CLI's defaults spelled out (preview false, policy config {}) plan what the defaults plan.
  const noConfig = policyConfig === undefined || JSON.stringify(policyConfig) === "{}";
  return JSON.stringify({
    paths,
    ...rest,
    preview: preview === true,
    ...(noConfig ? {} : { policyConfig }),
    ...(base ? { base: [base.file, [...base.stacks]] } : {}),
  });
}

/**
 * planAll, shared across the run's tests (and CLI runs) when the inputs are the same: plans are
 * deterministic and nothing mutates one (report, redaction and JSON views only read it).
 */
export const sharedPlanAll: typeof planAll = (paths, options = {}) => {
  const key = options.analyzer === undefined ? undefined : sharedPlanKey(paths, options);
  if (key === undefined) return planAll(paths, options);
  let p = shared.get(key);
  if (!p) {
    // After a destroy: the first life is the up plan of the same files, shared too (a failed one is run again).
    p = options.afterDestroy
      ? sharedPlanAll(paths, { analyzer: options.analyzer }).then(
          (firstLife) => planAll(paths, { ...options, firstLife }),
          () => planAll(paths, options),
        )
      : planAll(paths, options);
    shared.set(key, p);
    p.catch(() => shared.delete(key)); // a failure is planned (and reported) afresh each time
  }
  return p;
};

/** Plans one stack file with the test run's shared policy pack analyzer. */
export async function planFile(path: string, options: Options = {}): Promise<StackPlan> {
  if (sharedPlanKey([path], options) !== undefined)
    return (await sharedPlanAll([path], await withAnalyzer(options))).stacks[0]!;
  return planStackFile(readStackFile(path), await withAnalyzer(options));
}

/** Plans stack files together with the shared analyzer. */
export async function planFiles(paths: readonly string[], options: Options = {}): Promise<PlanResult> {
  return sharedPlanAll(paths, await withAnalyzer(options));
}

const cache = new Map<string, Promise<StackPlan>>();

/**
 * Plans `Pulumi.<stack>.yaml` of the repo root (memoised: plans are deterministic). `preview`: the first-preview view.
 */
export function planShipped(stack: string, options: Options = {}): Promise<StackPlan> {
  const key = `${stack}:${JSON.stringify(options)}`;
  let p = cache.get(key);
  if (!p) {
    p = planFile(join(ROOT, `Pulumi.${stack}.yaml`), options);
    cache.set(key, p);
  }
  return p;
}

const dirCache = new Map<string, Promise<PlanResult>>();

/**
 * Plans every stack file of a directory together (memoised: the shipped examples are planned once per run per view).
 */
export function planDir(dir: string, options: Options = {}): Promise<PlanResult> {
  const key = `${dir}:${JSON.stringify(options)}`;
  let p = dirCache.get(key);
  if (!p) {
    p = planFiles(listStackFiles(dir), options);
    dirCache.set(key, p);
  }
  return p;
}

/** Writes a stack file into a fresh temp dir (with a Pulumi.yaml) and returns its path. */
export function writeStackFile(
  stack: string,
  config: Record<string, unknown>,
  dir = mkdtempSync(join(tmpdir(), "infrasage-")),
): string {
  // A project that runs this program (as examples/* do with main: ../../).
  writeFileSync(join(dir, "Pulumi.yaml"), `name: infrasage\nruntime: nodejs\nmain: ${ROOT}\n`);
  const path = join(dir, `Pulumi.${stack}.yaml`);
  writeFileSync(path, stringify({ config }));
  return path;
}

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the plan CLI in-process, capturing its output. `ownPack`: the run starts (and must stop) its own
 * policy pack, as `npm run plan` does, instead of the test run's shared one and shared plans.
 */
export async function runCli(args: string[], cwd = ROOT, { ownPack = false } = {}): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  }) as typeof process.stderr.write;
  try {
    const code = await main(args, cwd, ownPack ? {} : { analyzer: await sharedAnalyzer(), planAll: sharedPlanAll });
    return { code, stdout, stderr };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
}

export const ofType = (plan: StackPlan, type: string): RecordedResource[] =>
  plan.record.resources.filter((r) => r.type === type);

export function one(plan: StackPlan, type: string): RecordedResource {
  const list = ofType(plan, type);
  if (list.length !== 1) throw new Error(`expected exactly one ${type}, found ${list.length}`);
  return list[0]!;
}

/** The InfraSage chart's release of a planned stack (other releases: autoscaler, controllers, ExternalDNS). */
export function infrasageRelease(plan: StackPlan): RecordedResource {
  const list = ofType(plan, "kubernetes:helm.sh/v3:Release").filter((r) => r.rawInputs.name === "infrasage");
  if (list.length !== 1) throw new Error(`expected exactly one InfraSage release, found ${list.length}`);
  return list[0]!;
}
