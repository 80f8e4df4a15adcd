/**
 * The checks both links that may cross a jurisdiction share (alert-link.ts, metrics-link.ts): a
 * link's security-group openings are its one port from private ranges (plus the NLB -> link tunnel
 * pods hop by security-group reference, same port), its listeners pass TCP through on that port, and
 * its peering routes are as narrow as the link's own rule says. What differs is a `LinkScope`.
 */
import type { PolicyResource, ResourceValidationArgs, StackValidationArgs } from "@pulumi/policy";
import { containsCidr } from "cidr-tools";
import { FLOW_TAG } from "../shared/flows";
import { PRIVATE_RANGES } from "../shared/network";
import {
  effectiveRegion,
  requireStackHome,
  resourceHomeRegion,
  resourceRule,
  stackRule,
  type RuleContext,
} from "./framework";
import { isSet, linksOf } from "./links";
import { asArray, asObject, asString, asStrings, type Props } from "./props";

const SG_TYPE = "aws:ec2/securityGroup:SecurityGroup";
const INGRESS_RULE_TYPE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const LEGACY_RULE_TYPE = "aws:ec2/securityGroupRule:SecurityGroupRule";
export const ROUTE_TYPE = "aws:ec2/route:Route";
const LISTENER_TYPE = "aws:lb/listener:Listener";
export const PEERING_TYPES = [
  "aws:ec2/vpcPeeringConnection:VpcPeeringConnection",
  "aws:ec2/vpcPeeringConnectionAccepter:VpcPeeringConnectionAccepter",
];
/** Types a link's scope rule judges. */
const LINK_SCOPED_TYPES: readonly string[] = [SG_TYPE, INGRESS_RULE_TYPE, LEGACY_RULE_TYPE, LISTENER_TYPE, ROUTE_TYPE];

/** What differs between the two links that may cross a jurisdiction (alert and metrics). */
export interface LinkScope {
  readonly flow: string;
  readonly port: number;
  /** `alert-link`: starts every message. */
  readonly label: string;
  /** How opening problems name the link: "the <noun> needs only <port>", "... carries only <carries>". */
  readonly noun: string;
  readonly carries: string;
  /** "<service> is TCP", "only <peers> may reach <service>". */
  readonly service: string;
  readonly peers: string;
  /** `inHome`: the route is in the stack's home region (else it is a return route in the peer's). */
  readonly routeProblem: (name: string, props: Props, inHome: boolean) => string | undefined;
}

export const isPrivate = (cidr: string): boolean => {
  try {
    return PRIVATE_RANGES.some((range) => containsCidr(range, cidr));
  } catch {
    return false;
  }
};

const related = (r: PolicyResource, key: string): PolicyResource[] => [
  ...(r.propertyDependencies[key] ?? []),
  ...r.dependencies,
];

/** One ingress opening of a security group. */
interface Opening {
  readonly fromPort: unknown;
  readonly toPort: unknown;
  readonly protocol: unknown;
  readonly cidrs: readonly string[];
  readonly bySecurityGroup: boolean;
  /** Admits a managed prefix list: ranges the rule cannot see. */
  readonly byPrefixList: boolean;
}

/** Problems of one ingress opening on a link's security group. */
function openingProblems(o: Opening, link: LinkScope): string[] {
  const ports = o.fromPort === link.port && o.toPort === link.port;
  const range = `${String(o.fromPort)}-${String(o.toPort)}`;
  if (o.bySecurityGroup && o.cidrs.length === 0 && !o.byPrefixList) {
    // The NLB -> link tunnel pods hop (TLS passed through): by security-group reference, same port only.
    return ports ? [] : [`opens ports ${range} to a security group; the ${link.noun} needs only ${link.port}`];
  }
  const problems: string[] = [];
  if (!ports) problems.push(`opens ports ${range}; the ${link.noun} carries only ${link.carries}`);
  if (o.protocol !== "tcp" && o.protocol !== "6")
    problems.push(`uses protocol ${String(o.protocol)}; ${link.service} is TCP`);
  const mayReach = `only ${link.peers} may reach ${link.service}`;
  for (const cidr of o.cidrs) if (!isPrivate(cidr)) problems.push(`admits ${cidr}; ${mayReach}`);
  if (o.byPrefixList) problems.push(`admits a prefix list, whose ranges cannot be checked; ${mayReach}`);
  return problems;
}

/** Ingress openings of a security group or rule, from its own inputs (or outputs). */
function openingsOf(r: { readonly type: string; readonly props: Props }): Opening[] {
  const p = r.props;
  if (r.type === INGRESS_RULE_TYPE) {
    return [
      {
        fromPort: p.fromPort,
        toPort: p.toPort,
        protocol: p.ipProtocol,
        cidrs: [asString(p.cidrIpv4), asString(p.cidrIpv6)].filter((c): c is string => c !== undefined),
        bySecurityGroup: isSet(p, "referencedSecurityGroupId"),
        byPrefixList: isSet(p, "prefixListId"),
      },
    ];
  }
  if (r.type === LEGACY_RULE_TYPE) {
    if (p.type !== "ingress") return [];
    return [
      {
        fromPort: p.fromPort,
        toPort: p.toPort,
        protocol: p.protocol,
        cidrs: [...asStrings(p.cidrBlocks), ...asStrings(p.ipv6CidrBlocks)],
        bySecurityGroup: isSet(p, "sourceSecurityGroupId") || p.self === true,
        byPrefixList: asArray(p.prefixListIds).length > 0,
      },
    ];
  }
  if (r.type === SG_TYPE) {
    return asArray(p.ingress).map((i) => {
      const rule = asObject(i);
      return {
        fromPort: rule.fromPort,
        toPort: rule.toPort,
        protocol: rule.protocol,
        cidrs: [...asStrings(rule.cidrBlocks), ...asStrings(rule.ipv6CidrBlocks)],
        bySecurityGroup: asArray(rule.securityGroups).length > 0 || rule.self === true,
        byPrefixList: asArray(rule.prefixListIds).length > 0,
      };
    });
  }
  return [];
}

