/**
 * Rule tests through the pack's own analyzer server (offline/analyzer.ts): a resource spec becomes
 * an Analyze or AnalyzeStack request as the engine sends it, including preview's unknown values
 * (paths listed in `unknown` hold the engine's unknown sentinel), and the outcome is what
 * @pulumi/policy reports for that policy, levels included.
 */
import type { Policy } from "@pulumi/policy";
import type { AnalyzerResource, AnalyzerStackResource, Diagnostic } from "../../offline/analyzer";
import { parsePolicyPackConfig, reconcilePolicyConfig } from "../../offline/policy-config";
import { UNKNOWN_SENTINEL } from "../../offline/run-program";
import { sharedAnalyzer } from "./analyzer";

export interface ProviderSpec {
  readonly type: string;
  readonly name: string;
  readonly urn: string;
  readonly props: Record<string, unknown>;
}

export interface ResourceSpec {
  readonly type: string;
  readonly name?: string;
  readonly urn?: string;
  readonly props?: Record<string, unknown>;
  /** Dot paths (`vpcConfig.publicAccessCidrs.0`) whose value is unknown, as at preview. */
  readonly unknown?: readonly string[];
  /** Provider; default: an AWS provider in eu-west-1 for `aws:` types; null: none. */
  readonly provider?: ProviderSpec | null;
  readonly parent?: string;
  readonly dependencies?: readonly string[];
  readonly propertyDependencies?: Readonly<Record<string, readonly string[]>>;
}

export const urnOf = (type: string, name: string, stack = "eu-west-1"): string =>
  `urn:pulumi:${stack}::infrasage::${type}::${name}`;

export function awsProvider(region: string | undefined = "eu-west-1", name = "aws"): ProviderSpec {
  return {
    type: "pulumi:providers:aws",
    name,
    urn: urnOf("pulumi:providers:aws", name),
    props: region === undefined ? {} : { region },
  };
}

/** Sets the unknown sentinel at each dot path (creating objects on the way). */
function withUnknowns(props: Record<string, unknown>, paths: readonly string[]): Record<string, unknown> {
  const copy = structuredClone(props);
  for (const path of paths) {
    const keys = path.split(".");
    let cur: Record<string, unknown> = copy;
    for (const k of keys.slice(0, -1)) {
      if (typeof cur[k] !== "object" || cur[k] === null) cur[k] = {};
      cur = cur[k] as Record<string, unknown>;
    }
    cur[keys[keys.length - 1]!] = UNKNOWN_SENTINEL;
  }
  return copy;
}

const providerOf = (spec: ResourceSpec): ProviderSpec | undefined =>
  spec.provider === null ? undefined : (spec.provider ?? (spec.type.startsWith("aws:") ? awsProvider() : undefined));

function request(spec: ResourceSpec): AnalyzerResource {
  const name = spec.name ?? "r";
  const provider = providerOf(spec);
  return {
    urn: spec.urn ?? urnOf(spec.type, name),
    type: spec.type,
    name,
    properties: withUnknowns(spec.props ?? {}, spec.unknown ?? []),
    options: {
      protect: false,
      ignoreChanges: [],
      aliases: [],
      additionalSecretOutputs: [],
      ...(spec.parent ? { parent: spec.parent } : {}),
    },
    ...(provider
      ? { provider: { urn: provider.urn, type: provider.type, name: provider.name, properties: provider.props } }
      : {}),
  };
}

export interface Outcome {
  /** Violations of the policy under test (the analyzer prefixes each with the policy's description). */
  readonly messages: string[];
  readonly urns: (string | undefined)[];
  readonly levels: string[];
  /** The policy read a value unknown at preview: the analyzer reported it as advisory "can't run". */
  readonly downgraded: boolean;
}

const CANT_RUN_RE = /^can't run policy /;

function outcome(policy: string, diags: readonly Diagnostic[]): Outcome {
  const mine = diags.filter((d) => d.policy === policy);
  const violations = mine.filter((d) => !(d.level === "advisory" && CANT_RUN_RE.test(d.message)));
  return {
    messages: violations.map((d) => d.message),
    urns: violations.map((d) => d.urn),
    levels: violations.map((d) => d.level),
    downgraded: violations.length !== mine.length,
  };
}

