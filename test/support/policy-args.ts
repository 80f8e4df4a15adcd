/**
 * Builds ResourceValidationArgs / StackValidationArgs in the @pulumi/policy 1.21 shape for rule unit
 * tests, including preview's unknown values: paths listed in `unknown` hold the SDK's unknown
 * sentinel and the props are wrapped in its unknown-checking proxy, exactly as the analyzer does,
 * so reading them throws UnknownValueError.
 */
import {
  unknownCheckingProxy,
  type PolicyProviderResource, type PolicyResource, type PolicyResourceOptions, type ResourceValidationArgs,
  type ResourceValidationPolicy, type StackValidationArgs, type StackValidationPolicy,
} from "@pulumi/policy";
import { isUnknownValueError } from "../../policies/rules/framework";

// The sentinels are @internal (no typings): the analyzer puts them where a value is unknown.
const sentinels = require("@pulumi/policy/proxy") as { unknownStringValue: object };

export interface ResourceSpec {
  readonly type: string;
  readonly name?: string;
  readonly urn?: string;
  readonly props?: Record<string, unknown>;
  /** Dot paths (`vpcConfig.publicAccessCidrs.0`) whose value is unknown, as at preview. */
  readonly unknown?: readonly string[];
  /** Provider; default: an AWS provider in eu-west-1 for `aws:` types; null: none. */
  readonly provider?: PolicyProviderResource | null;
  readonly parent?: string;
  readonly dependencies?: readonly string[];
  readonly propertyDependencies?: Readonly<Record<string, readonly string[]>>;
}

export const urnOf = (type: string, name: string, stack = "eu-west-1"): string => `urn:pulumi:${stack}::infrasage::${type}::${name}`;

export function awsProvider(region: string | undefined = "eu-west-1", name = "aws"): PolicyProviderResource {
  return { type: "pulumi:providers:aws", name, urn: urnOf("pulumi:providers:aws", name), props: region === undefined ? {} : { region } };
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
    cur[keys[keys.length - 1]!] = sentinels.unknownStringValue;
  }
  return copy;
}

const opts = (parent?: string): PolicyResourceOptions => ({
  protect: false, ignoreChanges: [], aliases: [], additionalSecretOutputs: [],
  customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 }, ...(parent ? { parent } : {}),
});

class NotApplicable extends Error {}
const notApplicable = (reason?: string): never => {
  throw new NotApplicable(reason);
};
const typeOf = (cls: unknown): unknown => (cls as { __pulumiType?: unknown }).__pulumiType;

function resolved(spec: ResourceSpec) {
  const name = spec.name ?? "r";
  const provider = spec.provider === null ? undefined : spec.provider ?? (spec.type.startsWith("aws:") ? awsProvider() : undefined);
  const props = unknownCheckingProxy(withUnknowns(spec.props ?? {}, spec.unknown ?? []));
  return { name, urn: spec.urn ?? urnOf(spec.type, name), provider, props };
}

export function resourceArgs(spec: ResourceSpec, config: object = {}): ResourceValidationArgs {
  const { name, urn, provider, props } = resolved(spec);
  return {
    type: spec.type, props, urn, name, opts: opts(spec.parent), stackTags: new Map(),
    ...(provider ? { provider } : {}),
    isType: (cls) => typeOf(cls) === spec.type,
    asType: <T>(cls: unknown) => (typeOf(cls) === spec.type ? props as T : undefined),
    getConfig: <T extends object>() => config as T,
    notApplicable,
  };
}

/** Stack args; providers referenced by the specs are added as resources unless listed. */
export function stackArgs(specs: readonly ResourceSpec[], config: object = {}): StackValidationArgs {
  const all = [...specs];
  for (const s of specs) {
    const p = s.provider === null ? undefined : s.provider ?? (s.type.startsWith("aws:") ? awsProvider() : undefined);
    if (p && !all.some((x) => (x.urn ?? urnOf(x.type, x.name ?? "r")) === p.urn)) {
      all.push({ type: p.type, name: p.name, urn: p.urn, props: p.props, provider: null });
    }
  }
  const byUrn = new Map<string, PolicyResource>();
  const pending = all.map((spec) => {
    const { name, urn, provider, props } = resolved(spec);
    const r: PolicyResource = {
      type: spec.type, props, urn, name, opts: opts(spec.parent), dependencies: [], propertyDependencies: {},
      ...(provider ? { provider } : {}),
      isType: (cls) => typeOf(cls) === spec.type,
      asType: <T>(cls: unknown) => (typeOf(cls) === spec.type ? props as T : undefined),
    };
    byUrn.set(urn, r);
    return { spec, r };
  });
  const link = (urns: readonly string[] = []) => urns.map((u) => byUrn.get(u)).filter((x): x is PolicyResource => x !== undefined);
  for (const { spec, r } of pending) {
    const parent = spec.parent ? byUrn.get(spec.parent) : undefined;
    if (parent) r.parent = parent;
    r.dependencies = link(spec.dependencies);
    for (const [k, v] of Object.entries(spec.propertyDependencies ?? {})) r.propertyDependencies[k] = link(v);
  }
  return { resources: pending.map((p) => p.r), stackTags: new Map(), getConfig: <T extends object>() => config as T, notApplicable };
}

export interface Outcome {
  readonly messages: string[];
  readonly urns: (string | undefined)[];
  /** An UnknownValueError escaped: the engine would downgrade the policy to advisory (a silent pass). */
  readonly downgraded: boolean;
}

function capture(fn: (report: (m: string, urn?: string) => void) => unknown): Outcome {
  const messages: string[] = [];
  const urns: (string | undefined)[] = [];
  let downgraded = false;
  try {
    fn((m, urn) => { messages.push(m); urns.push(urn); });
  } catch (e) {
    if (isUnknownValueError(e)) downgraded = true;
    else if (!(e instanceof NotApplicable)) throw e;
  }
  return { messages, urns, downgraded };
}

export function runResourcePolicy(policy: ResourceValidationPolicy, spec: ResourceSpec, config: object = {}): Outcome {
  const args = resourceArgs(spec, config);
  const validations = policy.validateResource === undefined ? [] : Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource];
  return capture((report) => validations.forEach((v) => v(args, report)));
}

export function runStackPolicy(policy: StackValidationPolicy, specs: readonly ResourceSpec[], config: object = {}): Outcome {
  return capture((report) => policy.validateStack(stackArgs(specs, config), report));
}

/** No violation, and no unknown value escaped. */
export function assertClean(o: Outcome): void {
  if (o.downgraded) throw new Error("UnknownValueError escaped: the engine would downgrade the policy to advisory");
  if (o.messages.length > 0) throw new Error(`expected no violation, got ${JSON.stringify(o.messages)}`);
}

/** A violation matching `re` was reported (an escaped unknown value does not count). */
export function assertViolation(o: Outcome, re: RegExp): void {
  if (o.downgraded) throw new Error("UnknownValueError escaped: the engine would downgrade the policy to advisory");
  if (!o.messages.some((m) => re.test(m))) throw new Error(`expected a violation matching ${re}, got ${JSON.stringify(o.messages)}`);
}

/** The home AWS provider as a stack resource (stack rules derive the home region from it). */
export const homeProvider = (region = "eu-west-1"): ResourceSpec => {
  const p = awsProvider(region);
  return { type: p.type, name: p.name, urn: p.urn, props: p.props, provider: null };
};
