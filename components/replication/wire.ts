/**
 * Pattern 3 in the program: the active-active member of this stack (peering with every peer, private
 * DNS, Keeper voters, the ClickHouse replication config), and the stack outputs peers and operators
 * read. Nothing for the other patterns.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../../lib/config/types";
import type { EksCluster } from "../cluster/cluster";
import type { NetworkView } from "../network/existing-network";
import { ActiveActiveMember } from "./active-active";

export interface ActiveActiveWired {
  /** The member: its `release` feeds the InfraSage release (none on a witness). */
  readonly member: ActiveActiveMember;
  /** `replication`, `replicationPending`, `replicationQuorum`, `replicationPrerequisites`, `replicationSecret`. */
  readonly outputs: Record<string, pulumi.Input<unknown>>;
}

export function wireActiveActive(
  config: StackConfig,
  deps: { cluster: EksCluster; network: NetworkView; availabilityZones: readonly string[] },
  opts: pulumi.ComponentResourceOptions,
): ActiveActiveWired | undefined {
  if (config.pattern !== "active-active") return undefined;
  const { cluster, network } = deps;
  const member = new ActiveActiveMember(
    "replication",
    {
      config,
      vpcId: network.vpcId,
      privateRouteTableIds: network.privateRouteTableIds,
      privateSubnetCidrs: network.privateSubnetCidrs,
      availabilityZones: deps.availabilityZones,
      clusterSecurityGroupId: cluster.clusterSecurityGroupId,
      oidcProviderArn: cluster.oidcProviderArn,
      oidcIssuer: cluster.oidcIssuer,
    },
    opts,
  );
  return {
    member,
    outputs: {
      replication: member.replicationExport,
      replicationPending: member.pending,
      replicationQuorum: member.quorum,
      replicationPrerequisites: member.prerequisites,
      ...(member.generatedSecret ? { replicationSecret: member.generatedSecret } : {}),
    },
  };
}
