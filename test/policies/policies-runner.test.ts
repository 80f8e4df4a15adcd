import { strict as assert } from "node:assert";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type * as aws from "@pulumi/aws";
import { evaluateCrossStack, evaluateStack, type AnalysisTarget } from "../../offline/policy-runner";
import { UNKNOWN_SENTINEL, type ProgramRecord, type RecordedResource } from "../../offline/run-program";
import { PolicyConfigError, parsePolicyPackConfig, reconcilePolicyConfig } from "../../offline/policy-config";
import { parseStackConfig } from "../../lib/config/parse";
import { PORTS } from "../../policies/shared/ports";
import type { StackConfig } from "../../lib/config/types";
import { ALL_POLICIES } from "../../policies/rules/all";
import { crossStackFindings, crossStackFlows, type StackFacts } from "../../policies/rules/cross-stack";
import { planShipped, ROOT } from "../support/plan";
import { recorded } from "../support/recorded";
import { sharedAnalyzer } from "../support/analyzer";

function stackConfig(region: string, extra: Record<string, string> = {}): StackConfig {
  const parsed = parseStackConfig(
    {
      "aws:region": region,
      "infrasage:tenantId": "acme",
      "infrasage:network": JSON.stringify({ cidr: "10.10.0.0/16" }),
      ...extra,
    },
    region,
  );
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return parsed.config;
}

const rec = recorded;
const PROVIDER = rec("pulumi:providers:aws", "aws", { region: "eu-west-1" });
const record = (...resources: RecordedResource[]): ProgramRecord => ({
  stack: "eu-west-1",
  preview: false,
  resources: [PROVIDER, ...resources],
  outputs: {},
});
const strayVpc = rec(
  "aws:ec2/vpc:Vpc",
  "stray",
  { cidrBlock: "10.9.0.0/16", region: "us-east-1" },
  { provider: PROVIDER.urn },
);
const TARGET: AnalysisTarget = {
  project: "infrasage",
  organization: "organization",
  config: { "aws:region": "eu-west-1" },
};
const evaluate = async (r: ProgramRecord, policyConfig: unknown = {}) =>
  evaluateStack(await sharedAnalyzer(), r, TARGET, policyConfig);

