/**
 * Reads `--base PATH`: the `--json` of an earlier plan (the target branch's, or the deployed commit's),
 * checked enough that a wrong file is a clear error naming the file and the fix (CLI exit 2), never a
 * stack trace or a silently empty diff.
 */
import { readTextFile, StackFileError } from "../stack-file";
import type { BaseResource } from "./stack-diff";

/** Base plans can hold many stacks; 64 MiB is far beyond any plan of ours and bounds the read. */
const MAX_BASE_BYTES = 64 * 1024 * 1024;

export interface BaseStack {
  readonly stack: string;
  readonly region?: string;
  readonly resources: readonly BaseResource[];
  readonly monthlyTotal?: number;
  /** The base's total left out something the price table lacked. */
  readonly costPartial?: boolean;
}

export interface BasePlan {
  readonly file: string;
  readonly stacks: ReadonlyMap<string, BaseStack>;
}

export class BaseFileError extends StackFileError {}

const FIX = "give the --json of a plan of the same stacks (npm run -s plan -- <selector> --out base.json on the target branch)";

function fail(file: string, message: string): never {
  throw new BaseFileError(file, `${message}; ${FIX}`);
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Parses the text of a base file (`file` names it in errors). */
export function parseBasePlan(file: string, text: string): BasePlan {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    fail(file, `is not a plan's --json (not valid JSON: ${(e as Error).message}${/^\s*>/.test(text) ? "; the first line is npm's banner: write it with npm run -s or --out" : ""})`);
  }
  if (!isRecord(doc) || !Array.isArray(doc.stacks)) fail(file, "is not a plan's --json (no \"stacks\" list)");
  if (doc.view === "preview") fail(file, "is a --preview plan (values unknown); the base is what is deployed: plan it without --preview");
  const stacks = new Map<string, BaseStack>();
  doc.stacks.forEach((s: unknown, i: number) => {
    if (!isRecord(s) || typeof s.stack !== "string" || !Array.isArray(s.resources)) fail(file, `stacks[${i}] is not a planned stack (needs "stack" and "resources")`);
    const resources = s.resources.map((r: unknown, j: number): BaseResource => {
      if (!isRecord(r) || typeof r.urn !== "string" || typeof r.type !== "string" || typeof r.name !== "string" || !isRecord(r.inputs)) {
        fail(file, `stacks[${i}].resources[${j}] is not a planned resource (needs urn, type, name, inputs)`);
      }
      return r as unknown as BaseResource;
    });
    const cost = isRecord(s.cost) && typeof s.cost.monthlyTotal === "number" ? { monthlyTotal: s.cost.monthlyTotal, ...(s.cost.partial === true ? { costPartial: true } : {}) } : {};
    stacks.set(s.stack, { stack: s.stack, ...(typeof s.region === "string" ? { region: s.region } : {}), resources, ...cost });
  });
  return { file, stacks };
}

export function readBasePlan(file: string): BasePlan {
  return parseBasePlan(file, readTextFile(file, "plan --json file", MAX_BASE_BYTES));
}

/**
 * The base of each planned stack. A stack the base does not hold is new (everything created) when the
 * base holds some of the planned stacks; a base that holds none of them is the wrong file.
 */
export function baseFor(base: BasePlan, planned: readonly string[]): Map<string, BaseStack> {
  const found = new Map(planned.flatMap((s) => (base.stacks.has(s) ? [[s, base.stacks.get(s)!] as const] : [])));
  if (found.size === 0 && base.stacks.size > 0) {
    fail(base.file, `holds stack${base.stacks.size === 1 ? "" : "s"} ${[...base.stacks.keys()].join(", ")}, none of the planned ${planned.join(", ")} (a base from another stack)`);
  }
  return found;
}
