/**
 * Critical path of a planned resource graph: the longest chain of dependencies weighted by typical
 * AWS/Kubernetes create times. `pulumi up` runs independent resources in parallel, so this chain,
 * not the sum, bounds how long a first deployment takes. Pure: nodes are plain records.
 */

/** Typical create times in seconds (observed ranges' middle; AWS documents none of these). */
const CREATE_SECONDS: Readonly<Record<string, number>> = {
  "aws:eks/cluster:Cluster": 600,
  "aws:eks/nodeGroup:NodeGroup": 240,
  "aws:eks/addon:Addon": 60,
  "aws:ec2/natGateway:NatGateway": 120,
  "aws:lb/loadBalancer:LoadBalancer": 180,
  "aws:route53/zone:Zone": 40,
  "aws:route53/zoneAssociation:ZoneAssociation": 60,
  "aws:route53/record:Record": 40,
  "aws:ec2/vpcPeeringConnection:VpcPeeringConnection": 10,
  "aws:ec2/vpcPeeringConnectionAccepter:VpcPeeringConnectionAccepter": 10,
  "aws:kms/key:Key": 5,
  "aws:ec2/flowLog:FlowLog": 5,
  "aws:iam/role:Role": 3,
  "kubernetes:helm.sh/v3:Release": 300,
  "kubernetes:apps/v1:StatefulSet": 120,
  "random:index/randomPassword:RandomPassword": 0,
};
const DEFAULT_CREATE_SECONDS = 2;

export interface GraphNode {
  readonly urn: string;
  readonly type: string;
  readonly custom: boolean;
  readonly parent?: string;
  readonly provider?: string;
  readonly dependencies: readonly string[];
}

export interface CriticalPath {
  /** URNs of the chain, first created first. */
  readonly chain: readonly { urn: string; type: string; seconds: number }[];
  /** Seconds along the chain. */
  readonly seconds: number;
  /** Seconds if every resource were created one after another. */
  readonly serialSeconds: number;
}

export const createSeconds = (type: string): number =>
  type.startsWith("pulumi:providers:") ? 0 : (CREATE_SECONDS[type] ?? DEFAULT_CREATE_SECONDS);

/** Longest weighted chain. A dependency on a component means all of its custom descendants. */
export function criticalPath(nodes: readonly GraphNode[]): CriticalPath {
  const byUrn = new Map(nodes.map((n) => [n.urn, n]));
  const children = new Map<string, string[]>();
  for (const n of nodes) if (n.parent) children.set(n.parent, [...(children.get(n.parent) ?? []), n.urn]);
  const expand = (urn: string, seen = new Set<string>()): string[] => {
    const node = byUrn.get(urn);
    if (!node || seen.has(urn)) return [];
    seen.add(urn);
    if (node.custom) return [urn];
    return (children.get(urn) ?? []).flatMap((c) => expand(c, seen));
  };
  const finish = new Map<string, { at: number; prev?: string }>();
  const visiting = new Set<string>();
  const visit = (urn: string): number => {
    const done = finish.get(urn);
    if (done) return done.at;
    const node = byUrn.get(urn)!;
    if (visiting.has(urn)) throw new Error(`dependency cycle through ${urn}`);
    visiting.add(urn);
    const deps = [...node.dependencies, ...(node.provider ? [node.provider] : [])]
      .flatMap((d) => expand(d))
      .filter((d) => d !== urn);
    let best = 0;
    let prev: string | undefined;
    for (const d of deps) {
      const at = visit(d);
      if (at > best) [best, prev] = [at, d];
    }
    visiting.delete(urn);
    const at = best + createSeconds(node.type);
    finish.set(urn, { at, prev });
    return at;
  };
  const custom = nodes.filter((n) => n.custom);
  let end: string | undefined;
  let seconds = 0;
  for (const n of custom) {
    const at = visit(n.urn);
    if (at > seconds) [seconds, end] = [at, n.urn];
  }
  const chain: { urn: string; type: string; seconds: number }[] = [];
  for (let cur = end; cur; cur = finish.get(cur)?.prev) {
    const node = byUrn.get(cur)!;
    chain.unshift({ urn: cur, type: node.type, seconds: createSeconds(node.type) });
  }
  return { chain, seconds, serialSeconds: custom.reduce((s, n) => s + createSeconds(n.type), 0) };
}
