/**
 * Runs the policy pack on an offline plan record through the pack's own analyzer server
 * (offline/analyzer.ts), as the engine does in `pulumi preview` / `pulumi up`: Analyze once per
 * resource with its inputs, AnalyzeStack once with every resource's outputs, parent, dependencies and
 * provider. Unknown values and secrets travel as the engine encodes them, so the levels (a policy
 * that reads an unknown at preview is advisory) are @pulumi/policy's own. Every result says where a
 * real run enforces it, and the run is simulated in the engine's order (offline/update-order.ts).
 * Plus the cross-stack rules, which CrossGuard cannot run (it sees one stack at a time).
 */
import { createRequire } from "node:module";
import type { StackConfig } from "../lib/config/types";
import { crossStackFindings, crossStackFlows, type Flow, type StackFacts } from "../policies/rules/cross-stack";
import type { ProgramRecord, RecordedResource } from "./run-program";
import { checkReplicationGroups, REPLICATION_POLICY } from "../lib/replication/replication-checks";
import type {
  AnalyzerResource,
  AnalyzerStackResource,
  Diagnostic,
  EnforcementLevel,
  PolicyAnalyzer,
  StackSession,
} from "./analyzer";
import { parsePolicyPackConfig, reconcilePolicyConfig } from "./policy-config";
import { enforcedAt, OFFLINE_ONLY, simulateRun, type UpdateRun } from "./update-order";

export interface Violation {
  readonly policy: string;
  /** A reported violation is one or the other (the engine reports neither `disabled` nor `remediate`). */
  readonly level: Extract<EnforcementLevel, "mandatory" | "advisory">;
  readonly message: string;
  readonly urn?: string;
  /**
   * Where a real run enforces it: `preview`, `before <urn>` (a resource policy in an update: before
   * that resource's step), `after apply` (a stack policy in an update), or `offline plan only` (checks
   * the engine does not make). See offline/update-order.ts.
   */
  readonly enforcedAt: string;
}

export interface CrossStackReport {
  readonly violations: Violation[];
  /** Every data flow between the planned stacks (from their configuration). */
  readonly flows: Flow[];
  /** One quorum-analysis line per active-active group. */
  readonly replication: string[];
}

/** Where the analysed stack lives (what the engine tells the pack in ConfigureStack). */
export interface AnalysisTarget {
  readonly project: string;
  readonly organization: string;
  /** The stack's raw config (`"<ns>:<key>" -> string`): default providers are configured from it. */
  readonly config: Readonly<Record<string, string>>;
  /** Config keys whose values are secret (`secure:`), sent in ConfigureStack. @default none */
  readonly secretKeys?: readonly string[];
  /** Stack tags as the stack's backend sends them (offline/stack-tags.ts). @default none */
  readonly tags?: Readonly<Record<string, string>>;
}

const requireHere = createRequire(__filename);
const packageVersion = (pkg: string): string | undefined => {
  try {
    return (requireHere(`@pulumi/${pkg}/package.json`) as { version: string }).version;
  } catch {
    return undefined;
  }
};

/**
 * The default provider the engine creates for a package when a resource names none: URN
 * `...::pulumi:providers:<pkg>::default_<version, dots as underscores>`, inputs from the stack's
 * `<pkg>:*` config plus `version` (pulumi/pulumi pkg/resource/deploy/providers/registry.go,
 * default provider naming). Not registered under mocks (the engine registers default providers itself).
 */
function defaultProvider(r: RecordedResource, target: AnalysisTarget): AnalyzerResource["provider"] {
  const pkg = r.type.split(":")[0]!;
  const version = packageVersion(pkg);
  const name = version ? `default_${version.replace(/[.-]/g, "_")}` : "default";
  const stackPrefix = r.urn.split("::").slice(0, 2).join("::");
  const properties: Record<string, unknown> = version ? { version } : {};
  for (const [k, v] of Object.entries(target.config)) {
    if (k.startsWith(`${pkg}:`)) properties[k.slice(pkg.length + 1)] = v;
  }
  return { urn: `${stackPrefix}::pulumi:providers:${pkg}::${name}`, type: `pulumi:providers:${pkg}`, name, properties };
}

function providerOf(
  r: RecordedResource,
  byUrn: ReadonlyMap<string, RecordedResource>,
  target: AnalysisTarget,
): AnalyzerResource["provider"] {
  if (!r.custom || r.type.startsWith("pulumi:")) return undefined;
  const p = r.provider ? byUrn.get(r.provider) : undefined;
  if (p) return { urn: p.urn, type: p.type, name: p.name, properties: p.wire.inputs };
  return defaultProvider(r, target);
}

function analyzerResource(
  r: RecordedResource,
  properties: Record<string, unknown>,
  byUrn: ReadonlyMap<string, RecordedResource>,
  target: AnalysisTarget,
): AnalyzerResource {
  const provider = providerOf(r, byUrn, target);
  return {
    urn: r.urn,
    type: r.type,
    name: r.name,
    properties,
    options: {
      protect: r.protect,
      ignoreChanges: r.ignoreChanges,
      deleteBeforeReplace: r.deleteBeforeReplace,
      aliases: r.aliases,
      additionalSecretOutputs: [],
      ...(r.parent ? { parent: r.parent } : {}),
    },
    ...(provider ? { provider } : {}),
  };
}

const toViolation = (d: Diagnostic, enforced: string, fallbackUrn?: string): Violation => ({
  policy: d.policy,
  // The engine treats a remediation that still violates, and stack policies at "remediate", as mandatory.
  level: d.level === "advisory" ? "advisory" : "mandatory",
  message: d.message,
  ...(d.urn || fallbackUrn ? { urn: d.urn || fallbackUrn } : {}),
  enforcedAt: enforced,
});

