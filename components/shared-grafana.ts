/**
 * Shared Grafana in the program (seed, cost): on the host (grafana.mode local with grafana.sources)
 * read every source stack's `grafanaSource` output (StackReferences, awaited: the datasources are
 * chart values) and plan one Prometheus datasource per ready source; the others are pending. On a
 * shared stack (grafana.mode shared) report what it waits for. Pure planning is lib/grafana.ts.
 *
 * Not implemented yet: the network link that exposes a source's Prometheus to the host (internal
 * NLB on PORTS.prometheus, peering routed to the LB subnets only). Until it exists a source exports
 * no `grafanaSource`, so hosts list every source as pending and never get a dead datasource.
 */
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../lib/config/types";
import {
  GRAFANA_SOURCE_OUTPUT, grafanaDatasources, metricsFlow, readGrafanaSource, type GrafanaDatasource, type GrafanaSourceExport,
} from "../lib/grafana";

export interface SharedGrafanaPlan {
  /** Datasources of the host's chart values (buildHelmValues `grafanaDatasources`); empty elsewhere. */
  readonly datasources: readonly GrafanaDatasource[];
  /** Stack output `grafana`: mode, linked sources, what is pending, the flows. Never secret. */
  readonly output: {
    readonly mode: string;
    readonly hostStack?: string;
    readonly sources: readonly string[];
    readonly pending: readonly string[];
    readonly flows: readonly string[];
  };
}

const stackOf = (ref: string): string => ref.split("/")[2] ?? ref;

/** Reads the sources (host) or describes the shared side. Never throws for a source not deployed. */
export async function planSharedGrafana(config: StackConfig): Promise<SharedGrafanaPlan> {
  const g = config.grafana;
  if (g.mode === "shared") {
    return {
      datasources: [],
      output: {
        mode: g.mode, ...(g.hostStack ? { hostStack: g.hostStack } : {}), sources: [], flows: [],
        pending: [`exposing this stack's Prometheus (TCP 9090) to ${g.hostStack ?? "its host"} is not implemented yet: the host lists this stack as pending until it is`],
      },
    };
  }
  const refs = g.sources ?? [];
  const reads = await Promise.all(refs.map(async (ref) => {
    const reference = new pulumi.StackReference(`grafana-source-${stackOf(ref)}`, { name: ref });
    const details = await reference.getOutputDetails(GRAFANA_SOURCE_OUTPUT);
    const value = details.value ?? details.secretValue;
    return readGrafanaSource(ref, value === undefined ? undefined : { [GRAFANA_SOURCE_OUTPUT]: value });
  }));
  const ready: GrafanaSourceExport[] = reads.flatMap((r) => (r.ok ? [r.source] : []));
  return {
    datasources: grafanaDatasources(ready),
    output: {
      mode: g.mode,
      sources: ready.map((s) => s.stack),
      pending: reads.flatMap((r) => (r.ok ? [] : [r.pending])),
      flows: ready.map((s) => metricsFlow(s, config)),
    },
  };
}
