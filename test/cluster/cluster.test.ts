import { strict as assert } from "node:assert";
import * as aws from "@pulumi/aws";
import { parse } from "yaml";
import { EksCluster, type EksClusterArgs } from "../../components/cluster/cluster";
import {
  AUTONAME_SUFFIX,
  EKS_CLUSTER_NAME_MAX,
  EKS_CLUSTER_NAME_RE,
  IAM_ROLE_NAME_MAX,
  MAX_COMPONENT_NAME_LENGTH,
  clusterNameFor,
} from "../../lib/cluster/cluster-plan";
import { profileNodeGroup } from "../../lib/nodes/node-groups";
import { SCALE_PROFILES } from "../../lib/profiles/profiles";
import { runProgram, type ProgramRecord, type RecordedResource } from "../../offline/run-program";

const REGION = "ap-southeast-3";
const NAME = "infrasage-ap-southeast-3-eks"; // a realistic long component name
const ADMINS = ["arn:aws:iam::123456789012:role/platform-admins", "arn:aws:iam::123456789012:role/sre/BreakGlass"];

const baseArgs = (over: Partial<EksClusterArgs> = {}): EksClusterArgs => ({
  clusterName: clusterNameFor(REGION),
  version: "1.33",
  vpcId: "vpc-0123456789abcdef0",
  privateSubnetIds: ["subnet-a", "subnet-b", "subnet-c"],
  publicAccessCidrs: [],
  adminRoleArns: ADMINS,
  nodeGroups: [profileNodeGroup(SCALE_PROFILES.medium)],
  region: REGION,
  tags: { "infrasage:stack": REGION },
  ...over,
});

function run(over: Partial<EksClusterArgs> = {}, name = NAME): Promise<ProgramRecord> {
  return runProgram(
    () => {
      const provider = new aws.Provider("aws", { region: REGION });
      const c = new EksCluster(name, baseArgs(over), { providers: { aws: provider } });
      return {
        kubeconfig: c.kubeconfig,
        clusterName: c.clusterName,
        oidcProviderArn: c.oidcProviderArn,
        nodeRoleArn: c.nodeRoleArn,
      };
    },
    { project: "infrasage", stack: REGION, region: REGION, config: { "aws:region": REGION } },
  );
}

const ofType = (rec: ProgramRecord, type: string) => rec.resources.filter((r) => r.type === type);
function one(rec: ProgramRecord, type: string, name?: string): RecordedResource {
  const found = ofType(rec, type).filter((r) => name === undefined || r.name === name);
  assert.equal(found.length, 1, `expected one ${type} ${name ?? ""}, got ${found.length}`);
  return found[0]!;
}
const input = <T>(r: RecordedResource, key: string): T => r.rawInputs[key] as T;

describe("clusterNameFor", () => {
  it("prefixes infrasage- and satisfies EKS naming rules", () => {
    assert.equal(clusterNameFor("eu-west-1"), "infrasage-eu-west-1");
    assert.equal(clusterNameFor("prod.eu"), "infrasage-prod-eu");
    for (const stack of ["a", "x".repeat(300), "dev.", "team/stack", "ü-1"]) {
      const n = clusterNameFor(stack);
      assert.match(n, EKS_CLUSTER_NAME_RE);
      assert.ok(n.length <= EKS_CLUSTER_NAME_MAX, n);
    }
  });
});

