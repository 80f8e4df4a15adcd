/**
 * What this program assumes of the vendor chart's names and labels (docs/deploying.md "The InfraSage chart"):
 * a leaf module, so every other lib module can import it without a cycle.
 */

/** Helm release name of InfraSage in every cluster. */
export const INFRASAGE_RELEASE_NAME = "infrasage";

/**
 * Labels of the chart's ClickHouse pods (Helm's recommended labels): the chart contract the
 * replica Service selects on.
 */
export const CLICKHOUSE_POD_LABELS = {
  "app.kubernetes.io/instance": INFRASAGE_RELEASE_NAME,
  "app.kubernetes.io/component": "clickhouse",
} as const;
