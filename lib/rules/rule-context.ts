/**
 * What the parser hands each capability's config rules (lib/<capability>/config-rules.ts): the
 * schema's output, the defaulted config, and the parse options, as arguments.
 */
import type { ConfigProblem } from "./problems";
import type { InfrasageInput } from "../config/schema";
import type { StackConfig } from "../config/types";

/** What a stack file said beyond the strings Pulumi hands the program. */
export interface ParseOptions {
  /** Keys Pulumi holds encrypted (`secure:`): never judged as plain-text credentials. */
  readonly secretKeys?: readonly string[];
  /**
   * Source text of non-string scalars inside structured values, by dotted key
   * (`infrasage:cluster.version` -> `1.30`): YAML reads `1.30` as 1.3, and a fix must quote what
   * the user wrote.
   */
  readonly sourceText?: Readonly<Record<string, string>>;
}

export interface RuleContext {
  /** The schema's output (only the keys that parsed, when some did not). */
  readonly input: InfrasageInput;
  /** `input` with every default filled in (lib/config/defaults.ts). */
  readonly config: StackConfig;
  /** `aws:region` is a region InfraSage knows (otherwise `config.region` is a stand-in). */
  readonly regionKnown: boolean;
  /** The stack's name names a region (lib/config/identity-rules.ts regionsNamedBy). */
  readonly stackNamesRegion: boolean;
  readonly options: ParseOptions;
  /** The raw key that set a path (`["chart", "password"]` -> `infrasage:chart.password` or `infrasage:chart`). */
  readonly originOf: (path: readonly string[]) => string;
}

/** One capability's cross-key checks: problems with whole keys (`infrasage:...`). */
export type ConfigRule = (ctx: RuleContext) => ConfigProblem[];
