/**
 * The policy config each planned stack runs with, as CI passes it: `policies/config/<stack>.json` if
 * the repository has one (scripts/list-stacks.ts, the preview and deploy workflows), or the plan's
 * `--policy-pack-config FILE`; and the residency weakenings either holds (offline/policy-weakening.ts).
 * Read before any program runs: a file that is not JSON or names an unknown policy exits 2.
 */
import { existsSync } from "node:fs";
import { join, relative } from "node:path";
import { ALL_POLICIES } from "../policies/rules/all";
import { PROGRAM_ROOT } from "./stack-file";
import { readPolicyConfigFile } from "./run-inputs";
import type { Violation } from "./policy-runner";
import type { PolicyInfo } from "./analyzer";
import { parsePolicyPackConfig, PolicyConfigError, reconcilePolicyConfig } from "./policy-config";
import {
  ACCEPTED_WEAKENINGS_FILE,
  loadAcceptedWeakenings,
  PolicyWeakeningError,
  unknownPolicyNames,
  weakeningsOf,
  weakeningViolations,
  type AcceptedWeakening,
  type PackPolicy,
} from "./policy-weakening";

/** The pack's policies with their tags (`residency`, `security`). */
export const PACK_POLICIES: readonly PackPolicy[] = ALL_POLICIES.map((p) => ({
  name: p.name,
  tags: (p as { tags?: string[] }).tags ?? [],
}));
/** The pack's policies as GetAnalyzerInfo describes them (levels, config schemas), to validate a file up front. */
const PACK_INFO: readonly PolicyInfo[] = ALL_POLICIES.map((p) => ({
  name: p.name,
  enforcementLevel: p.enforcementLevel ?? "advisory",
  ...(p.configSchema
    ? {
        configSchema: {
          properties: p.configSchema.properties as Record<string, unknown>,
          required: p.configSchema.required ?? [],
        },
      }
    : {}),
}));

/** Names, levels and the policies' config schemas, as the CLI checks them; errors name the file. */
export function validatePolicyConfig(file: string, doc: unknown): void {
  unknownPolicyNames(file, doc, PACK_POLICIES);
  try {
    reconcilePolicyConfig(PACK_INFO, parsePolicyPackConfig(doc));
  } catch (e) {
    if (e instanceof PolicyConfigError) throw new PolicyWeakeningError(`${file}: ${e.message}`);
    throw e;
  }
}

export interface PolicyConfigFile {
  /** As printed: relative to the repository when inside it. */
  readonly file: string;
  readonly doc: unknown;
}

export interface StackPolicyConfigOptions {
  /** `--policy-pack-config`: its path (for messages) and parsed content. */
  readonly given?: PolicyConfigFile;
  /** @default `<repository>/policies/config` */
  readonly dir?: string;
  /** @default `<repository>/policies/accepted-weakenings.yaml` */
  readonly acceptedFile?: string;
}

const shown = (path: string): string => {
  const r = relative(PROGRAM_ROOT, path);
  return r.startsWith("..") ? path : r;
};

export class StackPolicyConfigs {
  private readonly perStack = new Map<string, PolicyConfigFile>();
  private readonly accepted: AcceptedWeakening[];
  private readonly acceptedShown: string;

  /** Throws PolicyWeakeningError (exit 2) on a file that is not JSON or names an unknown policy. */
  constructor(
    stacks: readonly string[],
    private readonly options: StackPolicyConfigOptions = {},
  ) {
    const dir = options.dir ?? join(PROGRAM_ROOT, "policies", "config");
    for (const stack of stacks) {
      const path = join(dir, `${stack}.json`);
      if (!existsSync(path)) continue;
      // Bounded like every input of the run (offline/json-input.ts): the error never quotes the file.
      let doc: unknown;
      try {
        doc = readPolicyConfigFile(path);
      } catch (e) {
        throw new PolicyWeakeningError(
          `${(e as Error).message}; CI passes it as --policy-pack-config for stack ${stack}`,
        );
      }
      validatePolicyConfig(path, doc);
      this.perStack.set(stack, { file: shown(path), doc });
    }
    if (options.given) validatePolicyConfig(options.given.file, options.given.doc);
    const acceptedFile = options.acceptedFile ?? join(PROGRAM_ROOT, ACCEPTED_WEAKENINGS_FILE);
    this.accepted = loadAcceptedWeakenings(acceptedFile);
    this.acceptedShown = shown(acceptedFile);
  }

  /** The config the stack's policy run gets: `--policy-pack-config` if given, else its own file, else none. */
  configFor(stack: string, fallback: unknown): unknown {
    return this.options.given ? this.options.given.doc : (this.perStack.get(stack)?.doc ?? fallback);
  }

  /** The residency weakenings of the stack's own file and of `--policy-pack-config`, as findings. */
  weakenings(stack: string, region: string, urns: readonly string[]): Violation[] {
    const files = [this.perStack.get(stack), this.options.given].filter((f): f is PolicyConfigFile => f !== undefined);
    const found = files.flatMap((f) => weakeningsOf(f.file, f.doc, PACK_POLICIES, { stack, region, urns }));
    return weakeningViolations(found, this.accepted, this.acceptedShown);
  }
}