/**
 * The engine's order for one stack run (pulumi/pulumi sdk/go/common/resource/plugin/analyzer_plugin.go
 * NewPolicyAnalyzer, then pkg/engine/update.go LoadLocalPolicyPackAnalyzers): ConfigureStack with the
 * stack, its config, secret keys and tags; GetAnalyzerInfo; Configure with the policy config
 * reconciled against that info. The engine's Handshake comes first, which @pulumi/policy's server does
 * not implement (the engine carries on), and the process here is shared by the plan's stacks, so its
 * start-up info read (PolicyAnalyzer.start) is not part of a stack's sequence.
 */
async function configureAnalyzer(
  analyzer: PolicyAnalyzer,
  session: StackSession,
  policyConfig: unknown = {},
): Promise<void> {
  await analyzer.configureStack(session);
  const info = await analyzer.getAnalyzerInfo();
  await analyzer.configure(reconcilePolicyConfig(info.policies, parsePolicyPackConfig(policyConfig)));
}

/** One stack's pack results and how the real run goes (where `pulumi up` stops). */
export interface StackEvaluation {
  readonly violations: Violation[];
  readonly run: UpdateRun;
}

/**
 * Analyses one stack's record with the running pack. `policyConfig` is the parsed JSON of
 * `--policy-pack-config` (levels, exemptions, overrides), reconciled and validated as the CLI does.
 */
export async function evaluateStack(
  analyzer: PolicyAnalyzer,
  record: ProgramRecord,
  target: AnalysisTarget,
  policyConfig: unknown = {},
): Promise<Violation[]> {
  return (await evaluateRun(analyzer, record, target, policyConfig)).violations;
}

/** evaluateStack, with the simulated run: resource results in registration order, where an update stops. */
export async function evaluateRun(
  analyzer: PolicyAnalyzer,
  record: ProgramRecord,
  target: AnalysisTarget,
  policyConfig: unknown = {},
): Promise<StackEvaluation> {
  await configureAnalyzer(
    analyzer,
    {
      stack: record.stack,
      project: target.project,
      organization: target.organization,
      dryRun: record.preview,
      tags: target.tags ?? {},
      config: target.config,
      configSecretKeys: target.secretKeys ?? [],
    },
    policyConfig,
  );
  const byUrn = new Map(record.resources.map((r) => [r.urn, r]));
  // One Analyze per resource, in flight together (the pack answers each on its own); the results are
  // read in registration order below, which is the order the engine analyzes and applies them in.
  // The engine's Remediate before each Analyze is not sent: the pack has no remediation policy.
  const perResource = await Promise.all(
    record.resources.map(async (r) =>
      (await analyzer.analyze(analyzerResource(r, r.wire.inputs, byUrn, target))).map((d) =>
        toViolation(d, enforcedAt(record.preview, "resource", r.urn, d.message), r.urn),
      ),
    ),
  );
  const mandatoryAt = new Map(
    record.resources.map((r, i) => [
      r.urn,
      perResource[i]!.filter((v) => v.level === "mandatory").map((v) => v.policy),
    ]),
  );
  const run = simulateRun(
    record.preview,
    record.resources.map((r) => r.urn),
    mandatoryAt,
  );
  const out: Violation[] = perResource.flat();
  const stack: AnalyzerStackResource[] = record.resources.map((r) => ({
    ...analyzerResource(r, r.wire.outputs, byUrn, target),
    ...(r.parent ? { parent: r.parent } : {}),
    dependencies: r.dependencies,
    propertyDependencies: r.propertyDependencies,
  }));
  // After a stop the engine runs no stack policy; the plan still reports them (labelled after apply)
  // so one run shows everything the next update would meet once the stop is fixed.
  out.push(
    ...(await analyzer.analyzeStack(stack)).map((d) =>
      toViolation(d, enforcedAt(record.preview, "stack", undefined, d.message)),
    ),
  );
  return { violations: out, run };
}

function stackFacts(config: StackConfig): StackFacts {
  return {
    stack: config.stack,
    region: config.region,
    jurisdiction: config.jurisdiction,
    cidr: config.network.cidr,
    ...(config.federation?.hubStack ? { hubStack: config.federation.hubStack } : {}),
    ...(config.federation?.role === "hub" ? { spokes: config.federation.spokes } : {}),
    peers: config.replication?.peers ?? [],
    witness: config.replication?.witness === true,
    ...(config.grafana.sources ? { grafanaSources: config.grafana.sources } : {}),
    ...(config.grafana.hostStack ? { grafanaHostStack: config.grafana.hostStack } : {}),
  };
}

/** Replication checks the generic cross-stack rules already make (reported once, under their names). */
const COVERED_BY_CROSS_STACK: ReadonlySet<string> = new Set([
  REPLICATION_POLICY.peerOutsidePlan,
  REPLICATION_POLICY.jurisdiction,
  REPLICATION_POLICY.cidrOverlap,
]);

export function evaluateCrossStack(
  stacks: readonly { config: StackConfig; record: ProgramRecord }[],
  options: { project?: string } = {},
): CrossStackReport {
  const facts = stacks.map((s) => stackFacts(s.config));
  const flows = crossStackFlows(facts);
  const replication = checkReplicationGroups(stacks, options);
  return {
    flows,
    replication: replication.lines,
    violations: [
      // CrossGuard sees one stack at a time: no real run enforces these.
      ...crossStackFindings(facts, flows).map((f) => ({
        policy: f.policy,
        level: f.level,
        message: f.message,
        enforcedAt: OFFLINE_ONLY,
      })),
      ...replication.violations
        .filter((v) => !COVERED_BY_CROSS_STACK.has(v.policy))
        .map((v) => ({ ...v, enforcedAt: OFFLINE_ONLY })),
    ],
  };
}
