/**
 * What IAM allows the program to do, derived from what it creates: per resource type (and per
 * data source) the actions the provider calls to create, update, delete (`write`) and read or
 * refresh (`read`) it. The deploy policy is the union over the table; the preview policy is the
 * union of `read`. test/deploy/bootstrap-actions.test.ts plans every shipped and example stack and fails
 * when a type they create has no entry here.
 *
 * Actions follow the Terraform AWS provider's CRUD functions for each resource (the bridged
 * provider @pulumi/aws wraps them: hashicorp/terraform-provider-aws internal/service/<service>/).
 */

export interface TypeActions {
  readonly write: readonly string[];
  readonly read: readonly string[];
  /** Services the resource hands an IAM role to (`iam:PassRole` with `iam:PassedToService`). */
  readonly passRoleTo?: readonly string[];
  /** Service-linked roles the first create makes (`iam:CreateServiceLinkedRole` for `iam:AWSServiceName`). */
  readonly serviceLinkedRoles?: readonly string[];
}

/** How a type is authorized when IAM is not: Kubernetes objects through the cluster's access entry, and so on. */
type NonIamKind = "kubernetes-api" | "component" | "local" | "engine";

const EC2_READ = [
  "ec2:DescribeVpcs",
  "ec2:DescribeVpcAttribute",
  "ec2:DescribeSubnets",
  "ec2:DescribeRouteTables",
  "ec2:DescribeSecurityGroups",
  "ec2:DescribeSecurityGroupRules",
  "ec2:DescribeTags",
  "ec2:DescribeNetworkInterfaces",
  "ec2:DescribeAvailabilityZones",
  "ec2:DescribeAccountAttributes",
];
const TAG_EC2 = ["ec2:CreateTags", "ec2:DeleteTags"];
const ec2 = (write: readonly string[], read: readonly string[] = []): TypeActions => ({
  write: [...write, ...TAG_EC2],
  read: [...EC2_READ, ...read],
});
const SG_RULES = [
  "ec2:AuthorizeSecurityGroupIngress",
  "ec2:AuthorizeSecurityGroupEgress",
  "ec2:RevokeSecurityGroupIngress",
  "ec2:RevokeSecurityGroupEgress",
  "ec2:ModifySecurityGroupRules",
  "ec2:UpdateSecurityGroupRuleDescriptionsIngress",
  "ec2:UpdateSecurityGroupRuleDescriptionsEgress",
];
const EKS_READ = ["eks:DescribeCluster", "eks:ListClusters", "eks:ListTagsForResource"];
const eks = (write: readonly string[], read: readonly string[] = []): TypeActions => ({
  write: [...write, "eks:TagResource", "eks:UntagResource"],
  read: [...EKS_READ, ...read],
});
const ELB_READ = [
  "elasticloadbalancing:DescribeLoadBalancers",
  "elasticloadbalancing:DescribeLoadBalancerAttributes",
  "elasticloadbalancing:DescribeListeners",
  "elasticloadbalancing:DescribeListenerAttributes",
  "elasticloadbalancing:DescribeTargetGroups",
  "elasticloadbalancing:DescribeTargetGroupAttributes",
  "elasticloadbalancing:DescribeTags",
];
const elb = (write: readonly string[]): TypeActions => ({
  write: [...write, "elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"],
  read: ELB_READ,
});
const IAM_ROLE_READ = [
  "iam:GetRole",
  "iam:ListRolePolicies",
  "iam:ListAttachedRolePolicies",
  "iam:ListInstanceProfilesForRole",
  "iam:GetRolePolicy",
];

