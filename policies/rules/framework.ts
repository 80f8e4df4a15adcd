/**
 * How every rule of the pack is built: a plain policy object (no registration side effect) whose
 * validate function applies URN exemptions from policy config and treats unknown values as
 * CrossGuard does.
 *
 * Unknown values: in `pulumi preview` a value a provider computes reads as unknown and the proxy
 * throws UnknownValueError; @pulumi/policy's analyzer reports that as advisory ("can't run policy
 * ... during preview", server.js) and the engine runs the policy again at `pulumi up`, where every
 * input is known before the resource is created. So a rule enforces at `up` and never blocks a
 * preview on a value nobody can know yet. Stack rules check every resource they can first: an
 * unknown in one resource does not hide a real violation in another.
 */
import type {
  PolicyConfigSchema,
  PolicyResource,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  Severity,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import { asString, jurisdictionLookup, regionsInName, type JurisdictionOf } from "./props";

export const AWS_PROVIDER_TYPE = "pulumi:providers:aws";
const KUBERNETES_PROVIDER_TYPE = "pulumi:providers:kubernetes";
/** The program registers exactly one explicit AWS provider under this name (stack.ts). */
export const HOME_PROVIDER_NAME = "aws";

export interface Exemption {
  /** URN glob: `*` any run of characters, `?` one character. */
  readonly urn: string;
  /** Why the resource may break the rule; required, shown in reviews. An exemption without one is ignored. */
  readonly reason: string;
}

/** Policy config every rule accepts (besides `enforcementLevel`, which the engine handles). */
export interface RuleConfig {
  readonly exemptions?: readonly Exemption[];
  /** Overrides the home region derived from the stack's AWS provider. */
  readonly homeRegion?: string;
  /** Region -> jurisdiction overrides of shared/regions.ts, e.g. `{ "eu-west-2": "EU" }`. */
  readonly jurisdictions?: Readonly<Record<string, string>>;
}

const exemptionsSchema: PolicyConfigJSONSchema = {
  type: "array",
  description: "Resources exempt from this policy, each with the reason (reviewed like code).",
  items: {
    type: "object",
    properties: {
      urn: {
        type: "string",
        minLength: 1,
        description: "URN glob (* and ?), e.g. urn:pulumi:*::*::aws:s3/bucket:Bucket::audit-*",
      },
      reason: { type: "string", minLength: 10, description: "Why this resource may break the policy." },
    },
    required: ["urn", "reason"],
    additionalProperties: false,
  },
};

const SECURITY_SCHEMA: PolicyConfigSchema = { properties: { exemptions: exemptionsSchema } };
const RESIDENCY_SCHEMA: PolicyConfigSchema = {
  properties: {
    exemptions: exemptionsSchema,
    homeRegion: {
      type: "string",
      pattern: "^[a-z]{2}(-[a-z]+)+-\\d+$",
      description: "Home region; default: region of the stack's AWS provider.",
    },
    jurisdictions: {
      type: "object",
      description: "Region -> jurisdiction overrides of the built-in table (shared/regions.ts).",
      additionalProperties: { type: "string", minLength: 2 },
    },
  },
};

type RuleKind = "residency" | "security";

/** What a rule's check receives besides the policy args. */
export interface RuleContext {
  readonly config: RuleConfig;
  readonly jurisdictionOf: JurisdictionOf;
  /** Reports a violation; `urn` defaults to the resource under validation (resource rules). */
  readonly report: (message: string, urn?: string) => void;
  /** Runs `fn` for one resource of a stack rule, skipping exempt ones; an unknown value defers only this resource. */
  readonly each: (r: PolicyResource, fn: () => void) => void;
}

interface RuleSpec {
  readonly name: string;
  readonly description: string;
  readonly kind: RuleKind;
  readonly severity: Severity;
  /** What to do about a violation (shown by `pulumi preview`). */
  readonly remediation: string;
}

export interface ResourceRuleSpec extends RuleSpec {
  /** Resource types the rule applies to. */
  readonly appliesTo: (type: string) => boolean;
  readonly check: (args: ResourceValidationArgs, ctx: RuleContext) => void;
}

export interface StackRuleSpec extends RuleSpec {
  readonly check: (args: StackValidationArgs, ctx: RuleContext) => void;
}

// @pulumi/policy (and the Pulumi SDK it loads) only when a check fails: the rules are plain data for
// whoever lists them (the offline plan reads names, levels and schemas), and the pack's own process has
// the module loaded already. Loading it eagerly was about a fifth of an offline plan's start-up.
let unknownValueError: typeof import("@pulumi/policy").UnknownValueError | undefined;
export const isUnknownValueError = (e: unknown): e is Error => {
  if (!(e instanceof Error)) return false;
  unknownValueError ??= (require("@pulumi/policy") as typeof import("@pulumi/policy")).UnknownValueError;
  // Duck-typed too: a second copy of @pulumi/policy (the pack's own node_modules) has its own class.
  return e instanceof unknownValueError || "unknownTypeSentinel" in e;
};

/**
 * Runs each check; one that reads an unknown value is set aside and the others still run. When any
 * was set aside, the first UnknownValueError is rethrown at the end, so the analyzer reports the
 * policy as "can't run during preview" (advisory) next to whatever real violations were found.
 */
class DeferredUnknowns {
  private first: Error | undefined;
  private count = 0;

  run(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      if (!isUnknownValueError(e)) throw e;
      this.first ??= e;
      this.count++;
    }
  }

  /** Rethrows the first unknown, naming how many checks could not run. */
  settle(): void {
    if (!this.first) return;
    if (this.count > 1)
      this.first.message =
        `${this.first.message} (and ${this.count - 1} ` + `more value${this.count > 2 ? "s" : ""} unknown until up)`;
    throw this.first;
  }
}

