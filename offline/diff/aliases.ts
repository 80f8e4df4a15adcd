/**
 * Alias URNs of a resource as the engine computes them (pulumi/pulumi
 * pkg/resource/deploy/step_generator.go generateAliases, collapseAliasToUrn): each alias spec is
 * collapsed to a URN with the resource's own name, type, stack, project and parent as defaults; then
 * every alias of the parent is multiplied out to the child (inheritedChildAlias: a child whose name
 * starts with its parent's name takes the parent alias's name as that prefix). That is how renaming
 * a component with one alias keeps all its children.
 */

const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";

export interface UrnParts {
  readonly stack: string;
  readonly project: string;
  /** Parent types and own type joined by `$` (the root stack excluded). */
  readonly qualifiedType: string;
  readonly type: string;
  readonly name: string;
}

export function parseUrn(urn: string): UrnParts | undefined {
  const m = /^urn:pulumi:([^:]*)::([^:]*)::(.*?)::(.*)$/s.exec(urn);
  if (!m) return undefined;
  const qualifiedType = m[3]!;
  return { stack: m[1]!, project: m[2]!, qualifiedType, type: qualifiedType.split("$").pop()!, name: m[4]! };
}

/** pulumi/pulumi sdk/go/common/resource/urn.go NewURN. */
export function makeUrn(
  stack: string,
  project: string,
  parentQualifiedType: string | undefined,
  type: string,
  name: string,
): string {
  const qualified =
    parentQualifiedType && parentQualifiedType !== ROOT_STACK_TYPE ? `${parentQualifiedType}$${type}` : type;
  return `urn:pulumi:${stack}::${project}::${qualified}::${name}`;
}

/** An alias as recorded from the RegisterResourceRequest: a URN, or a spec (proto Alias.toObject()). */
interface AliasSpec {
  readonly name?: string;
  readonly type?: string;
  readonly stack?: string;
  readonly project?: string;
  readonly parenturn?: string;
  readonly noparent?: boolean;
}

export interface AliasSubject {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly parent?: string | null;
  /** Recorded aliases: URNs, or JSON of `{ urn, spec }` (offline/run-program.ts). */
  readonly aliases?: readonly string[];
}

/** A resource's own aliases: URNs, and the specs that inherit their parent from the resource. */
function own(r: AliasSubject): { urns: string[]; parentRelative: AliasSpec[] } {
  const self = parseUrn(r.urn);
  const urns: string[] = [];
  const parentRelative: AliasSpec[] = [];
  if (!self) return { urns, parentRelative };
  for (const raw of r.aliases ?? []) {
    if (raw.startsWith("urn:")) {
      urns.push(raw);
      continue;
    }
    let parsed: { urn?: string; spec?: AliasSpec };
    try {
      parsed = JSON.parse(raw) as { urn?: string; spec?: AliasSpec };
    } catch {
      continue;
    }
    if (parsed.urn) {
      urns.push(parsed.urn);
      continue;
    }
    const s = parsed.spec ?? {};
    const parentUrn = s.noparent ? undefined : s.parenturn || r.parent || undefined;
    const parentType = parentUrn ? parseUrn(parentUrn)?.qualifiedType : undefined;
    urns.push(
      makeUrn(s.stack || self.stack, s.project || self.project, parentType, s.type || r.type, s.name || r.name),
    );
    if (!s.noparent && !s.parenturn) parentRelative.push(s);
  }
  return { urns, parentRelative };
}

/** Every alias URN of every resource (own and inherited from its parents), by URN. */
export function aliasUrns(resources: readonly AliasSubject[]): Map<string, string[]> {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const memo = new Map<string, string[]>();
  const of = (urn: string, seen: Set<string>): string[] => {
    const cached = memo.get(urn);
    if (cached) return cached;
    const r = byUrn.get(urn);
    if (!r || seen.has(urn)) return [];
    seen.add(urn);
    const mine = own(r);
    const result = new Set(mine.urns);
    const parent = r.parent ? byUrn.get(r.parent) : undefined;
    if (parent) {
      const self = parseUrn(r.urn)!;
      for (const parentAlias of of(parent.urn, seen)) {
        const p = parseUrn(parentAlias);
        if (!p) continue;
        const name = r.name.startsWith(parent.name) ? p.name + r.name.slice(parent.name.length) : r.name;
        result.add(makeUrn(p.stack || self.stack, p.project || self.project, p.qualifiedType, r.type, name));
        // The resource's own specs under each of its parent's aliases (renamed and moved together).
        for (const s of mine.parentRelative)
          result.add(
            makeUrn(
              s.stack || self.stack,
              s.project || self.project,
              p.qualifiedType,
              s.type || r.type,
              s.name || r.name,
            ),
          );
      }
    }
    result.delete(urn);
    const list = [...result];
    memo.set(urn, list);
    return list;
  };
  for (const r of resources) of(r.urn, new Set());
  return memo;
}
