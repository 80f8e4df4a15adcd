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
 * created; `metrics-link-scope-stack` is the second line after apply. The shared checks are link-scope.ts's.
 */
import { METRICS_LINK_FLOW } from "../shared/flows";
import { MIN_VPC_PREFIX } from "../shared/network";
import { PORTS } from "../shared/ports";
import { ALERT_ROUTE_MIN_PREFIX } from "./alert-link";
import { isPrivate, linkScopePolicies, type LinkScope } from "./link-scope";
import { asString, type Props } from "./props";

/** Return routes (host region) reach only the source's load-balancer subnets: the alert link's bound. */
export const METRICS_PEER_ROUTE_MIN_PREFIX = ALERT_ROUTE_MIN_PREFIX;
/** Routes to the host's private subnets: a private subnet is a quarter of its VPC, so never wider than this. */
export const METRICS_HOME_ROUTE_MIN_PREFIX = MIN_VPC_PREFIX + 2;

const PORT = PORTS.metricsLink;

/** The problem of a metrics-link route, `inHome`: in the source's home region (else a return route in the host's). */
function routeProblem(name: string, props: Props, inHome: boolean): string | undefined {
  const destination = asString(props.destinationCidrBlock) ?? asString(props.destinationIpv6CidrBlock) ?? "";
  const prefix = Number(destination.split("/")[1] ?? -1);
  const where = destination || "(no destination)";
  if (inHome) {
    // To the host's Grafana pods: its private subnets.
    if (isPrivate(destination) && prefix >= METRICS_HOME_ROUTE_MIN_PREFIX) return undefined;
    return (
      `metrics-link route ${name} to ${where} must lead to the Grafana host's private subnets (a ` +
      `private range, /${METRICS_HOME_ROUTE_MIN_PREFIX} or narrower), never 0.0.0.0/0 or a whole VPC`
    );
  }
  // Return routes in the host's region lead back into this stack's VPC.
  if (prefix >= METRICS_PEER_ROUTE_MIN_PREFIX) return undefined;
  return (
    `metrics-link return route ${name} to ${where} is wider than a /${METRICS_PEER_ROUTE_MIN_PREFIX}: ` +
    `the host may reach only this stack's load-balancer subnets, never its pods or whole VPC`
  );
}

const METRICS_LINK: LinkScope = {
  flow: METRICS_LINK_FLOW,
  port: PORT,
  label: "metrics-link",
  noun: "metrics link",
  carries: `Prometheus over TLS (TCP ${PORT})`,
  service: "Prometheus",
  peers: "the Grafana host's private subnets",
  routeProblem,
};

const DESCRIPTION =
  "The cross-jurisdiction metrics link (shared Grafana) is TLS end to end, " +
  "opens only Prometheus over TLS from private subnets and routes only " +
  "between the host's private subnets and the source's load-balancer subnets";
const REMEDIATION =
  `Open only TCP ${PORT} (TLS passed through to the link tunnel) from the host's ` +
  `private subnets on the source's load-balancer security group; route to the ` +
  `host's private subnets and back only to the source's load-balancer subnets.`;

export const { resource: metricsLinkScope, stack: metricsLinkScopeStack } = linkScopePolicies(
  METRICS_LINK,
  DESCRIPTION,
  REMEDIATION,
);

export const METRICS_LINK_POLICIES = [metricsLinkScope, metricsLinkScopeStack];