describe("policy results come from the pack's own analyzer server", () => {
  it("starts the pack as the CLI does and lists every policy of the pack with its level", async () => {
    const { info } = await sharedAnalyzer();
    assert.equal(info.name, "infrasage-residency");
    assert.deepEqual(info.policies.map((p) => p.name).sort(), ALL_POLICIES.map((p) => p.name).sort());
    assert.ok(info.policies.every((p) => p.enforcementLevel === "mandatory"));
  });

  it("analyzes a shipped stack with no violation", async () => {
    const plan = await planShipped("eu-west-1");
    assert.deepEqual(await evaluate(plan.record), []);
  });

  it("reports the policy name, level, message and URN", async () => {
    const [v, ...rest] = await evaluate(record(strayVpc));
    assert.equal(rest.length, 0);
    assert.deepEqual(
      { policy: v!.policy, level: v!.level, urn: v!.urn },
      { policy: "aws-resource-in-home-region", level: "mandatory", urn: strayVpc.urn },
    );
  });

  it("applies policy config as the CLI reconciles it: levels, all, disabled, exemptions", async () => {
    assert.equal(
      (await evaluate(record(strayVpc), { "aws-resource-in-home-region": "advisory" }))[0]!.level,
      "advisory",
    );
    assert.equal((await evaluate(record(strayVpc), { all: "advisory" }))[0]!.level, "advisory");
    assert.deepEqual(
      await evaluate(record(strayVpc), { "aws-resource-in-home-region": { enforcementLevel: "disabled" } }),
      [],
    );
    assert.deepEqual(
      await evaluate(record(strayVpc), {
        "aws-resource-in-home-region": { exemptions: [{ urn: "*::stray", reason: "lab VPC, deleted in Q3" }] },
      }),
      [],
    );
  });

  it("refuses policy config the CLI refuses: unknown level, schema violations (all at once)", async () => {
    const { info } = await sharedAnalyzer();
    assert.throws(() => parsePolicyPackConfig({ "aws-resource-in-home-region": "strict" }), PolicyConfigError);
    assert.throws(
      () =>
        reconcilePolicyConfig(
          info.policies,
          parsePolicyPackConfig({
            "aws-resource-in-home-region": { exemptions: [{ urn: "*", reason: "short" }] },
            "ebs-encrypted": { exemptions: "none" },
          }),
        ),
      (e: Error) => /aws-resource-in-home-region: .*exemptions/.test(e.message) && /ebs-encrypted/.test(e.message),
    );
  });

  it("gives resources with no explicit provider the engine's default provider (aws:region from config)", async () => {
    const orphan = rec("aws:ec2/vpc:Vpc", "orphan", { region: "ap-south-1" });
    assert.match((await evaluate(record(orphan)))[0]!.message, /outside the home region eu-west-1/);
  });

  it("reports a policy that reads an unknown value as advisory (checked again at up), never mandatory", async () => {
    const unknownRegion = rec(
      "aws:ec2/vpc:Vpc",
      "later",
      {},
      { provider: PROVIDER.urn, wire: { inputs: { region: UNKNOWN_SENTINEL }, outputs: {} } },
    );
    const out = await evaluate({ ...record(unknownRegion), preview: true });
    assert.ok(out.length > 0);
    for (const v of out) {
      assert.equal(v.level, "advisory");
      assert.match(v.message, /^can't run policy 'aws-resource-in-home-region' .* during preview/);
    }
  });

  it("lists cross-stack flows and rejects residency-breaking ones", () => {
    const hub = stackConfig("eu-west-1", {
      "infrasage:pattern": "hub-spoke",
      "infrasage:federation": JSON.stringify({ role: "hub", spokes: ["acme/infrasage/ap-south-1"] }),
    });
    const spoke = stackConfig("ap-south-1", {
      "infrasage:pattern": "hub-spoke",
      "infrasage:network": JSON.stringify({ cidr: "10.20.0.0/16" }),
      "infrasage:federation": JSON.stringify({ role: "spoke", hubStack: "acme/infrasage/eu-west-1" }),
    });
    const empty = (s: StackConfig) => ({
      config: s,
      record: { stack: s.stack, preview: false, resources: [], outputs: {} },
    });
    const report = evaluateCrossStack([empty(hub), empty(spoke)]);
    assert.deepEqual(report.flows, [
      {
        from: "ap-south-1",
        to: "eu-west-1",
        fromJurisdiction: "IN",
        toJurisdiction: "EU",
        what: "alert metadata",
        ports: [PORTS.alertWebhook],
      },
    ]);
    assert.deepEqual(report.violations, []);
  });
});

describe("cross-stack rules", () => {
  const facts = (stack: string, jurisdiction: string, cidr: string, more: Partial<StackFacts> = {}): StackFacts => ({
    stack,
    region: stack,
    jurisdiction,
    cidr,
    peers: [],
    ...more,
  });
  const findings = (stacks: StackFacts[]) => crossStackFindings(stacks, crossStackFlows(stacks)).map((f) => f.policy);
  it("passes replication inside the EU with distinct CIDRs", () =>
    assert.deepEqual(
      findings([
        facts("eu-west-1", "EU", "10.10.0.0/16", { peers: ["o/infrasage/eu-central-1"] }),
        facts("eu-central-1", "EU", "10.11.0.0/16", { peers: ["o/infrasage/eu-west-1"] }),
      ]),
      [],
    ));
  it("rejects replication across jurisdictions", () =>
    assert.ok(
      findings([
        facts("eu-west-1", "EU", "10.10.0.0/16", { peers: ["o/infrasage/ap-south-1"] }),
        facts("ap-south-1", "IN", "10.20.0.0/16"),
      ]).includes("cross-stack-residency-flow"),
    ));
  it("rejects overlapping CIDRs of connected stacks only", () => {
    assert.deepEqual(
      findings([facts("eu-west-1", "EU", "10.10.0.0/16"), facts("eu-central-1", "EU", "10.10.0.0/16")]),
      [],
    );
    assert.deepEqual(
      findings([
        facts("eu-west-1", "EU", "10.10.0.0/16", { spokes: ["o/infrasage/eu-central-1"] }),
        facts("eu-central-1", "EU", "10.10.128.0/17", { hubStack: "o/infrasage/eu-west-1" }),
      ]),
      ["cross-stack-cidr-overlap"],
    );
  });
  it("rejects a federation pair that does not name each other, in both directions", () => {
    const hub = (spokes: string[]) => facts("eu-west-1", "EU", "10.10.0.0/16", { spokes });
    const spoke = (hubStack?: string) => facts("ap-south-1", "IN", "10.20.0.0/16", hubStack ? { hubStack } : {});
    assert.deepEqual(findings([hub(["o/infrasage/ap-south-1"]), spoke("o/infrasage/eu-west-1")]), []);
    assert.deepEqual(findings([hub([]), spoke("o/infrasage/eu-west-1")]), ["cross-stack-federation-pairing"]);
    assert.deepEqual(findings([hub(["o/infrasage/ap-south-1"]), spoke()]), ["cross-stack-federation-pairing"]);
  });
  it("rejects a replication peer outside the planned set", () =>
    assert.deepEqual(findings([facts("eu-west-1", "EU", "10.10.0.0/16", { peers: ["o/infrasage/eu-north-1"] })]), [
      "cross-stack-peer-in-plan",
    ]));
});

describe("policy pack", () => {
  it("has unique names, mandatory levels, a config schema with exemptions on every policy", () => {
    const names = ALL_POLICIES.map((p) => p.name);
    assert.equal(new Set(names).size, names.length);
    for (const p of ALL_POLICIES) {
      assert.equal(p.enforcementLevel, "mandatory", p.name);
      assert.ok(p.configSchema?.properties.exemptions, p.name);
    }
  });
  it("constructs the PolicyPack only in policies/index.ts (its constructor starts a server)", () => {
    const dir = join(ROOT, "policies", "rules");
    for (const f of readdirSync(dir)) assert.doesNotMatch(readFileSync(join(dir, f), "utf8"), /new PolicyPack/, f);
    assert.match(readFileSync(join(ROOT, "policies", "index.ts"), "utf8"), /new PolicyPack\("infrasage-residency"/);
  });
  it("has a versioned package.json depending on @pulumi/policy", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, "policies", "package.json"), "utf8")) as {
      version: string;
      dependencies: Record<string, string>;
    };
    assert.match(pkg.version, /^\d+\.\d+\.\d+$/);
    assert.ok(pkg.dependencies["@pulumi/policy"]);
  });
});

