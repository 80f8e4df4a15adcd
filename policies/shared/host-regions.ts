/**
 * Where a replication host runs, stated on the resource that sends data to it, so the policy pack
 * can judge that resource on its own inputs before it is created (an Analyze request carries no
 * other resource). Only regions are stated: the pack derives jurisdictions from them itself
 * (regions.ts) and never trusts a stated jurisdiction. The value is `{ "<host>": "<region>" }`.
 */

/** Annotation on a Kubernetes object (the Keeper ConfigMap): a JSON string. */
export const HOST_REGIONS_ANNOTATION = "infrasage.io/host-regions";
/** Key under the InfraSage release's `clickhouse.replication` values: an object (the chart ignores it). */
export const HOST_REGIONS_VALUES_KEY = "hostRegions";
