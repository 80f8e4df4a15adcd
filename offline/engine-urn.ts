/**
 * URNs as the engine makes them. pulumi/pulumi sdk/go/common/resource/urn.go NewURN qualifies a
 * resource's type with its parent's whole qualified type (every ancestor's type, `$`-separated; the
 * root stack's own type is left out), while the SDK's mock runtime (@pulumi/pulumi runtime/mocks.js
 * newUrn) keeps only the parent's last type. Exemption globs, `allowReplace` URNs and policy findings
 * copied from the plan must match a real run, so the plan uses the engine's form; a base written by an
 * earlier plan in the mock's form is read in the engine's form.
 */
import { makeUrn, parseUrn } from "./diff/aliases";

/** The engine's URN of a resource of `type` named `name` under `parentUrn` (none: a top-level resource). */
export function engineUrn(
  stack: string,
  project: string,
  parentUrn: string | undefined,
  type: string,
  name: string,
): string {
  return makeUrn(stack, project, parentUrn ? parseUrn(parentUrn)?.qualifiedType : undefined, type, name);
}

interface UrnHolder {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly parent?: string | null;
  readonly provider?: string | null;
  readonly dependencies?: readonly string[];
}

/**
 * Resources of an earlier plan with every URN (own, parent, provider, dependencies) in the engine's
 * form, recomputed from the parent chain; resources already in that form come back unchanged.
 */
export function withEngineUrns<T extends UrnHolder>(resources: readonly T[]): T[] {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const fixed = new Map<string, string>();
  const resolve = (r: T, depth = 0): string => {
    const known = fixed.get(r.urn);
    if (known !== undefined) return known;
    const own = parseUrn(r.urn);
    const parent = r.parent ? byUrn.get(r.parent) : undefined;
    // A parent outside the list, or a chain too deep to be real: keep the URN as written.
    if (!own || !parent || depth > 64) {
      fixed.set(r.urn, r.urn);
      return r.urn;
    }
    const urn = engineUrn(own.stack, own.project, resolve(parent, depth + 1), r.type, own.name);
    fixed.set(r.urn, urn);
    return urn;
  };
  for (const r of resources) resolve(r);
  const map = (u: string): string => fixed.get(u) ?? u;
  return resources.map((r) => {
    const urn = map(r.urn);
    const parent = r.parent ? map(r.parent) : r.parent;
    const provider = r.provider ? map(r.provider) : r.provider;
    const dependencies = r.dependencies?.map(map);
    const same =
      urn === r.urn &&
      parent === r.parent &&
      provider === r.provider &&
      (dependencies ?? []).every((d, i) => d === r.dependencies![i]);
    if (same) return r;
    return {
      ...r,
      urn,
      ...(parent ? { parent } : {}),
      ...(provider ? { provider } : {}),
      ...(dependencies ? { dependencies } : {}),
    };
  });
}