function globToRegExp(glob: string): RegExp {
  const body = glob
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${body}$`);
}

/** The exemption covering `urn`, if any; exemptions without a reason never apply. */
export function exemptionFor(config: RuleConfig, urn: string | undefined): Exemption | undefined {
  if (urn === undefined) return undefined;
  return (config.exemptions ?? []).find(
    (e) => typeof e.reason === "string" && e.reason.trim().length > 0 && globToRegExp(e.urn).test(urn),
  );
}

function context(
  config: RuleConfig,
  deferred: DeferredUnknowns,
  report: (message: string, urn?: string) => void,
): RuleContext {
  const filtered = (message: string, urn?: string) => {
    if (!exemptionFor(config, urn)) report(message, urn);
  };
  return {
    config,
    jurisdictionOf: jurisdictionLookup(config.jurisdictions),
    report: filtered,
    each: (r, fn) => {
      if (exemptionFor(config, r.urn)) return;
      deferred.run(fn);
    },
  };
}

const base = (spec: RuleSpec) => ({
  name: spec.name,
  description: spec.description,
  enforcementLevel: "mandatory" as const,
  severity: spec.severity,
  remediationSteps: spec.remediation,
  tags: [spec.kind],
  configSchema: spec.kind === "residency" ? RESIDENCY_SCHEMA : SECURITY_SCHEMA,
});

export function resourceRule(spec: ResourceRuleSpec): ResourceValidationPolicy {
  return {
    ...base(spec),
    validateResource: (args, reportViolation) => {
      if (!spec.appliesTo(args.type)) return;
      const config = args.getConfig<RuleConfig>();
      if (exemptionFor(config, args.urn)) return;
      const deferred = new DeferredUnknowns();
      const ctx = context(config, deferred, (m, urn) => reportViolation(m, urn ?? args.urn));
      deferred.run(() => spec.check(args, ctx));
      deferred.settle();
    },
  };
}

export function stackRule(spec: StackRuleSpec): StackValidationPolicy {
  return {
    ...base(spec),
    validateStack: (args, reportViolation) => {
      const config = args.getConfig<RuleConfig>();
      const deferred = new DeferredUnknowns();
      const ctx = context(config, deferred, (m, urn) => reportViolation(m, urn));
      deferred.run(() => spec.check(args, ctx));
      deferred.settle();
    },
  };
}

/** Region of an AWS provider resource, if it is one and its region is set. */
function providerRegion(p: { type: string; props: Record<string, unknown> } | undefined): string | undefined {
  return p?.type === AWS_PROVIDER_TYPE ? asString(p.props.region) : undefined;
}

/** Home region for a resource rule: policy config, else the resource's AWS provider region. */
export function resourceHomeRegion(args: ResourceValidationArgs, config: RuleConfig): string | undefined {
  return config.homeRegion ?? providerRegion(args.provider);
}

/** Effective region of an AWS resource: its own `region` input, else its provider's (aws v7). */
export function effectiveRegion(r: {
  props: Record<string, unknown>;
  provider?: { type: string; props: Record<string, unknown> };
}): string | undefined {
  return asString(r.props.region) ?? providerRegion(r.provider);
}

/**
 * Home region of a stack: policy config, else the provider named "aws", else the one region all
 * AWS providers share. A string result is the region; `{ problem }` says why none could be chosen.
 */
function stackHomeRegion(resources: readonly PolicyResource[], config: RuleConfig): string | { problem: string } {
  if (config.homeRegion) return config.homeRegion;
  const providers = resources.filter((r) => r.type === AWS_PROVIDER_TYPE);
  const named = providers.find((p) => p.name === HOME_PROVIDER_NAME);
  if (named) return asString(named.props.region) ?? { problem: `AWS provider "${HOME_PROVIDER_NAME}" has no region` };
  const regions = [...new Set(providers.map((p) => asString(p.props.region)))];
  if (regions.length === 1 && regions[0]) return regions[0];
  return {
    problem:
      providers.length === 0
        ? "the stack has no AWS provider"
        : `AWS providers disagree on the region (${regions.join(", ")})`,
  };
}

/** Stack home region, or reports why there is none and returns undefined. */
export function requireStackHome(args: StackValidationArgs, ctx: RuleContext): string | undefined {
  const home = stackHomeRegion(args.resources, ctx.config);
  if (typeof home === "string") return home;
  ctx.report(
    `cannot determine the stack's home region: ${home.problem}. Give the program one ` +
      `AWS provider named "${HOME_PROVIDER_NAME}" or set homeRegion in policy config`,
  );
  return undefined;
}