describe("EksCluster (mock runtime)", () => {
  let rec: ProgramRecord;
  before(async () => {
    rec = await run();
  });

  const cluster = () => one(rec, "aws:eks/cluster:Cluster");

  it("has a private endpoint only when no public CIDRs are given", () => {
    const vpc = input<Record<string, unknown>>(cluster(), "vpcConfig");
    assert.equal(vpc.endpointPrivateAccess, true);
    assert.equal(vpc.endpointPublicAccess, false);
    assert.equal(vpc.publicAccessCidrs, undefined);
    assert.deepEqual(vpc.subnetIds, ["subnet-a", "subnet-b", "subnet-c"]);
    assert.equal(input(cluster(), "name"), "infrasage-ap-southeast-3");
  });

  it("encrypts secrets with the created KMS key, which rotates", () => {
    const key = one(rec, "aws:kms/key:Key");
    assert.equal(input(key, "enableKeyRotation"), true);
    const enc = input<{ resources: string[]; provider: { keyArn: string } }>(cluster(), "encryptionConfig");
    assert.deepEqual(enc.resources, ["secrets"]);
    assert.match(enc.provider.keyArn, new RegExp(`^arn:aws:kms:${REGION}:\\d{12}:key/`));
    assert.ok(cluster().dependencies.includes(key.urn), "cluster depends on the key");
  });

  it("enables control-plane logs into a retained log group created before the cluster", () => {
    assert.deepEqual(
      input(cluster(), "enabledClusterLogTypes"),
      ["api", "audit", "authenticator", "controllerManager", "scheduler"],
      "every type by default (CIS EKS 2.1.1)",
    );
    const group = one(rec, "aws:cloudwatch/logGroup:LogGroup");
    assert.equal(input(group, "name"), "/aws/eks/infrasage-ap-southeast-3/cluster");
    assert.equal(input(group, "retentionInDays"), 90);
    assert.ok(cluster().dependencies.includes(group.urn), "cluster dependsOn the log group");
  });

  it("uses API authentication and keeps the deployer's admin access", () => {
    assert.deepEqual(input(cluster(), "accessConfig"), {
      authenticationMode: "API",
      bootstrapClusterCreatorAdminPermissions: true,
    });
  });

  it(
    "hardens the launch template: IMDSv2 required, hop limit 1 " +
      "(pods cannot reach the node's credentials), encrypted gp3 root",
    () => {
      const lt = one(rec, "aws:ec2/launchTemplate:LaunchTemplate");
      assert.deepEqual(input(lt, "metadataOptions"), {
        httpEndpoint: "enabled",
        httpTokens: "required",
        httpPutResponseHopLimit: 1,
      });
      const [root] = input<{ deviceName: string; ebs: Record<string, unknown> }[]>(lt, "blockDeviceMappings");
      assert.equal(root!.deviceName, "/dev/xvda");
      assert.deepEqual(root!.ebs, {
        volumeSize: 50,
        volumeType: "gp3",
        encrypted: "true",
        deleteOnTermination: "true",
      });
      const specs = input<{ resourceType: string; tags: Record<string, string> }[]>(lt, "tagSpecifications");
      assert.ok(specs.some((s) => s.resourceType === "instance" && s.tags["infrasage:stack"] === REGION));
    },
  );

  it("leaves the node group's desired size to the autoscaler and uses the launch template", () => {
    const ng = one(rec, "aws:eks/nodeGroup:NodeGroup");
    assert.ok(ng.ignoreChanges.includes("scalingConfig.desiredSize"), JSON.stringify(ng.ignoreChanges));
    assert.deepEqual(input(ng, "scalingConfig"), { minSize: 3, desiredSize: 3, maxSize: 6 });
    assert.deepEqual(input(ng, "updateConfig"), { maxUnavailable: 1 });
    const lt = one(rec, "aws:ec2/launchTemplate:LaunchTemplate");
    assert.ok(ng.dependencies.includes(lt.urn));
    assert.equal(input<{ version: string }>(ng, "launchTemplate").version, "1");
  });

  it("orders add-ons: coredns and EBS CSI after the nodes, vpc-cni and kube-proxy not", () => {
    const ng = one(rec, "aws:eks/nodeGroup:NodeGroup");
    const addon = (n: string) => one(rec, "aws:eks/addon:Addon", `${NAME}-${n}`);
    for (const n of ["coredns", "aws-ebs-csi-driver"])
      assert.ok(addon(n).dependencies.includes(ng.urn), `${n} depends on the node group`);
    for (const n of ["vpc-cni", "kube-proxy"]) {
      assert.ok(!addon(n).dependencies.includes(ng.urn), `${n} must not wait for nodes`);
      assert.ok(ng.dependencies.includes(addon(n).urn), `node group waits for ${n}`);
    }
    for (const a of ofType(rec, "aws:eks/addon:Addon")) {
      assert.equal(input(a, "resolveConflictsOnCreate"), "OVERWRITE");
      assert.equal(input(a, "resolveConflictsOnUpdate"), "OVERWRITE");
    }
  });

  it("gives the EBS CSI driver an IRSA role trusted only by its service account", () => {
    const role = one(rec, "aws:iam/role:Role", `${NAME}-ebs-csi-role`);
    const trust = JSON.parse(input<string>(role, "assumeRolePolicy")) as {
      Statement: {
        Principal: { Federated: string };
        Action: string;
        Condition: { StringEquals: Record<string, string> };
      }[];
    };
    const [stmt] = trust.Statement;
    assert.equal(stmt!.Action, "sts:AssumeRoleWithWebIdentity");
    assert.equal(stmt!.Principal.Federated, rec.outputs.oidcProviderArn!.value);
    const host = stmt!.Principal.Federated.split("oidc-provider/")[1]!;
    assert.deepEqual(stmt!.Condition.StringEquals, {
      [`${host}:sub`]: "system:serviceaccount:kube-system:ebs-csi-controller-sa",
      [`${host}:aud`]: "sts.amazonaws.com",
    });
    const ebs = one(rec, "aws:eks/addon:Addon", `${NAME}-aws-ebs-csi-driver`);
    assert.match(input<string>(ebs, "serviceAccountRoleArn"), new RegExp(`:role/${NAME}-ebs-csi-role-`));
    const attach = ofType(rec, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").filter((a) =>
      a.dependencies.includes(role.urn),
    );
    assert.deepEqual(
      attach.map((a) => input(a, "policyArn")),
      ["arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy"],
    );
  });

  it("registers the cluster's OIDC issuer for STS", () => {
    const oidc = one(rec, "aws:iam/openIdConnectProvider:OpenIdConnectProvider");
    assert.match(input<string>(oidc, "url"), new RegExp(`^https://oidc\\.eks\\.${REGION}\\.amazonaws\\.com/id/`));
    assert.deepEqual(input(oidc, "clientIdLists"), ["sts.amazonaws.com"]);
  });

  it("creates one cluster-admin access entry per admin role ARN", () => {
    const entries = ofType(rec, "aws:eks/accessEntry:AccessEntry");
    assert.deepEqual(entries.map((e) => input(e, "principalArn")).sort(), [...ADMINS].sort());
    const assocs = ofType(rec, "aws:eks/accessPolicyAssociation:AccessPolicyAssociation");
    assert.deepEqual(assocs.map((a) => input(a, "principalArn")).sort(), [...ADMINS].sort());
    for (const a of assocs) {
      assert.equal(input(a, "policyArn"), "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy");
      assert.deepEqual(input(a, "accessScope"), { type: "cluster" });
    }
  });

  it("outputs a secret kubeconfig with exec auth and no token", () => {
    const out = rec.outputs.kubeconfig!;
    assert.equal(out.secret, true);
    const text = out.value as string;
    assert.doesNotMatch(text, /token:|password:|client-key-data/);
    const doc = parse(text) as { contexts: { name: string }[]; users: { user: { exec: { args: string[] } } }[] };
    assert.deepEqual(
      doc.contexts.map((c) => c.name),
      ["infrasage-ap-southeast-3"],
    );
    assert.deepEqual(doc.users[0]!.user.exec.args.slice(0, 6), [
      "eks",
      "get-token",
      "--cluster-name",
      "infrasage-ap-southeast-3",
      "--region",
      REGION,
    ]);
    const k8s = one(rec, "pulumi:providers:kubernetes");
    assert.equal(input(k8s, "kubeconfig"), text);
    assert.equal(k8s.inputs.kubeconfig, "[secret]");
    assert.equal(input(k8s, "enableServerSideApply"), "true");
  });

  it("puts every AWS resource in the provider's region and sets no region input", () => {
    const aws = rec.resources.filter((r) => r.type.startsWith("aws:"));
    assert.ok(aws.length > 20);
    for (const r of aws) {
      assert.equal(r.region, REGION, r.urn);
      assert.equal(r.rawInputs.region, undefined, r.urn);
    }
    assert.equal(ofType(rec, "pulumi:providers:aws").length, 1, "the component creates no AWS provider");
  });

  it("parents every child to the component and names it after the component", () => {
    const component = one(rec, "infrasage:cluster:EksCluster");
    for (const r of rec.resources.filter((x) => x.custom && x.type !== "pulumi:providers:aws")) {
      assert.equal(r.parent, component.urn, r.urn);
      assert.ok(r.name.startsWith(`${NAME}-`), r.name);
    }
  });

  it("keeps auto-named IAM role names within 64 characters", () => {
    const roles = ofType(rec, "aws:iam/role:Role");
    assert.equal(roles.length, 4, "cluster, nodes, VPC CNI (IRSA), EBS CSI (IRSA)");
    for (const r of roles) assert.ok(r.name.length + AUTONAME_SUFFIX <= IAM_ROLE_NAME_MAX, `${r.name} + suffix > 64`);
  });
});

