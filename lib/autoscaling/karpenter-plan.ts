/**
 * Karpenter as plain data: the controller's IAM policy (scoped to this cluster and region), the
 * interruption queue's policy and EventBridge rules, and the default EC2NodeClass and NodePool, which
 * keep the stack's region, AZs, private subnets and node hardening. Pure: components/autoscaling/
 * karpenter.ts only wires these. Facts from Karpenter's v1 docs ("Getting Started", "Interruption",
 * "NodePools", "NodeClasses") and terraform-aws-modules/terraform-aws-eks modules/karpenter
 * (policy.tf, main.tf, v21), rewritten for one cluster.
 */
import type { PolicyDocument } from "../aws/policy-document";
import type { ScaleProfile } from "../profiles/profiles";
import { amiArchitecture, isBottlerocket, type AmiType } from "../nodes/node-groups";
import { ADDON_CHARTS } from "../charts/pinned-versions";

export const KARPENTER_CHART = ADDON_CHARTS.karpenter;
/** Where the controller runs, and its service account (the Pod Identity association's subject). */
export const KARPENTER_SERVICE_ACCOUNT = { namespace: "kube-system", name: "karpenter" } as const;
/** Tag Karpenter discovers the node security group by (EC2NodeClass securityGroupSelectorTerms). */
export const DISCOVERY_TAG = "karpenter.sh/discovery";
/** Name of the default NodePool and EC2NodeClass. */
export const DEFAULT_POOL = "default";

/** Who may take a Pod Identity role: one service account of one cluster of one account. */
export interface PodIdentitySubject {
  readonly accountId: string;
  readonly region: string;
  readonly clusterName: string;
  readonly namespace: string;
  readonly serviceAccount: string;
}

/** `arn:aws:eks:<region>:<account>:cluster/<name>` (commercial partition, as every region InfraSage runs in). */
const eksClusterArn = (s: Pick<PodIdentitySubject, "accountId" | "region" | "clusterName">) =>
  `arn:aws:eks:${s.region}:${s.accountId}:cluster/${s.clusterName}`;

/**
 * Trust of an EKS Pod Identity role (EKS User Guide, "Create IAM role with trust policy required by
 * EKS Pod Identity": pods.eks.amazonaws.com, AssumeRole + TagSession), conditioned on the session
 * tags Pod Identity sets ("Enable or disable session tags": eks-cluster-arn, kubernetes-namespace,
 * kubernetes-service-account) and on the account: without them any Pod Identity association in the
 * account, on any cluster, could take the role.
 */
export function podIdentityTrustPolicy(s: PodIdentitySubject): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Service: "pods.eks.amazonaws.com" },
        Action: ["sts:AssumeRole", "sts:TagSession"],
        Condition: {
          StringEquals: {
            "aws:SourceAccount": s.accountId,
            "aws:RequestTag/eks-cluster-arn": eksClusterArn(s),
            "aws:RequestTag/kubernetes-namespace": s.namespace,
            "aws:RequestTag/kubernetes-service-account": s.serviceAccount,
          },
        },
      },
    ],
  };
}

export interface KarpenterScope {
  readonly clusterName: string;
  readonly region: string;
  readonly accountId: string;
  readonly nodeRoleArn: string;
  readonly queueArn: string;
}