// Property names the rules read, pinned against @pulumi/aws 7.x typings: a rename fails tsc.
type Has<T, K extends string> = K extends keyof NonNullable<T> ? true : never;
type I = true;
type PinnedPropNames = [
  I,
  Has<aws.ec2.VpcPeeringConnectionArgs, "peerRegion">,
  Has<aws.ec2transitgateway.PeeringAttachmentArgs, "peerRegion">,
  Has<aws.ec2.VpcPeeringConnectionAccepterArgs, "region">,
  Has<aws.kms.ReplicaKeyArgs, "primaryKeyArn">,
  Has<aws.kms.KeyArgs, "enableKeyRotation">,
  Has<aws.ebs.SnapshotCopyArgs, "sourceRegion">,
  Has<aws.ec2.AmiCopyArgs, "sourceAmiRegion">,
  Has<aws.ebs.VolumeArgs, "availabilityZone">,
  Has<aws.eks.ClusterArgs, "enabledClusterLogTypes">,
  Has<aws.vpc.SecurityGroupIngressRuleArgs, "cidrIpv4">,
  Has<aws.ec2.SecurityGroupRuleArgs, "ipv6CidrBlocks">,
  Has<aws.dynamodb.TableReplicaArgs, "globalTableArn">,
  Has<aws.types.input.s3.BucketReplicationConfigRuleDestination, "bucket">,
  Has<aws.types.input.backup.PlanRuleCopyAction, "destinationVaultArn">,
  Has<aws.types.input.ecr.ReplicationConfigurationReplicationConfigurationRuleDestination, "region">,
  Has<aws.types.input.secretsmanager.SecretReplica, "region">,
  Has<aws.types.input.dynamodb.TableReplica, "regionName">,
  Has<aws.types.input.eks.ClusterVpcConfig, "publicAccessCidrs">,
  Has<aws.types.input.ec2.LaunchTemplateMetadataOptions, "httpTokens">,
  Has<aws.types.input.ec2.LaunchTemplateBlockDeviceMappingEbs, "encrypted">,
  Has<aws.types.input.msk.ReplicatorKafkaClusterAmazonMskCluster, "mskClusterArn">,
];
const PINNED_PROP_NAMES: PinnedPropNames = [
  true,
  true,
  true,
  true,
  true,
  true,
  true,
  true,
  true,
  true,
  true,
  true,
  true,
  true,
  true,
  true,
  true,
  true,
  true,
  true,
  true,
  true,
];
it("the property names the rules read exist in @pulumi/aws's typings (type-checked: a renamed one fails tsc)", () => {
  assert.ok(PINNED_PROP_NAMES.length > 20 && PINNED_PROP_NAMES.every((x) => x === true));
});

describe("policies/config/example.json", () => {
  it("only uses policy names and config keys the pack declares", () => {
    const config = JSON.parse(readFileSync(join(ROOT, "policies", "config", "example.json"), "utf8")) as Record<
      string,
      unknown
    >;
    const byName = new Map(ALL_POLICIES.map((p) => [p.name, p]));
    for (const [name, value] of Object.entries(config)) {
      if (name === "all" || typeof value === "string") continue;
      const policy = byName.get(name);
      assert.ok(policy, `unknown policy ${name}`);
      for (const key of Object.keys(value as object)) {
        assert.ok(
          key === "enforcementLevel" || key in (policy.configSchema?.properties ?? {}),
          `${name}: unknown key ${key}`,
        );
      }
    }
  });
});