describe("EksCluster variants (mock runtime)", () => {
  it("opens the public endpoint to exactly the given CIDRs", async () => {
    const rec = await run({ publicAccessCidrs: ["203.0.113.0/24", "198.51.100.7/32"] });
    const vpc = input<Record<string, unknown>>(one(rec, "aws:eks/cluster:Cluster"), "vpcConfig");
    assert.equal(vpc.endpointPublicAccess, true);
    assert.equal(vpc.endpointPrivateAccess, true);
    assert.deepEqual(vpc.publicAccessCidrs, ["203.0.113.0/24", "198.51.100.7/32"]);
  });

  it("names access entries by ARN, so reordering or adding admins replaces nothing", async () => {
    const names = (r: ProgramRecord) =>
      ofType(r, "aws:eks/accessEntry:AccessEntry")
        .map((e) => e.name)
        .sort();
    const before = names(await run());
    const after = names(await run({ adminRoleArns: ["arn:aws:iam::123456789012:role/new", ...[...ADMINS].reverse()] }));
    assert.equal(after.length, 3);
    for (const n of before) assert.ok(after.includes(n), `${n} kept`);
  });

  it("rejects a component name whose IAM roles would exceed 64 characters and other bad args at once", async () => {
    const long = "x".repeat(MAX_COMPONENT_NAME_LENGTH + 1);
    await assert.rejects(
      run({ clusterName: "bad.name", publicAccessCidrs: ["0.0.0.0/0"] }, long),
      (e: Error) =>
        /component name/.test(e.message) &&
        /clusterName "bad\.name"/.test(e.message) &&
        /0\.0\.0\.0\/0/.test(e.message),
    );
  });
});