/** Controller policy (Karpenter v1): launches and deletes only what it tagged for this cluster, in this region. */
export function karpenterControllerPolicy(s: KarpenterScope): PolicyDocument {
  const ec2 = (r: string) => `arn:aws:ec2:${s.region}:*:${r}`;
  const owned = {
    [`aws:RequestTag/kubernetes.io/cluster/${s.clusterName}`]: "owned",
    "aws:RequestTag/eks:eks-cluster-name": s.clusterName,
  };
  const launched = [
    ec2("fleet/*"),
    ec2("instance/*"),
    ec2("volume/*"),
    ec2("network-interface/*"),
    ec2("launch-template/*"),
    ec2("spot-instances-request/*"),
  ];
  const mine = {
    StringEquals: { [`aws:ResourceTag/kubernetes.io/cluster/${s.clusterName}`]: "owned" },
    StringLike: { "aws:ResourceTag/karpenter.sh/nodepool": "*" },
  };
  const profileScope = {
    [`kubernetes.io/cluster/${s.clusterName}`]: "owned",
    "topology.kubernetes.io/region": s.region,
  };
  const tagKeys = (prefix: string) =>
    Object.fromEntries(Object.entries(profileScope).map(([k, v]) => [`${prefix}/${k}`, v]));
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Action: ["ec2:RunInstances", "ec2:CreateFleet"],
        Resource: [
          `arn:aws:ec2:${s.region}::image/*`,
          `arn:aws:ec2:${s.region}::snapshot/*`,
          ec2("security-group/*"),
          ec2("subnet/*"),
          ec2("capacity-reservation/*"),
        ],
      },
      {
        Effect: "Allow",
        Action: ["ec2:RunInstances", "ec2:CreateFleet"],
        Resource: ec2("launch-template/*"),
        Condition: mine,
      },
      {
        Effect: "Allow",
        Action: ["ec2:RunInstances", "ec2:CreateFleet", "ec2:CreateLaunchTemplate"],
        Resource: launched,
        Condition: { StringEquals: owned, StringLike: { "aws:RequestTag/karpenter.sh/nodepool": "*" } },
      },
      {
        Effect: "Allow",
        Action: "ec2:CreateTags",
        Resource: launched,
        Condition: {
          StringEquals: { ...owned, "ec2:CreateAction": ["RunInstances", "CreateFleet", "CreateLaunchTemplate"] },
          StringLike: { "aws:RequestTag/karpenter.sh/nodepool": "*" },
        },
      },
      {
        Effect: "Allow",
        Action: "ec2:CreateTags",
        Resource: ec2("instance/*"),
        Condition: {
          ...mine,
          "ForAllValues:StringEquals": { "aws:TagKeys": ["eks:eks-cluster-name", "karpenter.sh/nodeclaim", "Name"] },
        },
      },
      {
        Effect: "Allow",
        Action: ["ec2:TerminateInstances", "ec2:DeleteLaunchTemplate"],
        Resource: [ec2("instance/*"), ec2("launch-template/*")],
        Condition: mine,
      },
      {
        Effect: "Allow",
        Resource: "*",
        Condition: { StringEquals: { "aws:RequestedRegion": s.region } },
        Action: [
          "ec2:DescribeAvailabilityZones",
          "ec2:DescribeImages",
          "ec2:DescribeInstances",
          "ec2:DescribeInstanceTypeOfferings",
          "ec2:DescribeInstanceTypes",
          "ec2:DescribeLaunchTemplates",
          "ec2:DescribeSecurityGroups",
          "ec2:DescribeSpotPriceHistory",
          "ec2:DescribeSubnets",
        ],
      },
      // AMI aliases resolve through the public SSM parameters of the region.
      { Effect: "Allow", Action: "ssm:GetParameter", Resource: `arn:aws:ssm:${s.region}::parameter/aws/service/*` },
      { Effect: "Allow", Action: "pricing:GetProducts", Resource: "*" },
      { Effect: "Allow", Action: ["sqs:DeleteMessage", "sqs:GetQueueUrl", "sqs:ReceiveMessage"], Resource: s.queueArn },
      {
        Effect: "Allow",
        Action: "iam:PassRole",
        Resource: s.nodeRoleArn,
        Condition: { StringEquals: { "iam:PassedToService": "ec2.amazonaws.com" } },
      },
      {
        Effect: "Allow",
        Action: "iam:CreateInstanceProfile",
        Resource: `arn:aws:iam::${s.accountId}:instance-profile/*`,
        Condition: {
          StringEquals: tagKeys("aws:RequestTag"),
          StringLike: { "aws:RequestTag/karpenter.k8s.aws/ec2nodeclass": "*" },
        },
      },
      {
        Effect: "Allow",
        Action: "iam:TagInstanceProfile",
        Resource: `arn:aws:iam::${s.accountId}:instance-profile/*`,
        Condition: {
          StringEquals: { ...tagKeys("aws:ResourceTag"), ...tagKeys("aws:RequestTag") },
          StringLike: {
            "aws:ResourceTag/karpenter.k8s.aws/ec2nodeclass": "*",
            "aws:RequestTag/karpenter.k8s.aws/ec2nodeclass": "*",
          },
        },
      },
      {
        Effect: "Allow",
        Action: ["iam:AddRoleToInstanceProfile", "iam:RemoveRoleFromInstanceProfile", "iam:DeleteInstanceProfile"],
        Resource: `arn:aws:iam::${s.accountId}:instance-profile/*`,
        Condition: {
          StringEquals: tagKeys("aws:ResourceTag"),
          StringLike: { "aws:ResourceTag/karpenter.k8s.aws/ec2nodeclass": "*" },
        },
      },
      { Effect: "Allow", Action: "iam:GetInstanceProfile", Resource: `arn:aws:iam::${s.accountId}:instance-profile/*` },
      { Effect: "Allow", Action: "eks:DescribeCluster", Resource: eksClusterArn(s) },
    ],
  };
}

