/**
 * `--previous PATH`: the `--json` of the stacks' last deployment, whose outputs each stack reads as
 * its previous outputs (the running cluster's version and add-on builds, for the upgrade checks).
 * Checked as strictly as a stack file: a value the program would not recognise (a version of -1, a
 * number, a file of another stack) silently skips the upgrade checks, so it is an error naming the
 * file, the stack and the key, with the fix (CLI exit 2).
 */
import { ADDON_VERSION_RE, MANAGED_ADDON_NAMES } from "../lib/addons/addon-versions";
import { clusterNameFor } from "../lib/cluster/cluster-plan";
import { parseBoundedJson } from "./json-input";
import { STACK_NAME_RE } from "../lib/links/stack-ref";
import { readTextFile, StackFileError } from "./stack-file";

/** Far beyond any plan of ours; bounds the read. */
const MAX_PREVIOUS_BYTES = 64 * 1024 * 1024;
const MAX_PREVIOUS_STACKS = 200;

/** stack -> outputs of its last deployment. */
export type PreviousOutputs = Record<string, Record<string, unknown>>;

const FIX =
  "give the --json of the stacks' last deployment (npm run -s plan -- " +
  "<selector> --out last.json on the deployed commit, without --preview)";

/** Names the option too: `--previous <file>: ...`. */
class PreviousFileError extends StackFileError {
  constructor(file: string, message: string) {
    super(file, message);
    this.message = `--previous ${this.message}`;
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
/** How the plan's --json shows a value it does not know (offline/run-program.ts UNKNOWN/SECRET). */
const NOT_A_VALUE = new Set(["(known after apply)", "[secret]"]);
/** An EKS Kubernetes version as EKS reports it: `1.<minor>`. */
const EKS_VERSION_RE = /^1\.(0|[1-9]\d{0,2})$/;

const shown = (v: unknown): string => {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
};

/** Problems of one stack's outputs (the keys the program reads back), as `key: message`. */
export function previousOutputProblems(stack: string, outputs: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const { clusterName, clusterVersion, addonVersions } = outputs;
  for (const [k, v] of Object.entries({ clusterName, clusterVersion, addonVersions })) {
    if (typeof v === "string" && NOT_A_VALUE.has(v))
      return [`${k} is ${v}: the file is not a deployment's record (a plan with --base or of outputs not yet known)`];
  }
  if (clusterName !== undefined && clusterName !== clusterNameFor(stack)) {
    problems.push(
      `clusterName is ${shown(clusterName)}, but stack ${stack}'s cluster ` +
        `is "${clusterNameFor(stack)}" (the outputs of another stack?)`,
    );
  }
  if (clusterVersion !== undefined && (typeof clusterVersion !== "string" || !EKS_VERSION_RE.test(clusterVersion))) {
    problems.push(
      `clusterVersion is ${shown(clusterVersion)}, not an EKS ` +
        `Kubernetes version as a string ("1.<minor>", e.g. "1.34")`,
    );
  }
  if (clusterVersion === undefined && clusterName !== undefined)
    problems.push("clusterName is given without clusterVersion (the running cluster's version)");
  if (addonVersions !== undefined) {
    if (!isRecord(addonVersions))
      problems.push(`addonVersions is ${shown(addonVersions)}, not a map of add-on name to version`);
    else {
      for (const [name, v] of Object.entries(addonVersions)) {
        if (!(MANAGED_ADDON_NAMES as readonly string[]).includes(name))
          problems.push(
            `addonVersions.${shown(name).slice(1, -1)} is not an add-on ` +
              `the program manages (${MANAGED_ADDON_NAMES.join(", ")})`,
          );
        else if (typeof v !== "string" || !ADDON_VERSION_RE.test(v))
          problems.push(`addonVersions.${name} is ${shown(v)}, not an EKS add-on version (v1.2.3-eksbuild.1)`);
      }
    }
  }
  return problems;
}

/** Parses the text of a `--previous` file (`file` names it in errors). */
export function parsePrevious(file: string, text: string): PreviousOutputs {
  const fail = (message: string): never => {
    throw new PreviousFileError(file, `${message}; ${FIX}`);
  };
  const parsed = parseBoundedJson(text);
  if (!parsed.ok) return fail(`is not a plan's --json (${parsed.reason})`);
  const doc = parsed.value;
  if (!isRecord(doc) || !Array.isArray(doc.stacks)) return fail('is not a plan\'s --json (no "stacks" list)');
  if (doc.view === "preview")
    return fail("is a --preview plan (values unknown); the previous outputs are a deployment's");
  if (doc.stacks.length > MAX_PREVIOUS_STACKS)
    return fail(`holds ${doc.stacks.length} stacks; a plan holds at most ${MAX_PREVIOUS_STACKS}`);
  const out: PreviousOutputs = {};
  doc.stacks.forEach((s: unknown, i: number) => {
    if (!isRecord(s) || typeof s.stack !== "string" || !isRecord(s.outputs))
      fail(`stacks[${i}] is not a planned stack (needs "stack" and "outputs")`);
    const { stack, outputs } = s as { stack: string; outputs: Record<string, unknown> };
    if (!STACK_NAME_RE.test(stack))
      fail(`stacks[${i}].stack is not a stack name (1 to 100 letters, digits, -, _ or .)`);
    if (out[stack]) fail(`holds stack ${stack} twice`);
    const problems = previousOutputProblems(stack, outputs);
    if (problems.length > 0) fail(`stack ${stack}: ${problems.map((p) => `outputs.${p}`).join("; ")}`);
    out[stack] = outputs;
  });
  return out;
}

export function readPreviousFile(file: string): PreviousOutputs {
  let text: string;
  try {
    text = readTextFile(file, "plan --json file", MAX_PREVIOUS_BYTES);
  } catch (e) {
    if (e instanceof StackFileError) throw new PreviousFileError(file, `${e.message.slice(file.length + 2)}; ${FIX}`);
    throw e;
  }
  return parsePrevious(file, text);
}

/**
 * Checks the previous outputs against the planned stacks (`stack`, region from its config): a file
 * holding none of them, or a stack whose outputs name another region, is another stack's file.
 */
export function checkPreviousFor(
  file: string,
  previous: PreviousOutputs,
  planned: readonly { stack: string; region: string }[],
): void {
  const fail = (message: string): never => {
    throw new PreviousFileError(file, `${message}; ${FIX}`);
  };
  const held = Object.keys(previous);
  if (held.length > 0 && !planned.some((p) => previous[p.stack])) {
    fail(
      `holds stack${held.length === 1 ? "" : "s"} ${held.join(", ")}, none of the ` +
        `planned ${planned.map((p) => p.stack).join(", ")} (the outputs of another stack)`,
    );
  }
  for (const p of planned) {
    const region = previous[p.stack]?.region;
    if (region !== undefined && region !== p.region)
      fail(
        `stack ${p.stack}: outputs.region is ${shown(region)}, but the ` +
          `stack file deploys to ${p.region} (the outputs of another stack?)`,
      );
  }
}
