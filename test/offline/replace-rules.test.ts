/** The replacement table: every type the program creates has provider-cited rules; unknowns may replace. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { classifyChange, REPLACE_RULES } from "../../offline/diff/replace-rules";
import { changedPaths } from "../../offline/diff/stack-diff";
import { aliasUrns, makeUrn, parseUrn } from "../../offline/diff/aliases";
import { planDir, planShipped, ROOT } from "../support/plan";

describe("replacement rules (offline/diff/replace-rules.ts)", function () {
  this.timeout(180000);

  it("cover every resource type the program creates, in the shipped stacks and every example", async () => {
    const types = new Set<string>();
    for (const s of ["eu-west-1", "ap-south-1"])
      for (const r of (await planShipped(s)).record.resources) if (r.custom) types.add(r.type);
    for (const d of ["active-active", "hub-spoke", "shared-grafana", "hub-spoke-two-backends"]) {
      for (const s of (await planDir(join(ROOT, "examples", d))).stacks)
        for (const r of s.record.resources) if (r.custom) types.add(r.type);
    }
    const missing = [...types].filter((t) => !REPLACE_RULES[t]).sort();
    assert.deepEqual(missing, [], `types without replacement rules: ${missing.join(", ")}`);
  });

  it("cite a provider source file and version in every entry", () => {
    for (const [type, rules] of Object.entries(REPLACE_RULES)) {
      assert.match(
        rules.source,
        new RegExp(
          /terraform-provider-aws >=v6\.61\.0 internal\/service\/\S+\.go|pulumi-kubernetes 4\.34 /.source +
            /provider\/pkg\/provider\/\S+\.go|terraform-provider-random v3 \S+\.go|pulumi-aws 7\.48/.source,
        ),
        type,
      );
      assert.ok(
        rules.replace.every((p) => !rules.update.includes(p)),
        `${type}: a property both replaces and updates`,
      );
    }
  });

  const table: [string, string, string][] = [
    ["aws:ec2/vpc:Vpc", "cidrBlock", "replace"],
    ["aws:ec2/vpc:Vpc", "enableDnsHostnames", "update"],
    ["aws:ec2/vpc:Vpc", "tags.Name", "update"],
    ["aws:ec2/vpc:Vpc", "region", "replace"],
    ["aws:ec2/subnet:Subnet", "vpcId", "replace"],
    ["aws:ec2/internetGateway:InternetGateway", "vpcId", "update"],
    ["aws:eks/cluster:Cluster", "name", "replace"],
    ["aws:eks/cluster:Cluster", "roleArn", "replace"],
    ["aws:eks/cluster:Cluster", "version", "update"],
    ["aws:eks/cluster:Cluster", "vpcConfig.publicAccessCidrs", "update"],
    ["aws:eks/cluster:Cluster", "vpcConfig", "update"],
    ["aws:eks/nodeGroup:NodeGroup", "subnetIds", "replace"],
    ["aws:eks/nodeGroup:NodeGroup", "scalingConfig.desiredSize", "update"],
    ["aws:eks/nodeGroup:NodeGroup", "launchTemplate.version", "update"],
    ["aws:eks/nodeGroup:NodeGroup", "launchTemplate.id", "replace"],
    ["aws:kms/key:Key", "policy", "update"],
    ["aws:kms/key:Key", "keyUsage", "replace"],
    ["aws:cloudwatch/logGroup:LogGroup", "name", "replace"],
    ["aws:cloudwatch/logGroup:LogGroup", "retentionInDays", "update"],
    ["kubernetes:apps/v1:StatefulSet", "spec.volumeClaimTemplates", "replace"],
    ["kubernetes:apps/v1:StatefulSet", "spec.selector.matchLabels.app", "replace"],
    ["kubernetes:apps/v1:StatefulSet", "spec.replicas", "update"],
    ["kubernetes:apps/v1:StatefulSet", "spec", "replace"],
    ["kubernetes:apps/v1:StatefulSet", "metadata.name", "replace"],
    // enableConfigMapMutable/enableSecretMutable default to false (provider.go Configure); the program sets both.
    // the program's provider sets enableConfigMapMutable,
    ["kubernetes:core/v1:ConfigMap", "data.keeper_config.xml", "update"],
    ["kubernetes:core/v1:ConfigMap", "immutable", "may-replace"],
    // enableSecretMutable, set by the program's provider
    ["kubernetes:core/v1:Secret", "stringData.password", "update"],
    ["kubernetes:core/v1:Secret", "type", "replace"],
    ["kubernetes:storage.k8s.io/v1:StorageClassPatch", "metadata.name", "replace"],
    ["kubernetes:storage.k8s.io/v1:StorageClassPatch", "allowedTopologies", "update"],
    ["kubernetes:helm.sh/v3:Release", "values.ingestionGateway.replicaCount", "update"],
    ["kubernetes:helm.sh/v3:Release", "name", "replace"],
    ["random:index/randomPassword:RandomPassword", "length", "replace"],
    ["aws:lb/loadBalancer:LoadBalancer", "subnets", "may-replace"],
    ["aws:lb/loadBalancer:LoadBalancer", "internal", "replace"],
    ["kubernetes:elbv2.k8s.aws/v1beta1:TargetGroupBinding", "spec.targetGroupARN", "may-replace"],
    // Corrections from reading the provider source (see each entry's file@commit).
    ["aws:ec2/vpc:Vpc", "instanceTenancy", "may-replace"],
    ["aws:ec2/vpc:Vpc", "enableNetworkAddressUsageMetrics", "update"],
    ["aws:ec2/subnet:Subnet", "ipv6Native", "replace"],
    ["aws:ec2/eip:Eip", "address", "replace"],
    ["aws:ec2/natGateway:NatGateway", "privateIp", "replace"],
    ["aws:ec2/natGateway:NatGateway", "secondaryAllocationIds", "update"],
    ["aws:eks/cluster:Cluster", "encryptionConfig.provider.keyArn", "may-replace"],
    ["aws:eks/cluster:Cluster", "computeConfig.nodeRoleArn", "may-replace"],
    ["aws:eks/cluster:Cluster", "computeConfig.nodePools", "update"],
    ["aws:eks/cluster:Cluster", "outpostConfig.controlPlaneInstanceType", "replace"],
    ["aws:eks/cluster:Cluster", "kubernetesNetworkConfig.elasticLoadBalancing.enabled", "update"],
    ["aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "cidrIpv4", "may-replace"],
    ["aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "referencedSecurityGroupId", "may-replace"],
    ["aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "fromPort", "update"],
    ["aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "securityGroupId", "replace"],
    ["aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", "cidrIpv4", "may-replace"],
    ["aws:ssm/parameter:Parameter", "dataType", "replace"],
    ["aws:ssm/parameter:Parameter", "tier", "may-replace"],
    ["aws:ssm/parameter:Parameter", "value", "update"],
    ["aws:lb/targetGroup:TargetGroup", "ipAddressType", "replace"],
    ["aws:lb/targetGroup:TargetGroup", "healthCheck.path", "update"],
    ["aws:lb/loadBalancer:LoadBalancer", "customerOwnedIpv4Pool", "replace"],
    ["aws:lb/loadBalancer:LoadBalancer", "securityGroups", "may-replace"],
    ["aws:secretsmanager/secretVersion:SecretVersion", "secretStringWoVersion", "replace"],
    // private_dns_enabled is forced new in CustomizeDiff for Gateway endpoints only.
    ["aws:ec2/vpcEndpoint:VpcEndpoint", "privateDnsEnabled", "may-replace"],
    ["aws:ec2/vpcEndpoint:VpcEndpoint", "subnetIds", "update"],
    ["aws:codebuild/webhook:Webhook", "scopeConfiguration", "may-replace"],
    ["aws:ec2/launchTemplate:LaunchTemplate", "keyName", "update"],
    ["pulumi:providers:aws", "region", "may-replace"],
    ["aws:ec2/vpc:Vpc", "somethingNew", "may-replace"],
    ["aws:example/unknown:Thing", "anything", "may-replace"],
  ];
  for (const [type, path, effect] of table) {
    it(`${type.split(":").pop()} ${path}: ${effect}`, () => assert.equal(classifyChange(type, path).effect, effect));
  }

  it(
    "replaces a Kubernetes provider whose kubeconfig becomes unknown (its cluster is " +
      "replaced); a known change may replace (DiffConfig compares the active cluster)",
    () => {
      assert.equal(classifyChange("pulumi:providers:kubernetes", "kubeconfig", true).effect, "replace");
      assert.equal(classifyChange("pulumi:providers:kubernetes", "kubeconfig", false).effect, "may-replace");
      assert.equal(classifyChange("pulumi:providers:kubernetes", "enableServerSideApply", false).effect, "update");
    },
  );
});

describe("changed paths", () => {
  it("walks objects to the changed leaves and compares arrays whole", () => {
    assert.deepEqual(changedPaths({ a: { b: 1, c: [1, 2] }, d: "x" }, { a: { b: 2, c: [1, 2] }, d: "x", e: true }), [
      { path: "a.b", old: 1, new: 2 },
      { path: "e", old: undefined, new: true },
    ]);
    assert.deepEqual(changedPaths({ s: "[secret]" }, { s: "[secret]" }), []);
  });
});

describe("alias URNs (offline/diff/aliases.ts)", () => {
  const urn = (type: string, name: string, parentType?: string) =>
    makeUrn("eu-west-1", "infrasage", parentType, type, name);

  it("round-trips URNs and qualifies a child's type with its parent's", () => {
    const child = urn("aws:ec2/vpc:Vpc", "net-vpc", "infrasage:network:RegionalNetwork");
    assert.equal(child, "urn:pulumi:eu-west-1::infrasage::infrasage:network:RegionalNetwork$aws:ec2/vpc:Vpc::net-vpc");
    assert.deepEqual(parseUrn(child), {
      stack: "eu-west-1",
      project: "infrasage",
      qualifiedType: "infrasage:network:RegionalNetwork$aws:ec2/vpc:Vpc",
      type: "aws:ec2/vpc:Vpc",
      name: "net-vpc",
    });
  });

  it(
    "collapses a spec with the resource's defaults and multiplies " +
      "parent aliases out to children (name prefix renamed)",
    () => {
      const parent = {
        urn: urn("infrasage:network:RegionalNetwork", "net"),
        type: "infrasage:network:RegionalNetwork",
        name: "net",
        aliases: [JSON.stringify({ urn: "", spec: { name: "network" } })],
      };
      const child = {
        urn: urn("aws:ec2/vpc:Vpc", "net-vpc", parent.type),
        type: "aws:ec2/vpc:Vpc",
        name: "net-vpc",
        parent: parent.urn,
      };
      const other = {
        urn: urn("aws:ec2/eip:Eip", "nat-ip", parent.type),
        type: "aws:ec2/eip:Eip",
        name: "nat-ip",
        parent: parent.urn,
      };
      const aliases = aliasUrns([parent, child, other]);
      assert.deepEqual(aliases.get(parent.urn), [urn("infrasage:network:RegionalNetwork", "network")]);
      assert.deepEqual(aliases.get(child.urn), [urn("aws:ec2/vpc:Vpc", "network-vpc", parent.type)]);
      // Not named after its parent: the inherited alias is its own URN (the parent's type did not change).
      assert.deepEqual(aliases.get(other.urn), []);
    },
  );

  it("combines a child's own spec with each of its parent's aliases (both renamed in one change)", () => {
    // The component changed type (module renamed) and the child its name.
    const parent = {
      urn: urn("infrasage:network:RegionalNetwork", "net"),
      type: "infrasage:network:RegionalNetwork",
      name: "net",
      aliases: [JSON.stringify({ urn: "", spec: { type: "infrasage:net:Network" } })],
    };
    const child = {
      urn: urn("aws:ec2/vpc:Vpc", "net-main", parent.type),
      type: "aws:ec2/vpc:Vpc",
      name: "net-main",
      parent: parent.urn,
      aliases: [JSON.stringify({ urn: "", spec: { name: "net-vpc" } })],
    };
    const aliases = aliasUrns([parent, child]).get(child.urn)!;
    assert.ok(aliases.includes(urn("aws:ec2/vpc:Vpc", "net-vpc", "infrasage:net:Network")), aliases.join("\n"));
    assert.ok(aliases.includes(urn("aws:ec2/vpc:Vpc", "net-vpc", parent.type)));
  });

  it("takes a URN alias as given, and a spec with noParent at the top level", () => {
    const r = {
      urn: urn("aws:ec2/vpc:Vpc", "vpc", "infrasage:network:RegionalNetwork"),
      type: "aws:ec2/vpc:Vpc",
      name: "vpc",
      parent: urn("infrasage:network:RegionalNetwork", "n"),
      aliases: [
        "urn:pulumi:eu-west-1::infrasage::aws:ec2/vpc:Vpc::old",
        JSON.stringify({ urn: "", spec: { noparent: true } }),
      ],
    };
    assert.deepEqual(aliasUrns([r]).get(r.urn), [
      "urn:pulumi:eu-west-1::infrasage::aws:ec2/vpc:Vpc::old",
      urn("aws:ec2/vpc:Vpc", "vpc"),
    ]);
  });
});