/** Interruption queue: events from EventBridge only, over TLS only. */
export function interruptionQueuePolicy(queueArn: string): object {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "EventBridgeSends",
        Effect: "Allow",
        Principal: { Service: ["events.amazonaws.com", "sqs.amazonaws.com"] },
        Action: "sqs:SendMessage",
        Resource: queueArn,
      },
      {
        Sid: "DenyNonTls",
        Effect: "Deny",
        Principal: "*",
        Action: "sqs:*",
        Resource: queueArn,
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ],
  };
}

/** Seconds a message stays in the queue: an interruption is stale after its 2-minute warning. */
export const INTERRUPTION_MESSAGE_RETENTION_SECONDS = 300;

/** The EventBridge rules Karpenter's interruption handling needs (Karpenter docs, "Interruption"). */
export const INTERRUPTION_RULES: readonly {
  readonly key: string;
  readonly pattern: { readonly source: readonly string[]; readonly "detail-type": readonly string[] };
}[] = [
  { key: "health", pattern: { source: ["aws.health"], "detail-type": ["AWS Health Event"] } },
  { key: "spot", pattern: { source: ["aws.ec2"], "detail-type": ["EC2 Spot Instance Interruption Warning"] } },
  { key: "rebalance", pattern: { source: ["aws.ec2"], "detail-type": ["EC2 Instance Rebalance Recommendation"] } },
  { key: "state", pattern: { source: ["aws.ec2"], "detail-type": ["EC2 Instance State-change Notification"] } },
];

/** vCPUs and GiB of the profile instance types (EC2 instance type specifications, m6i). */
const SIZES: Readonly<Record<string, { readonly cpu: number; readonly memoryGi: number }>> = {
  "m6i.large": { cpu: 2, memoryGi: 8 },
  "m6i.xlarge": { cpu: 4, memoryGi: 16 },
  "m6i.2xlarge": { cpu: 8, memoryGi: 32 },
};

/**
 * NodePool limits from the profile: its largest node count of its instance type. Karpenter stops
 * launching at the limit, so a runaway Deployment costs at most what the profile's node group could.
 */
export function karpenterLimits(profile: ScaleProfile): { cpu: string; memory: string } {
  const size = SIZES[profile.nodeInstanceTypes[0]!] ?? { cpu: 4, memoryGi: 16 };
  return { cpu: String(profile.nodeMax * size.cpu), memory: `${profile.nodeMax * size.memoryGi}Gi` };
}

/**
 * Nodes Karpenter is expected to run at rest: the profile's desired size beyond the managed groups' (cost estimate).
 */
