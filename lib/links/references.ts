/**
 * The other stacks a stack's configuration names (its StackReferences), with the key each comes
 * from: one list for the plan's reference checks, the cross-stack rules and the rollout order.
 */
import type { StackConfig } from "../config/types";

export interface StackRef {
  /** Config key that names it, e.g. `federation.hubStack`, `replication.peers[1]`. */
  readonly key: string;
  /** `org/project/stack` as written. */
  readonly ref: string;
  readonly org: string;
  readonly project: string;
  readonly stack: string;
}

import { parseStackRef } from "./stack-ref";

export { parseStackRef };

const refs = (key: string, list: readonly string[] | undefined, indexed: boolean): StackRef[] =>
  (list ?? []).map((ref, i) => ({ key: indexed ? `${key}[${i}]` : key, ref, ...parseStackRef(ref) }));

/** Every stack the configuration reads through a StackReference. */
export function stackReferencesOf(c: StackConfig): StackRef[] {
  return [
    ...refs("federation.hubStack", c.federation?.hubStack ? [c.federation.hubStack] : [], false),
    ...refs("federation.spokes", c.federation?.role === "hub" ? c.federation.spokes : [], true),
    ...refs("replication.peers", c.replication?.peers, true),
    ...refs("grafana.sources", c.grafana.sources, true),
    ...refs("grafana.hostStack", c.grafana.hostStack ? [c.grafana.hostStack] : [], false),
  ];
}
