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
 * What it shares with metrics-link.ts is link-scope.ts's.
 */
import { ALERT_LINK_FLOW } from "../shared/flows";
import { MIN_VPC_PREFIX } from "../shared/network";
import { PORTS } from "../shared/ports";
import { linkScopePolicies, type LinkScope } from "./link-scope";
import { asString, type Props } from "./props";

/**
 * Narrowest load-balancer subnet prefix of the largest VPC (/16 + 6): an alert-link route wider than
 * this reaches more than one hub load-balancer subnet, e.g. the pods' subnets or the whole VPC.
 */
export const ALERT_ROUTE_MIN_PREFIX = MIN_VPC_PREFIX + 6;

/** The problem of an alert-link route in the spoke's home region: it reaches more than a hub load-balancer subnet. */
function routeProblem(name: string, props: Props): string | undefined {
  const destination = asString(props.destinationCidrBlock) ?? asString(props.destinationIpv6CidrBlock) ?? "";
  const prefix = Number(destination.split("/")[1] ?? -1);
  if (prefix >= ALERT_ROUTE_MIN_PREFIX) return undefined;
  return (
    `alert-link route ${name} to ${destination || "(no destination)"} is wider than a ` +
    `/${ALERT_ROUTE_MIN_PREFIX}: it must reach only the hub's load-balancer subnets, never its pods or whole VPC`
  );
}

const ALERT_LINK: LinkScope = {
  flow: ALERT_LINK_FLOW,
  port: PORTS.alertWebhook,
  label: "alert-link",
  noun: "alert link",
  carries: `the webhook port ${PORTS.alertWebhook}`,
  service: "the webhook",
  peers: "spokes' private subnets",
  // Return routes live in the hub's region and lead back into this stack's own VPC.
  routeProblem: (name, props, inHome) => (inHome ? routeProblem(name, props) : undefined),
};

const DESCRIPTION =
  "The cross-jurisdiction alert link is TLS end to end on the webhook port, opened " +
  "only from private subnets, routed only to the hub's load-balancer subnets";
const REMEDIATION =
  `Open only TCP ${PORTS.alertWebhook} (TLS passed through to the link ` +
  `tunnel) from the spokes' private subnets on the hub's load-balancer security ` +
  `group, and route only to the hub's load-balancer subnets (lbSubnetCidrs).`;

export const { resource: alertLinkScope, stack: alertLinkScopeStack } = linkScopePolicies(
  ALERT_LINK,
  DESCRIPTION,
  REMEDIATION,
);

export const ALERT_LINK_POLICIES = [alertLinkScope, alertLinkScopeStack];
