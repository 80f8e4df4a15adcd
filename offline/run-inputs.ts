/**
 * Every input of a plan run, read and checked before anything starts (the policy pack, the program):
 * a bad file is exit 2 at once, naming it, with nothing started that would have to be stopped. Also
 * the list of the run's inputs by path, which the output writer never overwrites.
 */
import { dirname, join, resolve } from "node:path";
import { parseStackConfig } from "../lib/config/parse";
import type { StackConfig } from "../lib/config/types";
import { baseFor, readBasePlan, type BasePlan } from "./diff/base-file";
import { parseBoundedJson } from "./json-input";
import type { RunInput } from "./output-file";
import { parsePolicyPackConfig, PolicyConfigError } from "./policy-config";
import { loadProjectFile } from "./preflight/project";
import { checkPreviousFor, readPreviousFile, type PreviousOutputs } from "./previous-file";
import { findProject, PROGRAM_ROOT, readStackFile, readTextFile, StackFileError, type StackFile } from "./stack-file";

export interface RunInputs {
  readonly stacks: readonly { readonly file: StackFile; readonly config: StackConfig }[];
  readonly base?: BasePlan;
  readonly previous?: PreviousOutputs;
  /** `--policy-pack-config` content ({} without one). */
  readonly policyConfig: unknown;
  /** Every file (and the chart folder) the run reads. */
  readonly paths: RunInput[];
}

/** The stack file's InfraSage config, or its problems as the plan reports them (plan.ts parseOrThrow). */
function configOf(file: StackFile): StackConfig {
  if (file.secretKeys.some((k) => k.startsWith("infrasage:"))) {
    throw new StackFileError(
      file.path,
      `${file.secretKeys.join(", ")} use secure: values, which the offline plan ` +
        `cannot decrypt; InfraSage keys hold no secrets, set them in plain text`,
    );
  }
  const parsed = parseStackConfig(file.config, file.stack, file.parseOptions);
  if (!parsed.ok) {
    const lines = parsed.problems.map((p) => `  - ${p.key}: ${p.message}. Fix: ${p.fix}.`);
    throw new StackFileError(
      file.path,
      `invalid InfraSage configuration (${parsed.problems.length} ` +
        `problem${parsed.problems.length === 1 ? "" : "s"}):\n${lines.join("\n")}`,
    );
  }
  return parsed.config;
}

export function readPolicyConfigFile(path: string): unknown {
  let text: string;
  try {
    text = readTextFile(path, "policy config file");
  } catch (e) {
    throw new PolicyConfigError(e instanceof StackFileError ? e.message : `${path}: cannot be read (does it exist?)`);
  }
  if (text.trim() === "") return {};
  const parsed = parseBoundedJson(text);
  if (!parsed.ok)
    throw new PolicyConfigError(`${path}: ${parsed.reason}; give a JSON object of <policy name> -> level or config`);
  // The structure now; the schema of each policy's config once the pack says what it is.
  try {
    parsePolicyPackConfig(parsed.value);
  } catch (e) {
    throw new PolicyConfigError(`${path}: ${(e as Error).message}`);
  }
  return parsed.value;
}

/** The project folder of a stack file: its nearest Pulumi.yaml, or this program's own. */
function projectRootOf(stackFile: string): string {
  try {
    return findProject(dirname(stackFile)).root;
  } catch {
    return PROGRAM_ROOT;
  }
}

export function readRunInputs(args: {
  files: readonly string[];
  baseFile?: string;
  previousFile?: string;
  policyConfigFile?: string;
}): RunInputs {
  const stacks = args.files.map((path) => {
    const file = readStackFile(path);
    return { file, config: configOf(file) };
  });
  const paths: RunInput[] = [];
  const seen = new Set<string>();
  const add = (what: string, path: string) => {
    if (!seen.has(path)) {
      seen.add(path);
      paths.push({ what, path });
    }
  };
  for (const s of stacks) {
    add("the stack file", s.file.path);
    const root = projectRootOf(s.file.path);
    add("the project file", join(root, "Pulumi.yaml"));
    if (s.config.chart.kind === "path") {
      // Relative to the folder the program runs in (preflight) and to this program (the config's check).
      add("in the chart folder", resolve(loadProjectFile(join(root, "Pulumi.yaml")).programDir, s.config.chart.path));
      add("in the chart folder", resolve(PROGRAM_ROOT, s.config.chart.path));
    }
  }
  if (args.policyConfigFile) add("the --policy-pack-config file", args.policyConfigFile);
  if (args.baseFile) add("the --base file", args.baseFile);
  if (args.previousFile) add("the --previous file", args.previousFile);
  const policyConfig = args.policyConfigFile ? readPolicyConfigFile(args.policyConfigFile) : {};
  const base = args.baseFile ? readBasePlan(args.baseFile) : undefined;
  // A base from other stacks fails before anything runs.
  if (base)
    baseFor(
      base,
      stacks.map((s) => s.file.stack),
    );
  const previous = args.previousFile ? readPreviousFile(args.previousFile) : undefined;
  if (previous && args.previousFile)
    checkPreviousFor(
      args.previousFile,
      previous,
      stacks.map((s) => ({ stack: s.file.stack, region: s.config.region })),
    );
  return { stacks, ...(base ? { base } : {}), ...(previous ? { previous } : {}), policyConfig, paths };
}
