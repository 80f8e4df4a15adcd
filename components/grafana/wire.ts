/**
 * Shared Grafana in the program, once planSharedGrafana has read the other side: on a source whose
 * host is deployed, its Prometheus behind an internal NLB peered to the host (GrafanaSourceLink); on
 * the host, one TLS link tunnel per ready source (its datasources point at them).
 */
import type * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../../lib/config/types";
import type { TargetGroupBindingRequest } from "../addons/lb-controller";
import type { EksCluster } from "../cluster/cluster";
import { LinkTunnels } from "../links/link-tunnel";
import type { NetworkView } from "../network/existing-network";
import { GrafanaSourceLink } from "./grafana-link";
import type { SharedGrafanaPlan } from "./shared-grafana";

export interface SharedGrafanaWired {
  /** The source's link (its `sourceExport` is what the host reads); none on the host. */
  readonly link?: GrafanaSourceLink;
  /** The link's target group, for the stack's one LoadBalancerController. */
  readonly bindings: readonly TargetGroupBindingRequest[];
}

export function wireSharedGrafana(
  plan: SharedGrafanaPlan,
  w: { config: StackConfig; network: NetworkView; cluster: EksCluster; namespace: pulumi.Input<string> },
  opts: { link: pulumi.ComponentResourceOptions; tunnels: pulumi.ComponentResourceOptions },
): SharedGrafanaWired {
  const { config, network, cluster } = w;
  const link = plan.host
    ? new GrafanaSourceLink(
        "grafana-link",
        {
          stack: config.stack,
          region: config.region,
          jurisdiction: config.jurisdiction,
          vpcId: network.vpcId,
          loadBalancerSubnetIds: network.loadBalancerSubnetIds,
          loadBalancerSubnetCidrs: network.loadBalancerSubnetCidrs,
          privateRouteTableIds: network.privateRouteTableIds,
          clusterSecurityGroupId: cluster.clusterSecurityGroupId,
          namespace: w.namespace,
          host: plan.host,
          tags: config.tags,
        },
        opts.link,
      )
    : undefined;
  if (plan.tunnels.length) new LinkTunnels("grafana-sources", plan.tunnels, w.namespace, opts.tunnels);
  return { ...(link ? { link } : {}), bindings: link ? [link.targetGroupBinding] : [] };
}
