/**
 * Security baseline of a region's install, covering what pulumi/compliance-policies checks for
 * EKS (public endpoint, secrets encryption), EC2 launch templates/instances (IMDSv2, encrypted
 * block devices, no public IP), EBS volumes (encryption), security groups (public ingress) and KMS
 * keys (rotation, no policy-lockout bypass), plus the Kubernetes objects this product creates.
 */
import type { PolicyResource } from "@pulumi/policy";
import { DATA_PORTS } from "../shared/ports";
import { resourceRule, stackRule } from "./framework";
import { asArray, asObject, asString, asStrings, get, isFalse, isTrue } from "./props";
import { REQUIRED_CONTROL_PLANE_LOG_TYPES } from "../shared/eks";

const EKS_CLUSTER = "aws:eks/cluster:Cluster";
const KMS_KEY = "aws:kms/key:Key";
const LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate";
const INSTANCE = "aws:ec2/instance:Instance";
const EBS_VOLUME = "aws:ebs/volume:Volume";
const STORAGE_CLASS = "kubernetes:storage.k8s.io/v1:StorageClass";
const STORAGE_CLASS_PATCH = "kubernetes:storage.k8s.io/v1:StorageClassPatch";
const CLUSTER_ROLE_BINDING = "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding";
const EBS_PROVISIONERS = ["ebs.csi.aws.com", "kubernetes.io/aws-ebs"];
/** Karpenter's launch settings (karpenter.k8s.aws/v1): its nodes get no launch template of ours. */
const EC2_NODE_CLASS = "kubernetes:karpenter.k8s.aws/v1:EC2NodeClass";

/** Whole-internet ranges. */
const ANYWHERE = ["0.0.0.0/0", "::/0"];
const only =
  (...types: string[]) =>
  (t: string) =>
    types.includes(t);

export const eksEndpointRestricted = resourceRule({
  name: "eks-endpoint-restricted",
  description: "The EKS API endpoint is private, or public only to listed CIDRs (never 0.0.0.0/0 or ::/0)",
  kind: "security",
  severity: "critical",
  remediation: "Leave infrasage:cluster.publicAccessCidrs empty (private endpoint) or list office/VPN ranges.",
  appliesTo: only(EKS_CLUSTER),
  check: (args, ctx) => {
    const vpc = asObject(args.props.vpcConfig);
    if (isFalse(vpc.endpointPublicAccess)) return;
    const cidrs = asStrings(vpc.publicAccessCidrs);
    // AWS defaults: public access on, from 0.0.0.0/0.
    if (cidrs.length === 0)
      ctx.report("the EKS endpoint is public with no publicAccessCidrs (AWS then allows 0.0.0.0/0)");
    for (const c of cidrs.filter((x) => ANYWHERE.includes(x))) ctx.report(`the EKS endpoint is open to ${c}`);
  },
});

export const eksControlPlaneLogging = resourceRule({
  name: "eks-control-plane-logging",
  description: "EKS control-plane logs always include the audit log",
  kind: "security",
  severity: "medium",
  remediation:
    "Keep audit in enabledClusterLogTypes (infrasage:cluster.logTypes); CIS EKS 2.1.1 recommends every type.",
  appliesTo: only(EKS_CLUSTER),
  check: (args, ctx) => {
    const enabled = asStrings(args.props.enabledClusterLogTypes);
    const missing = REQUIRED_CONTROL_PLANE_LOG_TYPES.filter((t) => !enabled.includes(t));
    if (missing.length > 0) ctx.report(`control-plane log types missing: ${missing.join(", ")}`);
  },
});

