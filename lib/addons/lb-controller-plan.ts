/**
 * The AWS Load Balancer Controller as the hub uses it (pure): only to keep the AIops Engine's pod IPs
 * registered in a Pulumi-managed target group through a TargetGroupBinding. It creates no load
 * balancer and touches no security group, so its IAM policy is the "TargetGroupBinding only" subset
 * of the upstream policy, limited to the given target groups.
 */
import type { PolicyDocument } from "../aws/policy-document";
import { ADDON_CHARTS } from "../charts/pinned-versions";

/** The eks-charts Helm chart, pinned in lib/charts/pinned-versions.ts. */
export const LB_CONTROLLER_CHART = ADDON_CHARTS.lbController;

/** Where the controller runs, and its service account (the IRSA subject). */
export const LB_CONTROLLER_SERVICE_ACCOUNT = {
  namespace: "kube-system",
  name: "aws-load-balancer-controller",
} as const;

/** IAM policy of the controller: read what it needs, (de)register targets only in `targetGroupArns`. */
export function lbControllerPolicy(targetGroupArns: readonly string[]): PolicyDocument {
  if (targetGroupArns.length === 0) throw new Error("lbControllerPolicy: no target group ARNs given");
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Action: [
          "ec2:DescribeVpcs",
          "ec2:DescribeSubnets",
          "ec2:DescribeSecurityGroups",
          "ec2:DescribeInstances",
          "ec2:DescribeNetworkInterfaces",
          "ec2:DescribeAvailabilityZones",
          "elasticloadbalancing:DescribeLoadBalancers",
          "elasticloadbalancing:DescribeListeners",
          "elasticloadbalancing:DescribeTargetGroups",
          "elasticloadbalancing:DescribeTargetGroupAttributes",
          "elasticloadbalancing:DescribeTargetHealth",
          "elasticloadbalancing:DescribeTags",
        ],
        Resource: "*",
      },
      {
        Effect: "Allow",
        Action: ["elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"],
        Resource: [...targetGroupArns],
      },
    ],
  };
}

/** Chart values: cluster, region and VPC given (no IMDS lookups), the IRSA role, no Service webhook. */
export function lbControllerValues(args: {
  readonly clusterName: string;
  readonly region: string;
  readonly vpcId: string;
  readonly roleArn: string;
}) {
  return {
    clusterName: args.clusterName,
    region: args.region,
    vpcId: args.vpcId,
    serviceAccount: {
      create: true,
      name: LB_CONTROLLER_SERVICE_ACCOUNT.name,
      annotations: { "eks.amazonaws.com/role-arn": args.roleArn },
    },
    // Services of type LoadBalancer stay with the in-tree controller: this one only binds target groups.
    enableServiceMutatorWebhook: false,
  };
}

/** The `elbv2.k8s.aws/v1beta1` TargetGroupBinding spec: pod IPs of `service` into the target group. */
export function targetGroupBindingSpec(args: {
  readonly targetGroupArn: string;
  readonly serviceName: string;
  readonly servicePort: number;
}) {
  return {
    serviceRef: { name: args.serviceName, port: args.servicePort },
    targetGroupARN: args.targetGroupArn,
    targetType: "ip" as const,
  };
}
