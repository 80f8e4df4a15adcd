/**
 * Which crossing link (alert, metrics) a resource belongs to, judged from what its own Analyze
 * request carries: the engine sends one resource's URN, type, inputs, options (parent) and provider,
 * never its dependencies or other resources (pulumi/pulumi proto/pulumi/analyzer.proto
 * AnalyzeRequest, pkg/resource/deploy/step_generator.go analyzeAll). So a resource rule knows a link's
 * resources by their flow tag and by the link component they were created under.
 */
import { FLOW_TAG, LINK_COMPONENT_TYPES, PEERING_COMPONENT_TYPE } from "../shared/flows";
import { isUnknownValueError } from "./framework";
import { asObject, type Props } from "./props";

const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";

/** The `$`-separated types of a URN (`urn:pulumi:<stack>::<project>::<qualified type>::<name>`). */
const typeChain = (urn: string): string[] => (urn.split("::")[2] ?? "").split("$").filter((t) => t !== "");

/**
 * Types of a resource's ancestors, outermost first. The engine puts every ancestor's type into a URN
 * (pkg/resource/deploy/deployment.go generateURN: the parent's full qualified type); Pulumi's mock
 * runtime only the parent's own type. The parent's URN, also in the request, gives one level more
 * there: the longer chain wins.
 */
function ancestorTypes(urn: string, parent: string | undefined): string[] {
  const own = typeChain(urn).slice(0, -1);
  const viaParent = parent ? typeChain(parent) : [];
  return (viaParent.length > own.length ? viaParent : own).filter((t) => t !== ROOT_STACK_TYPE);
}

/** What a resource rule reads about a resource's place: a ResourceValidationArgs satisfies it. */
export interface Placed {
  readonly urn: string;
  readonly props: Props;
  readonly opts: { readonly parent?: string };
}

/** Links whose components are among `ancestors`. */
const flowsOfPlace = (ancestors: readonly string[]): string[] =>
  Object.entries(LINK_COMPONENT_TYPES)
    .filter(([, types]) => ancestors.some((a) => types.includes(a)))
    .map(([flow]) => flow);

/**
 * The links a resource takes part in: the one its flow tag names and the ones whose component it was
 * created under. Either makes the link's scope rule judge it, so dropping the tag inside a link's
 * component does not take a resource out of that rule.
 */
export function linksOf(r: Placed): Set<string> {
  const tag = asObject(r.props.tags)[FLOW_TAG];
  const links = new Set(flowsOfPlace(ancestorTypes(r.urn, r.opts.parent)));
  if (typeof tag === "string") links.add(tag);
  return links;
}

/** True when the resource's parent is the peering component (which routes only through its own connection). */
export const madeByPeeringComponent = (r: Placed): boolean =>
  ancestorTypes(r.urn, r.opts.parent).at(-1) === PEERING_COMPONENT_TYPE;

/**
 * The crossing link a peering resource or route was made for: its parent is the peering component
 * and that component's parent is the link's component (a spoke's, a shared-Grafana source's). Not the
 * tag: a tag can be put on any peering, this place only by the link's own code.
 */
export function peeringLinkOf(r: Placed): string | undefined {
  const ancestors = ancestorTypes(r.urn, r.opts.parent);
  if (ancestors.at(-1) !== PEERING_COMPONENT_TYPE) return undefined;
  const owner = ancestors.at(-2);
  return Object.entries(LINK_COMPONENT_TYPES).find(([, types]) => owner !== undefined && types.includes(owner))?.[0];
}

/** True when the input is set: a value unknown at preview will be one; an absent or null one is not. */
export function isSet(props: Props, key: string): boolean {
  if (!Object.hasOwn(props, key)) return false;
  try {
    return props[key] !== undefined && props[key] !== null;
  } catch (e) {
    if (isUnknownValueError(e)) return true;
    throw e;
  }
}
