/**
 * A VPC peering link from this stack's VPC to a peer stack's VPC in another region, created
 * entirely by the owning stack: the request here, the accepter and the return routes in the
 * peer's region through the aws v7 `region` input (no second provider). Routes cover only the
 * destination CIDRs given (never more of the peer VPC than the purpose needs).
 */
import * as aws from "../aws/sdk";
import * as pulumi from "@pulumi/pulumi";
import type { NetworkExport } from "../../lib/links/peering-plan";
import { PEERING_COMPONENT_TYPE } from "../../policies/shared/flows";

type LinkPurpose = "alert-federation" | "clickhouse-replication" | "metrics";

export interface CrossRegionPeeringArgs {
  /** This stack's VPC id. */
  readonly vpcId: pulumi.Input<string>;
  /** This stack's private route tables: routes to the peer go here. */
  readonly routeTableIds: readonly pulumi.Input<string>[];
  /** The peer, as read from its StackReference (lib/links/peering-plan.ts readPeerNetwork). */
  readonly peer: NetworkExport;
  /** CIDRs inside the peer VPC that this stack may reach. */
  readonly routesToPeer: readonly string[];
  /** CIDRs inside this VPC that the peer may reach (return path). */
  readonly routesFromPeer: readonly string[];
  /** What the link carries; tagged on the connection so reviewers and policies can see it. */
  readonly purpose: LinkPurpose;
  /** Tags for the connection. */
  readonly tags: Readonly<Record<string, string>>;
}

export class CrossRegionPeering extends pulumi.ComponentResource {
  /** The peering connection id. */
  public readonly connectionId: pulumi.Output<string>;

  constructor(name: string, args: CrossRegionPeeringArgs, opts?: pulumi.ComponentResourceOptions) {
    super(PEERING_COMPONENT_TYPE, name, {}, opts);
    const parent = { parent: this };
    const connection = new aws.ec2.VpcPeeringConnection(
      `${name}-pcx`,
      {
        vpcId: args.vpcId,
        peerVpcId: args.peer.vpcId,
        peerRegion: args.peer.region,
        tags: { ...args.tags, Name: `${name}`, Purpose: args.purpose, PeerStack: args.peer.stack },
      },
      parent,
    );
    const accepter = new aws.ec2.VpcPeeringConnectionAccepter(
      `${name}-accept`,
      {
        region: args.peer.region,
        vpcPeeringConnectionId: connection.id,
        autoAccept: true,
        tags: { ...args.tags, Name: `${name}`, Purpose: args.purpose },
      },
      parent,
    );
    // Routes take the accepter's id so they are created only once the link is active.
    const activeId = accepter.vpcPeeringConnectionId;
    args.routeTableIds.forEach((routeTableId, i) =>
      args.routesToPeer.forEach((cidr, j) => {
        new aws.ec2.Route(
          `${name}-to-peer-${i}-${j}`,
          { routeTableId, destinationCidrBlock: cidr, vpcPeeringConnectionId: activeId },
          parent,
        );
      }),
    );
    args.peer.privateRouteTableIds.forEach((routeTableId, i) =>
      args.routesFromPeer.forEach((cidr, j) => {
        new aws.ec2.Route(
          `${name}-from-peer-${i}-${j}`,
          { region: args.peer.region, routeTableId, destinationCidrBlock: cidr, vpcPeeringConnectionId: activeId },
          parent,
        );
      }),
    );
    this.connectionId = activeId;
    this.registerOutputs({ connectionId: this.connectionId });
  }
}
