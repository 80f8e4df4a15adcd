/**
 * The one link allowed to cross jurisdictions (hub-and-spoke alert metadata) may carry exactly the
 * alert webhook and nothing wider: its security-group openings are the webhook port from private
 * ranges (plus the NLB -> AIops pods hop by security-group reference), and its routes reach the
 * hub's load-balancer subnets, never a whole VPC. The residency rules exempt resources tagged
 * `infrasage.io/flow=alert-metadata`; this rule is what keeps that tag from being a loophole.
 */
import type { PolicyResource } from "@pulumi/policy";
import { containsCidr } from "cidr-tools";
import { ALERT_LINK_FLOW, FLOW_TAG } from "../shared/flows";
import { MIN_VPC_PREFIX } from "../shared/network";
import { PORTS } from "../shared/ports";
import { stackRule, effectiveRegion, requireStackHome, type RuleContext } from "./framework";
import { asArray, asObject, asString, asStrings } from "./props";

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
export const LISTENER_TYPE = "aws:lb/listener:Listener";
export const PEERING_TYPES = ["aws:ec2/vpcPeeringConnection:VpcPeeringConnection", "aws:ec2/vpcPeeringConnectionAccepter:VpcPeeringConnectionAccepter"];

const isAlertTagged = (r: PolicyResource): boolean => asObject(r.props.tags)[FLOW_TAG] === ALERT_LINK_FLOW;
export const related = (r: PolicyResource, key: string): PolicyResource[] => [...(r.propertyDependencies[key] ?? []), ...r.dependencies];

/** One ingress opening of a security group (also used by metrics-link.ts). */
export interface Opening {
  readonly fromPort: unknown;
  readonly toPort: unknown;
  readonly protocol: unknown;
  readonly cidrs: readonly string[];
  readonly bySecurityGroup: boolean;
}

/** Problems of one ingress opening on an alert-link security group. */
function openingProblems(o: Opening): string[] {
  if (o.bySecurityGroup && o.cidrs.length === 0) {
    // The NLB -> link tunnel pods hop (TLS passed through): by security-group reference, on the webhook port only.
    return o.fromPort === PORTS.alertWebhook && o.toPort === PORTS.alertWebhook ? [] : [`opens ports ${String(o.fromPort)}-${String(o.toPort)} to a security group; the alert link needs only ${PORTS.alertWebhook}`];
  }
  const problems: string[] = [];
  if (o.fromPort !== PORTS.alertWebhook || o.toPort !== PORTS.alertWebhook) problems.push(`opens ports ${String(o.fromPort)}-${String(o.toPort)}; the alert link carries only the webhook port ${PORTS.alertWebhook}`);
  if (o.protocol !== "tcp" && o.protocol !== "6") problems.push(`uses protocol ${String(o.protocol)}; the webhook is TCP`);
  for (const cidr of o.cidrs) {
    let inside = false;
    try {
      inside = PRIVATE_RANGES.some((range) => containsCidr(range, cidr));
    } catch {
      inside = false;
    }
    if (!inside) problems.push(`admits ${cidr}; only spokes' private subnets may reach the webhook`);
  }
  return problems;
}

export function openingsOf(r: PolicyResource): Opening[] {
  if (r.type === INGRESS_RULE_TYPE) {
    return [{ fromPort: r.props.fromPort, toPort: r.props.toPort, protocol: r.props.ipProtocol, cidrs: [asString(r.props.cidrIpv4), asString(r.props.cidrIpv6)].filter((c): c is string => c !== undefined), bySecurityGroup: r.props.referencedSecurityGroupId !== undefined }];
  }
  if (r.type === LEGACY_RULE_TYPE) {
    if (r.props.type !== "ingress") return [];
    return [{ fromPort: r.props.fromPort, toPort: r.props.toPort, protocol: r.props.protocol, cidrs: [...asStrings(r.props.cidrBlocks), ...asStrings(r.props.ipv6CidrBlocks)], bySecurityGroup: r.props.sourceSecurityGroupId !== undefined }];
  }
  if (r.type === SG_TYPE) {
    return asArray(r.props.ingress).map((i) => {
      const rule = asObject(i);
      return { fromPort: rule.fromPort, toPort: rule.toPort, protocol: rule.protocol, cidrs: [...asStrings(rule.cidrBlocks), ...asStrings(rule.ipv6CidrBlocks)], bySecurityGroup: asArray(rule.securityGroups).length > 0 };
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
      for (const o of openingsOf(r)) for (const p of openingProblems(o)) ctx.report(`alert-link ${r.type.split(":").pop()} ${r.name} ${p}`, r.urn);
    });
  }
}

/**
 * A link's load-balancer listeners pass TCP through on the link's TLS port, so TLS ends in the
 * destination cluster's link tunnel: never plain HTTP, never TLS ended on the load balancer (the hop
 * to the pods would be plain), never another port. Also used by metrics-link.ts.
 */
export function checkListeners(resources: readonly PolicyResource[], tagged: (r: PolicyResource) => boolean, port: number, link: string, ctx: RuleContext): void {
  for (const r of resources.filter((x) => x.type === LISTENER_TYPE && tagged(x))) {
    ctx.each(r, () => {
      const protocol = asString(r.props.protocol);
      if (r.props.port !== port || protocol !== "TCP") {
        ctx.report(`${link} listener ${r.name} is ${String(protocol)} on port ${String(r.props.port)}; the link is TLS end to end: TCP passthrough on ${port} to the link tunnel only`, r.urn);
      }
    });
  }
}

function checkRoutes(resources: readonly PolicyResource[], home: string, ctx: RuleContext): void {
  for (const route of resources.filter((r) => r.type === ROUTE_TYPE)) {
    ctx.each(route, () => {
      const via = related(route, "vpcPeeringConnectionId").find((d) => PEERING_TYPES.includes(d.type));
      if (!via || !isAlertTagged(via)) return;
      // Return routes live in the peer's region and lead back into this stack's own VPC.
      if (effectiveRegion(route) !== home) return;
      const destination = asString(route.props.destinationCidrBlock) ?? asString(route.props.destinationIpv6CidrBlock) ?? "";
      const prefix = Number(destination.split("/")[1] ?? -1);
      if (!(prefix >= ALERT_ROUTE_MIN_PREFIX)) {
        ctx.report(`alert-link route ${route.name} to ${destination || "(no destination)"} is wider than a /${ALERT_ROUTE_MIN_PREFIX}: it must reach only the hub's load-balancer subnets, never its pods or whole VPC`, route.urn);
      }
    });
  }
}

export const alertLinkScope = stackRule({
  name: "alert-link-scope",
  description: "The cross-jurisdiction alert link is TLS end to end on the webhook port, opened only from private subnets, routed only to the hub's load-balancer subnets",
  kind: "residency",
  severity: "critical",
  remediation: `Open only TCP ${PORTS.alertWebhook} (TLS passed through to the link tunnel) from the spokes' private subnets on the hub's load-balancer security group, and route only to the hub's load-balancer subnets (lbSubnetCidrs).`,
  check: (args, ctx) => {
    checkOpenings(args.resources, ctx);
    checkListeners(args.resources, isAlertTagged, PORTS.alertWebhook, "alert-link", ctx);
    const home = requireStackHome(args, ctx);
    if (home !== undefined) checkRoutes(args.resources, home, ctx);
  },
});

export const ALERT_LINK_POLICIES = [alertLinkScope];
