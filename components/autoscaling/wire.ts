/**
 * Picks the autoscaler `autoscaling` names and wires it to the cluster: nothing for `none`, the
 * Cluster Autoscaler, or Karpenter with the stack's subnets, AZs and the profile's limits.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../../lib/config/types";
import type { EksCluster } from "../cluster/cluster";
import type { NetworkView } from "../network/existing-network";
import { SCALE_PROFILES } from "../../lib/profiles/profiles";
import { karpenterLimits } from "../../lib/autoscaling/karpenter-plan";
import { ClusterAutoscaler } from "./cluster-autoscaler";
import { Karpenter } from "./karpenter";

export function wireAutoscaling(
  config: StackConfig,
  deps: {
    cluster: EksCluster;
    network: NetworkView;
    availabilityZones: readonly string[];
    runningAddonVersions: Readonly<Record<string, string>>;
  },
  opts: pulumi.ComponentResourceOptions,
): ClusterAutoscaler | Karpenter | undefined {
  const { cluster, network } = deps;
  if (config.autoscaling === "cluster-autoscaler") {
    return new ClusterAutoscaler(
      "cluster-autoscaler",
      {
        clusterName: cluster.clusterName,
        clusterVersion: config.cluster.version,
        region: config.region,
        oidcProviderArn: cluster.oidcProviderArn,
        oidcIssuer: cluster.oidcIssuer,
        tags: config.tags,
      },
      opts,
    );
  }
  if (config.autoscaling === "karpenter") {
    const profile = SCALE_PROFILES[config.scaleProfile];
    // Karpenter's nodes are the first group's kind: its AMI family/architecture and capacity type.
    const first = config.nodeGroups[0]!;
    return new Karpenter(
      "karpenter",
      {
        clusterName: cluster.clusterName,
        region: config.region,
        clusterSecurityGroupId: cluster.clusterSecurityGroupId,
        privateSubnetIds: network.privateSubnetIds,
        availabilityZones: deps.availabilityZones,
        amiType: first.amiType,
        diskSizeGiB: first.diskSizeGiB,
        limits: karpenterLimits(profile),
        capacityTypes: first.capacityType === "SPOT" ? ["spot", "on-demand"] : ["on-demand"],
        tags: config.tags,
        clusterVersion: config.cluster.version,
        ...(config.cluster.addons["eks-pod-identity-agent"]
          ? { agentAddon: config.cluster.addons["eks-pod-identity-agent"] }
          : {}),
        ...(deps.runningAddonVersions["eks-pod-identity-agent"]
          ? { runningAgentVersion: deps.runningAddonVersions["eks-pod-identity-agent"] }
          : {}),
      },
      opts,
    );
  }
  return undefined;
}
