/**
 * The managed node groups of an EksCluster: one hardened launch template and one node group per
 * configured group. A helper of components/cluster/cluster.ts (children keep the cluster as parent, so the
 * `default` group keeps the URN `<cluster>-nodes` of stacks deployed before `nodeGroups` existed).
 * Settings come from lib/cluster/cluster-plan.ts and lib/nodes/node-groups.ts.
 */
import type * as pulumi from "@pulumi/pulumi";
import * as aws from "../aws/sdk";
import { LAUNCH_TAGGED_RESOURCE_TYPES, nodeLaunchSettings } from "../../lib/cluster/cluster-plan";
import {
  DEFAULT_NODE_GROUP_NAME,
  TAINT_EFFECTS,
  eksChoices,
  nodeGroupChildSuffix,
  type NodeGroupConfig,
} from "../../lib/nodes/node-groups";

export interface NodeGroupsArgs {
  readonly clusterName: pulumi.Input<string>;
  /** Cluster name for descriptions. */
  readonly clusterLabel: string;
  readonly nodeRoleArn: pulumi.Input<string>;
  readonly subnetIds: pulumi.Input<string>[];
  readonly groups: readonly NodeGroupConfig[];
  /** Kubernetes version of the control plane: the nodes follow it (updated after it). */
  readonly version: pulumi.Input<string>;
  readonly tags: Readonly<Record<string, string>>;
  /** The Cluster Autoscaler changes desired sizes: ignore them after creation. */
  readonly desiredSizeOwnedByAutoscaler: boolean;
  /** Node permissions and networking add-ons the nodes need to join and go Ready. */
  readonly dependsOn: pulumi.Resource[];
}

/** Creates every group; `name` is the cluster component's name. */
export function createNodeGroups(name: string, args: NodeGroupsArgs, parent: pulumi.Resource): aws.eks.NodeGroup[] {
  const tags = { ...args.tags };
  return args.groups.map((g) => {
    const child = `${name}-${nodeGroupChildSuffix(g.name)}`;
    const launch = nodeLaunchSettings(g.diskSizeGiB, g.amiType);
    const launchTemplate = new aws.ec2.LaunchTemplate(
      `${child}-lt`,
      {
        description:
          `Nodes of EKS ` +
          `cluster ${args.clusterLabel}${g.name === DEFAULT_NODE_GROUP_NAME ? "" : ` (group ${g.name})`}`,
        metadataOptions: launch.metadataOptions,
        blockDeviceMappings: launch.blockDeviceMappings.map((m) => ({ deviceName: m.deviceName, ebs: { ...m.ebs } })),
        tagSpecifications: LAUNCH_TAGGED_RESOURCE_TYPES.map((resourceType) => ({ resourceType, tags })),
        updateDefaultVersion: true,
        tags,
      },
      { parent },
    );
    return new aws.eks.NodeGroup(
      child,
      {
        clusterName: args.clusterName,
        nodeRoleArn: args.nodeRoleArn,
        subnetIds: args.subnetIds,
        instanceTypes: [...g.instanceTypes],
        // The control plane's version (an output of the cluster: nodes roll after it is upgraded, never
        // ahead of it). Updated in place by UpdateNodegroupVersion (terraform-provider-aws node_group.go).
        version: args.version,
        // amiType and capacityType are ForceNew: the default group sends them only when not EKS's own.
        ...eksChoices(g),
        ...(Object.keys(g.labels).length ? { labels: { ...g.labels } } : {}),
        ...(g.taints.length
          ? {
              taints: g.taints.map((t) => ({
                key: t.key,
                ...(t.value !== undefined ? { value: t.value } : {}),
                effect: TAINT_EFFECTS[t.effect],
              })),
            }
          : {}),
        scalingConfig: { minSize: g.minSize, desiredSize: g.desiredSize, maxSize: g.maxSize },
        launchTemplate: { id: launchTemplate.id, version: launchTemplate.latestVersion.apply(String) },
        updateConfig: { maxUnavailable: 1 },
        tags,
      },
      {
        parent,
        dependsOn: args.dependsOn,
        // With the Cluster Autoscaler the current size is its own after creation; otherwise (none,
        // Karpenter, which never resizes managed groups) the configured desired size is kept.
        ...(args.desiredSizeOwnedByAutoscaler ? { ignoreChanges: ["scalingConfig.desiredSize"] } : {}),
      },
    );
  });
}
