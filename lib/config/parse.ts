/**
 * Raw Pulumi config (`"<ns>:<key>" -> string`, structured values JSON-encoded, as
 * `pulumi.runtime.allConfig()` returns it) -> typed, fully-defaulted StackConfig, or every problem.
 * Pure: the program, the offline plan and the tests all call this one function.
 *
 * Only the order lives here: the keys (namespaces, aws:region, the infrasage: keys collected, the
 * stack's identity), the schema (lib/config/schema-issues.ts says what zod rejected), the defaults
 * (lib/config/defaults.ts), then each capability's rules (lib/<capability>/config-rules.ts) in
 * CONFIG_RULES order, then plain-text credentials and provider tags over the raw config.
 */
import { findRegion } from "../../policies/shared/regions";
import { addonConfigProblems } from "../addons/config-rules";
import { tagConfigProblems, providerTagProblems } from "../aws/config-rules";
import { chartConfigProblems, chartCredentialProblems } from "../charts/config-rules";
import { accessEntryConfigProblems, clusterConfigProblems } from "../cluster/config-rules";
import { deployConfigProblems } from "../deploy/config-rules";
import { federationConfigProblems } from "../federation/config-rules";
import { grafanaConfigProblems } from "../grafana/config-rules";
import { linksConfigProblems } from "../links/config-rules";
import { networkConfigProblems } from "../network/config-rules";
import { nodeConfigProblems } from "../nodes/config-rules";
import { releaseConfigProblems } from "../release/config-rules";
import { replicationConfigProblems } from "../replication/config-rules";
import { runbookConfigProblems } from "../runbooks/config-rules";
import { allowReplaceProblems } from "./allow-replace-rules";
import { collectNamespace, isBlank, originOf } from "./collect";
import { applyDefaults } from "./defaults";
import { jurisdictionProblems, regionProblems, regionsNamedBy, stackIdentityProblems } from "./identity-rules";
import { namespaceProblems } from "./namespace-rules";
import type { ConfigProblem } from "../rules/problems";
import type { ConfigRule, ParseOptions, RuleContext } from "../rules/rule-context";
import { infrasageSchema } from "./schema";
import { parseWithoutBadKeys, schemaIssueProblems } from "./schema-issues";
import { plainTextSecrets, redact } from "./secrets";
import type { StackConfig } from "./types";

export type { ParseOptions } from "../rules/rule-context";

export type ParseResult = { ok: true; config: StackConfig } | { ok: false; problems: ConfigProblem[] };

/**
 * Each capability's cross-key rules, run on the defaulted config in this order, which is the order
 * their problems are reported in (the cluster's own rules come early, its access entries with the
 * other cluster capabilities after the links).
 */
const CONFIG_RULES: readonly ConfigRule[] = [
  jurisdictionProblems, // lib/config/identity-rules.ts
  networkConfigProblems, // lib/network/
  clusterConfigProblems, // lib/cluster/: version, log types, public endpoint ranges
  releaseConfigProblems, // lib/release/: storage class, volume sizes
  chartConfigProblems, // lib/charts/
  federationConfigProblems, // lib/federation/
  replicationConfigProblems, // lib/replication/
  grafanaConfigProblems, // lib/grafana/
  deployConfigProblems, // lib/deploy/
  linksConfigProblems, // lib/links/
  allowReplaceProblems, // lib/config/allow-replace-rules.ts
  addonConfigProblems, // lib/addons/
  accessEntryConfigProblems, // lib/cluster/
  nodeConfigProblems, // lib/nodes/
  runbookConfigProblems, // lib/runbooks/
  tagConfigProblems, // lib/aws/
  chartCredentialProblems, // lib/charts/: needs options.secretKeys
];

/**
 * Parses a stack's raw config. `stack` is the Pulumi stack name; `options` what the stack file said
 * beyond the strings (offline/stack-file.ts reads them as StackFile.parseOptions; the program passes
 * the keys Pulumi decrypted).
 */
export function parseStackConfig(
  raw: Readonly<Record<string, string>>,
  stack: string,
  options: ParseOptions = {},
): ParseResult {
  const problems: ConfigProblem[] = [];
  // Keys nobody reads (misspelt namespaces, unknown aws: settings) would be dropped silently.
  problems.push(...namespaceProblems(raw));
  const region = raw["aws:region"];
  const regionInfo = region ? findRegion(region) : undefined;
  problems.push(...regionProblems(raw));

  const origins = new Map<string, string>();
  const input = collectNamespace(raw, problems, origins);
  // A stack named after a region deploys there; any other stack states its jurisdiction.
  const jurisdictionSet = typeof input.jurisdiction === "string" && input.jurisdiction.trim() !== "";
  problems.push(...stackIdentityProblems(stack, region && !isBlank(region) ? region : undefined, jurisdictionSet));
  const parsed = infrasageSchema.safeParse(input);
  if (!parsed.success)
    problems.push(
      ...schemaIssueProblems(parsed.error, input, options.sourceText ?? {}).filter(
        (p) => !problems.some((q) => q.key === p.key && q.message === "is empty"),
      ),
    );
  // The capabilities' rules still run on the keys that did parse, so one run reports every problem.
  const checkable = parsed.success ? parsed.data : parseWithoutBadKeys(input, parsed.error);
  if (checkable) {
    const config = applyDefaults(checkable, regionInfo?.code ?? "us-east-1", regionInfo?.jurisdiction ?? "US", stack);
    const ctx: RuleContext = {
      input: checkable,
      config,
      regionKnown: regionInfo !== undefined,
      stackNamesRegion: regionsNamedBy(stack).length > 0,
      options,
      originOf: (path) => originOf(origins, path),
    };
    const semantic = CONFIG_RULES.flatMap((rule) => rule(ctx));
    problems.push(...semantic.filter((p) => !problems.some((q) => q.key === p.key)));
    if (problems.length === 0 && parsed.success && regionInfo) return finish(raw, options, problems, config);
  }
  return finish(raw, options, problems, undefined);
}

/** Adds plain-text credentials (any namespace), then removes every secret value from what is printed. */
function finish(
  raw: Readonly<Record<string, string>>,
  options: ParseOptions,
  problems: ConfigProblem[],
  config: StackConfig | undefined,
): ParseResult {
  const secrets = plainTextSecrets(raw, options.secretKeys);
  // A key whose own rule already said "(not shown)" (chart.repo credentials) keeps that fix.
  problems.push(
    ...secrets.problems.filter((p) => !problems.some((q) => q.key === p.key && q.message.includes("(not shown)"))),
  );
  // Provider tags (aws:defaultTags, aws:ignoreTags) that would rewrite or hide the program's own.
  problems.push(...providerTagProblems(raw));
  if (problems.length === 0 && config) return { ok: true, config };
  const clean = (t: string) => redact(t, secrets.tokens);
  return {
    ok: false,
    problems: problems.map((p) => ({ key: clean(p.key), message: clean(p.message), fix: clean(p.fix) })),
  };
}