/** The KMS key an EKS cluster encrypts secrets with, found without reading unknown ARNs when possible. */
function secretsKeyOf(cluster: PolicyResource, resources: readonly PolicyResource[]): PolicyResource | undefined {
  const viaProp = (cluster.propertyDependencies.encryptionConfig ?? []).filter((d) => d.type === KMS_KEY);
  if (viaProp.length === 1) return viaProp[0];
  const arn = asString(get(cluster.props, "encryptionConfig", "provider", "keyArn"));
  const byArn = resources.find((r) => r.type === KMS_KEY && arn !== undefined && r.props.arn === arn);
  if (byArn) return byArn;
  // Offline plans record inputs only (no key ARN): a single KMS key among the dependencies is it.
  const deps = cluster.dependencies.filter((d) => d.type === KMS_KEY);
  return deps.length === 1 ? deps[0] : undefined;
}

export const eksSecretsEncryptedWithRotatedKey = stackRule({
  name: "eks-secrets-encrypted-rotated-key",
  description: "EKS encrypts Kubernetes secrets with a KMS key of this stack that has rotation enabled",
  kind: "security",
  severity: "high",
  remediation:
    'Set encryptionConfig { resources: ["secrets"], provider.keyArn: <aws.kms.Key with enableKeyRotation: true> }.',
  check: (args, ctx) => {
    for (const cluster of args.resources.filter((r) => r.type === EKS_CLUSTER)) {
      ctx.each(cluster, () => {
        const resources = asStrings(get(cluster.props, "encryptionConfig", "resources"));
        if (!resources.includes("secrets"))
          return ctx.report(
            'Kubernetes secrets are not envelope-encrypted (encryptionConfig.resources lacks "secrets")',
            cluster.urn,
          );
        const key = secretsKeyOf(cluster, args.resources);
        if (!key)
          return ctx.report(
            "the secrets encryption key is not a KMS key of this stack: cannot prove it rotates",
            cluster.urn,
          );
        if (!isTrue(key.props.enableKeyRotation))
          ctx.report(`secrets encryption key ${key.name} has no automatic rotation`, cluster.urn);
      });
    }
  },
});

export const kmsKeyHardened = resourceRule({
  name: "kms-key-hardened",
  description: "Symmetric KMS keys rotate automatically and never bypass the policy lockout safety check",
  kind: "security",
  severity: "medium",
  remediation: "Set enableKeyRotation: true and leave bypassPolicyLockoutSafetyCheck unset.",
  appliesTo: only(KMS_KEY),
  check: (args, ctx) => {
    const spec = asString(args.props.customerMasterKeySpec) ?? "SYMMETRIC_DEFAULT";
    // AWS rotates only symmetric encryption keys.
    if (spec === "SYMMETRIC_DEFAULT" && !isTrue(args.props.enableKeyRotation))
      ctx.report("key rotation is not enabled");
    if (isTrue(args.props.bypassPolicyLockoutSafetyCheck)) ctx.report("bypassPolicyLockoutSafetyCheck is true");
  },
});

export const imdsv2Required = resourceRule({
  name: "imdsv2-required",
  description: "Launch templates, instances and Karpenter EC2NodeClasses require IMDSv2 (httpTokens: required)",
  kind: "security",
  severity: "high",
  remediation: 'Set metadataOptions { httpTokens: "required", httpPutResponseHopLimit: 2 }.',
  appliesTo: only(LAUNCH_TEMPLATE, INSTANCE, EC2_NODE_CLASS),
  check: (args, ctx) => {
    if (args.type === EC2_NODE_CLASS) {
      // Karpenter v1 defaults to httpTokens required, hop limit 1 (docs "NodeClasses"): only a set value can weaken it.
      const md = asObject(get(args.props, "spec", "metadataOptions"));
      if (md.httpEndpoint !== "disabled" && md.httpTokens !== undefined && md.httpTokens !== "required")
        ctx.report(`EC2NodeClass metadataOptions.httpTokens is ${asString(md.httpTokens) ?? "unset"}`);
      return;
    }
    const md = asObject(args.props.metadataOptions);
    if (md.httpEndpoint === "disabled") return;
    if (md.httpTokens !== "required")
      ctx.report(`metadataOptions.httpTokens is ${asString(md.httpTokens) ?? "unset (IMDSv1 allowed)"}`);
  },
});