async function configured(policy: Policy, config: object) {
  const analyzer = await sharedAnalyzer();
  await analyzer.configure(
    reconcilePolicyConfig(analyzer.info.policies, parsePolicyPackConfig({ [policy.name]: config })),
  );
  return analyzer;
}

/** Analyze: the pack's answer for one resource, as at `pulumi preview` / `up`. `stackTags`: the stack's tags. */
export async function runResourcePolicy(
  policy: Policy,
  spec: ResourceSpec,
  config: object = {},
  stackTags?: Readonly<Record<string, string>>,
): Promise<Outcome> {
  const analyzer = await configured(policy, config);
  if (!stackTags) return outcome(policy.name, await analyzer.analyze(request(spec)));
  await analyzer.configureStack({
    stack: "test",
    project: "infrasage",
    organization: "organization",
    dryRun: false,
    tags: stackTags,
  });
  try {
    return outcome(policy.name, await analyzer.analyze(request(spec)));
  } finally {
    await analyzer.configureStack({ stack: "test", project: "infrasage", organization: "organization", dryRun: false });
  }
}

/**
 * AnalyzeStack; providers referenced by the specs are added as resources unless listed. `stackTags`: the stack's tags.
 */
export async function runStackPolicy(
  policy: Policy,
  specs: readonly ResourceSpec[],
  config: object = {},
  stackTags: Readonly<Record<string, string>> = {},
): Promise<Outcome> {
  const all = [...specs];
  for (const s of specs) {
    const p = providerOf(s);
    if (p && !all.some((x) => (x.urn ?? urnOf(x.type, x.name ?? "r")) === p.urn))
      all.push({ type: p.type, name: p.name, urn: p.urn, props: p.props, provider: null });
  }
  const resources: AnalyzerStackResource[] = all.map((spec) => ({
    ...request(spec),
    ...(spec.parent ? { parent: spec.parent } : {}),
    dependencies: spec.dependencies ?? [],
    propertyDependencies: spec.propertyDependencies ?? {},
  }));
  const analyzer = await configured(policy, config);
  await analyzer.configureStack({
    stack: "test",
    project: "infrasage",
    organization: "organization",
    dryRun: false,
    tags: stackTags,
  });
  try {
    return outcome(policy.name, await analyzer.analyzeStack(resources));
  } finally {
    await analyzer.configureStack({ stack: "test", project: "infrasage", organization: "organization", dryRun: false });
  }
}

/** No violation, and no value the policy needed was unknown. */
export function assertClean(o: Outcome): void {
  if (o.downgraded)
    throw new Error("the policy read an unknown value: the analyzer reported it as advisory (checked at up)");
  if (o.messages.length > 0) throw new Error(`expected no violation, got ${JSON.stringify(o.messages)}`);
}

/** A mandatory violation matching `re` was reported. */
export function assertViolation(o: Outcome, re: RegExp): void {
  const i = o.messages.findIndex((m) => re.test(m));
  if (i < 0)
    throw new Error(
      `expected a violation matching ${re}, ` +
        `got ${JSON.stringify(o.messages)}${o.downgraded ? " (and an unknown value deferred the policy)" : ""}`,
    );
  if (o.levels[i] !== "mandatory")
    throw new Error(`expected the violation matching ${re} to be mandatory, got ${o.levels[i]}`);
}

/**
 * The preview semantics (CrossGuard's): a value the policy needs is unknown, so it is reported as
 * advisory "can't run during preview" and checked again at `up`; nothing mandatory at preview.
 */
export function assertDeferredToUp(o: Outcome): void {
  if (!o.downgraded)
    throw new Error(
      `expected the policy to be deferred to up (advisory "can't run"), got ${JSON.stringify(o.messages)}`,
    );
  if (o.levels.includes("mandatory"))
    throw new Error(`expected no mandatory violation at preview, got ${JSON.stringify(o.messages)}`);
}

/** The home AWS provider as a stack resource (stack rules derive the home region from it). */
export const homeProvider = (region = "eu-west-1"): ResourceSpec => {
  const p = awsProvider(region);
  return { type: p.type, name: p.name, urn: p.urn, props: p.props, provider: null };
};
