/**
 * The shared-Grafana metrics link may cross jurisdictions (metrics are aggregates, not raw
 * telemetry: the residency rules exempt resources tagged `infrasage.io/flow=metrics`); this rule
 * keeps that tag from being a loophole. Its listeners pass TCP through on PORTS.metricsLink (TLS ends
 * in the source's link tunnel), its security-group openings are that port from private ranges (plus
 * the NLB -> tunnel pods hop by security-group reference, same port). Its
 * routes in the source's home region lead to the host's private subnets (private ranges, never
 * 0.0.0.0/0 or a whole VPC); its return routes in the host's region reach only the source's
 * load-balancer subnets (as narrow as alert-link.ts's routes to the hub's).
 *
 * Like alert-link.ts: `metrics-link-scope` judges each resource on its own Analyze, before it is
 * created; `metrics-link-scope-stack` is the second line after apply.
 */
import type { PolicyResource } from "@pulumi/policy";
import { containsCidr } from "cidr-tools";
import { FLOW_TAG, METRICS_LINK_FLOW } from "../shared/flows";
import { MIN_VPC_PREFIX } from "../shared/network";
import { PORTS } from "../shared/ports";
import {
  ALERT_ROUTE_MIN_PREFIX,
  INGRESS_RULE_TYPE,
  LEGACY_RULE_TYPE,
  LINK_SCOPED_TYPES,
  PEERING_TYPES,
  PRIVATE_RANGES,
  ROUTE_TYPE,
  SG_TYPE,
  checkLinkResource,
  checkListeners,
  openingsOf,
  related,
  type Opening,
} from "./alert-link";
import { resourceRule, stackRule, effectiveRegion, requireStackHome, type RuleContext } from "./framework";
import { asObject, asString, type Props } from "./props";

/** Return routes (host region) reach only the source's load-balancer subnets: the alert link's bound. */
export const METRICS_PEER_ROUTE_MIN_PREFIX = ALERT_ROUTE_MIN_PREFIX;
/** Routes to the host's private subnets: a private subnet is a quarter of its VPC, so never wider than this. */
export const METRICS_HOME_ROUTE_MIN_PREFIX = MIN_VPC_PREFIX + 2;

const PORT = PORTS.metricsLink;
const isMetricsTagged = (r: PolicyResource): boolean => asObject(r.props.tags)[FLOW_TAG] === METRICS_LINK_FLOW;

function isPrivate(cidr: string): boolean {
  try {
    return PRIVATE_RANGES.some((range) => containsCidr(range, cidr));
  } catch {
    return false;
  }
}

/** Problems of one ingress opening on a metrics-link security group. */
function openingProblems(o: Opening): string[] {
  const ports = o.fromPort === PORT && o.toPort === PORT;
  if (o.bySecurityGroup && o.cidrs.length === 0 && !o.byPrefixList) {
    // The NLB -> link tunnel pods hop (TLS passed through): by security-group reference, same port only.
    return ports
      ? []
      : [
          `opens ports ${String(o.fromPort)}-${String(o.toPort)} to a security group; the metrics link needs only ${PORT}`,
        ];
  }
  const problems: string[] = [];
  if (!ports)
    problems.push(
      `opens ports ${String(o.fromPort)}-${String(o.toPort)}; the metrics link carries only Prometheus over TLS (TCP ${PORT})`,
    );
  if (o.protocol !== "tcp" && o.protocol !== "6")
    problems.push(`uses protocol ${String(o.protocol)}; Prometheus is TCP`);
  for (const cidr of o.cidrs)
    if (!isPrivate(cidr)) problems.push(`admits ${cidr}; only the Grafana host's private subnets may reach Prometheus`);
  if (o.byPrefixList)
    problems.push(
      "admits a prefix list, whose ranges cannot be checked; only the Grafana host's private subnets may reach Prometheus",
    );
  return problems;
}