/** Unencrypted block devices of a launch template, instance or volume (messages). */
function unencrypted(type: string, props: Record<string, unknown>): string[] {
  if (type === EBS_VOLUME) return isTrue(props.encrypted) ? [] : ["the volume is not encrypted"];
  if (type === INSTANCE) {
    const root = isTrue(get(props, "rootBlockDevice", "encrypted")) ? [] : ["rootBlockDevice is not encrypted"];
    const extra = asArray(props.ebsBlockDevices)
      .filter((d) => !isTrue(get(d, "encrypted")))
      .map((d) => `ebsBlockDevice ${String(get(d, "deviceName"))} is not encrypted`);
    return [...root, ...extra];
  }
  const mappings = asArray(props.blockDeviceMappings);
  // Without mappings the AMI's snapshot decides: encryption cannot be proven.
  if (mappings.length === 0) return ["no blockDeviceMappings: the root volume's encryption is left to the AMI"];
  return mappings
    .filter((m) => get(m, "ebs") !== undefined && !isTrue(get(m, "ebs", "encrypted")))
    .map((m) => `block device ${String(get(m, "deviceName"))} is not encrypted`);
}

export const ebsEncrypted = resourceRule({
  name: "ebs-encrypted",
  description:
    "EBS volumes are encrypted: launch template/instance block devices, " +
    "Karpenter EC2NodeClass block devices, EBS volumes, EBS storage classes",
  kind: "security",
  severity: "high",
  remediation: 'Set encrypted: true ("true" for launch templates and StorageClass parameters).',
  appliesTo: only(LAUNCH_TEMPLATE, INSTANCE, EBS_VOLUME, STORAGE_CLASS, STORAGE_CLASS_PATCH, EC2_NODE_CLASS),
  check: (args, ctx) => {
    if (args.type === EC2_NODE_CLASS) {
      for (const m of asArray(get(args.props, "spec", "blockDeviceMappings")).filter(
        (x) => !isTrue(get(x, "ebs", "encrypted")),
      )) {
        ctx.report(`EC2NodeClass block device ${String(get(m, "deviceName"))} is not encrypted`);
      }
      return;
    }
    if (args.type === STORAGE_CLASS || args.type === STORAGE_CLASS_PATCH) {
      if (!EBS_PROVISIONERS.includes(asString(args.props.provisioner) ?? "")) return;
      if (get(args.props, "parameters", "encrypted") !== "true")
        ctx.report('EBS storage class without parameters.encrypted: "true"');
      return;
    }
    for (const m of unencrypted(args.type, args.props)) ctx.report(m);
  },
});

export const noPublicIp = resourceRule({
  name: "no-public-ip",
  description: "Launch templates and instances do not associate public IP addresses",
  kind: "security",
  severity: "high",
  remediation: "Run nodes in private subnets without associatePublicIpAddress.",
  appliesTo: only(LAUNCH_TEMPLATE, INSTANCE),
  check: (args, ctx) => {
    const ifaces = args.type === INSTANCE ? [args.props] : asArray(args.props.networkInterfaces);
    if (ifaces.some((i) => isTrue(get(i, "associatePublicIpAddress")))) ctx.report("a public IP address is associated");
  },
});

/** Ingress rule in one shape: protocol, port range, source CIDRs. */
interface Ingress {
  protocol: string;
  from: number;
  to: number;
  cidrs: string[];
}

function ingressRules(type: string, props: Record<string, unknown>): Ingress[] {
  const num = (v: unknown, d: number) => (typeof v === "number" ? v : d);
  if (type === "aws:ec2/securityGroup:SecurityGroup") {
    return asArray(props.ingress).map((i) => ({
      protocol: String(get(i, "protocol")),
      from: num(get(i, "fromPort"), 0),
      to: num(get(i, "toPort"), 65535),
      cidrs: [...asStrings(get(i, "cidrBlocks")), ...asStrings(get(i, "ipv6CidrBlocks"))],
    }));
  }
  if (type === "aws:ec2/securityGroupRule:SecurityGroupRule") {
    if (props.type !== "ingress") return [];
    return [
      {
        protocol: String(props.protocol),
        from: num(props.fromPort, 0),
        to: num(props.toPort, 65535),
        cidrs: [...asStrings(props.cidrBlocks), ...asStrings(props.ipv6CidrBlocks)],
      },
    ];
  }
  return [
    {
      protocol: String(props.ipProtocol),
      from: num(props.fromPort, 0),
      to: num(props.toPort, 65535),
      cidrs: [asString(props.cidrIpv4), asString(props.cidrIpv6)].filter((c): c is string => c !== undefined),
    },
  ];
}

