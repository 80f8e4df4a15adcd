import {
  ebsEncrypted,
  eksControlPlaneLogging,
  eksEndpointRestricted,
  eksSecretsEncryptedWithRotatedKey,
  imdsv2Required,
  kmsKeyHardened,
  noClusterAdminForServiceAccounts,
  noPublicIngressToDataPorts,
  noPublicIp,
  storageClassRetain,
} from "../../policies/rules/security";
import assert from "node:assert/strict";
import { PORTS } from "../../policies/shared/ports";
import {
  assertClean,
  assertDeferredToUp,
  assertViolation,
  runResourcePolicy as res,
  runStackPolicy,
  urnOf,
  type ResourceSpec,
} from "../support/policy-args";

const EKS = "aws:eks/cluster:Cluster";
const LT = "aws:ec2/launchTemplate:LaunchTemplate";
const SG = "aws:ec2/securityGroup:SecurityGroup";
const SC = "kubernetes:storage.k8s.io/v1:StorageClass";

describe("policy eks-endpoint-restricted", () => {
  it("passes a private endpoint or listed CIDRs", async () => {
    assertClean(await res(eksEndpointRestricted, { type: EKS, props: { vpcConfig: { endpointPublicAccess: false } } }));
    assertClean(
      await res(eksEndpointRestricted, {
        type: EKS,
        props: { vpcConfig: { endpointPublicAccess: true, publicAccessCidrs: ["203.0.113.0/24"] } },
      }),
    );
  });
  it("rejects 0.0.0.0/0, ::/0 and the AWS default (public, no CIDRs)", async () => {
    assertViolation(
      await res(eksEndpointRestricted, {
        type: EKS,
        props: { vpcConfig: { endpointPublicAccess: true, publicAccessCidrs: ["0.0.0.0/0"] } },
      }),
      /open to 0.0.0.0\/0/,
    );
    assertViolation(
      await res(eksEndpointRestricted, { type: EKS, props: { vpcConfig: { publicAccessCidrs: ["::/0"] } } }),
      /::\/0/,
    );
    assertViolation(await res(eksEndpointRestricted, { type: EKS, props: { vpcConfig: {} } }), /no publicAccessCidrs/);
  });
  // At up (CIDRs known) 0.0.0.0/0 is a mandatory violation: "rejects 0.0.0.0/0, ::/0 and the AWS default" above.
  it("defers to up on CIDRs unknown at preview", async () =>
    assertDeferredToUp(
      await res(eksEndpointRestricted, {
        type: EKS,
        props: { vpcConfig: { endpointPublicAccess: true } },
        unknown: ["vpcConfig.publicAccessCidrs"],
      }),
    ));
});

describe("policy eks-control-plane-logging", () => {
  it("passes api+audit+authenticator", async () =>
    assertClean(
      await res(eksControlPlaneLogging, {
        type: EKS,
        props: { enabledClusterLogTypes: ["api", "audit", "authenticator", "scheduler"] },
      }),
    ));
  it("rejects missing audit", async () =>
    assertViolation(
      await res(eksControlPlaneLogging, { type: EKS, props: { enabledClusterLogTypes: ["api", "authenticator"] } }),
      /missing: audit$/,
    ));
});

describe("policy eks-secrets-encrypted-rotated-key", () => {
  const key = (rotation: boolean): ResourceSpec => ({
    type: "aws:kms/key:Key",
    name: "k",
    props: { enableKeyRotation: rotation },
  });
  const cluster = (props: Record<string, unknown>, extra: Partial<ResourceSpec> = {}): ResourceSpec => ({
    type: EKS,
    name: "c",
    props,
    ...extra,
  });
  const keyUrn = urnOf("aws:kms/key:Key", "k");
  const enc = { encryptionConfig: { resources: ["secrets"], provider: { keyArn: "arn:aws:kms:eu-west-1:1:key/x" } } };
  it("passes a rotated key found through propertyDependencies (ARN unknown at preview)", async () =>
    assertClean(
      await runStackPolicy(eksSecretsEncryptedWithRotatedKey, [
        key(true),
        cluster(enc, {
          unknown: ["encryptionConfig.provider.keyArn"],
          propertyDependencies: { encryptionConfig: [keyUrn] },
        }),
      ]),
    ));
  it("finds the key by ARN (stack outputs) or as the one KMS dependency (offline)", async () => {
    assertClean(
      await runStackPolicy(eksSecretsEncryptedWithRotatedKey, [
        { ...key(true), props: { enableKeyRotation: true, arn: "arn:aws:kms:eu-west-1:1:key/x" } },
        cluster(enc),
      ]),
    );
    assertClean(
      await runStackPolicy(eksSecretsEncryptedWithRotatedKey, [key(true), cluster(enc, { dependencies: [keyUrn] })]),
    );
  });
  it("rejects a key without rotation, no secrets encryption, or a key outside the stack", async () => {
    assertViolation(
      await runStackPolicy(eksSecretsEncryptedWithRotatedKey, [key(false), cluster(enc, { dependencies: [keyUrn] })]),
      /no automatic rotation/,
    );
    assertViolation(await runStackPolicy(eksSecretsEncryptedWithRotatedKey, [cluster({})]), /not envelope-encrypted/);
    assertViolation(await runStackPolicy(eksSecretsEncryptedWithRotatedKey, [cluster(enc)]), /cannot prove it rotates/);
  });
  // At up (ARN known) a key not in the stack is a mandatory violation: /cannot prove it rotates/ in "rejects a key
  // without rotation, ..." above.
  it("defers to up on a key ARN unknown at preview without dependency information", async () =>
    assertDeferredToUp(
      await runStackPolicy(eksSecretsEncryptedWithRotatedKey, [
        cluster(enc, { unknown: ["encryptionConfig.provider.keyArn"] }),
      ]),
    ));
  it("still rejects a known unrotated key next to a cluster whose key ARN is unknown", async () => {
    const o = await runStackPolicy(eksSecretsEncryptedWithRotatedKey, [
      key(false),
      cluster(enc, { dependencies: [keyUrn] }),
      cluster(enc, { name: "c2", unknown: ["encryptionConfig.provider.keyArn"] }),
    ]);
    assertViolation(o, /no automatic rotation/);
    assert.equal(o.downgraded, true);
  });
});

