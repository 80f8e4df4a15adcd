/**
 * Flow markers: the tag the program puts on the resources of a link that may cross jurisdictions,
 * and the values the policy pack accepts there (each kept narrow by its own scope rule:
 * policies/rules/alert-link.ts, policies/rules/metrics-link.ts).
 */

/**
 * Tag that marks the cross-jurisdiction links allowed: hub-and-spoke alert metadata (seed pattern 2), shared-Grafana
 * metrics.
 */
export const FLOW_TAG = "infrasage.io/flow";
/**
 * Flow marker of the alert link (hub-and-spoke federation, lib/federation/federation.ts): only the alert webhook
 * crosses.
 */
export const ALERT_LINK_FLOW = "alert-metadata";
/**
 * Flow marker of the metrics link (tag `infrasage.io/flow`): residency lets it cross, metrics-link-scope keeps it
 * narrow.
 */
export const METRICS_LINK_FLOW = "metrics";

/**
 * Pulumi types of the program's link components. A resource's URN carries the types of its
 * ancestors (`<parent types>$<type>`, pulumi/pulumi pkg/resource/deploy/deployment.go generateURN)
 * and the engine's Analyze request names its parent: so a resource rule can tell a link's resources
 * by their place in the program, also those that cannot carry the flow tag (routes).
 */
/**
 * The peering component (components/links/peering.ts): every peering route, each through the component's own
 * connection.
 */
export const PEERING_COMPONENT_TYPE = "infrasage:network:CrossRegionPeering";
/** Hub side of the alert link (components/federation/federation-hub.ts). */
export const ALERT_HUB_COMPONENT_TYPE = "infrasage:federation:Hub";
/** Spoke side of the alert link, which owns its peering (components/federation/federation-spoke.ts). */
export const ALERT_SPOKE_COMPONENT_TYPE = "infrasage:federation:Spoke";
/** Shared-Grafana source's side of the metrics link, which owns its peering (components/grafana/grafana-link.ts). */
export const METRICS_SOURCE_COMPONENT_TYPE = "infrasage:grafana:SourceLink";

/** The components whose resources make up each crossing link. */
export const LINK_COMPONENT_TYPES: Readonly<Record<string, readonly string[]>> = {
  [ALERT_LINK_FLOW]: [ALERT_HUB_COMPONENT_TYPE, ALERT_SPOKE_COMPONENT_TYPE],
  [METRICS_LINK_FLOW]: [METRICS_SOURCE_COMPONENT_TYPE],
};