/** Data ports a rule opens (all protocols, or TCP; the data ports are all TCP). */
function openedDataPorts(rule: Ingress): number[] {
  const all = ["-1", "all"].includes(rule.protocol.toLowerCase());
  const tcp = ["tcp", "6"].includes(rule.protocol.toLowerCase());
  if (!all && !tcp) return [];
  return DATA_PORTS.filter((p) => all || (p >= rule.from && p <= rule.to));
}

export const noPublicIngressToDataPorts = resourceRule({
  name: "no-public-ingress-to-data-ports",
  description: "No ingress from 0.0.0.0/0 or ::/0 to ClickHouse, Keeper, Kafka or gateway ports",
  kind: "security",
  severity: "critical",
  remediation: "Allow data ports only from the VPC, the node security group, or replication peers' CIDRs.",
  appliesTo: only(
    "aws:ec2/securityGroup:SecurityGroup",
    "aws:ec2/securityGroupRule:SecurityGroupRule",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
  ),
  check: (args, ctx) => {
    for (const rule of ingressRules(args.type, args.props)) {
      const open = rule.cidrs.filter((c) => ANYWHERE.includes(c));
      const ports = openedDataPorts(rule);
      if (open.length > 0 && ports.length > 0)
        ctx.report(`ingress from ${open.join(", ")} opens data ports ${[...new Set(ports)].join(", ")}`);
    }
  },
});

export const noClusterAdminForServiceAccounts = resourceRule({
  name: "no-cluster-admin-for-service-accounts",
  description: "No ClusterRoleBinding gives cluster-admin to service accounts (runbooks act only in their namespaces)",
  kind: "security",
  severity: "critical",
  remediation:
    "Bind runbook service accounts with RoleBindings in the namespaces of infrasage:runbooks.namespaceScope.",
  appliesTo: only(CLUSTER_ROLE_BINDING),
  check: (args, ctx) => {
    if (get(args.props, "roleRef", "name") !== "cluster-admin") return;
    for (const s of asArray(args.props.subjects)) {
      const kind = get(s, "kind");
      const name = asString(get(s, "name")) ?? "";
      if (kind === "ServiceAccount" || (kind === "Group" && name.startsWith("system:serviceaccounts"))) {
        ctx.report(`cluster-admin is bound to ${String(kind)} ${name}`);
      }
    }
  },
});

export const storageClassRetain = resourceRule({
  name: "storage-class-retain",
  description: "StorageClasses keep volumes when claims are deleted (reclaimPolicy: Retain)",
  kind: "security",
  severity: "medium",
  remediation: "Set reclaimPolicy: Retain (telemetry is the product; deleting a PVC must not delete it).",
  appliesTo: only(STORAGE_CLASS, STORAGE_CLASS_PATCH),
  check: (args, ctx) => {
    if (args.props.reclaimPolicy !== "Retain")
      ctx.report(`reclaimPolicy is ${asString(args.props.reclaimPolicy) ?? "unset (Delete)"}`);
  },
});

export const SECURITY_POLICIES = [
  eksEndpointRestricted,
  eksControlPlaneLogging,
  eksSecretsEncryptedWithRotatedKey,
  kmsKeyHardened,
  imdsv2Required,
  ebsEncrypted,
  noPublicIp,
  noPublicIngressToDataPorts,
  noClusterAdminForServiceAccounts,
  storageClassRetain,
];
