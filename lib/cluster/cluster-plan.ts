/**
 * Everything the EKS cluster component derives, as plain data: names, the add-on list
 * and its ordering, IAM trust documents, launch-template settings. Pure: no Pulumi import, so the
 * table tests read the same values the component wires (the control-plane log types, which the
 * policy pack checks too, are in policies/shared/eks.ts).
 */
import { createHash } from "node:crypto";
import { DEFAULT_AMI_TYPE, isBottlerocket, type AmiType } from "../nodes/node-groups";
import { webIdentityTrust, type PolicyDocument } from "../aws/policy-document";

/** EKS cluster names: start alphanumeric, then alphanumerics, `-` and `_`, at most 100 characters. */
export const EKS_CLUSTER_NAME_RE = /^[0-9A-Za-z][A-Za-z0-9\-_]*$/;
export const EKS_CLUSTER_NAME_MAX = 100;

/** `infrasage-<stack>`, with characters EKS rejects (`.` is legal in stack names) turned into `-`. */
export function clusterNameFor(stack: string): string {
  const cleaned = `infrasage-${stack}`.replace(/[^A-Za-z0-9\-_]/g, "-").slice(0, EKS_CLUSTER_NAME_MAX);
  return cleaned.replace(/[-_]+$/, "") || "infrasage";
}

/** The group EKS writes control-plane logs to; we create it first so it gets a retention. */
export function controlPlaneLogGroupName(clusterName: string): string {
  return `/aws/eks/${clusterName}/cluster`;
}

/** Default retention of the control-plane log group, days. */
export const DEFAULT_LOG_RETENTION_DAYS = 90;

/** Managed-policy ARNs (commercial `aws` partition only; see policies/shared/regions.ts). */
export const MANAGED_POLICIES = {
  cluster: ["arn:aws:iam::aws:policy/AmazonEKSClusterPolicy"],
  node: [
    "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
    "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
  ],
  // Not on the node role: a pod that reaches the node's credentials would get it (EKS Best Practices,
  // IAM: "Update the aws-node daemonset to use IRSA").
  cni: ["arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy"],
  ebsCsi: ["arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy"],
} as const;

export const CLUSTER_ADMIN_POLICY_ARN = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy";

/** Service account of the EBS CSI controller, the one principal its IRSA role trusts. */
const EBS_CSI_SERVICE_ACCOUNT = { namespace: "kube-system", name: "ebs-csi-controller-sa" } as const;

/**
 * When an add-on is created relative to the managed node group.
 * - `beforeNodes`: node-level DaemonSets (networking) that nodes need to become Ready.
 * - `afterNodes`: Deployments; created before any node exists they stay DEGRADED and EKS times out.
 */
type AddonPhase = "beforeNodes" | "afterNodes";

export interface AddonSpec {
  /** EKS add-on name. */
  readonly name: string;
  readonly phase: AddonPhase;
  /** The add-on's controller needs AWS API access through an IRSA role. */
  readonly irsa?: {
    readonly namespace: string;
    readonly serviceAccount: string;
    readonly policyArns: readonly string[];
    /** Child-name suffix of the role (`${name}-<roleSuffix>`), kept short for the 64-char limit. */
    readonly roleSuffix: string;
  };
  /** The add-on's `configurationValues` (its published JSON schema: `aws eks describe-addon-configuration`). */
  readonly configurationValues?: Readonly<Record<string, unknown>>;
}

/**
 * Managed add-ons, in creation order. No eks-pod-identity-agent: the only AWS-calling add-on
 * (EBS CSI) uses IRSA, and one mechanism is easier to audit than two.
 */
export const EKS_ADDONS: readonly AddonSpec[] = [
  {
    name: "vpc-cni",
    phase: "beforeNodes",
    irsa: {
      namespace: "kube-system",
      serviceAccount: "aws-node",
      policyArns: MANAGED_POLICIES.cni,
      roleSuffix: "cni-role",
    },
    // The CNI enforces NetworkPolicy (network policy agent, vpc-cni >= 1.14); without it they are ignored.
    configurationValues: { enableNetworkPolicy: "true" },
  },
  { name: "kube-proxy", phase: "beforeNodes" },
  { name: "coredns", phase: "afterNodes" },
  {
    name: "aws-ebs-csi-driver",
    phase: "afterNodes",
    irsa: {
      namespace: EBS_CSI_SERVICE_ACCOUNT.namespace,
      serviceAccount: EBS_CSI_SERVICE_ACCOUNT.name,
      policyArns: MANAGED_POLICIES.ebsCsi,
      roleSuffix: "ebs-csi-role",
    },
  },
];

const serviceTrust = (service: string): PolicyDocument => ({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }],
});

/** Trust of the cluster role: the EKS control plane. */
export const eksServiceTrustPolicy = (): PolicyDocument => serviceTrust("eks.amazonaws.com");

/** Trust of the node role: the EC2 instances of the node group. */
export const ec2NodeTrustPolicy = (): PolicyDocument => serviceTrust("ec2.amazonaws.com");

