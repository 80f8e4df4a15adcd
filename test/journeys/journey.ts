/**
 * A user journey: stack files in a temporary copy, edited step by step; every step is planned (in
 * process, the shared policy pack) against the previous step's `--json` as `--base` and `--previous`,
 * exactly what `npm run plan -- --all --base last.json --previous last.json` does after each deploy.
 */
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseDocument } from "yaml";
import { listStackFiles } from "../../offline/stack-file";
import { planJson } from "../../offline/report";
import { parseBasePlan } from "../../offline/diff/base-file";
import { PlanError, type PlanResult, type StackPlan } from "../../offline/plan";
import { hasMandatory } from "../../offline/report";
import type { Op } from "../../offline/diff/stack-diff";
import { planFiles, ROOT } from "../support/plan";

export interface Step {
  readonly result: PlanResult;
  /** The step's `--json` document (what the next step reads as base and previous). */
  readonly json: ReturnType<typeof planJson>;
  /** 0, 1 or 2, as the CLI would exit (without --strict). */
  readonly exit: 0 | 1;
}

export class Journey {
  readonly dir: string;
  private last?: Step;

  /** Copies the stack files of `from` (a directory of the repository) into a fresh temp dir. */
  constructor(from = ROOT, stacks?: readonly string[]) {
    this.dir = mkdtempSync(join(tmpdir(), "infrasage-journey-"));
    const project = existsSync(join(from, "Pulumi.yaml"))
      ? (/^name:\s*(\S+)/m.exec(readFileSync(join(from, "Pulumi.yaml"), "utf8"))?.[1] ?? "infrasage")
      : "infrasage";
    // A project that runs this program (as examples/* do with main: ../../).
    writeFileSync(join(this.dir, "Pulumi.yaml"), `name: ${project}\nruntime: nodejs\nmain: ${ROOT}\n`);
    for (const f of readdirSync(from).filter((n) => /^Pulumi\..+\.yaml$/.test(n))) {
      const stack = f.slice("Pulumi.".length, -".yaml".length);
      if (!stacks || stacks.includes(stack)) copyFileSync(join(from, f), join(this.dir, f));
    }
  }

  file(stack: string): string {
    return join(this.dir, `Pulumi.${stack}.yaml`);
  }

  /** Sets (or with `undefined` deletes) `config.<key>` at `path` below it, keeping the file's comments. */
  set(stack: string, key: string, value: unknown, path: readonly string[] = []): void {
    const doc = parseDocument(readFileSync(this.file(stack), "utf8"));
    if (value === undefined) doc.deleteIn(["config", key, ...path]);
    else doc.setIn(["config", key, ...path], value);
    writeFileSync(this.file(stack), doc.toString());
  }

  get(stack: string, key: string, path: readonly string[] = []): unknown {
    const doc = parseDocument(readFileSync(this.file(stack), "utf8"));
    const v = doc.getIn(["config", key, ...path]);
    return v && typeof v === "object" && "toJSON" in v ? (v as { toJSON(): unknown }).toJSON() : v;
  }

  copy(from: string, to: string): void {
    copyFileSync(this.file(from), this.file(to));
  }

  remove(stack: string): void {
    rmSync(this.file(stack));
  }

  /**
   * Plans every stack file of the journey against the previous step (the first step: against nothing,
   * a new stack). Bad input (exit 2) throws the PlanError.
   */
  async plan(options: { afterDestroy?: "all" | "exclude-protected" } = {}): Promise<Step> {
    const prev = this.last;
    const base = prev ? parseBasePlan("last.json", JSON.stringify(prev.json)) : undefined;
    const previous = prev
      ? Object.fromEntries(prev.json.stacks.map((s) => [s.stack, s.outputs as Record<string, unknown>]))
      : undefined;
    const result = await planFiles(listStackFiles(this.dir), {
      ...(base ? { base } : {}),
      ...(previous ? { previous } : {}),
      ...(options.afterDestroy ? { afterDestroy: options.afterDestroy } : {}),
    });
    const step: Step = { result, json: planJson(result), exit: hasMandatory(result) ? 1 : 0 };
    return step;
  }

  /** Plans, and takes the step as deployed (the next step's base and previous). */
  async deploy(options: { afterDestroy?: "all" | "exclude-protected" } = {}): Promise<Step> {
    const step = await this.plan(options);
    this.last = step;
    return step;
  }

  /** `pulumi destroy`: nothing is in the stacks' state any more (the next step has no base). */
  destroyed(): void {
    this.last = undefined;
  }

  /** The error text a plan exits 2 with. */
  async refused(): Promise<string> {
    try {
      await this.plan();
    } catch (e) {
      if (e instanceof PlanError) return e.message;
      throw e;
    }
    throw new Error("the plan was expected to exit 2");
  }

  close(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export function stackOf(step: Step, stack: string): StackPlan {
  const s = step.result.stacks.find((x) => x.stack === stack);
  if (!s) throw new Error(`no stack ${stack} in the step (${step.result.stacks.map((x) => x.stack).join(", ")})`);
  return s;
}

/** The stack's diff against the previous step; a step planned without a base has none, and says so. */
function diffOf(step: Step, stack: string) {
  const diff = stackOf(step, stack).diff;
  if (!diff) throw new Error(`${stack}: this step was planned without a base, so it has no diff to read`);
  return diff;
}

/** `op -> [name]` of every custom resource not unchanged, sorted: what the step does to the stack. */
export function changes(step: Step, stack: string): Partial<Record<Op, string[]>> {
  const out: Partial<Record<Op, string[]>> = {};
  for (const d of diffOf(step, stack).resources) {
    if (!d.custom || d.op === "unchanged") continue;
    const list = out[d.op] ?? [];
    out[d.op] = list;
    list.push(`${d.type.split(":").pop()} ${d.name}`);
  }
  for (const k of Object.keys(out) as Op[]) out[k]!.sort();
  return out;
}

/** The paths changed on one resource (by logical name). */
export function changedPaths(step: Step, stack: string, name: string): string[] {
  const d = diffOf(step, stack).resources.find((r) => r.name === name);
  return (d?.changes ?? []).map((c) => c.path);
}

/** Mandatory findings of the replacement guard for the stack (the guard's verdict). */
export function guardVerdict(step: Step, stack: string): { mandatory: string[]; advisory: string[] } {
  const g = diffOf(step, stack).guard ?? [];
  return {
    mandatory: g.filter((f) => f.level === "mandatory").map((f) => f.message),
    advisory: g.filter((f) => f.level === "advisory").map((f) => f.message),
  };
}

/** Mandatory violations of every kind (policy, limits, guard) across the step. */
export function mandatory(step: Step): string[] {
  return [...step.result.stacks.flatMap((s) => s.violations), ...step.result.crossStack.violations]
    .filter((v) => v.level === "mandatory")
    .map((v) => `${v.policy}: ${v.message}`);
}

/** A documented section's text, wherever it lives (README.md or docs/*.md). */
export { docSection } from "../support/docs";
