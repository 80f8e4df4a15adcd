import {
  ebsEncrypted, eksControlPlaneLogging, eksEndpointRestricted, eksSecretsEncryptedWithRotatedKey, imdsv2Required, kmsKeyHardened,
  noClusterAdminForServiceAccounts, noPublicIngressToDataPorts, noPublicIp, storageClassRetain,
} from "../policies/rules/security";
import { PORTS } from "../lib/ports";
import { assertClean, assertViolation, runResourcePolicy as res, runStackPolicy, urnOf, type ResourceSpec } from "./support/policy-args";

const EKS = "aws:eks/cluster:Cluster";
const LT = "aws:ec2/launchTemplate:LaunchTemplate";
const SG = "aws:ec2/securityGroup:SecurityGroup";
const SC = "kubernetes:storage.k8s.io/v1:StorageClass";

describe("policy eks-endpoint-restricted", () => {
  it("passes a private endpoint or listed CIDRs", () => {
    assertClean(res(eksEndpointRestricted, { type: EKS, props: { vpcConfig: { endpointPublicAccess: false } } }));
    assertClean(res(eksEndpointRestricted, { type: EKS, props: { vpcConfig: { endpointPublicAccess: true, publicAccessCidrs: ["203.0.113.0/24"] } } }));
  });
  it("rejects 0.0.0.0/0, ::/0 and the AWS default (public, no CIDRs)", () => {
    assertViolation(res(eksEndpointRestricted, { type: EKS, props: { vpcConfig: { endpointPublicAccess: true, publicAccessCidrs: ["0.0.0.0/0"] } } }), /open to 0.0.0.0\/0/);
    assertViolation(res(eksEndpointRestricted, { type: EKS, props: { vpcConfig: { publicAccessCidrs: ["::/0"] } } }), /::\/0/);
    assertViolation(res(eksEndpointRestricted, { type: EKS, props: { vpcConfig: {} } }), /no publicAccessCidrs/);
  });
  it("fails closed on unknown CIDRs", () =>
    assertViolation(res(eksEndpointRestricted, { type: EKS, props: { vpcConfig: { endpointPublicAccess: true } }, unknown: ["vpcConfig.publicAccessCidrs"] }), /cannot prove/));
});

describe("policy eks-control-plane-logging", () => {
  it("passes api+audit+authenticator", () => assertClean(res(eksControlPlaneLogging, { type: EKS, props: { enabledClusterLogTypes: ["api", "audit", "authenticator", "scheduler"] } })));
  it("rejects missing audit", () => assertViolation(res(eksControlPlaneLogging, { type: EKS, props: { enabledClusterLogTypes: ["api"] } }), /audit, authenticator/));
});

describe("policy eks-secrets-encrypted-rotated-key", () => {
  const key = (rotation: boolean): ResourceSpec => ({ type: "aws:kms/key:Key", name: "k", props: { enableKeyRotation: rotation } });
  const cluster = (props: Record<string, unknown>, extra: Partial<ResourceSpec> = {}): ResourceSpec => ({ type: EKS, name: "c", props, ...extra });
  const keyUrn = urnOf("aws:kms/key:Key", "k");
  const enc = { encryptionConfig: { resources: ["secrets"], provider: { keyArn: "arn:aws:kms:eu-west-1:1:key/x" } } };
  it("passes a rotated key found through propertyDependencies (ARN unknown at preview)", () =>
    assertClean(runStackPolicy(eksSecretsEncryptedWithRotatedKey, [key(true), cluster(enc, { unknown: ["encryptionConfig.provider.keyArn"], propertyDependencies: { encryptionConfig: [keyUrn] } })])));
  it("finds the key by ARN (stack outputs) or as the one KMS dependency (offline)", () => {
    assertClean(runStackPolicy(eksSecretsEncryptedWithRotatedKey, [{ ...key(true), props: { enableKeyRotation: true, arn: "arn:aws:kms:eu-west-1:1:key/x" } }, cluster(enc)]));
    assertClean(runStackPolicy(eksSecretsEncryptedWithRotatedKey, [key(true), cluster(enc, { dependencies: [keyUrn] })]));
  });
  it("rejects a key without rotation, no secrets encryption, or a key outside the stack", () => {
    assertViolation(runStackPolicy(eksSecretsEncryptedWithRotatedKey, [key(false), cluster(enc, { dependencies: [keyUrn] })]), /no automatic rotation/);
    assertViolation(runStackPolicy(eksSecretsEncryptedWithRotatedKey, [cluster({})]), /not envelope-encrypted/);
    assertViolation(runStackPolicy(eksSecretsEncryptedWithRotatedKey, [cluster(enc)]), /cannot prove it rotates/);
  });
  it("fails closed on an unknown key ARN without dependency information", () =>
    assertViolation(runStackPolicy(eksSecretsEncryptedWithRotatedKey, [cluster(enc, { unknown: ["encryptionConfig.provider.keyArn"] })]), /cannot prove/));
});

describe("policy kms-key-hardened", () => {
  it("passes a rotated symmetric key, and asymmetric keys without rotation", () => {
    assertClean(res(kmsKeyHardened, { type: "aws:kms/key:Key", props: { enableKeyRotation: true } }));
    assertClean(res(kmsKeyHardened, { type: "aws:kms/key:Key", props: { customerMasterKeySpec: "RSA_2048" } }));
  });
  it("rejects no rotation and the lockout bypass", () => {
    assertViolation(res(kmsKeyHardened, { type: "aws:kms/key:Key", props: {} }), /rotation/);
    assertViolation(res(kmsKeyHardened, { type: "aws:kms/key:Key", props: { enableKeyRotation: true, bypassPolicyLockoutSafetyCheck: true } }), /bypass/);
  });
});