/** `oidc.eks.<region>.amazonaws.com/id/<ID>` from the issuer URL (IAM condition keys omit the scheme). */
export function oidcIssuerHost(issuerUrl: string): string {
  return issuerUrl.replace(/^https:\/\//, "");
}

/** IRSA trust: only the given service account, through the cluster's OIDC provider, for STS. */
export function irsaTrustPolicy(args: {
  issuerHost: string;
  providerArn: string;
  namespace: string;
  serviceAccount: string;
}): PolicyDocument {
  return webIdentityTrust(args.providerArn, {
    [`${args.issuerHost}:sub`]: `system:serviceaccount:${args.namespace}:${args.serviceAccount}`,
    [`${args.issuerHost}:aud`]: "sts.amazonaws.com",
  });
}

/** What the cluster role may do with the secrets-encryption key (EKS uses it on the role's behalf). */
export function secretsKeyUsePolicy(keyArn: string): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Action: ["kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey"],
        Resource: keyArn,
      },
    ],
  };
}

/** Key policy of the stack's log-group key (CloudWatch Logs user guide, "Encrypt log data ... using AWS KMS"). */
export function logsKeyPolicy(accountId: string, region: string): object {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "AccountAdministers",
        Effect: "Allow",
        Principal: { AWS: `arn:aws:iam::${accountId}:root` },
        Action: "kms:*",
        Resource: "*",
      },
      {
        Sid: "CloudWatchLogsOfThisAccountAndRegion",
        Effect: "Allow",
        Principal: { Service: `logs.${region}.amazonaws.com` },
        Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
        Resource: "*",
        Condition: {
          ArnLike: { "kms:EncryptionContext:aws:logs:arn": `arn:aws:logs:${region}:${accountId}:log-group:*` },
        },
      },
    ],
  };
}

/** Launch-template settings of the nodes (shapes match `aws.ec2.LaunchTemplateArgs`). */
export interface NodeLaunchSettings {
  readonly metadataOptions: {
    readonly httpEndpoint: "enabled";
    readonly httpTokens: "required";
    readonly httpPutResponseHopLimit: number;
  };
  readonly blockDeviceMappings: readonly {
    readonly deviceName: string;
    readonly ebs: {
      readonly volumeSize: number;
      readonly volumeType: "gp3";
      readonly encrypted: "true";
      readonly deleteOnTermination: "true";
    };
  }[];
}

/** Bottlerocket's OS volume: read-only root and its updates (Karpenter's Bottlerocket default, 4 GiB). */
const BOTTLEROCKET_OS_VOLUME_GIB = 4;

/**
 * Launch settings of a group's nodes. `diskSizeGiB` sizes where images and logs live: the root
 * volume `/dev/xvda` of AL2023, the data volume `/dev/xvdb` of Bottlerocket (whose `/dev/xvda` holds
 * only the OS; Bottlerocket docs and Karpenter's EC2NodeClass defaults). Every volume is mapped, so
 * every volume is encrypted (pack `ebs-encrypted`).
 */
export function nodeLaunchSettings(diskSizeGiB: number, amiType: AmiType = DEFAULT_AMI_TYPE): NodeLaunchSettings {
  const ebs = (volumeSize: number) =>
    ({ volumeSize, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" }) as const;
  return {
    // IMDSv2 only (no token-less SSRF reads), hop limit 1: pods (one hop behind the node) cannot reach
    // IMDS and so never get the node role's credentials (EKS Best Practices, "Restrict access to the
    // instance profile"; CIS EKS 5.1.x). Every pod that calls AWS has its own IRSA role (which also
    // sets AWS_REGION); host-network pods (aws-node, the EBS CSI node plugin) still reach IMDS.
    metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 },
    // Encrypted with the account's EBS key.
    blockDeviceMappings: isBottlerocket(amiType)
      ? [
          { deviceName: "/dev/xvda", ebs: ebs(BOTTLEROCKET_OS_VOLUME_GIB) },
          { deviceName: "/dev/xvdb", ebs: ebs(diskSizeGiB) },
        ]
      : [{ deviceName: "/dev/xvda", ebs: ebs(diskSizeGiB) }],
  };
}

/** Resource types the launch template tags at launch (the node group itself only tags the ASG). */
export const LAUNCH_TAGGED_RESOURCE_TYPES: readonly string[] = ["instance", "volume", "network-interface"];

/**
 * A stable, index-free key for an admin role ARN: readable role name + short hash of the full ARN.
 * Reordering or inserting ARNs in config then never replaces another role's access entry.
 */
export function adminEntryKey(roleArn: string): string {
  const roleName = roleArn.split("/").pop() ?? roleArn;
  const slug =
    roleName
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 24) || "role";
  return `${slug}-${createHash("sha256").update(roleArn).digest("hex").slice(0, 8)}`;
}

/** Admin role ARNs without duplicates (a duplicate would register the same access entry twice). */
export function uniqueAdminRoleArns(arns: readonly string[]): string[] {
  return [...new Set(arns)];
}

/** IAM role name limit; Pulumi's auto-name appends `-` and 7 characters. */
export const IAM_ROLE_NAME_MAX = 64;
export const AUTONAME_SUFFIX = 8;

/** Role suffixes the component uses (`${name}-<suffix>`); the longest bounds the component name. */
const ROLE_SUFFIXES: readonly string[] = [
  "cluster-role",
  "node-role",
  ...EKS_ADDONS.flatMap((a) => (a.irsa ? [a.irsa.roleSuffix] : [])),
];

/** Longest component name whose auto-named IAM roles still fit in 64 characters. */
export const MAX_COMPONENT_NAME_LENGTH =
  IAM_ROLE_NAME_MAX - AUTONAME_SUFFIX - 1 - Math.max(...ROLE_SUFFIXES.map((s) => s.length));
