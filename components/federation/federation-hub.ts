/**
 * The hub of pattern 2 (hub-and-spoke alert federation): exposes the AIops Engine's alert webhook on
 * an internal NLB (TCP passthrough on PORTS.alertWebhook, its own security group opened only to the
 * listed, deployed spokes' private subnets) in front of the hub's link tunnel (TLS, client
 * certificates of the listed spokes only: lib/links/link-tls.ts), names it `infrasage-hub.central.internal`
 * in a private hosted zone spokes associate with, and issues one credential per listed spoke. Plans
 * come from lib/federation/federation.ts. The tunnel's pods are put into the target group by the stack's one
 * LoadBalancerController, through `targetGroupBinding` (stack.ts).
 * Pass `providers: { aws, kubernetes }`: children inherit them through `parent`.
 */
import * as aws from "../aws/sdk";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { publishSpokeCredential } from "../links/linked-stacks";
import { networkPolicies } from "../isolation/network-policies";
import { allowIngress } from "../../lib/isolation/isolation";
import {
  CREDENTIAL_LENGTH,
  FEDERATION_TAGS,
  HUB_CREDENTIALS_SECRET,
  HUB_RECORD,
  HUB_TUNNEL_NAME,
  HUB_WEBHOOK_URL,
  HUB_ZONE_NAME,
  credentialsDocument,
  hubTunnel,
  type HubFederationExport,
} from "../../lib/federation/federation";
import { tunnelLabels } from "../../lib/links/link-tls";
import { linkTunnel } from "../links/link-tunnel";
import type { NetworkExport } from "../../lib/links/peering-plan";
import { ALERT_HUB_COMPONENT_TYPE } from "../../policies/shared/flows";
import { PORTS } from "../../policies/shared/ports";
import type { Jurisdiction } from "../../policies/shared/regions";
import type { TargetGroupBindingRequest } from "../addons/lb-controller";
import { InternalEndpoint } from "../links/internal-endpoint";

export interface FederationHubArgs {
  /** Region of the hub. */
  readonly region: string;
  /** Jurisdiction of the hub's region. */
  readonly jurisdiction: Jurisdiction;
  /** Hub VPC id. */
  readonly vpcId: pulumi.Input<string>;
  /** Hub load-balancer subnet ids (AZ order): the NLB's ENIs go here. */
  readonly loadBalancerSubnetIds: readonly pulumi.Input<string>[];
  /** Hub load-balancer subnet CIDRs (same order): exported as `lbSubnetCidrs`, the only hub CIDRs spokes route to. */
  readonly loadBalancerSubnetCidrs: readonly string[];
  /** Security group of the cluster's nodes and pods (VPC CNI): receives from the NLB only on the tunnel's port. */
  readonly clusterSecurityGroupId: pulumi.Input<string>;
  /** Namespace of the InfraSage release (the AIops Service and the credential Secret). */
  readonly namespace: pulumi.Input<string>;
  /** Stack names of every listed spoke (federation.spokes): one credential each. */
  readonly spokeStacks: readonly string[];
  /** Listed spokes that are deployed: their private subnets may reach the webhook port. */
  readonly linkedSpokes: readonly NetworkExport[];
  /** Tags on every taggable AWS resource (FEDERATION_TAGS are added). */
  readonly tags: Readonly<Record<string, string>>;
  /**
   * Spokes whose state is in another backend read their credential from a Secrets Manager secret
   * in this region (lib/links/contract.ts) instead of this stack's outputs. @default not published
   */
  readonly publishCredentials?: { readonly project: string; readonly hubStack: string };
}

export class FederationHub extends pulumi.ComponentResource {
  /** What spokes read under the hub's `federation` output. */
  public readonly federationExport: pulumi.Output<HubFederationExport>;
  /** `{ "<spoke stack>": "<credential>" }`, a Pulumi secret. */
  public readonly spokeCredentials: pulumi.Output<Record<string, string>>;
  /**
   * The link tunnel's pods into the webhook target group, for the stack's LoadBalancerController; none while no spoke
   * is listed.
   */
  public readonly targetGroupBinding?: TargetGroupBindingRequest;

