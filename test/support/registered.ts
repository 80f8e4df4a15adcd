/**
 * Resources as a program registers them, for resource-rule tests: the Analyze request the engine sends
 * for one resource carries its URN, inputs, parent and provider, nothing else (pulumi/pulumi
 * proto/pulumi/analyzer.proto AnalyzeRequest).
 */
import type { PlanResult } from "../../offline/plan";
import { awsProvider, urnOf, type ResourceSpec } from "./policy-args";

/**
 * A resource of a plan as its Analyze request (inputs as at `up`, parent, explicit provider);
 * `change` edits the inputs as a changed program would register them.
 */
export function registered(
  plan: PlanResult,
  stack: string,
  name: string,
  change: Record<string, unknown> = {},
): ResourceSpec {
  const s = plan.stacks.find((x) => x.stack === stack);
  const r = s?.record.resources.find((x) => x.name === name);
  if (!s || !r) throw new Error(`${stack} registers no resource named ${name}`);
  const p = r.provider ? s.record.resources.find((x) => x.urn === r.provider) : undefined;
  const props = { ...structuredClone(r.wire.inputs), ...change };
  for (const [k, v] of Object.entries(change)) if (v === undefined) delete props[k];
  return {
    type: r.type,
    name: r.name,
    urn: r.urn,
    props,
    ...(r.parent ? { parent: r.parent } : {}),
    // Without an explicit provider the engine's default one, configured from aws:region.
    provider: p
      ? { type: p.type, name: p.name, urn: p.urn, props: p.wire.inputs }
      : r.type.startsWith("aws:")
        ? awsProvider(s.config.region, "default")
        : null,
  };
}

/**
 * URN and parent of a resource created under components of the `ancestors` types (outermost first),
 * as the engine makes them: every ancestor's type in the URN (pkg/resource/deploy/deployment.go
 * generateURN), the parent's URN in the request's options.
 */
export function under(
  ancestors: readonly string[],
  type: string,
  name: string,
  stack?: string,
): { urn: string; parent?: string } {
  if (ancestors.length === 0) return { urn: urnOf(type, name, stack) };
  return {
    urn: urnOf([...ancestors, type].join("$"), name, stack),
    parent: urnOf(ancestors.join("$"), `${name}-parent`, stack),
  };
}
