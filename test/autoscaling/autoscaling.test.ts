/** `autoscaling`: per-profile defaults, the Cluster Autoscaler and Karpenter as planned offline. */
import assert from "node:assert/strict";
import { parseStackConfig } from "../../lib/config/parse";
import { SCALE_PROFILES } from "../../lib/profiles/profiles";
import {
  karpenterLimits,
  karpenterControllerPolicy,
  expectedKarpenterNodes,
} from "../../lib/autoscaling/karpenter-plan";
import { clusterAutoscalerImageTag } from "../../lib/autoscaling/cluster-autoscaler-plan";
import { SUPPORTED_EKS_VERSIONS } from "../../lib/cluster/eks-versions";
import { limitProblems } from "../../lib/aws/aws-limits";
import { planFile, writeStackFile, ofType } from "../support/plan";
import type { StackPlan } from "../../offline/plan";

const base = {
  "aws:region": "eu-west-1",
  "infrasage:tenantId": "acme-eu",
  "infrasage:network": { cidr: "10.10.0.0/16" },
};
const raw = (extra: Record<string, unknown>) =>
  Object.fromEntries(
    Object.entries({ ...base, ...extra }).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
  );
const inputs = <T>(r: { rawInputs: Record<string, unknown> } | undefined, k: string) => r!.rawInputs[k] as T;

describe("autoscaling: config", () => {
  it("defaults per profile: small none, medium cluster-autoscaler, large karpenter; explicit wins", () => {
    const mode = (extra: Record<string, unknown>) => {
      const r = parseStackConfig(raw(extra), "eu-west-1");
      assert.ok(r.ok);
      return r.config.autoscaling;
    };
    assert.equal(mode({ "infrasage:scaleProfile": "small" }), "none");
    assert.equal(mode({}), "cluster-autoscaler");
    assert.equal(mode({ "infrasage:scaleProfile": "large" }), "karpenter");
    assert.equal(mode({ "infrasage:scaleProfile": "large", "infrasage:autoscaling": "none" }), "none");
    const r = parseStackConfig(raw({ "infrasage:autoscaling": "karpentr" }), "eu-west-1");
    assert.ok(
      !r.ok && r.problems.some((p) => p.key === "infrasage:autoscaling" && /did you mean karpenter/.test(p.fix)),
    );
  });

  it("pins a Cluster Autoscaler image of the cluster's own minor for every supported version", () => {
    for (const v of SUPPORTED_EKS_VERSIONS)
      assert.match(clusterAutoscalerImageTag(v), new RegExp(`^v${v.replace(".", "\\.")}\\.\\d+$`));
  });

  it("derives Karpenter's limits and expected nodes from the profile", () => {
    assert.deepEqual(karpenterLimits(SCALE_PROFILES.large), { cpu: "96", memory: "384Gi" });
    assert.equal(expectedKarpenterNodes(SCALE_PROFILES.large, 2), 4);
    assert.equal(expectedKarpenterNodes(SCALE_PROFILES.large, 6), 0);
  });

  it("scopes the Karpenter controller to its cluster, region, node role and queue", () => {
    const p = karpenterControllerPolicy({
      clusterName: "infrasage-eu-west-1",
      region: "eu-west-1",
      accountId: "123456789012",
      nodeRoleArn: "arn:aws:iam::123456789012:role/n",
      queueArn: "arn:aws:sqs:eu-west-1:123456789012:q",
    });
    const text = JSON.stringify(p);
    assert.ok(!/arn:aws:ec2:\*:/.test(text), "no other region's EC2 resources");
    const pass = p.Statement.find((s) => s.Action === "iam:PassRole")!;
    assert.equal(pass.Resource, "arn:aws:iam::123456789012:role/n");
    const terminate = p.Statement.find((s) => Array.isArray(s.Action) && s.Action.includes("ec2:TerminateInstances"))!;
    assert.deepEqual(terminate.Condition!.StringEquals, {
      "aws:ResourceTag/kubernetes.io/cluster/infrasage-eu-west-1": "owned",
    });
  });
});

