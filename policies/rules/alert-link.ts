/**
 * The one link allowed to cross jurisdictions (hub-and-spoke alert metadata) may carry exactly the
 * alert webhook and nothing wider: its security-group openings are the webhook port from private
 * ranges (plus the NLB -> AIops pods hop by security-group reference), and its routes reach the
 * hub's load-balancer subnets, never a whole VPC. The residency rules exempt resources tagged
 * `infrasage.io/flow=alert-metadata`; this rule is what keeps that tag from being a loophole.
 *
 * `alert-link-scope` judges each resource on its own Analyze, before it is created (in `pulumi up`
 * too): a resource is the link's by its flow tag or by being created under the link's components
 * (links.ts). `alert-link-scope-stack` is the second line: after apply it also finds the link's
 * resources through other resources (a rule on the link's security group, a route through its peering).
 */
import type { PolicyResource, ResourceValidationArgs } from "@pulumi/policy";
import { containsCidr } from "cidr-tools";
import { ALERT_LINK_FLOW, FLOW_TAG } from "../shared/flows";
import { MIN_VPC_PREFIX } from "../shared/network";
import { PORTS } from "../shared/ports";
import {
  resourceRule,
  resourceHomeRegion,
  stackRule,
  effectiveRegion,
  requireStackHome,
  type RuleContext,
} from "./framework";
import { isSet, linksOf } from "./links";
import { asArray, asObject, asString, asStrings, type Props } from "./props";

/**
 * Narrowest load-balancer subnet prefix of the largest VPC (/16 + 6): an alert-link route wider than
 * this reaches more than one hub load-balancer subnet, e.g. the pods' subnets or the whole VPC.
 */
export const ALERT_ROUTE_MIN_PREFIX = MIN_VPC_PREFIX + 6;
export const PRIVATE_RANGES = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"];

export const SG_TYPE = "aws:ec2/securityGroup:SecurityGroup";
export const INGRESS_RULE_TYPE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
export const LEGACY_RULE_TYPE = "aws:ec2/securityGroupRule:SecurityGroupRule";
export const ROUTE_TYPE = "aws:ec2/route:Route";
const LISTENER_TYPE = "aws:lb/listener:Listener";
export const PEERING_TYPES = [
  "aws:ec2/vpcPeeringConnection:VpcPeeringConnection",
  "aws:ec2/vpcPeeringConnectionAccepter:VpcPeeringConnectionAccepter",
];

const isAlertTagged = (r: PolicyResource): boolean => asObject(r.props.tags)[FLOW_TAG] === ALERT_LINK_FLOW;
export const related = (r: PolicyResource, key: string): PolicyResource[] => [
  ...(r.propertyDependencies[key] ?? []),
  ...r.dependencies,
];

/** One ingress opening of a security group (also used by metrics-link.ts). */
export interface Opening {
  readonly fromPort: unknown;
  readonly toPort: unknown;
  readonly protocol: unknown;
  readonly cidrs: readonly string[];
  readonly bySecurityGroup: boolean;
  /** Admits a managed prefix list: ranges the rule cannot see. */
  readonly byPrefixList: boolean;
}

/** Problems of one ingress opening on an alert-link security group. */
function openingProblems(o: Opening): string[] {
  if (o.bySecurityGroup && o.cidrs.length === 0 && !o.byPrefixList) {
    // The NLB -> link tunnel pods hop (TLS passed through): by security-group reference, on the webhook port only.
    return o.fromPort === PORTS.alertWebhook && o.toPort === PORTS.alertWebhook
      ? []
      : [
          `opens ports ${String(o.fromPort)}-${String(o.toPort)} to a security group; the alert link needs only ${PORTS.alertWebhook}`,
        ];
  }
  const problems: string[] = [];
  if (o.fromPort !== PORTS.alertWebhook || o.toPort !== PORTS.alertWebhook)
    problems.push(
      `opens ports ${String(o.fromPort)}-${String(o.toPort)}; the alert link carries only the webhook port ${PORTS.alertWebhook}`,
    );
  if (o.protocol !== "tcp" && o.protocol !== "6")
    problems.push(`uses protocol ${String(o.protocol)}; the webhook is TCP`);
  for (const cidr of o.cidrs) {
    let inside = false;
    try {
      inside = PRIVATE_RANGES.some((range) => containsCidr(range, cidr));
    } catch {
      inside = false;
    }
    if (!inside) problems.push(`admits ${cidr}; only spokes' private subnets may reach the webhook`);
  }
  if (o.byPrefixList)
    problems.push(
      "admits a prefix list, whose ranges cannot be checked; only spokes' private subnets may reach the webhook",
    );
  return problems;
}

