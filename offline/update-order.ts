/**
 * Where a real run enforces each policy result, and where `pulumi up` stops (pure: no Pulumi).
 *
 * What the engine does (pulumi/pulumi pkg/resource/deploy, v3.270 line):
 * - step_generator.go (generateSteps -> analyzeAll) and analyze_snapshot.go (analyzeResource): every
 *   registered resource is analyzed (Analyze, its inputs) before its step is issued, in the order the
 *   program registers resources. In an update (not DryRun) a mandatory result marks the resource
 *   invalid and generateSteps bails ("resource ... is invalid"): the update stops there; resources
 *   registered before it already had their steps (created, updated or left as they were), the
 *   offending one and every later one are never reached.
 * - In a preview (DryRun) a mandatory result only sets sawError: the preview analyzes every resource,
 *   runs AnalyzeStack at the end and then fails.
 * - deployment_executor.go (Execute): AnalyzeResources, i.e. AnalyzeStack with every resource's
 *   outputs, runs only `if err == nil && stepExecutorError == nil`: after every step was applied, and
 *   never after a stop. A stack policy's mandatory result fails the update with the change live.
 * `pulumi/actions` with `command: up` runs the Automation API's `stack.up`, which is
 * `pulumi up --yes --skip-preview` (@pulumi/pulumi/automation/stack.js): no preview phase in that job.
 */

/** A result the preview reports (and fails on, if mandatory) before anything changes. */
export const AT_PREVIEW = "preview";
/** A stack policy's result in an update: after every step was applied. */
export const AFTER_APPLY = "after apply";
/** Checks the engine does not run at all (cross-stack rules, the replacement guard): only this plan. */
export const OFFLINE_ONLY = "offline plan only";
/** A resource policy's result in an update: before the analyzed resource's step. */
export const before = (urn: string): string => `before ${urn}`;

/** @pulumi/policy's advisory for a policy that read a value unknown at preview (server.js): it runs again at up. */
export const CANT_RUN_RE = /^can't run policy '([^']+)'/;

/**
 * Where a real run enforces one pack result. `phase`: resource (Analyze of `analyzed`) or stack
 * (AnalyzeStack). In a preview, a result whose policy could not run (a value unknown) is enforced
 * where the update runs it again.
 */
export function enforcedAt(
  preview: boolean,
  phase: "resource" | "stack",
  analyzed: string | undefined,
  message: string,
): string {
  const update = phase === "resource" && analyzed !== undefined ? before(analyzed) : AFTER_APPLY;
  if (!preview) return update;
  return CANT_RUN_RE.test(message) ? update : AT_PREVIEW;
}

/** The simulated run of one stack (`update` in `--json`). */
export interface UpdateRun {
  /** `up`: `pulumi up --skip-preview`; `preview`: `pulumi preview`. */
  readonly kind: "up" | "preview";
  /** up only: the resource whose mandatory resource-policy result stops the update. */
  readonly stoppedAt?: { readonly urn: string; readonly policies: readonly string[] };
  /** URNs whose steps ran (up: before the stop; every resource when nothing stops it). */
  readonly reached: readonly string[];
  /** up only: the stopping resource and everything registered after it: never created or changed. */
  readonly notReached: readonly string[];
  /** Whether the engine runs the stack policies (AnalyzeStack) in this run. */
  readonly stackPoliciesRun: boolean;
}

/**
 * `order`: URNs in registration order. `mandatoryAt`: per analyzed URN, the policies whose mandatory
 * Analyze result it got.
 */
export function simulateRun(
  preview: boolean,
  order: readonly string[],
  mandatoryAt: ReadonlyMap<string, readonly string[]>,
): UpdateRun {
  if (preview) return { kind: "preview", reached: [...order], notReached: [], stackPoliciesRun: true };
  const stop = order.findIndex((urn) => (mandatoryAt.get(urn) ?? []).length > 0);
  if (stop < 0) return { kind: "up", reached: [...order], notReached: [], stackPoliciesRun: true };
  return {
    kind: "up",
    stoppedAt: { urn: order[stop]!, policies: [...new Set(mandatoryAt.get(order[stop]!)!)] },
    reached: order.slice(0, stop),
    notReached: order.slice(stop),
    stackPoliciesRun: false,
  };
}
