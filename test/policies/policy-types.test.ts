/**
 * A rule of one resource type carries that type where @pulumi/policy's server reads it (getPulumiType,
 * as validateResourceOfType sets it), so the server passes every other resource by before it decodes
 * the resource's properties: a preview analyses each resource with every rule, and decoding was most
 * of the pack's time. Checked with the pack's own copy of @pulumi/policy's Analyze handler.
 */
import { strict as assert } from "node:assert";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { ALL_POLICIES } from "../../policies/rules/all";
import { ROOT } from "../support/plan";

// The repository's copy of @pulumi/policy, the same version as the pack's own (checked below), whose
// @pulumi/pulumi the tests have loaded already (the pack's copy would load a second SDK).
const packRequire = createRequire(join(ROOT, "package.json"));
const policy = packRequire("@pulumi/policy/policy") as { getPulumiType(f: unknown): string | undefined };
const server = packRequire("@pulumi/policy/server") as {
  makeAnalyzeRpcFun(name: string, version: string, level: string, policies: unknown): AnalyzeRpc;
};
const pbPath = packRequire.resolve("@pulumi/pulumi/proto/analyzer_pb");
// biome-ignore lint/suspicious/noExplicitAny: generated protobuf classes
const pb = packRequire(pbPath) as Record<string, new () => any>;
const structPb = createRequire(pbPath)("google-protobuf/google/protobuf/struct_pb") as {
  Struct: { fromJavaScript(o: object): unknown };
};
type AnalyzeRpc = (
  call: { request: unknown },
  cb: (e: unknown, r: { getNotApplicableList(): { getPolicyName(): string }[] }) => void,
) => Promise<void>;

const resourceRules = ALL_POLICIES.filter((p): p is ResourceValidationPolicy => "validateResource" in p);
const typed = new Map(
  resourceRules.flatMap((p) => {
    const type = policy.getPulumiType(p.validateResource);
    return type ? [[p.name, type] as const] : [];
  }),
);

/** What the pack's Analyze handler does with one resource of `type`: its decodes, and the rules it skipped. */
async function analyze(type: string): Promise<{ decodes: number; notApplicable: string[] }> {
  const req = new pb.AnalyzeRequest!();
  req.setType(type);
  req.setName("x");
  req.setUrn(`urn:pulumi:eu-west-1::infrasage::${type}::x`);
  req.setProperties(structPb.Struct.fromJavaScript({}));
  req.setOptions(new pb.AnalyzerResourceOptions!());
  let decodes = 0;
  const properties = req.getProperties.bind(req);
  req.getProperties = () => {
    decodes++;
    return properties();
  };
  const rpc = server.makeAnalyzeRpcFun("infrasage", "0.0.0", "mandatory", ALL_POLICIES);
  const resp = await new Promise<Parameters<Parameters<AnalyzeRpc>[1]>[1]>((ok, fail) =>
    rpc({ request: req }, (e, r) => (e ? fail(e) : ok(r))),
  );
  return { decodes, notApplicable: resp.getNotApplicableList().map((n) => n.getPolicyName()) };
}

describe("rules of one resource type are skipped by type (policies/rules/framework.ts)", () => {
  it("the single-type rules carry their type", () => {
    assert.deepEqual(Object.fromEntries(typed), {
      "aws-providers-in-home-region": "pulumi:providers:aws",
      "cross-region-routes-in-jurisdiction": "aws:ec2/route:Route",
      "eks-control-plane-logging": "aws:eks/cluster:Cluster",
      "eks-endpoint-restricted": "aws:eks/cluster:Cluster",
      "github-oidc-trust-exact": "aws:iam/role:Role",
      "kms-key-hardened": "aws:kms/key:Key",
      "no-cluster-admin-for-service-accounts": "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding",
    });
  });

  it("a resource of another type is decoded only for the other rules; the typed ones say they skip", async () => {
    const bucket = await analyze("aws:s3/bucket:Bucket");
    assert.equal(bucket.decodes, resourceRules.length - typed.size);
    assert.deepEqual(bucket.notApplicable.sort(), [...typed.keys()].sort());
  });

  it("a resource of a typed rule's type is decoded for that rule too", async () => {
    const cluster = await analyze("aws:eks/cluster:Cluster");
    const forCluster = [...typed].filter(([, t]) => t === "aws:eks/cluster:Cluster").length;
    assert.equal(cluster.decodes, resourceRules.length - typed.size + forCluster);
  });
});