/** Resource types the program creates. Keys are Pulumi type tokens. */
export const TYPE_ACTIONS: Readonly<Record<string, TypeActions>> = {
  "aws:cloudwatch/eventRule:EventRule": {
    write: [
      "events:PutRule",
      "events:DeleteRule",
      "events:EnableRule",
      "events:DisableRule",
      "events:TagResource",
      "events:UntagResource",
    ],
    read: ["events:DescribeRule", "events:ListTagsForResource", "events:ListTargetsByRule"],
  },
  "aws:cloudwatch/eventTarget:EventTarget": {
    write: ["events:PutTargets", "events:RemoveTargets"],
    read: ["events:ListTargetsByRule"],
  },
  "aws:cloudwatch/logGroup:LogGroup": {
    write: [
      "logs:CreateLogGroup",
      "logs:DeleteLogGroup",
      "logs:PutRetentionPolicy",
      "logs:DeleteRetentionPolicy",
      "logs:AssociateKmsKey",
      "logs:DisassociateKmsKey",
      "logs:TagResource",
      "logs:UntagResource",
      "logs:TagLogGroup",
      "logs:UntagLogGroup",
    ],
    read: ["logs:DescribeLogGroups", "logs:ListTagsForResource", "logs:ListTagsLogGroup"],
  },
  "aws:codebuild/project:Project": {
    write: [
      "codebuild:CreateProject",
      "codebuild:UpdateProject",
      "codebuild:DeleteProject",
      "codeconnections:PassConnection",
      "codeconnections:UseConnection",
    ],
    read: ["codebuild:BatchGetProjects", "codeconnections:GetConnection"],
    passRoleTo: ["codebuild.amazonaws.com"],
  },
  "aws:codebuild/webhook:Webhook": {
    write: [
      "codebuild:CreateWebhook",
      "codebuild:UpdateWebhook",
      "codebuild:DeleteWebhook",
      "codeconnections:UseConnection",
    ],
    read: ["codebuild:BatchGetProjects"],
  },
  "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": ec2(SG_RULES),
  "aws:ec2/eip:Eip": ec2(
    ["ec2:AllocateAddress", "ec2:ReleaseAddress", "ec2:AssociateAddress", "ec2:DisassociateAddress"],
    ["ec2:DescribeAddresses", "ec2:DescribeAddressesAttribute"],
  ),
  "aws:ec2/flowLog:FlowLog": {
    ...ec2(
      ["ec2:CreateFlowLogs", "ec2:DeleteFlowLogs", "logs:CreateLogDelivery", "logs:DeleteLogDelivery"],
      ["ec2:DescribeFlowLogs"],
    ),
    passRoleTo: ["vpc-flow-logs.amazonaws.com"],
  },
  "aws:ec2/internetGateway:InternetGateway": ec2(
    [
      "ec2:CreateInternetGateway",
      "ec2:DeleteInternetGateway",
      "ec2:AttachInternetGateway",
      "ec2:DetachInternetGateway",
    ],
    ["ec2:DescribeInternetGateways"],
  ),
  "aws:ec2/launchTemplate:LaunchTemplate": ec2(
    [
      "ec2:CreateLaunchTemplate",
      "ec2:CreateLaunchTemplateVersion",
      "ec2:ModifyLaunchTemplate",
      "ec2:DeleteLaunchTemplate",
      "ec2:DeleteLaunchTemplateVersions",
    ],
    ["ec2:DescribeLaunchTemplates", "ec2:DescribeLaunchTemplateVersions"],
  ),
  "aws:ec2/natGateway:NatGateway": ec2(["ec2:CreateNatGateway", "ec2:DeleteNatGateway"], ["ec2:DescribeNatGateways"]),
  "aws:ec2/route:Route": ec2(["ec2:CreateRoute", "ec2:ReplaceRoute", "ec2:DeleteRoute"]),
  "aws:ec2/routeTable:RouteTable": ec2([
    "ec2:CreateRouteTable",
    "ec2:DeleteRouteTable",
    "ec2:CreateRoute",
    "ec2:DeleteRoute",
  ]),
  "aws:ec2/routeTableAssociation:RouteTableAssociation": ec2([
    "ec2:AssociateRouteTable",
    "ec2:DisassociateRouteTable",
    "ec2:ReplaceRouteTableAssociation",
  ]),
  "aws:ec2/securityGroup:SecurityGroup": ec2(["ec2:CreateSecurityGroup", "ec2:DeleteSecurityGroup", ...SG_RULES]),
  "aws:ec2/subnet:Subnet": ec2(["ec2:CreateSubnet", "ec2:DeleteSubnet", "ec2:ModifySubnetAttribute"]),
  "aws:ec2/tag:Tag": ec2([]),
  "aws:ec2/vpc:Vpc": ec2(["ec2:CreateVpc", "ec2:DeleteVpc", "ec2:ModifyVpcAttribute"]),
  "aws:ec2/vpcEndpoint:VpcEndpoint": ec2(
    ["ec2:CreateVpcEndpoint", "ec2:ModifyVpcEndpoint", "ec2:DeleteVpcEndpoints"],
    ["ec2:DescribeVpcEndpoints", "ec2:DescribePrefixLists", "ec2:DescribeVpcEndpointServices"],
  ),
  "aws:ec2/vpcPeeringConnection:VpcPeeringConnection": ec2(
    ["ec2:CreateVpcPeeringConnection", "ec2:DeleteVpcPeeringConnection", "ec2:ModifyVpcPeeringConnectionOptions"],
    ["ec2:DescribeVpcPeeringConnections"],
  ),
  "aws:ec2/vpcPeeringConnectionAccepter:VpcPeeringConnectionAccepter": ec2(
    ["ec2:AcceptVpcPeeringConnection", "ec2:ModifyVpcPeeringConnectionOptions"],
    ["ec2:DescribeVpcPeeringConnections"],
  ),
  "aws:eks/accessEntry:AccessEntry": eks(
    ["eks:CreateAccessEntry", "eks:UpdateAccessEntry", "eks:DeleteAccessEntry"],
    ["eks:DescribeAccessEntry"],
  ),
  "aws:eks/accessPolicyAssociation:AccessPolicyAssociation": eks(
    ["eks:AssociateAccessPolicy", "eks:DisassociateAccessPolicy"],
    ["eks:ListAssociatedAccessPolicies"],
  ),
  "aws:eks/addon:Addon": {
    ...eks(
      ["eks:CreateAddon", "eks:UpdateAddon", "eks:DeleteAddon"],
      ["eks:DescribeAddon", "eks:DescribeAddonVersions"],
    ),
    passRoleTo: ["eks.amazonaws.com", "pods.eks.amazonaws.com"],
  },
  "aws:eks/cluster:Cluster": {
    ...eks(
      [
        "eks:CreateCluster",
        "eks:DeleteCluster",
        "eks:UpdateClusterConfig",
        "eks:UpdateClusterVersion",
        "eks:AssociateEncryptionConfig",
        "kms:CreateGrant",
      ],
      ["eks:DescribeUpdate", "kms:DescribeKey"],
    ),
    passRoleTo: ["eks.amazonaws.com"],
    serviceLinkedRoles: ["eks.amazonaws.com"],
  },
  "aws:eks/nodeGroup:NodeGroup": {
    ...eks(
      ["eks:CreateNodegroup", "eks:DeleteNodegroup", "eks:UpdateNodegroupConfig", "eks:UpdateNodegroupVersion"],
      ["eks:DescribeNodegroup", "eks:DescribeUpdate", "ec2:DescribeLaunchTemplateVersions"],
    ),
    passRoleTo: ["eks.amazonaws.com", "ec2.amazonaws.com"],
    serviceLinkedRoles: ["eks-nodegroup.amazonaws.com", "autoscaling.amazonaws.com"],
  },
  "aws:eks/podIdentityAssociation:PodIdentityAssociation": {
    ...eks(
      ["eks:CreatePodIdentityAssociation", "eks:UpdatePodIdentityAssociation", "eks:DeletePodIdentityAssociation"],
      ["eks:DescribePodIdentityAssociation"],
    ),
    passRoleTo: ["pods.eks.amazonaws.com"],
  },
  "aws:iam/openIdConnectProvider:OpenIdConnectProvider": {
    write: [
      "iam:CreateOpenIDConnectProvider",
      "iam:DeleteOpenIDConnectProvider",
      "iam:UpdateOpenIDConnectProviderThumbprint",
      "iam:AddClientIDToOpenIDConnectProvider",
      "iam:RemoveClientIDFromOpenIDConnectProvider",
      "iam:TagOpenIDConnectProvider",
      "iam:UntagOpenIDConnectProvider",
    ],
    read: ["iam:GetOpenIDConnectProvider", "iam:ListOpenIDConnectProviders"],
  },
  "aws:iam/role:Role": {
    write: [
      "iam:CreateRole",
      "iam:DeleteRole",
      "iam:UpdateRole",
      "iam:UpdateAssumeRolePolicy",
      "iam:PutRolePermissionsBoundary",
      "iam:TagRole",
      "iam:UntagRole",
    ],
    read: IAM_ROLE_READ,
  },
  "aws:iam/rolePolicy:RolePolicy": { write: ["iam:PutRolePolicy", "iam:DeleteRolePolicy"], read: IAM_ROLE_READ },
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment": {
    write: ["iam:AttachRolePolicy", "iam:DetachRolePolicy"],
    read: IAM_ROLE_READ,
  },
  "aws:kms/alias:Alias": {
    write: ["kms:CreateAlias", "kms:DeleteAlias", "kms:UpdateAlias"],
    read: ["kms:ListAliases"],
  },
  "aws:kms/key:Key": {
    write: [
      "kms:CreateKey",
      "kms:PutKeyPolicy",
      "kms:EnableKeyRotation",
      "kms:ScheduleKeyDeletion",
      "kms:UpdateKeyDescription",
      "kms:TagResource",
      "kms:UntagResource",
    ],
    read: ["kms:DescribeKey", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListResourceTags"],
  },
  "aws:lb/listener:Listener": elb([
    "elasticloadbalancing:CreateListener",
    "elasticloadbalancing:ModifyListener",
    "elasticloadbalancing:DeleteListener",
    "elasticloadbalancing:ModifyListenerAttributes",
  ]),
  "aws:lb/loadBalancer:LoadBalancer": {
    ...elb([
      "elasticloadbalancing:CreateLoadBalancer",
      "elasticloadbalancing:DeleteLoadBalancer",
      "elasticloadbalancing:ModifyLoadBalancerAttributes",
      "elasticloadbalancing:SetSecurityGroups",
      "elasticloadbalancing:SetSubnets",
    ]),
    serviceLinkedRoles: ["elasticloadbalancing.amazonaws.com"],
  },
  "aws:lb/targetGroup:TargetGroup": elb([
    "elasticloadbalancing:CreateTargetGroup",
    "elasticloadbalancing:ModifyTargetGroup",
    "elasticloadbalancing:ModifyTargetGroupAttributes",
    "elasticloadbalancing:DeleteTargetGroup",
  ]),
  "aws:route53/record:Record": {
    write: ["route53:ChangeResourceRecordSets"],
    read: ["route53:GetChange", "route53:ListResourceRecordSets", "route53:GetHostedZone"],
  },
  "aws:route53/zone:Zone": {
    write: [
      "route53:CreateHostedZone",
      "route53:DeleteHostedZone",
      "route53:UpdateHostedZoneComment",
      "route53:ChangeTagsForResource",
      "route53:AssociateVPCWithHostedZone",
      "route53:DisassociateVPCFromHostedZone",
      "route53:ChangeResourceRecordSets",
    ],
    read: [
      "route53:GetHostedZone",
      "route53:ListTagsForResource",
      "route53:GetChange",
      "route53:ListResourceRecordSets",
      "ec2:DescribeVpcs",
    ],
  },
  "aws:route53/zoneAssociation:ZoneAssociation": {
    write: ["route53:AssociateVPCWithHostedZone", "route53:DisassociateVPCFromHostedZone"],
    read: ["route53:GetHostedZone", "route53:GetChange", "ec2:DescribeVpcs"],
  },
  "aws:secretsmanager/secret:Secret": {
    write: [
      "secretsmanager:CreateSecret",
      "secretsmanager:DeleteSecret",
      "secretsmanager:UpdateSecret",
      "secretsmanager:TagResource",
      "secretsmanager:UntagResource",
    ],
    read: ["secretsmanager:DescribeSecret", "secretsmanager:GetResourcePolicy"],
  },
  "aws:secretsmanager/secretVersion:SecretVersion": {
    write: ["secretsmanager:PutSecretValue", "secretsmanager:UpdateSecretVersionStage"],
    read: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
  },
  "aws:sqs/queue:Queue": {
    write: ["sqs:CreateQueue", "sqs:DeleteQueue", "sqs:SetQueueAttributes", "sqs:TagQueue", "sqs:UntagQueue"],
    read: ["sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:ListQueueTags"],
  },
  "aws:sqs/queuePolicy:QueuePolicy": { write: ["sqs:SetQueueAttributes"], read: ["sqs:GetQueueAttributes"] },
  "aws:ssm/parameter:Parameter": {
    write: ["ssm:PutParameter", "ssm:DeleteParameter", "ssm:AddTagsToResource", "ssm:RemoveTagsFromResource"],
    read: ["ssm:GetParameter", "ssm:GetParameters", "ssm:DescribeParameters", "ssm:ListTagsForResource"],
  },
  "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": ec2([
    "ec2:AuthorizeSecurityGroupEgress",
    "ec2:RevokeSecurityGroupEgress",
    "ec2:ModifySecurityGroupRules",
  ]),
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": ec2([
    "ec2:AuthorizeSecurityGroupIngress",
    "ec2:RevokeSecurityGroupIngress",
    "ec2:ModifySecurityGroupRules",
  ]),
};