export function expectedKarpenterNodes(profile: ScaleProfile, managedDesired: number): number {
  return Math.max(0, profile.nodeDesired - managedDesired);
}

export interface NodeClassInput {
  readonly clusterName: string;
  readonly nodeRoleName: string;
  readonly subnetIds: readonly string[];
  readonly amiType: AmiType;
  readonly diskSizeGiB: number;
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * Default EC2NodeClass (karpenter.k8s.aws/v1): the stack's private subnets by id (so its AZs, never
 * another VPC's), the cluster security group by discovery tag, the AMI alias `@latest` of the
 * cluster's own Kubernetes version (Karpenter resolves it per control-plane version and drifts nodes
 * after an upgrade), IMDSv2 with hop limit 1, encrypted gp3 volumes.
 */
export function ec2NodeClassSpec(i: NodeClassInput): Record<string, unknown> {
  const ebs = (volumeSize: number) => ({
    volumeSize: `${volumeSize}Gi`,
    volumeType: "gp3",
    encrypted: true,
    deleteOnTermination: true,
  });
  return {
    role: i.nodeRoleName,
    amiSelectorTerms: [{ alias: `${isBottlerocket(i.amiType) ? "bottlerocket" : "al2023"}@latest` }],
    subnetSelectorTerms: i.subnetIds.map((id) => ({ id })),
    securityGroupSelectorTerms: [{ tags: { [DISCOVERY_TAG]: i.clusterName } }],
    metadataOptions: {
      httpEndpoint: "enabled",
      httpProtocolIPv6: "disabled",
      httpTokens: "required",
      httpPutResponseHopLimit: 1,
    },
    blockDeviceMappings: isBottlerocket(i.amiType)
      ? [
          { deviceName: "/dev/xvda", ebs: ebs(4) },
          { deviceName: "/dev/xvdb", ebs: ebs(i.diskSizeGiB) },
        ]
      : [{ deviceName: "/dev/xvda", ebs: ebs(i.diskSizeGiB) }],
    tags: { ...i.tags },
  };
}

/** Karpenter's arch label values. */
const K8S_ARCH = { x86_64: "amd64", arm64: "arm64" } as const;

/** Default NodePool (karpenter.sh/v1): the stack's AZs only, the AMI's architecture, the profile's limits. */
export function nodePoolSpec(args: {
  availabilityZones: readonly string[];
  amiType: AmiType;
  capacityTypes: readonly ("on-demand" | "spot")[];
  limits: { cpu: string; memory: string };
}): Record<string, unknown> {
  return {
    template: {
      spec: {
        nodeClassRef: { group: "karpenter.k8s.aws", kind: "EC2NodeClass", name: DEFAULT_POOL },
        requirements: [
          { key: "topology.kubernetes.io/zone", operator: "In", values: [...args.availabilityZones] },
          { key: "kubernetes.io/arch", operator: "In", values: [K8S_ARCH[amiArchitecture(args.amiType)]] },
          { key: "karpenter.sh/capacity-type", operator: "In", values: [...args.capacityTypes] },
          { key: "karpenter.k8s.aws/instance-category", operator: "In", values: ["c", "m", "r"] },
          { key: "karpenter.k8s.aws/instance-generation", operator: "Gt", values: ["5"] },
        ],
        expireAfter: "720h",
      },
    },
    limits: args.limits,
    disruption: {
      consolidationPolicy: "WhenEmptyOrUnderutilized",
      consolidateAfter: "1m",
      budgets: [{ nodes: "10%" }],
    },
  };
}

/** Values of the Karpenter chart: cluster, queue, and never on its own nodes (the chart's default affinity). */
export function karpenterValues(args: { clusterName: string; queueName: string }): Record<string, unknown> {
  return {
    settings: { clusterName: args.clusterName, interruptionQueue: args.queueName },
    serviceAccount: { name: KARPENTER_SERVICE_ACCOUNT.name },
    replicas: 2,
  };
}
