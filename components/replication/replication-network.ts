/**
 * This stack's side of the replication group's network, from the pure plan in
 * lib/replication/replication-plan.ts: the peering links it owns (the shared CrossRegionPeering, one per link
 * in the whole group), ingress on its cluster security group from each peer's VPC CIDR on the
 * replication ports only, and the association of each peer's private zone with this VPC.
 * Peers are known only from their StackReference outputs, so children are created once the plan
 * resolves (with the outputs known at preview, as StackReference outputs are).
 */
import * as aws from "../aws/sdk";
import * as pulumi from "@pulumi/pulumi";
import type { ReplicationPeerPlan } from "../../lib/replication/replication-plan";
import { CrossRegionPeering } from "../links/peering";

export interface ReplicationNetworkArgs {
  /** The member's plan (planReplicationPeers) once the peers' outputs are read. */
  readonly plan: pulumi.Input<ReplicationPeerPlan>;
  /** This stack's VPC id. */
  readonly vpcId: pulumi.Input<string>;
  /** This stack's region (zone associations name the VPC's region). */
  readonly region: string;
  /** This stack's private route tables (routes to peers of the links it owns). */
  readonly privateRouteTableIds: readonly pulumi.Input<string>[];
  /** The EKS cluster security group (nodes and pods, VPC CNI): where peers' traffic arrives. */
  readonly clusterSecurityGroupId: pulumi.Input<string>;
  /** Tags on the peering connections and the rules. */
  readonly tags: Readonly<Record<string, string>>;
}

export class ReplicationNetwork extends pulumi.ComponentResource {
  /** Stacks this stack created a peering link to. */
  public readonly linkedPeers: pulumi.Output<string[]>;

  constructor(name: string, args: ReplicationNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("infrasage:replication:ReplicationNetwork", name, {}, opts);
    const parent = { parent: this };
    this.linkedPeers = pulumi.output(args.plan).apply((plan) => {
      for (const link of plan.ownedLinks) {
        new CrossRegionPeering(
          `${name}-${link.peer.stack}`,
          {
            vpcId: args.vpcId,
            routeTableIds: args.privateRouteTableIds,
            peer: link.peer,
            routesToPeer: link.routesToPeer,
            routesFromPeer: link.routesFromPeer,
            purpose: "clickhouse-replication",
            tags: args.tags,
          },
          parent,
        );
      }
      for (const rule of plan.ingressRules) {
        new aws.vpc.SecurityGroupIngressRule(
          `${name}-${rule.peerStack}-${rule.port}`,
          {
            securityGroupId: args.clusterSecurityGroupId,
            cidrIpv4: rule.cidr,
            ipProtocol: "tcp",
            fromPort: rule.port,
            toPort: rule.port,
            description: rule.description,
            tags: { ...args.tags, Name: `${name}-${rule.peerStack}-${rule.port}` },
          },
          parent,
        );
      }
      for (const peer of plan.connected) {
        new aws.route53.ZoneAssociation(
          `${name}-${peer.replication.stack}-zone`,
          {
            zoneId: peer.replication.zoneId,
            vpcId: args.vpcId,
            vpcRegion: args.region,
          },
          parent,
        );
      }
      return plan.ownedLinks.map((l) => l.peer.stack).sort();
    });
    this.registerOutputs({ linkedPeers: this.linkedPeers });
  }
}
