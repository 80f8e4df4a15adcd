/**
 * A spoke of pattern 2 (hub-and-spoke alert federation) owns its link to the hub: VPC peering that
 * routes only to the hub's load-balancer subnets (and back only to this spoke's private subnets), the
 * hub's private hosted zone associated with this VPC so `infrasage-hub.central.internal` resolves,
 * this spoke's webhook credential in a Kubernetes Secret the AIops Engine reads, and the spoke's link
 * tunnel (lib/links/link-tls.ts) that carries the alerts to the hub over TLS, accepting only the hub's
 * certificate.
 * Created only once the hub is ready for this spoke (lib/federation/federation.ts readHub).
 * Pass `providers: { aws, kubernetes }`: children inherit them through `parent`.
 */
import * as aws from "../aws/sdk";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
  FEDERATION_TAGS,
  SPOKE_CREDENTIAL_SECRET,
  spokeTunnel,
  type HubFederationExport,
} from "../../lib/federation/federation";
import { linkTunnel } from "../links/link-tunnel";
import type { NetworkExport } from "../../lib/links/peering-plan";
import { ALERT_SPOKE_COMPONENT_TYPE } from "../../policies/shared/flows";
import { CrossRegionPeering } from "../links/peering";

export interface FederationSpokeArgs {
  /** Region of this spoke. */
  readonly region: string;
  /** This spoke's VPC id. */
  readonly vpcId: pulumi.Input<string>;
  /** This spoke's private route tables: routes to the hub's load-balancer subnets go here. */
  readonly privateRouteTableIds: readonly pulumi.Input<string>[];
  /** This spoke's private subnet CIDRs: the only CIDRs the hub routes back to. */
  readonly privateSubnetCidrs: readonly string[];
  /** The hub's `federation` output (lib/federation/federation.ts readHub). */
  readonly hub: HubFederationExport;
  /** The hub's `network` output. */
  readonly hubNetwork: NetworkExport;
  /** This spoke's credential from the hub's `spokeCredentials` (a Pulumi secret). */
  readonly credential: pulumi.Input<string>;
  /** Namespace of the InfraSage release (where the AIops Engine reads the credential). */
  readonly namespace: pulumi.Input<string>;
  /** Tags on every taggable AWS resource (FEDERATION_TAGS are added). */
  readonly tags: Readonly<Record<string, string>>;
}

export class FederationSpoke extends pulumi.ComponentResource {
  /** The peering connection to the hub. */
  public readonly peeringConnectionId: pulumi.Output<string>;

  constructor(name: string, args: FederationSpokeArgs, opts?: pulumi.ComponentResourceOptions) {
    super(ALERT_SPOKE_COMPONENT_TYPE, name, {}, opts);
    const parent = { parent: this };

    const link = new CrossRegionPeering(
      `${name}-link`,
      {
        vpcId: args.vpcId,
        routeTableIds: args.privateRouteTableIds,
        peer: args.hubNetwork,
        // Never the whole hub VPC: only where the webhook load balancer's ENIs are.
        routesToPeer: args.hub.lbSubnetCidrs,
        routesFromPeer: args.privateSubnetCidrs,
        purpose: "alert-federation",
        tags: { ...args.tags, ...FEDERATION_TAGS },
      },
      parent,
    );

    // Same account: no VPC association authorization needed. The hub's zone ignores changes to its
    // VPC list, so the hub's next `pulumi up` keeps this association.
    new aws.route53.ZoneAssociation(
      `${name}-zone`,
      { zoneId: args.hub.zoneId, vpcId: args.vpcId, vpcRegion: args.region },
      parent,
    );

    new k8s.core.v1.Secret(
      `${name}-credential`,
      {
        metadata: { name: SPOKE_CREDENTIAL_SECRET.name, namespace: args.namespace },
        type: "Opaque",
        stringData: { [SPOKE_CREDENTIAL_SECRET.key]: pulumi.secret(args.credential) },
      },
      parent,
    );

    linkTunnel(name, spokeTunnel(args.hubNetwork.stack), args.namespace, parent);

    this.peeringConnectionId = link.connectionId;
    this.registerOutputs({ peeringConnectionId: this.peeringConnectionId });
  }
}
