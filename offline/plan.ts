/**
 * The offline plan: parse a stack file, run the real program under the mock cloud, evaluate the
 * policy rules on the record. `planAll` plans a directory of stacks together so StackReferences
 * resolve to each other's offline outputs.
 */
import { parseStackConfig } from "../lib/config/parse";
import type { ConfigProblem } from "../lib/config/problems";
import type { StackConfig } from "../lib/config/types";
import { defineStack } from "../stack";
import { runProgram, type ProgramRecord, type RecordedOutput } from "./run-program";
import { projectOf, readStackFile, type StackFile } from "./stack-file";
import { evaluateStack, evaluateCrossStack, type Violation, type CrossStackReport } from "./policy-runner";
import { estimateCost, type CostEstimate } from "../lib/cost";
import { limitProblems } from "../lib/aws-limits";

/** Pseudo-policy name of the provider-limit check in plan output. */
export const AWS_LIMITS_POLICY = "aws-provider-limits";

export interface StackPlan {
  readonly stack: string;
  readonly file: string;
  readonly config: StackConfig;
  readonly record: ProgramRecord;
  readonly violations: Violation[];
  readonly cost: CostEstimate;
}

export interface PlanResult {
  readonly stacks: StackPlan[];
  readonly crossStack: CrossStackReport;
}

/** A user-facing failure: bad config (with every problem) or a program error. CLI exit 2. */
export class PlanError extends Error {
  constructor(readonly file: string, message: string, readonly problems: readonly ConfigProblem[] = []) {
    super(message);
    this.name = "PlanError";
  }
}

/** Resolves `org/project/stack` to outputs of a stack planned in the same set. */
export type StackResolver = (ref: string) => Record<string, unknown> | undefined;

function parseOrThrow(file: StackFile): StackConfig {
  if (file.secretKeys.some((k) => k.startsWith("infrasage:"))) {
    throw new PlanError(file.path, `${file.path}: ${file.secretKeys.join(", ")} use secure: values, which the offline plan cannot decrypt; InfraSage keys hold no secrets, set them in plain text`);
  }
  const parsed = parseStackConfig(file.config, file.stack);
  if (!parsed.ok) {
    const lines = parsed.problems.map((p) => `  - ${p.key}: ${p.message}. Fix: ${p.fix}.`);
    throw new PlanError(file.path, `${file.path}: invalid InfraSage configuration (${parsed.problems.length} problem${parsed.problems.length === 1 ? "" : "s"}):\n${lines.join("\n")}`, parsed.problems);
  }
  return parsed.config;
}

/** Plans one stack file. `resolve` feeds StackReferences (default: no other stack deployed). */
export async function planStackFile(file: StackFile, resolve: StackResolver = () => undefined): Promise<StackPlan> {
  const config = parseOrThrow(file);
  const project = projectOf(file.path);
  let record: ProgramRecord;
  try {
    record = await runProgram(defineStack, {
      project, stack: file.stack, region: config.region, config: file.config, resolveStackReference: resolve,
    });
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    throw new PlanError(file.path, `${file.path}: the program failed: ${message}`);
  }
  // What AWS itself would reject at create time (name lengths after auto-naming, tag limits):
  // mocks accept anything, so the plan checks it like a mandatory policy.
  const limits = record.resources.flatMap((r) => limitProblems([r]).map((p): Violation => ({
    policy: AWS_LIMITS_POLICY, level: "mandatory", message: `${p.type} ${p.name}: ${p.message}`, urn: r.urn,
  })));
  const violations = [...evaluateStack(config, record), ...limits];
  return { stack: file.stack, file: file.path, config, record, violations, cost: estimateCost(config, record.resources) };
}

function outputValues(outputs: Record<string, RecordedOutput>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(outputs).map(([k, o]) => [k, o.value]));
}

/**
 * Plans every stack file together. Stacks may reference each other in cycles (active-active
 * peers), so planning repeats with the previous pass's outputs until no output changes.
 */
export async function planAll(paths: readonly string[]): Promise<PlanResult> {
  const files = paths.map((p) => readStackFile(p));
  files.forEach(parseOrThrow); // every config problem before any program runs
  const byStack = new Map<string, Record<string, unknown>>();
  const project = files.length > 0 ? projectOf(files[0]!.path) : "";
  // `org/project/stack`: the org is a backend detail offline; project and stack must match.
  const inSet = new Set(files.map((f) => f.stack));
  let referenced = false;
  const resolve: StackResolver = (ref) => {
    const [, refProject, refStack] = ref.split("/");
    if (refProject !== project || !refStack || !inSet.has(refStack)) return undefined;
    referenced = true;
    return byStack.get(refStack);
  };
  let plans: StackPlan[] = [];
  for (let pass = 0; pass < 3; pass++) {
    plans = [];
    let changed = false;
    for (const file of files) {
      const plan = await planStackFile(file, resolve);
      const values = outputValues(plan.record.outputs);
      if (JSON.stringify(byStack.get(file.stack)) !== JSON.stringify(values)) changed = true;
      byStack.set(file.stack, values);
      plans.push(plan);
    }
    if (!changed || !referenced) break;
  }
  return { stacks: plans, crossStack: evaluateCrossStack(plans.map((p) => ({ config: p.config, record: p.record })), { project }) };
}