/** Ingress openings of a security group or rule, from its own inputs (or outputs). Also used by metrics-link.ts. */
export function openingsOf(r: { readonly type: string; readonly props: Props }): Opening[] {
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

function checkOpenings(resources: readonly PolicyResource[], ctx: RuleContext): void {
  const alertGroups = new Set(resources.filter((r) => r.type === SG_TYPE && isAlertTagged(r)).map((r) => r.urn));
  for (const r of resources) {
    if (![SG_TYPE, INGRESS_RULE_TYPE, LEGACY_RULE_TYPE].includes(r.type)) continue;
    ctx.each(r, () => {
      const onAlertGroup = related(r, "securityGroupId").some((d) => alertGroups.has(d.urn));
      if (!isAlertTagged(r) && !onAlertGroup) return;
      for (const o of openingsOf(r))
        for (const p of openingProblems(o)) ctx.report(`alert-link ${r.type.split(":").pop()} ${r.name} ${p}`, r.urn);
    });
  }
}

/**
 * A link's load-balancer listener passes TCP through on the link's TLS port, so TLS ends in the
 * destination cluster's link tunnel: never plain HTTP, never TLS ended on the load balancer (the hop
 * to the pods would be plain), never another port. Also used by metrics-link.ts.
 */
function listenerProblem(name: string, props: Props, port: number, link: string): string | undefined {
  const protocol = asString(props.protocol);
  if (props.port === port && protocol === "TCP") return undefined;
  return `${link} listener ${name} is ${String(protocol)} on port ${String(props.port)}; the link is TLS end to end: TCP passthrough on ${port} to the link tunnel only`;
}

export function checkListeners(
  resources: readonly PolicyResource[],
  tagged: (r: PolicyResource) => boolean,
  port: number,
  link: string,
  ctx: RuleContext,
): void {
  for (const r of resources.filter((x) => x.type === LISTENER_TYPE && tagged(x))) {
    ctx.each(r, () => {
      const problem = listenerProblem(r.name, r.props, port, link);
      if (problem) ctx.report(problem, r.urn);
    });
  }
}

/** A route through a VPC peering connection (key presence: the connection id is unknown at preview). */
const isPeeringRoute = (type: string, props: Props): boolean =>
  type === ROUTE_TYPE && Object.hasOwn(props, "vpcPeeringConnectionId");

/** The problem of an alert-link route in the spoke's home region: it reaches more than a hub load-balancer subnet. */
function routeProblem(name: string, props: Props): string | undefined {
  const destination = asString(props.destinationCidrBlock) ?? asString(props.destinationIpv6CidrBlock) ?? "";
  const prefix = Number(destination.split("/")[1] ?? -1);
  if (prefix >= ALERT_ROUTE_MIN_PREFIX) return undefined;
  return `alert-link route ${name} to ${destination || "(no destination)"} is wider than a /${ALERT_ROUTE_MIN_PREFIX}: it must reach only the hub's load-balancer subnets, never its pods or whole VPC`;
}

function checkRoutes(resources: readonly PolicyResource[], home: string, ctx: RuleContext): void {
  for (const route of resources.filter((r) => r.type === ROUTE_TYPE)) {
    ctx.each(route, () => {
      const via = related(route, "vpcPeeringConnectionId").find((d) => PEERING_TYPES.includes(d.type));
      if (!via || !isAlertTagged(via)) return;
      // Return routes live in the peer's region and lead back into this stack's own VPC.
      if (effectiveRegion(route) !== home) return;
      const problem = routeProblem(route.name, route.props);
      if (problem) ctx.report(problem, route.urn);
    });
  }
}

const DESCRIPTION =
  "The cross-jurisdiction alert link is TLS end to end on the webhook port, opened only from private subnets, routed only to the hub's load-balancer subnets";
const REMEDIATION = `Open only TCP ${PORTS.alertWebhook} (TLS passed through to the link tunnel) from the spokes' private subnets on the hub's load-balancer security group, and route only to the hub's load-balancer subnets (lbSubnetCidrs).`;
/** Types a link's scope rule judges (also metrics-link.ts). */
export const LINK_SCOPED_TYPES: readonly string[] = [
  SG_TYPE,
  INGRESS_RULE_TYPE,
  LEGACY_RULE_TYPE,
  LISTENER_TYPE,
  ROUTE_TYPE,
];

/** What differs between the two links that may cross a jurisdiction (alert and metrics). */
export interface LinkScope {
  readonly flow: string;
  readonly port: number;
  readonly label: string;
  readonly openingProblems: (o: Opening) => string[];
  /** `inHome`: the route is in the stack's home region (else it is a return route in the peer's). */
  readonly routeProblem: (name: string, props: Props, inHome: boolean) => string | undefined;
}

/** One resource of a link, judged on its own inputs as at its Analyze: listener, peering route or opening. */
export function checkLinkResource(args: ResourceValidationArgs, ctx: RuleContext, link: LinkScope): void {
  if (!linksOf(args).has(link.flow)) return;
  if (args.type === LISTENER_TYPE) {
    const problem = listenerProblem(args.name, args.props, link.port, link.label);
    if (problem) ctx.report(problem);
  } else if (args.type === ROUTE_TYPE) {
    if (!isPeeringRoute(args.type, args.props)) return;
    const home = resourceHomeRegion(args, ctx.config);
    if (home === undefined) {
      ctx.report(
        `cannot determine the home region (no AWS provider region, no homeRegion in policy config) for ${link.label} route ${args.name}`,
      );
      return;
    }
    const problem = link.routeProblem(args.name, args.props, effectiveRegion(args) === home);
    if (problem) ctx.report(problem);
  } else {
    for (const o of openingsOf(args))
      for (const p of link.openingProblems(o))
        ctx.report(`${link.label} ${args.type.split(":").pop()} ${args.name} ${p}`);
  }
}

export const alertLinkScope = resourceRule({
  name: "alert-link-scope",
  description: DESCRIPTION,
  kind: "residency",
  severity: "critical",
  remediation: REMEDIATION,
  appliesTo: (t) => LINK_SCOPED_TYPES.includes(t),
  check: (args, ctx) =>
    checkLinkResource(args, ctx, {
      flow: ALERT_LINK_FLOW,
      port: PORTS.alertWebhook,
      label: "alert-link",
      openingProblems,
      // Return routes live in the hub's region and lead back into this stack's own VPC.
      routeProblem: (name, props, inHome) => (inHome ? routeProblem(name, props) : undefined),
    }),
});

/** Second line of alert-link-scope: after apply (AnalyzeStack), also the link's resources only other resources reveal (dependencies). */
export const alertLinkScopeStack = stackRule({
  name: "alert-link-scope-stack",
  description: `${DESCRIPTION}; second line: the whole stack, after apply`,
  kind: "residency",
  severity: "critical",
  remediation: REMEDIATION,
  check: (args, ctx) => {
    checkOpenings(args.resources, ctx);
    checkListeners(args.resources, isAlertTagged, PORTS.alertWebhook, "alert-link", ctx);
    const home = requireStackHome(args, ctx);
    if (home !== undefined) checkRoutes(args.resources, home, ctx);
  },
});

export const ALERT_LINK_POLICIES = [alertLinkScope, alertLinkScopeStack];