/**
 * The stack a URN belongs to: `urn:pulumi:<stack>::<project>::...` (the engine puts the stack name, without org,
 * there).
 */
export const stackOfUrn = (urn: string): string | undefined => /^urn:pulumi:([^:]+)::/.exec(urn)?.[1];

/**
 * The one region a stack's name names (`eu-west-1`, `prod-eu-west-1`), from a URN of the stack; undefined
 * when the name names none or several. The stack name is fixed at `pulumi stack init`: neither a stack
 * file nor the program can change it, so it anchors a resource rule's home region (a resource's Analyze
 * carries its URN, pulumi/pulumi proto/pulumi/analyzer.proto AnalyzeRequest).
 */
export function stackNameRegion(urn: string): string | undefined {
  const stack = stackOfUrn(urn);
  const named = stack === undefined ? [] : regionsInName(stack);
  return named.length === 1 ? named[0] : undefined;
}

/**
 * Region of the EKS cluster a Kubernetes provider's kubeconfig talks to: the `--region` of its
 * `aws eks get-token` exec and the region of an `*.eks.amazonaws.com` endpoint (lib/cluster/kubeconfig.ts);
 * undefined unless exactly one region is named. The engine sends the provider's inputs with the
 * resource, secrets in the clear to the pack (@pulumi/policy server.js getProviderResource); at preview
 * the endpoint may be unknown, which defers the rule to `up`.
 */
export function kubeconfigRegion(kubeconfig: unknown): string | undefined {
  const text = typeof kubeconfig === "string" ? kubeconfig : kubeconfig === undefined ? "" : JSON.stringify(kubeconfig);
  const regions = new Set<string>();
  for (const m of text.matchAll(/--region["'\s,:\-\n]*([a-z]{2}(?:-[a-z]+)+-\d+)/g)) regions.add(m[1]!);
  for (const m of text.matchAll(/\.([a-z]{2}(?:-[a-z]+)+-\d+)\.eks\.amazonaws\.com/g)) regions.add(m[1]!);
  return regions.size === 1 ? [...regions][0] : undefined;
}

/**
 * Home region for a resource rule that must not take it from what it judges: policy config
 * `homeRegion`, else the region the stack's name names, else the region of the resource's provider
 * (an AWS provider's `region`, a Kubernetes provider's cluster). A provider resource has no provider
 * of its own, so for it only the first two anchors count.
 */
export function anchoredHomeRegion(
  args: Pick<ResourceValidationArgs, "urn" | "provider">,
  config: RuleConfig,
): string | undefined {
  if (config.homeRegion) return config.homeRegion;
  const named = stackNameRegion(args.urn);
  if (named) return named;
  const p = args.provider;
  if (p?.type === AWS_PROVIDER_TYPE) return asString(p.props.region);
  if (p?.type === KUBERNETES_PROVIDER_TYPE) return kubeconfigRegion(p.props.kubeconfig);
  return undefined;
}

/** Why no home region could be anchored for a resource rule (the fix included). */
export const noAnchorMessage = (what: string): string =>
  `cannot determine the home region for ${what} before it is created: the stack's ` +
  `name names no region, policy config sets no homeRegion and its provider names ` +
  `none. Name the stack for its region or set homeRegion in the stack's policy config`;
