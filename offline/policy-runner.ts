/**
 * Evaluates the policy pack's own policy objects (policies/rules/all.ts) on an offline plan record,
 * the way the CrossGuard analyzer would in `pulumi preview`: resource policies once per resource with
 * its inputs and provider, stack policies once with every resource linked to its parent,
 * dependencies and provider. Plus the cross-stack rules, which CrossGuard cannot run.
 */
import {
  unknownCheckingProxy,
  type EnforcementLevel as PackLevel, type Policy, type PolicyPackConfig, type PolicyProviderResource, type PolicyResource,
  type PolicyResourceOptions, type ResourceValidationArgs, type ResourceValidationPolicy, type StackValidationArgs,
  type StackValidationPolicy,
} from "@pulumi/policy";
import type { StackConfig } from "../lib/config/types";
import { ALL_POLICIES } from "../policies/rules/all";
import { isUnknownValueError } from "../policies/rules/framework";
import { crossStackFindings, crossStackFlows, type Flow, type StackFacts } from "../policies/rules/cross-stack";
import type { ProgramRecord, RecordedResource } from "./run-program";
import { checkReplicationGroups, REPLICATION_POLICY } from "../lib/replication-checks";

export type EnforcementLevel = "mandatory" | "advisory";

export interface Violation {
  readonly policy: string;
  readonly level: EnforcementLevel;
  readonly message: string;
  readonly urn?: string;
}

export interface CrossStackReport {
  readonly violations: Violation[];
  /** Every data flow between the planned stacks (from their configuration). */
  readonly flows: Flow[];
  /** One quorum-analysis line per active-active group. */
  readonly replication: string[];
}

type AnyPolicy = ResourceValidationPolicy | StackValidationPolicy;
type ResourceClass = { __pulumiType?: unknown; isInstance?: (o: unknown) => boolean };

class NotApplicableError extends Error {}
const notApplicable = (reason?: string): never => {
  throw new NotApplicableError(reason ?? "not applicable");
};

/** As @pulumi/policy's server: the class's `__pulumiType`, else its `isInstance`. */
function isTypeOf(type: string, resourceClass: unknown): boolean {
  const cls = resourceClass as ResourceClass;
  if (typeof cls.__pulumiType === "string" && cls.__pulumiType.length > 0) return cls.__pulumiType === type;
  return typeof cls.isInstance === "function" && cls.isInstance({ __pulumiType: type }) === true;
}

/** Enforcement level after policy config: `"name": level`, `{ enforcementLevel }`, then `"all"`. */
function levelOf(p: Policy, config: PolicyPackConfig): PackLevel {
  const levelIn = (c: PolicyPackConfig[string] | undefined) => (typeof c === "string" ? c : c?.enforcementLevel);
  return levelIn(config[p.name]) ?? levelIn(config.all) ?? p.enforcementLevel ?? "advisory";
}

function configOf(p: Policy, config: PolicyPackConfig): Record<string, unknown> {
  const c = config[p.name];
  if (c === undefined || typeof c === "string") return {};
  const { enforcementLevel: _level, ...rest } = c;
  return rest;
}

/** The engine always passes a provider; default providers are not registered offline, so make one. */
function providerOf(r: RecordedResource, byUrn: ReadonlyMap<string, RecordedResource>, config: StackConfig): PolicyProviderResource | undefined {
  const p = r.provider ? byUrn.get(r.provider) : undefined;
  if (p) return { type: p.type, props: unknownCheckingProxy(p.rawInputs), urn: p.urn, name: p.name };
  if (!r.type.startsWith("aws:")) return undefined;
  const urn = `${r.urn.split("::").slice(0, 2).join("::")}::pulumi:providers:aws::default`;
  return { type: "pulumi:providers:aws", props: { region: config.region }, urn, name: "default" };
}

function optsOf(r: RecordedResource): PolicyResourceOptions {
  return {
    protect: r.protect, ignoreChanges: r.ignoreChanges, deleteBeforeReplace: r.deleteBeforeReplace, aliases: r.aliases,
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 }, additionalSecretOutputs: [],
    ...(r.parent ? { parent: r.parent } : {}),
  };
}

function resourceArgs(r: RecordedResource, byUrn: ReadonlyMap<string, RecordedResource>, config: StackConfig, getConfig: () => object): ResourceValidationArgs {
  const props = unknownCheckingProxy(r.rawInputs);
  const provider = providerOf(r, byUrn, config);
  return {
    type: r.type, props, urn: r.urn, name: r.name, opts: optsOf(r), stackTags: new Map(),
    ...(provider ? { provider } : {}),
    isType: (cls) => isTypeOf(r.type, cls),
    asType: <T>(cls: unknown) => (isTypeOf(r.type, cls) ? props as T : undefined),
    getConfig: <T extends object>() => getConfig() as T,
    notApplicable,
  };
}

