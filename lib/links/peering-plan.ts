/**
 * Cross-region link planning (pure): what a stack exports for its peers, reading a peer's
 * StackReference outputs safely, and who owns each link so it is created exactly once.
 */
import { overlapCidr } from "cidr-tools";
import { jurisdictionOf, type Jurisdiction } from "../../policies/shared/regions";

/** What every stack exports under the `network` output for peers to connect to it. */
export interface NetworkExport {
  readonly stack: string;
  readonly region: string;
  readonly jurisdiction: Jurisdiction;
  readonly vpcId: string;
  readonly vpcCidr: string;
  /** Private route tables (AZ order): return routes to peers go here. */
  readonly privateRouteTableIds: readonly string[];
  /** Private subnet CIDRs (AZ order): where pods and internal load balancers live. */
  readonly privateSubnetCidrs: readonly string[];
  /** Security group of the EKS cluster and its nodes/pods. */
  readonly clusterSecurityGroupId: string;
}

export type PeerRead =
  | { readonly ok: true; readonly peer: NetworkExport }
  | { readonly ok: false; readonly pending: string };

/** A string array: what another stack's outputs (untyped JSON) must hold where a list is read. */
export const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === "string");

/** The jurisdiction of the region another stack's output names, or why that stack cannot be linked. */
export function peerJurisdiction(
  ref: string,
  region: string,
): { readonly ok: true; readonly jurisdiction: Jurisdiction } | { readonly ok: false; readonly pending: string } {
  const jurisdiction = jurisdictionOf(region);
  return jurisdiction
    ? { ok: true, jurisdiction }
    : { ok: false, pending: `${ref} is in region ${region}, unknown to policies/shared/regions.ts` };
}

/**
 * Reads `network` from a peer stack's outputs. A peer not deployed yet (no outputs) is pending,
 * not an error: the first stack of a group deploys before its peers.
 */
export function readPeerNetwork(ref: string, outputs: Readonly<Record<string, unknown>> | undefined): PeerRead {
  const n = outputs?.network as Record<string, unknown> | undefined;
  if (!n)
    return {
      ok: false,
      pending: `${ref} has no 'network' output yet (not deployed); run pulumi up there, then here again`,
    };
  const { stack, region, vpcId, vpcCidr, privateRouteTableIds, privateSubnetCidrs, clusterSecurityGroupId } = n;
  if (
    typeof region !== "string" ||
    typeof vpcId !== "string" ||
    typeof vpcCidr !== "string" ||
    typeof stack !== "string" ||
    typeof clusterSecurityGroupId !== "string" ||
    !isStringArray(privateRouteTableIds) ||
    !isStringArray(privateSubnetCidrs)
  ) {
    return {
      ok: false,
      pending: `${ref}'s 'network' output is incomplete (deployed by an older version?); run pulumi up there first`,
    };
  }
  const place = peerJurisdiction(ref, region);
  if (!place.ok) return place;
  return {
    ok: true,
    peer: {
      stack,
      region,
      jurisdiction: place.jurisdiction,
      vpcId,
      vpcCidr,
      privateRouteTableIds,
      privateSubnetCidrs,
      clusterSecurityGroupId,
    },
  };
}

/** The stack that owns (creates) the link between two stacks: the one whose name sorts first. */
export function linkOwner(a: string, b: string): string {
  return a < b ? a : b;
}

/** Problems that make a link impossible: overlapping CIDRs (routes would be ambiguous). */
export function linkProblems(localCidr: string, peer: NetworkExport): string[] {
  return overlapCidr(localCidr, peer.vpcCidr)
    ? [
        `VPC CIDR ${localCidr} overlaps ${peer.stack}'s ${peer.vpcCidr}: ` +
          `peering cannot route between them; give one stack another network.cidr`,
      ]
    : [];
}