/**
 * Data sources the program reads (offline/mock-cloud.ts answers each; an unknown one fails the plan).
 * Read-only by nature: a preview runs them too. `[]`: no permission needed (sts:GetCallerIdentity
 * needs none; region, partition and policy documents are computed locally by the provider).
 */
export const INVOKE_ACTIONS: Readonly<Record<string, readonly string[]>> = {
  "aws:index/getAvailabilityZones:getAvailabilityZones": ["ec2:DescribeAvailabilityZones"],
  "aws:index/getCallerIdentity:getCallerIdentity": [],
  "aws:index/getRegion:getRegion": [],
  "aws:index/getPartition:getPartition": [],
  "aws:iam/getPolicyDocument:getPolicyDocument": [],
  "aws:ec2/getSubnet:getSubnet": ["ec2:DescribeSubnets"],
  "aws:ec2/getRouteTable:getRouteTable": ["ec2:DescribeRouteTables"],
  "aws:eks/getClusters:getClusters": ["eks:ListClusters"],
  "aws:eks/getCluster:getCluster": ["eks:DescribeCluster"],
  "aws:eks/getAddon:getAddon": ["eks:DescribeAddon"],
  "aws:eks/getAddonVersion:getAddonVersion": ["eks:DescribeAddonVersions"],
  "aws:cloudwatch/getLogGroups:getLogGroups": ["logs:DescribeLogGroups"],
  "aws:ssm/getParametersByPath:getParametersByPath": ["ssm:GetParametersByPath"],
  "aws:secretsmanager/getSecrets:getSecrets": ["secretsmanager:ListSecrets"],
  "aws:secretsmanager/getSecretVersion:getSecretVersion": [
    "secretsmanager:GetSecretValue",
    "secretsmanager:DescribeSecret",
  ],
};