describe("policy kms-key-hardened", () => {
  it("passes a rotated symmetric key, and asymmetric keys without rotation", async () => {
    assertClean(await res(kmsKeyHardened, { type: "aws:kms/key:Key", props: { enableKeyRotation: true } }));
    assertClean(await res(kmsKeyHardened, { type: "aws:kms/key:Key", props: { customerMasterKeySpec: "RSA_2048" } }));
  });
  it("rejects no rotation and the lockout bypass", async () => {
    assertViolation(await res(kmsKeyHardened, { type: "aws:kms/key:Key", props: {} }), /rotation/);
    assertViolation(
      await res(kmsKeyHardened, {
        type: "aws:kms/key:Key",
        props: { enableKeyRotation: true, bypassPolicyLockoutSafetyCheck: true },
      }),
      /bypass/,
    );
  });
});

describe("policy imdsv2-required", () => {
  it("passes httpTokens required", async () =>
    assertClean(await res(imdsv2Required, { type: LT, props: { metadataOptions: { httpTokens: "required" } } })));
  it("rejects optional or unset tokens", async () => {
    assertViolation(
      await res(imdsv2Required, { type: LT, props: { metadataOptions: { httpTokens: "optional" } } }),
      /optional/,
    );
    assertViolation(await res(imdsv2Required, { type: "aws:ec2/instance:Instance", props: {} }), /IMDSv1 allowed/);
  });
});

describe("policy ebs-encrypted", () => {
  const lt = (encrypted: string) => ({
    type: LT,
    props: { blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted, volumeSize: 50 } }] },
  });
  it("passes encrypted launch templates, volumes and storage classes", async () => {
    assertClean(await res(ebsEncrypted, lt("true")));
    assertClean(await res(ebsEncrypted, { type: "aws:ebs/volume:Volume", props: { encrypted: true } }));
    assertClean(
      await res(ebsEncrypted, {
        type: SC,
        provider: null,
        props: { provisioner: "ebs.csi.aws.com", parameters: { encrypted: "true" } },
      }),
    );
  });
  it("rejects unencrypted ones, and a launch template that leaves it to the AMI", async () => {
    assertViolation(await res(ebsEncrypted, lt("false")), /\/dev\/xvda is not encrypted/);
    assertViolation(await res(ebsEncrypted, { type: LT, props: {} }), /left to the AMI/);
    assertViolation(await res(ebsEncrypted, { type: "aws:ebs/volume:Volume", props: {} }), /not encrypted/);
    assertViolation(
      await res(ebsEncrypted, { type: "aws:ec2/instance:Instance", props: { rootBlockDevice: { encrypted: false } } }),
      /rootBlockDevice/,
    );
    assertViolation(
      await res(ebsEncrypted, {
        type: SC,
        provider: null,
        props: { provisioner: "ebs.csi.aws.com", parameters: { type: "gp3" } },
      }),
      /encrypted/,
    );
  });
});