/**
 * A link's load-balancer listener passes TCP through on the link's TLS port, so TLS ends in the
 * destination cluster's link tunnel: never plain HTTP, never TLS ended on the load balancer (the hop
 * to the pods would be plain), never another port.
 */
function listenerProblem(name: string, props: Props, port: number, link: string): string | undefined {
  const protocol = asString(props.protocol);
  if (props.port === port && protocol === "TCP") return undefined;
  return (
    `${link} listener ${name} is ${String(protocol)} on port ${String(props.port)}; ` +
    `the link is TLS end to end: TCP passthrough on ${port} to the link tunnel only`
  );
}

/**
 * A route through a VPC peering connection: may sit in the peer's region (the return path). Key
 * presence only: the connection id is usually unknown at preview and must not be read here.
 */
export const isPeeringRoute = (type: string, props: Props): boolean =>
  type === ROUTE_TYPE && Object.hasOwn(props, "vpcPeeringConnectionId");

/** One resource of a link, judged on its own inputs as at its Analyze: listener, peering route or opening. */
function checkLinkResource(args: ResourceValidationArgs, ctx: RuleContext, link: LinkScope): void {
  if (!linksOf(args).has(link.flow)) return;
  if (args.type === LISTENER_TYPE) {
    const problem = listenerProblem(args.name, args.props, link.port, link.label);
    if (problem) ctx.report(problem);
  } else if (args.type === ROUTE_TYPE) {
    if (!isPeeringRoute(args.type, args.props)) return;
    const home = resourceHomeRegion(args, ctx.config);
    if (home === undefined) {
      ctx.report(
        `cannot determine the home region (no AWS provider region, no ` +
          `homeRegion in policy config) for ${link.label} route ${args.name}`,
      );
      return;
    }
    const problem = link.routeProblem(args.name, args.props, effectiveRegion(args) === home);
    if (problem) ctx.report(problem);
  } else {
    for (const o of openingsOf(args))
      for (const p of openingProblems(o, link))
        ctx.report(`${link.label} ${args.type.split(":").pop()} ${args.name} ${p}`);
  }
}

/**
 * The whole stack after apply (AnalyzeStack): also the link's resources only other resources reveal,
 * a rule on the link's security group, a route through the link's peering.
 */
function checkLinkStack(args: StackValidationArgs, ctx: RuleContext, link: LinkScope): void {
  const tagged = (r: PolicyResource): boolean => asObject(r.props.tags)[FLOW_TAG] === link.flow;
  const linkGroups = new Set(args.resources.filter((r) => r.type === SG_TYPE && tagged(r)).map((r) => r.urn));
  for (const r of args.resources) {
    if (![SG_TYPE, INGRESS_RULE_TYPE, LEGACY_RULE_TYPE].includes(r.type)) continue;
    ctx.each(r, () => {
      const onLinkGroup = related(r, "securityGroupId").some((d) => linkGroups.has(d.urn));
      if (!tagged(r) && !onLinkGroup) return;
      for (const o of openingsOf(r))
        for (const p of openingProblems(o, link))
          ctx.report(`${link.label} ${r.type.split(":").pop()} ${r.name} ${p}`, r.urn);
    });
  }
  for (const r of args.resources.filter((x) => x.type === LISTENER_TYPE && tagged(x))) {
    ctx.each(r, () => {
      const problem = listenerProblem(r.name, r.props, link.port, link.label);
      if (problem) ctx.report(problem, r.urn);
    });
  }
  const home = requireStackHome(args, ctx);
  if (home === undefined) return;
  for (const route of args.resources.filter((r) => r.type === ROUTE_TYPE)) {
    ctx.each(route, () => {
      const via = related(route, "vpcPeeringConnectionId").find((d) => PEERING_TYPES.includes(d.type));
      if (!via || !tagged(via)) return;
      const problem = link.routeProblem(route.name, route.props, effectiveRegion(route) === home);
      if (problem) ctx.report(problem, route.urn);
    });
  }
}

/**
 * A link's two rules: `<label>-scope` judges each resource on its own Analyze, before it is created;
 * `<label>-scope-stack` is the second line, after apply (AnalyzeStack), which also finds the link's resources
 * only other resources reveal (dependencies).
 */
export function linkScopePolicies(link: LinkScope, description: string, remediation: string) {
  const name = `${link.label}-scope`;
  const resource = resourceRule({
    name,
    description,
    kind: "residency",
    severity: "critical",
    remediation,
    appliesTo: (t) => LINK_SCOPED_TYPES.includes(t),
    check: (args, ctx) => checkLinkResource(args, ctx, link),
  });
  const stack = stackRule({
    name: `${name}-stack`,
    description: `${description}; second line: the whole stack, after apply`,
    kind: "residency",
    severity: "critical",
    remediation,
    check: (args, ctx) => checkLinkStack(args, ctx, link),
  });
  return { resource, stack };
}