  constructor(name: string, args: FederationHubArgs, opts?: pulumi.ComponentResourceOptions) {
    super(ALERT_HUB_COMPONENT_TYPE, name, {}, opts);
    const parent = { parent: this };
    const tags = (role: string) => ({ ...args.tags, ...FEDERATION_TAGS, Name: `${name}-${role}` });
    const port = PORTS.alertWebhook;

    // --- The link tunnel: TLS in, only from the listed spokes' certificates ------------------------
    // Without a listed spoke nobody may connect, and ghostunnel does not start without an allowed peer.
    const tunnel = hubTunnel(args.spokeStacks);
    const serving = args.spokeStacks.length > 0;
    if (serving) linkTunnel(name, tunnel, args.namespace, parent);

    // --- The internal NLB: nothing opened but the webhook port from listed, deployed spokes --------
    const endpoint = new InternalEndpoint(
      `${name}-ep`,
      {
        purpose: "Alert webhook",
        vpcId: args.vpcId,
        loadBalancerSubnetIds: args.loadBalancerSubnetIds,
        clusterSecurityGroupId: args.clusterSecurityGroupId,
        listenerPort: port,
        service: { name: HUB_TUNNEL_NAME, port: tunnel.listenPort, namespace: args.namespace },
        bindingName: `${HUB_TUNNEL_NAME}-webhook`,
        allowedSources: args.linkedSpokes.flatMap((spoke) =>
          spoke.privateSubnetCidrs.map((cidr, i) => ({
            key: `${spoke.stack}-${i}`,
            cidr,
            description: `alert webhook from spoke ${spoke.stack}`,
          })),
        ),
        tags: { ...args.tags, ...FEDERATION_TAGS },
      },
      parent,
    );
    if (serving) this.targetGroupBinding = endpoint.targetGroupBinding;

    // --- Name: the seed's infrasage-hub.central.internal (spokes) ----------------------------------
    const alias = { name: endpoint.dnsName, zoneId: endpoint.zoneId, evaluateTargetHealth: true };
    const zone = new aws.route53.Zone(
      `${name}-zone`,
      {
        name: HUB_ZONE_NAME,
        comment: "InfraSage alert federation hub (pattern 2)",
        vpcs: [{ vpcId: args.vpcId, vpcRegion: args.region }],
        tags: tags("zone"),
      },
      {
        ...parent,
        // Spokes add their VPCs with route53.ZoneAssociation: the hub must not remove them on its next up.
        ignoreChanges: ["vpcs"],
      },
    );
    new aws.route53.Record(
      `${name}-record`,
      { zoneId: zone.zoneId, name: HUB_RECORD, type: "A", aliases: [alias] },
      parent,
    );

    // --- One credential per listed spoke, named by its stack (stable when the list is reordered) ---
    const credentials: Record<string, pulumi.Output<string>> = {};
    for (const stack of args.spokeStacks) {
      credentials[stack] = new random.RandomPassword(
        `${name}-credential-${stack}`,
        { length: CREDENTIAL_LENGTH, special: false },
        parent,
      ).result;
    }
    this.spokeCredentials = pulumi.secret(pulumi.all(credentials));
    const publish = args.publishCredentials;
    if (publish) {
      for (const [stack, credential] of Object.entries(credentials)) {
        publishSpokeCredential(
          `${name}-credential-${stack}-secret`,
          { ...publish, spokeStack: stack, credential, tags: tags(`credential-${stack}`) },
          parent,
        );
      }
    }
    new k8s.core.v1.Secret(
      `${name}-spoke-credentials`,
      {
        metadata: { name: HUB_CREDENTIALS_SECRET.name, namespace: args.namespace },
        type: "Opaque",
        stringData: { [HUB_CREDENTIALS_SECRET.key]: this.spokeCredentials.apply(credentialsDocument) },
      },
      parent,
    );

    // The load balancer reaches the tunnel from its subnets (ip targets: the NLB's own addresses); the
    // tunnel reaches the AIops Engine inside the namespace (allow-within-namespace).
    if (serving)
      networkPolicies(
        `${name}-netpol`,
        [
          allowIngress(
            "allow-alert-webhook",
            "",
            [tunnel.listenPort],
            { cidrs: args.loadBalancerSubnetCidrs },
            tunnelLabels(HUB_TUNNEL_NAME),
          ),
        ],
        parent,
        args.namespace,
      );

    this.federationExport = pulumi.output({
      webhookUrl: HUB_WEBHOOK_URL,
      zoneId: zone.zoneId,
      lbSecurityGroupId: endpoint.securityGroupId,
      lbSubnetCidrs: [...args.loadBalancerSubnetCidrs],
      region: args.region,
      jurisdiction: args.jurisdiction,
    });
    this.registerOutputs({ federationExport: this.federationExport, spokeCredentials: this.spokeCredentials });
  }
}
