/**
 * Flow markers: the tag the program puts on the resources of a link that may cross jurisdictions,
 * and the values the policy pack accepts there (each kept narrow by its own scope rule:
 * policies/rules/alert-link.ts, policies/rules/metrics-link.ts).
 */

/** Tag that marks the cross-jurisdiction links allowed: hub-and-spoke alert metadata (seed pattern 2), shared-Grafana metrics. */
export const FLOW_TAG = "infrasage.io/flow";
/** Flow marker of the alert link (hub-and-spoke federation, lib/federation.ts): only the alert webhook crosses. */
export const ALERT_LINK_FLOW = "alert-metadata";
/** Flow marker of the metrics link (tag `infrasage.io/flow`): residency lets it cross, metrics-link-scope keeps it narrow. */
export const METRICS_LINK_FLOW = "metrics";
