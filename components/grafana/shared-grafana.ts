/**
 * Shared Grafana in the program (seed, cost): on the host (grafana.mode local with grafana.sources)
 * read every source stack's `grafanaSource` output (StackReferences, awaited: the datasources are
 * chart values) and plan one Prometheus datasource per ready source; the others are pending. On a
 * shared stack (grafana.mode shared) read the host's `network` output: once the host is deployed the
 * stack creates the metrics link (components/grafana/grafana-link.ts: internal NLB on PORTS.metricsLink,
 * peering routed to the host's private subnets and back to the NLB's subnets only) and exports
 * `grafanaSource`; before that it is pending, never an error. Pure planning is lib/grafana/grafana.ts.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../../lib/config/types";
import { readLinkedStack } from "../links/linked-stacks";
import { linkProblems, readPeerNetwork, type NetworkExport } from "../../lib/links/peering-plan";
import {
  GRAFANA_SOURCE_OUTPUT,
  grafanaDatasources,
  hostTunnel,
  metricsFlow,
  readGrafanaSource,
  type GrafanaDatasource,
  type GrafanaSourceExport,
} from "../../lib/grafana/grafana";
import type { TunnelClient } from "../../lib/links/link-tls";

export interface SharedGrafanaPlan {
  /** Datasources of the host's chart values (buildHelmValues `grafanaDatasources`); empty elsewhere. */
  readonly datasources: readonly GrafanaDatasource[];
  /** Host: one link tunnel per ready source (Grafana's datasources point at them); empty elsewhere. */
  readonly tunnels: readonly TunnelClient[];
  /** Shared stack whose host is deployed (and linkable): the host's network, for GrafanaSourceLink. */
  readonly host?: NetworkExport;
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

/**
 * AWS allows one peering connection per VPC pair: a host this stack already peers with (pattern 2
 * or 3) cannot get a second one for metrics. Reported as pending (reusing that link is not built).
 */
function peeredAlready(config: StackConfig, hostRef: string): string[] {
  const f = config.federation;
  const peers = [
    ...(f?.hubStack ? [f.hubStack] : []),
    ...(f?.role === "hub" ? f.spokes : []),
    ...(config.replication?.peers ?? []),
  ];
  return peers.some((p) => stackOf(p) === stackOf(hostRef))
    ? [
        `${hostRef} is already peered with this stack (federation or replication): AWS allows ` +
          `one peering per VPC pair, and sharing it with the metrics link is not supported yet`,
      ]
    : [];
}

/** Reads the sources (host) or describes the shared side. Never throws for a source not deployed. */
export async function planSharedGrafana(config: StackConfig, opts: pulumi.InvokeOptions): Promise<SharedGrafanaPlan> {
  const g = config.grafana;
  if (g.mode === "shared") {
    const ref = g.hostStack;
    if (!ref) throw new Error("planSharedGrafana: grafana.mode shared needs grafana.hostStack");
    const { outputs } = await readLinkedStack(config, "grafana-host", ref, ["network"], opts);
    const read = readPeerNetwork(ref, outputs);
    const pending = read.ok
      ? [...linkProblems(config.network.cidr, read.peer), ...peeredAlready(config, ref)]
      : [read.pending];
    const host = read.ok && pending.length === 0 ? read.peer : undefined;
    return {
      datasources: [],
      tunnels: [],
      ...(host ? { host } : {}),
      output: { mode: g.mode, hostStack: ref, sources: [], pending, flows: host ? [metricsFlow(config, host)] : [] },
    };
  }
  const refs = g.sources ?? [];
  const reads = await Promise.all(
    refs.map(async (ref) =>
      readGrafanaSource(
        ref,
        (await readLinkedStack(config, `grafana-source-${stackOf(ref)}`, ref, [GRAFANA_SOURCE_OUTPUT], opts)).outputs,
      ),
    ),
  );
  const ready: GrafanaSourceExport[] = reads.flatMap((r) => (r.ok ? [r.source] : []));
  return {
    datasources: grafanaDatasources(ready),
    tunnels: ready.map(hostTunnel),
    output: {
      mode: g.mode,
      sources: ready.map((s) => s.stack),
      pending: reads.flatMap((r) => (r.ok ? [] : [r.pending])),
      flows: ready.map((s) => metricsFlow(s, config)),
    },
  };
}