describe("policy imdsv2-required", () => {
  it("passes httpTokens required", () => assertClean(res(imdsv2Required, { type: LT, props: { metadataOptions: { httpTokens: "required" } } })));
  it("rejects optional or unset tokens", () => {
    assertViolation(res(imdsv2Required, { type: LT, props: { metadataOptions: { httpTokens: "optional" } } }), /optional/);
    assertViolation(res(imdsv2Required, { type: "aws:ec2/instance:Instance", props: {} }), /IMDSv1 allowed/);
  });
});

describe("policy ebs-encrypted", () => {
  const lt = (encrypted: string) => ({ type: LT, props: { blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted, volumeSize: 50 } }] } });
  it("passes encrypted launch templates, volumes and storage classes", () => {
    assertClean(res(ebsEncrypted, lt("true")));
    assertClean(res(ebsEncrypted, { type: "aws:ebs/volume:Volume", props: { encrypted: true } }));
    assertClean(res(ebsEncrypted, { type: SC, provider: null, props: { provisioner: "ebs.csi.aws.com", parameters: { encrypted: "true" } } }));
  });
  it("rejects unencrypted ones, and a launch template that leaves it to the AMI", () => {
    assertViolation(res(ebsEncrypted, lt("false")), /\/dev\/xvda is not encrypted/);
    assertViolation(res(ebsEncrypted, { type: LT, props: {} }), /left to the AMI/);
    assertViolation(res(ebsEncrypted, { type: "aws:ebs/volume:Volume", props: {} }), /not encrypted/);
    assertViolation(res(ebsEncrypted, { type: "aws:ec2/instance:Instance", props: { rootBlockDevice: { encrypted: false } } }), /rootBlockDevice/);
    assertViolation(res(ebsEncrypted, { type: SC, provider: null, props: { provisioner: "ebs.csi.aws.com", parameters: { type: "gp3" } } }), /encrypted/);
  });
});

describe("policy no-public-ip", () => {
  it("passes private interfaces", () => assertClean(res(noPublicIp, { type: LT, props: { networkInterfaces: [{ associatePublicIpAddress: "false" }] } })));
  it("rejects a public IP", () => assertViolation(res(noPublicIp, { type: LT, props: { networkInterfaces: [{ associatePublicIpAddress: "true" }] } }), /public IP/));
});

describe("policy no-public-ingress-to-data-ports", () => {
  const sg = (ingress: Record<string, unknown>[]) => ({ type: SG, props: { ingress } });
  it("passes VPC-only data ports and public HTTPS", () => {
    assertClean(res(noPublicIngressToDataPorts, sg([{ protocol: "tcp", fromPort: PORTS.clickhouseNative, toPort: PORTS.clickhouseNative, cidrBlocks: ["10.10.0.0/16"] }])));
    assertClean(res(noPublicIngressToDataPorts, sg([{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }])));
  });
  it("rejects public access to ClickHouse, Kafka, Keeper or the gateway in every rule shape", () => {
    assertViolation(res(noPublicIngressToDataPorts, sg([{ protocol: "tcp", fromPort: 9000, toPort: 9100, cidrBlocks: ["0.0.0.0/0"] }])), /9000/);
    assertViolation(res(noPublicIngressToDataPorts, sg([{ protocol: "-1", fromPort: 0, toPort: 0, ipv6CidrBlocks: ["::/0"] }])), /::\/0/);
    assertViolation(res(noPublicIngressToDataPorts, { type: "aws:ec2/securityGroupRule:SecurityGroupRule", props: { type: "ingress", protocol: "tcp", fromPort: PORTS.kafka, toPort: PORTS.kafka, cidrBlocks: ["0.0.0.0/0"] } }), /9092/);
    assertViolation(res(noPublicIngressToDataPorts, { type: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", props: { ipProtocol: "tcp", fromPort: PORTS.ingestionGateway, toPort: PORTS.ingestionGateway, cidrIpv4: "0.0.0.0/0" } }), /8080/);
  });
});

describe("policy no-cluster-admin-for-service-accounts", () => {
  const CRB = "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding";
  const crb = (role: string, subject: Record<string, unknown>) => ({ type: CRB, provider: null, props: { roleRef: { kind: "ClusterRole", name: role }, subjects: [subject] } });
  it("passes a read-only role or a human group", () => {
    assertClean(res(noClusterAdminForServiceAccounts, crb("view", { kind: "ServiceAccount", name: "runbooks", namespace: "infrasage" })));
    assertClean(res(noClusterAdminForServiceAccounts, crb("cluster-admin", { kind: "Group", name: "platform-admins" })));
  });
  it("rejects cluster-admin for a service account or all service accounts", () => {
    assertViolation(res(noClusterAdminForServiceAccounts, crb("cluster-admin", { kind: "ServiceAccount", name: "runbooks", namespace: "infrasage" })), /ServiceAccount runbooks/);
    assertViolation(res(noClusterAdminForServiceAccounts, crb("cluster-admin", { kind: "Group", name: "system:serviceaccounts" })), /system:serviceaccounts/);
  });
});

describe("policy storage-class-retain", () => {
  it("passes Retain", () => assertClean(res(storageClassRetain, { type: SC, provider: null, props: { reclaimPolicy: "Retain" } })));
  it("rejects Delete and the default", () => {
    assertViolation(res(storageClassRetain, { type: SC, provider: null, props: { reclaimPolicy: "Delete" } }), /Delete/);
    assertViolation(res(storageClassRetain, { type: SC, provider: null, props: {} }), /unset/);
  });
});