function checkOpenings(resources: readonly PolicyResource[], ctx: RuleContext): void {
  const metricsGroups = new Set(resources.filter((r) => r.type === SG_TYPE && isMetricsTagged(r)).map((r) => r.urn));
  for (const r of resources) {
    if (![SG_TYPE, INGRESS_RULE_TYPE, LEGACY_RULE_TYPE].includes(r.type)) continue;
    ctx.each(r, () => {
      const onMetricsGroup = related(r, "securityGroupId").some((d) => metricsGroups.has(d.urn));
      if (!isMetricsTagged(r) && !onMetricsGroup) return;
      for (const o of openingsOf(r))
        for (const p of openingProblems(o)) ctx.report(`metrics-link ${r.type.split(":").pop()} ${r.name} ${p}`, r.urn);
    });
  }
}

/** The problem of a metrics-link route, `inHome`: in the source's home region (else a return route in the host's). */
function routeProblem(name: string, props: Props, inHome: boolean): string | undefined {
  const destination = asString(props.destinationCidrBlock) ?? asString(props.destinationIpv6CidrBlock) ?? "";
  const prefix = Number(destination.split("/")[1] ?? -1);
  const where = destination || "(no destination)";
  if (inHome) {
    // To the host's Grafana pods: its private subnets.
    if (isPrivate(destination) && prefix >= METRICS_HOME_ROUTE_MIN_PREFIX) return undefined;
    return `metrics-link route ${name} to ${where} must lead to the Grafana host's private subnets (a private range, /${METRICS_HOME_ROUTE_MIN_PREFIX} or narrower), never 0.0.0.0/0 or a whole VPC`;
  }
  // Return routes in the host's region lead back into this stack's VPC.
  if (prefix >= METRICS_PEER_ROUTE_MIN_PREFIX) return undefined;
  return `metrics-link return route ${name} to ${where} is wider than a /${METRICS_PEER_ROUTE_MIN_PREFIX}: the host may reach only this stack's load-balancer subnets, never its pods or whole VPC`;
}

function checkRoutes(resources: readonly PolicyResource[], home: string, ctx: RuleContext): void {
  for (const route of resources.filter((r) => r.type === ROUTE_TYPE)) {
    ctx.each(route, () => {
      const via = related(route, "vpcPeeringConnectionId").find((d) => PEERING_TYPES.includes(d.type));
      if (!via || !isMetricsTagged(via)) return;
      const problem = routeProblem(route.name, route.props, effectiveRegion(route) === home);
      if (problem) ctx.report(problem, route.urn);
    });
  }
}

const DESCRIPTION =
  "The cross-jurisdiction metrics link (shared Grafana) is TLS end to end, opens only Prometheus over TLS from private subnets and routes only between the host's private subnets and the source's load-balancer subnets";
const REMEDIATION = `Open only TCP ${PORT} (TLS passed through to the link tunnel) from the host's private subnets on the source's load-balancer security group; route to the host's private subnets and back only to the source's load-balancer subnets.`;

export const metricsLinkScope = resourceRule({
  name: "metrics-link-scope",
  description: DESCRIPTION,
  kind: "residency",
  severity: "critical",
  remediation: REMEDIATION,
  appliesTo: (t) => LINK_SCOPED_TYPES.includes(t),
  check: (args, ctx) =>
    checkLinkResource(args, ctx, {
      flow: METRICS_LINK_FLOW,
      port: PORT,
      label: "metrics-link",
      openingProblems,
      routeProblem,
    }),
});

/** Second line of metrics-link-scope: after apply (AnalyzeStack), also the link's resources only other resources reveal (dependencies). */
export const metricsLinkScopeStack = stackRule({
  name: "metrics-link-scope-stack",
  description: `${DESCRIPTION}; second line: the whole stack, after apply`,
  kind: "residency",
  severity: "critical",
  remediation: REMEDIATION,
  check: (args, ctx) => {
    checkOpenings(args.resources, ctx);
    checkListeners(args.resources, isMetricsTagged, PORT, "metrics-link", ctx);
    const home = requireStackHome(args, ctx);
    if (home !== undefined) checkRoutes(args.resources, home, ctx);
  },
});

export const METRICS_LINK_POLICIES = [metricsLinkScope, metricsLinkScopeStack];