describe("autoscaling: planned stacks", function () {
  this.timeout(180000);
  const plans = new Map<string, Promise<StackPlan>>();
  const plan = (profile: string, extra: Record<string, unknown> = {}) => {
    const key = profile + JSON.stringify(extra);
    if (!plans.has(key))
      plans.set(key, planFile(writeStackFile("eu-west-1", { ...base, "infrasage:scaleProfile": profile, ...extra })));
    return plans.get(key)!;
  };

  it("none: no autoscaler, and the node group's desired size is kept as configured", async () => {
    const p = await plan("small");
    assert.equal(
      ofType(p, "kubernetes:helm.sh/v3:Release").filter((r) => /autoscaler|karpenter/.test(String(r.rawInputs.name)))
        .length,
      0,
    );
    const [ng] = ofType(p, "aws:eks/nodeGroup:NodeGroup");
    assert.ok(!ng!.ignoreChanges.includes("scalingConfig.desiredSize"));
  });

  it(
    "cluster-autoscaler: an IRSA role for its service account, " +
      "the chart with the cluster's minor, desired size left to it",
    async () => {
      const p = await plan("medium");
      const rel = ofType(p, "kubernetes:helm.sh/v3:Release").find((r) => r.rawInputs.name === "cluster-autoscaler")!;
      const values = inputs<{ image: { tag: string }; autoDiscovery: { clusterName: string }; awsRegion: string }>(
        rel,
        "values",
      );
      assert.equal(values.image.tag, "v1.35.2");
      assert.equal(values.autoDiscovery.clusterName, "infrasage-eu-west-1");
      assert.equal(values.awsRegion, "eu-west-1");
      const role = ofType(p, "aws:iam/role:Role").find((r) => r.name === "cluster-autoscaler-role")!;
      assert.match(String(role.rawInputs.assumeRolePolicy), /system:serviceaccount:kube-system:cluster-autoscaler/);
      const [ng] = ofType(p, "aws:eks/nodeGroup:NodeGroup");
      assert.ok(ng!.ignoreChanges.includes("scalingConfig.desiredSize"));
      assert.deepEqual(limitProblems(p.record.resources), []);
    },
  );

  it(
    "karpenter: node role with an EC2_LINUX access entry, Pod Identity, interruption " +
      "queue and rules, discovery tags, NodePool and EC2NodeClass in the stack's AZs",
    async () => {
      const p = await plan("large");
      assert.deepEqual(
        p.violations.filter((v) => v.level === "mandatory"),
        [],
      );
      assert.deepEqual(limitProblems(p.record.resources), []);
      const entry = ofType(p, "aws:eks/accessEntry:AccessEntry").find((r) => r.name === "karpenter-node-entry")!;
      assert.equal(entry.rawInputs.type, "EC2_LINUX");
      const nodeRole = ofType(p, "aws:iam/role:Role").find((r) => r.name === "karpenter-node-role")!;
      assert.ok(entry.dependencies.includes(nodeRole.urn));
      const assoc = ofType(p, "aws:eks/podIdentityAssociation:PodIdentityAssociation")[0]!;
      assert.deepEqual([assoc.rawInputs.namespace, assoc.rawInputs.serviceAccount], ["kube-system", "karpenter"]);
      assert.ok(ofType(p, "aws:eks/addon:Addon").some((a) => a.rawInputs.addonName === "eks-pod-identity-agent"));
      const controller = ofType(p, "aws:iam/role:Role").find((r) => r.name === "karpenter-controller-role")!;
      assert.match(String(controller.rawInputs.assumeRolePolicy), /pods\.eks\.amazonaws\.com/);
      const queue = ofType(p, "aws:sqs/queue:Queue")[0]!;
      assert.equal(queue.rawInputs.sqsManagedSseEnabled, true);
      const rules = ofType(p, "aws:cloudwatch/eventRule:EventRule")
        .map((r) => JSON.parse(String(r.rawInputs.eventPattern))["detail-type"][0])
        .sort();
      assert.deepEqual(rules, [
        "AWS Health Event",
        "EC2 Instance Rebalance Recommendation",
        "EC2 Instance State-change Notification",
        "EC2 Spot Instance Interruption Warning",
      ]);
      assert.equal(ofType(p, "aws:cloudwatch/eventTarget:EventTarget").length, 4);
      const sgTag = ofType(p, "aws:ec2/tag:Tag")[0]!;
      assert.deepEqual([sgTag.rawInputs.key, sgTag.rawInputs.value], ["karpenter.sh/discovery", "infrasage-eu-west-1"]);
      const privateSubnets = ofType(p, "aws:ec2/subnet:Subnet").filter(
        (s) => (s.rawInputs.tags as Record<string, string>)["karpenter.sh/discovery"] === "infrasage-eu-west-1",
      );
      assert.equal(privateSubnets.length, 3, "the three private subnets, no others");
      const nodeClass = ofType(p, "kubernetes:karpenter.k8s.aws/v1:EC2NodeClass")[0]!;
      const spec = inputs<{
        subnetSelectorTerms: { id: string }[];
        metadataOptions: { httpPutResponseHopLimit: number; httpTokens: string };
        blockDeviceMappings: { ebs: { encrypted: boolean } }[];
        amiSelectorTerms: { alias: string }[];
      }>(nodeClass, "spec");
      assert.equal(spec.subnetSelectorTerms.length, 3);
      assert.deepEqual(spec.metadataOptions.httpPutResponseHopLimit, 1);
      assert.equal(spec.metadataOptions.httpTokens, "required");
      assert.ok(spec.blockDeviceMappings.every((m) => m.ebs.encrypted === true));
      assert.deepEqual(spec.amiSelectorTerms, [{ alias: "al2023@latest" }]);
      const pool = ofType(p, "kubernetes:karpenter.sh/v1:NodePool")[0]!;
      const poolSpec = inputs<{
        limits: object;
        template: { spec: { requirements: { key: string; values: string[] }[] } };
      }>(pool, "spec");
      assert.deepEqual(
        poolSpec.template.spec.requirements.find((r) => r.key === "topology.kubernetes.io/zone")!.values,
        ["eu-west-1a", "eu-west-1b", "eu-west-1c"],
      );
      assert.deepEqual(poolSpec.limits, karpenterLimits(SCALE_PROFILES.large));
      const release = ofType(p, "kubernetes:helm.sh/v3:Release").find((r) => r.rawInputs.name === "karpenter")!;
      assert.ok(
        pool.dependencies.includes(release.urn) && nodeClass.dependencies.includes(release.urn),
        "the CRDs come with the chart",
      );
      // Karpenter never resizes managed groups: their desired size stays Pulumi's.
      assert.ok(!ofType(p, "aws:eks/nodeGroup:NodeGroup")[0]!.ignoreChanges.includes("scalingConfig.desiredSize"));
    },
  );

  it("karpenter follows the first group's architecture and capacity type; cost counts its expected nodes", async () => {
    const p = await plan("large", {
      "infrasage:nodeGroups": {
        system: {
          instanceTypes: ["m7g.large", "m6g.large"],
          amiType: "BOTTLEROCKET_ARM_64",
          capacityType: "SPOT",
          minSize: 2,
          desiredSize: 2,
          maxSize: 3,
        },
      },
    });
    const pool = ofType(p, "kubernetes:karpenter.sh/v1:NodePool")[0]!;
    const req = inputs<{ template: { spec: { requirements: { key: string; values: string[] }[] } } }>(pool, "spec")
      .template.spec.requirements;
    assert.deepEqual(req.find((r) => r.key === "kubernetes.io/arch")!.values, ["arm64"]);
    assert.deepEqual(req.find((r) => r.key === "karpenter.sh/capacity-type")!.values, ["spot", "on-demand"]);
    const nodeClass = ofType(p, "kubernetes:karpenter.k8s.aws/v1:EC2NodeClass")[0]!;
    assert.deepEqual(inputs<{ amiSelectorTerms: unknown }>(nodeClass, "spec").amiSelectorTerms, [
      { alias: "bottlerocket@latest" },
    ]);
    const item = p.cost.items.find((i) => i.item.startsWith("Karpenter nodes"))!;
    assert.equal(item.quantity, 4, "large expects 6 nodes, the managed group runs 2");
  });
});
