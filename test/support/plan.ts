/** Test helpers around the offline plan: plan a shipped stack once and reuse it; run the CLI in-process. */
import { join } from "node:path";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { stringify } from "yaml";
import { planAll, planStackFile, type PlanResult, type StackPlan } from "../../offline/plan";
import { listStackFiles, readStackFile } from "../../offline/stack-file";
import { main } from "../../offline/cli";
import type { RecordedResource } from "../../offline/run-program";

export const ROOT = join(__dirname, "..", "..");

const cache = new Map<string, Promise<StackPlan>>();

/** Plans `Pulumi.<stack>.yaml` of the repo root (memoised: plans are deterministic). */
export function planShipped(stack: string): Promise<StackPlan> {
  let p = cache.get(stack);
  if (!p) {
    p = planStackFile(readStackFile(join(ROOT, `Pulumi.${stack}.yaml`)));
    cache.set(stack, p);
  }
  return p;
}

const dirCache = new Map<string, Promise<PlanResult>>();

/** Plans every stack file of a directory together (memoised: the shipped examples are planned once per run). */
export function planDir(dir: string): Promise<PlanResult> {
  let p = dirCache.get(dir);
  if (!p) {
    p = planAll(listStackFiles(dir));
    dirCache.set(dir, p);
  }
  return p;
}

/** Writes a stack file into a fresh temp dir (with a Pulumi.yaml) and returns its path. */
export function writeStackFile(stack: string, config: Record<string, unknown>, dir = mkdtempSync(join(tmpdir(), "infrasage-"))): string {
  writeFileSync(join(dir, "Pulumi.yaml"), "name: infrasage\nruntime: nodejs\n");
  const path = join(dir, `Pulumi.${stack}.yaml`);
  writeFileSync(path, stringify({ config }));
  return path;
}

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the plan CLI in-process, capturing its output. */
export async function runCli(args: string[], cwd = ROOT): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((chunk: string | Uint8Array) => { stdout += String(chunk); return true; }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => { stderr += String(chunk); return true; }) as typeof process.stderr.write;
  try {
    const code = await main(args, cwd);
    return { code, stdout, stderr };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
}

export const ofType = (plan: StackPlan, type: string): RecordedResource[] => plan.record.resources.filter((r) => r.type === type);

export function one(plan: StackPlan, type: string): RecordedResource {
  const list = ofType(plan, type);
  if (list.length !== 1) throw new Error(`expected exactly one ${type}, found ${list.length}`);
  return list[0]!;
}