function stackArgs(record: ProgramRecord, config: StackConfig, getConfig: () => object): StackValidationArgs {
  const byUrn = new Map(record.resources.map((r) => [r.urn, r]));
  const linked = new Map<string, PolicyResource>();
  for (const r of record.resources) {
    const props = unknownCheckingProxy(r.rawInputs);
    const provider = providerOf(r, byUrn, config);
    linked.set(r.urn, {
      type: r.type, props, urn: r.urn, name: r.name, opts: optsOf(r), dependencies: [],
      // Not recorded offline (the mock monitor sees them; run-program does not keep them yet).
      propertyDependencies: {},
      ...(provider ? { provider } : {}),
      isType: (cls) => isTypeOf(r.type, cls),
      asType: <T>(cls: unknown) => (isTypeOf(r.type, cls) ? props as T : undefined),
    });
  }
  for (const r of record.resources) {
    const res = linked.get(r.urn)!;
    const parent = r.parent ? linked.get(r.parent) : undefined;
    if (parent) res.parent = parent;
    res.dependencies = r.dependencies.map((d) => linked.get(d)).filter((d): d is PolicyResource => d !== undefined);
  }
  return { resources: [...linked.values()], stackTags: new Map(), getConfig: <T extends object>() => getConfig() as T, notApplicable };
}

/** Runs one validation like the analyzer: not-applicable is silent, unknowns are advisory. */
function run(p: Policy, out: Violation[], fn: () => unknown): void {
  try {
    const result = fn();
    if (result instanceof Promise) throw new Error("asynchronous rules are not supported by the offline runner");
  } catch (e) {
    if (e instanceof NotApplicableError) return;
    if (isUnknownValueError(e)) {
      out.push({ policy: p.name, level: "advisory", message: `can't run policy during preview: ${e.message}` });
      return;
    }
    throw new Error(`policy ${p.name} failed: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/**
 * Evaluates `policies` (default: the whole pack) on one stack's record.
 * `policyConfig` is what `--policy-pack-config` would pass (levels, exemptions, overrides).
 */
export function evaluateStack(config: StackConfig, record: ProgramRecord, policyConfig: PolicyPackConfig = {}, policies: readonly AnyPolicy[] = ALL_POLICIES): Violation[] {
  const out: Violation[] = [];
  const byUrn = new Map(record.resources.map((r) => [r.urn, r]));
  for (const p of policies) {
    const packLevel = levelOf(p, policyConfig);
    if (packLevel === "disabled") continue;
    const level: EnforcementLevel = packLevel === "advisory" ? "advisory" : "mandatory";
    const getConfig = () => configOf(p, policyConfig);
    if ("validateStack" in p) {
      const args = stackArgs(record, config, getConfig);
      run(p, out, () => p.validateStack(args, (message, urn) => out.push({ policy: p.name, level, message, ...(urn ? { urn } : {}) })));
      continue;
    }
    const validations = p.validateResource === undefined ? [] : Array.isArray(p.validateResource) ? p.validateResource : [p.validateResource];
    for (const r of record.resources) {
      for (const validate of validations) {
        const args = resourceArgs(r, byUrn, config, getConfig);
        run(p, out, () => validate(args, (message, urn) => out.push({ policy: p.name, level, message, urn: urn ?? r.urn })));
      }
    }
  }
  return out;
}

export function stackFacts(config: StackConfig): StackFacts {
  return {
    stack: config.stack, region: config.region, jurisdiction: config.jurisdiction, cidr: config.network.cidr,
    ...(config.federation?.hubStack ? { hubStack: config.federation.hubStack } : {}),
    peers: config.replication?.peers ?? [],
    witness: config.replication?.witness === true,
    ...(config.grafana.sources ? { grafanaSources: config.grafana.sources } : {}),
    ...(config.grafana.hostStack ? { grafanaHostStack: config.grafana.hostStack } : {}),
  };
}

/** Replication checks the generic cross-stack rules already make (reported once, under their names). */
const COVERED_BY_CROSS_STACK: ReadonlySet<string> = new Set([REPLICATION_POLICY.peerOutsidePlan, REPLICATION_POLICY.jurisdiction, REPLICATION_POLICY.cidrOverlap]);

export function evaluateCrossStack(stacks: readonly { config: StackConfig; record: ProgramRecord }[], options: { project?: string } = {}): CrossStackReport {
  const facts = stacks.map((s) => stackFacts(s.config));
  const flows = crossStackFlows(facts);
  const replication = checkReplicationGroups(stacks, options);
  return {
    flows,
    replication: replication.lines,
    violations: [
      ...crossStackFindings(facts, flows).map((f) => ({ policy: f.policy, level: f.level, message: f.message })),
      ...replication.violations.filter((v) => !COVERED_BY_CROSS_STACK.has(v.policy)),
    ],
  };
}