describe("Karpenter's EC2NodeClass (imdsv2-required, ebs-encrypted)", () => {
  const NC = "kubernetes:karpenter.k8s.aws/v1:EC2NodeClass";
  const nc = (spec: Record<string, unknown>) => ({ type: NC, provider: null, props: { spec } });
  it("passes the program's node class and Karpenter's defaults (required tokens, no mappings of its own)", async () => {
    assertClean(
      await res(imdsv2Required, nc({ metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1 } })),
    );
    assertClean(await res(imdsv2Required, nc({})));
    assertClean(
      await res(ebsEncrypted, nc({ blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: true } }] })),
    );
    assertClean(await res(ebsEncrypted, nc({})));
  });
  it("rejects optional tokens and an unencrypted block device", async () => {
    assertViolation(
      await res(imdsv2Required, nc({ metadataOptions: { httpTokens: "optional" } })),
      /EC2NodeClass metadataOptions.httpTokens is optional/,
    );
    assertViolation(
      await res(ebsEncrypted, nc({ blockDeviceMappings: [{ deviceName: "/dev/xvdb", ebs: { volumeSize: "50Gi" } }] })),
      /EC2NodeClass block device \/dev\/xvdb is not encrypted/,
    );
  });
});

describe("policy no-public-ip", () => {
  it("passes private interfaces", async () =>
    assertClean(
      await res(noPublicIp, { type: LT, props: { networkInterfaces: [{ associatePublicIpAddress: "false" }] } }),
    ));
  it("rejects a public IP", async () =>
    assertViolation(
      await res(noPublicIp, { type: LT, props: { networkInterfaces: [{ associatePublicIpAddress: "true" }] } }),
      /public IP/,
    ));
});

describe("policy no-public-ingress-to-data-ports", () => {
  const sg = (ingress: Record<string, unknown>[]) => ({ type: SG, props: { ingress } });
  it("passes VPC-only data ports and public HTTPS", async () => {
    assertClean(
      await res(
        noPublicIngressToDataPorts,
        sg([
          {
            protocol: "tcp",
            fromPort: PORTS.clickhouseNative,
            toPort: PORTS.clickhouseNative,
            cidrBlocks: ["10.10.0.0/16"],
          },
        ]),
      ),
    );
    assertClean(
      await res(
        noPublicIngressToDataPorts,
        sg([{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }]),
      ),
    );
  });
  it("rejects public access to ClickHouse, Kafka, Keeper or the gateway in every rule shape", async () => {
    assertViolation(
      await res(
        noPublicIngressToDataPorts,
        sg([{ protocol: "tcp", fromPort: 9000, toPort: 9100, cidrBlocks: ["0.0.0.0/0"] }]),
      ),
      /9000/,
    );
    assertViolation(
      await res(noPublicIngressToDataPorts, sg([{ protocol: "-1", fromPort: 0, toPort: 0, ipv6CidrBlocks: ["::/0"] }])),
      /::\/0/,
    );
    assertViolation(
      await res(noPublicIngressToDataPorts, {
        type: "aws:ec2/securityGroupRule:SecurityGroupRule",
        props: {
          type: "ingress",
          protocol: "tcp",
          fromPort: PORTS.kafka,
          toPort: PORTS.kafka,
          cidrBlocks: ["0.0.0.0/0"],
        },
      }),
      /9092/,
    );
    assertViolation(
      await res(noPublicIngressToDataPorts, {
        type: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        props: {
          ipProtocol: "tcp",
          fromPort: PORTS.ingestionGateway,
          toPort: PORTS.ingestionGateway,
          cidrIpv4: "0.0.0.0/0",
        },
      }),
      /8080/,
    );
  });
});

describe("policy no-cluster-admin-for-service-accounts", () => {
  const CRB = "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding";
  const crb = (role: string, subject: Record<string, unknown>) => ({
    type: CRB,
    provider: null,
    props: { roleRef: { kind: "ClusterRole", name: role }, subjects: [subject] },
  });
  it("passes a read-only role or a human group", async () => {
    assertClean(
      await res(
        noClusterAdminForServiceAccounts,
        crb("view", { kind: "ServiceAccount", name: "runbooks", namespace: "infrasage" }),
      ),
    );
    assertClean(
      await res(noClusterAdminForServiceAccounts, crb("cluster-admin", { kind: "Group", name: "platform-admins" })),
    );
  });
  it("rejects cluster-admin for a service account or all service accounts", async () => {
    assertViolation(
      await res(
        noClusterAdminForServiceAccounts,
        crb("cluster-admin", { kind: "ServiceAccount", name: "runbooks", namespace: "infrasage" }),
      ),
      /ServiceAccount runbooks/,
    );
    assertViolation(
      await res(
        noClusterAdminForServiceAccounts,
        crb("cluster-admin", { kind: "Group", name: "system:serviceaccounts" }),
      ),
      /system:serviceaccounts/,
    );
  });
});

describe("policy storage-class-retain", () => {
  it("passes Retain", async () =>
    assertClean(await res(storageClassRetain, { type: SC, provider: null, props: { reclaimPolicy: "Retain" } })));
  it("rejects Delete and the default", async () => {
    assertViolation(
      await res(storageClassRetain, { type: SC, provider: null, props: { reclaimPolicy: "Delete" } }),
      /Delete/,
    );
    assertViolation(await res(storageClassRetain, { type: SC, provider: null, props: {} }), /unset/);
  });
});