/** Non-AWS packages: how each is authorized (never by the role's IAM policy). */
const NON_IAM_PACKAGES: Readonly<Record<string, NonIamKind>> = {
  // Through the cluster's API server: the deploy role's EKS access entry (cluster admin as creator).
  kubernetes: "kubernetes-api",
  // Generated locally by the provider.
  random: "local",
  // Providers and stack references: the engine's own resources.
  pulumi: "engine",
};

export type Coverage =
  | { readonly kind: "iam"; readonly actions: TypeActions }
  | { readonly kind: NonIamKind }
  | { readonly kind: "missing" };

/**
 * How a created type is authorized. `custom: false` types are component resources (no cloud call).
 * An AWS type must have its own entry: there is no default, so a new type fails the coverage test.
 */
export function coverageOf(type: string, custom: boolean): Coverage {
  if (!custom) return { kind: "component" };
  const entry = TYPE_ACTIONS[type];
  if (entry) return { kind: "iam", actions: entry };
  if (type.startsWith("pulumi:providers:")) return { kind: "engine" };
  const pkg = type.split(":")[0]!;
  const kind = pkg === "aws" ? undefined : NON_IAM_PACKAGES[pkg];
  return kind ? { kind } : { kind: "missing" };
}

/** Global services: requests go to us-east-1 whatever the stack's region, so no region condition applies. */
export const GLOBAL_SERVICES: ReadonlySet<string> = new Set(["iam", "route53", "sts"]);
export const serviceOf = (action: string): string => action.split(":")[0]!;
