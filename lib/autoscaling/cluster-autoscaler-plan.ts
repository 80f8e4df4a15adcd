/**
 * Cluster Autoscaler for the managed node groups (pure): its IAM policy, limited to the Auto Scaling
 * groups EKS tagged for this cluster, and its chart values. EKS tags every managed node group's ASG
 * with `k8s.io/cluster-autoscaler/enabled` and `k8s.io/cluster-autoscaler/<cluster>` (EKS user guide,
 * "Managed node groups"), which is what auto-discovery looks for; `eks:DescribeNodegroup` lets it
 * read a group's labels and taints to scale it up from zero (cluster-autoscaler/cloudprovider/aws FAQ).
 */
import type { PolicyDocument } from "../aws/policy-document";
import { ADDON_CHARTS, CLUSTER_AUTOSCALER_IMAGE_TAGS } from "../charts/pinned-versions";

export const CLUSTER_AUTOSCALER_CHART = ADDON_CHARTS.clusterAutoscaler;
export const CLUSTER_AUTOSCALER_SERVICE_ACCOUNT = { namespace: "kube-system", name: "cluster-autoscaler" } as const;

export function clusterAutoscalerPolicy(args: {
  clusterName: string;
  region: string;
  accountId: string;
}): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Resource: "*",
        Action: [
          "autoscaling:DescribeAutoScalingGroups",
          "autoscaling:DescribeAutoScalingInstances",
          "autoscaling:DescribeLaunchConfigurations",
          "autoscaling:DescribeScalingActivities",
          "autoscaling:DescribeTags",
          "ec2:DescribeImages",
          "ec2:DescribeInstanceTypes",
          "ec2:DescribeLaunchTemplateVersions",
          "ec2:GetInstanceTypesFromInstanceRequirements",
        ],
      },
      {
        // Only this cluster's groups (the tag EKS puts on them), never another cluster's in the account.
        Effect: "Allow",
        Resource: "*",
        Action: ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"],
        Condition: { StringEquals: { [`aws:ResourceTag/k8s.io/cluster-autoscaler/${args.clusterName}`]: "owned" } },
      },
      {
        Effect: "Allow",
        Action: "eks:DescribeNodegroup",
        Resource: `arn:aws:eks:${args.region}:${args.accountId}:nodegroup/${args.clusterName}/*`,
      },
    ],
  };
}

/** The autoscaler's minor must equal the cluster's (its README: "Releases"); the tag follows cluster.version. */
export function clusterAutoscalerImageTag(clusterVersion: string): string {
  const tag = CLUSTER_AUTOSCALER_IMAGE_TAGS[clusterVersion];
  if (!tag)
    throw new Error(
      `no Cluster Autoscaler image pinned for Kubernetes ${clusterVersion} (lib/charts/pinned-versions.ts)`,
    );
  return tag;
}

export function clusterAutoscalerValues(args: {
  clusterName: string;
  region: string;
  roleArn: string;
  clusterVersion: string;
}): Record<string, unknown> {
  return {
    cloudProvider: "aws",
    awsRegion: args.region,
    autoDiscovery: { clusterName: args.clusterName },
    image: { tag: clusterAutoscalerImageTag(args.clusterVersion) },
    rbac: {
      serviceAccount: {
        name: CLUSTER_AUTOSCALER_SERVICE_ACCOUNT.name,
        annotations: { "eks.amazonaws.com/role-arn": args.roleArn },
      },
    },
    // Groups of the same shape in several AZs scale together (one ASG per managed group spans the AZs already).
    extraArgs: { "balance-similar-node-groups": true, "skip-nodes-with-local-storage": false, expander: "least-waste" },
  };
}
