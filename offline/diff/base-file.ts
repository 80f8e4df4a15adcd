/**
 * Reads `--base PATH`: the `--json` of an earlier plan (the target branch's, or the deployed commit's),
 * checked enough that a wrong file is a clear error naming the file and the fix (CLI exit 2), never a
 * stack trace or a silently empty diff.
 */
import { readTextFile, StackFileError } from "../stack-file";
import { parseBoundedJson } from "../json-input";
import { STACK_NAME_RE } from "../../lib/links/stack-ref";
import type { BaseResource } from "./stack-diff";
import { withEngineUrns } from "../engine-urn";

/** Base plans can hold many stacks; 64 MiB is far beyond any plan of ours and bounds the read. */
const MAX_BASE_BYTES = 64 * 1024 * 1024;

/** Counts far beyond any plan of ours (a stack has a few hundred resources) that keep the diff fast. */
const MAX_BASE_STACKS = 200;
export const MAX_BASE_RESOURCES = 5_000;

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

class BaseFileError extends StackFileError {}

const FIX =
  "give the --json of a plan of the same stacks (npm run -s plan -- <selector> --out base.json on the target branch)";

function fail(file: string, message: string): never {
  throw new BaseFileError(file, `${message}; ${FIX}`);
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Parses the text of a base file (`file` names it in errors). */
export function parseBasePlan(file: string, text: string): BasePlan {
  const parsed = parseBoundedJson(text);
  if (!parsed.ok)
    fail(
      file,
      `is not a plan's --json ` +
        `(${parsed.reason}` +
        (/^\s*>/.test(text) ? "; the first line is npm's banner: write it with npm run -s or --out" : "") +
        ")",
    );
  const doc = parsed.value;
  if (!isRecord(doc) || !Array.isArray(doc.stacks)) fail(file, 'is not a plan\'s --json (no "stacks" list)');
  if (doc.view === "preview")
    fail(file, "is a --preview plan (values unknown); the base is what is deployed: plan it without --preview");
  if (doc.stacks.length > MAX_BASE_STACKS)
    fail(file, `holds ${doc.stacks.length} stacks; a plan holds at most ${MAX_BASE_STACKS}`);
  const stacks = new Map<string, BaseStack>();
  doc.stacks.forEach((s: unknown, i: number) => {
    if (!isRecord(s) || typeof s.stack !== "string" || !Array.isArray(s.resources))
      fail(file, `stacks[${i}] is not a planned stack (needs "stack" and "resources")`);
    if (!STACK_NAME_RE.test(s.stack))
      fail(file, `stacks[${i}].stack is not a stack name (1 to 100 letters, digits, -, _ or .)`);
    if (s.resources.length > MAX_BASE_RESOURCES)
      fail(
        file,
        `stacks[${i}] holds ${s.resources.length} resources; a planned stack holds at most ${MAX_BASE_RESOURCES}`,
      );
    // A base from a plan that wrote the mock runtime's short URNs is read in the engine's form.
    const resources = withEngineUrns(
      s.resources.map((r: unknown, j: number): BaseResource => {
        if (
          !isRecord(r) ||
          typeof r.urn !== "string" ||
          typeof r.type !== "string" ||
          typeof r.name !== "string" ||
          !isRecord(r.inputs)
        ) {
          fail(file, `stacks[${i}].resources[${j}] is not a planned resource (needs urn, type, name, inputs)`);
        }
        return r as unknown as BaseResource;
      }),
    );
    const cost =
      isRecord(s.cost) && typeof s.cost.monthlyTotal === "number"
        ? { monthlyTotal: s.cost.monthlyTotal, ...(s.cost.partial === true ? { costPartial: true } : {}) }
        : {};
    stacks.set(s.stack, {
      stack: s.stack,
      ...(typeof s.region === "string" ? { region: s.region } : {}),
      resources,
      ...cost,
    });
  });
  return { file, stacks };
}

export function readBasePlan(file: string): BasePlan {
  let text: string;
  try {
    text = readTextFile(file, "plan --json file", MAX_BASE_BYTES);
  } catch (e) {
    // A missing or unreadable base: say how to make one.
    throw new BaseFileError(
      file,
      `${e instanceof StackFileError ? e.message.slice(file.length + 2) : String(e)}; ${FIX}`,
    );
  }
  return parseBasePlan(file, text);
}

/**
 * The base of each planned stack. A stack the base does not hold is new (everything created) when the
 * base holds some of the planned stacks; a base that holds none of them is the wrong file.
 */
export function baseFor(base: BasePlan, planned: readonly string[]): Map<string, BaseStack> {
  const found = new Map(planned.flatMap((s) => (base.stacks.has(s) ? [[s, base.stacks.get(s)!] as const] : [])));
  if (found.size === 0 && base.stacks.size > 0) {
    fail(
      base.file,
      `holds stack${base.stacks.size === 1 ? "" : "s"} ${[...base.stacks.keys()].join(", ")}, ` +
        `none of the planned ${planned.join(", ")} (a base from another stack)`,
    );
  }
  return found;
}
