/**
 * A shared-Grafana source's metrics link to its host, owned by the source (it reads the host's
 * `network` output): an internal NLB in this stack's load-balancer subnets passing TCP on
 * PORTS.metricsLink through to the source's link tunnel (TLS, only the host's client certificate:
 * lib/links/link-tls.ts) in front of Prometheus, its own security group admitting exactly that port from
 * the host's private subnets (where Grafana's tunnels are), a target group (ip) the stack's
 * LoadBalancerController fills with the tunnel's pods (`targetGroupBinding`), and VPC peering routed
 * only to the host's private subnets (here) and back only to this stack's load-balancer subnets (in
 * the host's region).
 * Everything is tagged METRICS_LINK_TAGS: residency lets the link cross jurisdictions, the policy
 * metrics-link-scope keeps it to Prometheus. The host's Grafana reads `sourceExport` (the NLB's DNS
 * name: AWS resolves an internal NLB's name to its private IPs, from the peered VPC too).
 * Pass `providers: { aws, kubernetes }`: children inherit them through `parent`.
 */
import * as pulumi from "@pulumi/pulumi";
import {
  METRICS_LINK_TAGS,
  SOURCE_TUNNEL_NAME,
  sourceTunnel,
  type GrafanaSourceExport,
} from "../../lib/grafana/grafana";
import { tunnelLabels } from "../../lib/links/link-tls";
import { linkTunnel } from "../links/link-tunnel";
import type { NetworkExport } from "../../lib/links/peering-plan";
import { METRICS_SOURCE_COMPONENT_TYPE } from "../../policies/shared/flows";
import { PORTS } from "../../policies/shared/ports";
import { networkPolicies } from "../isolation/network-policies";
import { allowIngress } from "../../lib/isolation/isolation";
import type { Jurisdiction } from "../../policies/shared/regions";
import type { TargetGroupBindingRequest } from "../addons/lb-controller";
import { CrossRegionPeering } from "../links/peering";
import { InternalEndpoint } from "../links/internal-endpoint";

export interface GrafanaSourceLinkArgs {
  /** This (source) stack's name: the host checks it against its reference. */
  readonly stack: string;
  /** Region of this stack. */
  readonly region: string;
  /** Jurisdiction of this stack's region. */
  readonly jurisdiction: Jurisdiction;
  /** This stack's VPC id. */
  readonly vpcId: pulumi.Input<string>;
  /** Load-balancer subnet ids (AZ order): the NLB's ENIs go here. */
  readonly loadBalancerSubnetIds: readonly pulumi.Input<string>[];
  /** Load-balancer subnet CIDRs: the only CIDRs of this VPC the host routes to. */
  readonly loadBalancerSubnetCidrs: readonly string[];
  /** Private route tables (the load-balancer subnets share them): routes to the host's private subnets go here. */
  readonly privateRouteTableIds: readonly pulumi.Input<string>[];
  /** Security group of the cluster's nodes and pods: receives from the NLB only on PORTS.metricsLink. */
  readonly clusterSecurityGroupId: pulumi.Input<string>;
  /** Namespace of the InfraSage release (the Prometheus Service and the tunnel). */
  readonly namespace: pulumi.Input<string>;
  /** The host's `network` output (lib/links/peering-plan.ts readPeerNetwork). */
  readonly host: NetworkExport;
  /** Tags on every taggable AWS resource (METRICS_LINK_TAGS are added). */
  readonly tags: Readonly<Record<string, string>>;
}

export class GrafanaSourceLink extends pulumi.ComponentResource {
  /** What the host reads under GRAFANA_SOURCE_OUTPUT. */
  public readonly sourceExport: pulumi.Output<GrafanaSourceExport>;
  /** The Prometheus pods into the target group: for the stack's LoadBalancerController. */
  public readonly targetGroupBinding: TargetGroupBindingRequest;

  constructor(name: string, args: GrafanaSourceLinkArgs, opts?: pulumi.ComponentResourceOptions) {
    super(METRICS_SOURCE_COMPONENT_TYPE, name, {}, opts);
    const parent = { parent: this };
    const port = PORTS.metricsLink;

    // --- The link tunnel: TLS in, only from the host's certificate, to Prometheus -------------------
    const tunnel = sourceTunnel(args.host.stack);
    linkTunnel(name, tunnel, args.namespace, parent);

    // --- The internal NLB: the tunnel from the host's Grafana pods only ----------------------------
    const endpoint = new InternalEndpoint(
      `${name}-ep`,
      {
        purpose: "Prometheus (TLS)",
        vpcId: args.vpcId,
        loadBalancerSubnetIds: args.loadBalancerSubnetIds,
        clusterSecurityGroupId: args.clusterSecurityGroupId,
        listenerPort: port,
        service: { name: SOURCE_TUNNEL_NAME, port: tunnel.listenPort, namespace: args.namespace },
        bindingName: `${SOURCE_TUNNEL_NAME}-grafana`,
        allowedSources: args.host.privateSubnetCidrs.map((cidr, i) => ({
          key: `host-${i}`,
          cidr,
          description: `Prometheus from Grafana on ${args.host.stack}`,
        })),
        tags: { ...args.tags, ...METRICS_LINK_TAGS },
      },
      parent,
    );
    this.targetGroupBinding = endpoint.targetGroupBinding;
    // The load balancer reaches the tunnel from its subnets (ip targets: the NLB's own addresses); the
    // tunnel reaches Prometheus inside the namespace (allow-within-namespace).
    networkPolicies(
      `${name}-netpol`,
      [
        allowIngress(
          "allow-shared-grafana",
          "",
          [tunnel.listenPort],
          { cidrs: args.loadBalancerSubnetCidrs },
          tunnelLabels(SOURCE_TUNNEL_NAME),
        ),
      ],
      parent,
      args.namespace,
    );

    // --- Peering: to the host's Grafana pods, back to the NLB's subnets only -----------------------
    new CrossRegionPeering(
      `${name}-peering`,
      {
        vpcId: args.vpcId,
        routeTableIds: args.privateRouteTableIds,
        peer: args.host,
        // The NLB answers Grafana's pods from the load-balancer subnets (their route tables are these).
        routesToPeer: args.host.privateSubnetCidrs,
        // Never this whole VPC: only where the NLB's ENIs are.
        routesFromPeer: args.loadBalancerSubnetCidrs,
        purpose: "metrics",
        tags: { ...args.tags, ...METRICS_LINK_TAGS },
      },
      parent,
    );

    this.sourceExport = pulumi.output({
      stack: args.stack,
      region: args.region,
      jurisdiction: args.jurisdiction,
      prometheusUrl: pulumi.interpolate`https://${endpoint.dnsName}:${port}`,
    });
    this.registerOutputs({ sourceExport: this.sourceExport });
  }
}
