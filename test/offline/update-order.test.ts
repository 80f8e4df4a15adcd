/**
 * The plan models the real run (offline/update-order.ts): resource policies in registration order
 * before each resource, a mandatory result stops `pulumi up` there, stack policies after apply (and
 * not at all after a stop); a preview goes on and fails at the end. Every result says where it is enforced.
 */
import { strict as assert } from "node:assert";
import { evaluateCrossStack, evaluateRun, type AnalysisTarget } from "../../offline/policy-runner";
import { parseStackConfig } from "../../lib/config/parse";
import type { ProgramRecord, RecordedResource } from "../../offline/run-program";
// `before` of update-order (an enforcedAt label), not mocha's hook.
import {
  AFTER_APPLY,
  AT_PREVIEW,
  before as beforeUrn,
  enforcedAt,
  OFFLINE_ONLY,
  simulateRun,
} from "../../offline/update-order";
import { planJson, stackSummary } from "../../offline/report";
import { prComment } from "../../offline/pr-comment";
import { sharedAnalyzer } from "../support/analyzer";
import { recorded, recordedUrn } from "../support/recorded";
import { planShipped } from "../support/plan";

const STACK = "eu-west-1";
const urn = (type: string, name: string) => recordedUrn(type, name, STACK);
const rec = (type: string, name: string, inputs: Record<string, unknown>, more: Partial<RecordedResource> = {}) =>
  recorded(type, name, inputs, more, STACK);
const PROVIDER = rec("pulumi:providers:aws", "aws", { region: STACK });
const vpc = (name: string, region?: string) =>
  rec("aws:ec2/vpc:Vpc", name, { cidrBlock: "10.9.0.0/16", ...(region ? { region } : {}) }, { provider: PROVIDER.urn });
// A stack rule's violation: a storage class named for another region (storage-classes-in-home-region-stack, the second
// line after apply).
const foreignClass = rec("kubernetes:storage.k8s.io/v1:StorageClass", "sc", {
  metadata: { name: "gp3-us-east-1" },
  provisioner: "ebs.csi.aws.com",
  reclaimPolicy: "Retain",
});
const TARGET: AnalysisTarget = { project: "infrasage", organization: "organization", config: { "aws:region": STACK } };

// The 4th resource (index 3) violates a resource rule; one before and one after it are fine.
const resources = [PROVIDER, vpc("first"), vpc("second"), vpc("stray", "us-east-1"), vpc("after"), foreignClass];
const record = (preview: boolean): ProgramRecord => ({ stack: STACK, preview, resources, outputs: {} });

describe("the plan models the real update order", () => {
  it(
    "pulumi up stops at the first resource with a mandatory " +
      "resource-policy result: those before exist, it and later ones do not",
    async () => {
      const { violations, run } = await evaluateRun(await sharedAnalyzer(), record(false), TARGET);
      assert.equal(run.kind, "up");
      assert.deepEqual(run.stoppedAt, { urn: resources[3]!.urn, policies: ["aws-resource-in-home-region"] });
      assert.deepEqual(
        run.reached,
        resources.slice(0, 3).map((r) => r.urn),
      );
      assert.deepEqual(
        run.notReached,
        resources.slice(3).map((r) => r.urn),
      );
      assert.equal(run.stackPoliciesRun, false, "deployment_executor.go runs AnalyzeStack only when no step failed");
      const stray = violations.find((v) => v.policy === "aws-resource-in-home-region")!;
      assert.equal(stray.enforcedAt, beforeUrn(resources[3]!.urn));
      const stackRule = violations.find((v) => v.policy === "storage-classes-in-home-region-stack")!;
      assert.equal(stackRule.enforcedAt, AFTER_APPLY);
    },
  );

  it("takes the order of registration, not of the analyzer's answers (Analyze calls run concurrently)", async () => {
    const reversed: ProgramRecord = {
      ...record(false),
      resources: [PROVIDER, vpc("late", "ap-south-1"), ...resources.slice(1)],
    };
    const { run } = await evaluateRun(await sharedAnalyzer(), reversed, TARGET);
    assert.equal(run.stoppedAt?.urn, urn("aws:ec2/vpc:Vpc", "late"));
    assert.deepEqual(run.reached, [PROVIDER.urn]);
  });

  it("a preview analyzes everything, runs stack policies at the end and enforces both there", async () => {
    const { violations, run } = await evaluateRun(await sharedAnalyzer(), record(true), TARGET);
    assert.deepEqual(
      { kind: run.kind, stoppedAt: run.stoppedAt, notReached: run.notReached, stackPoliciesRun: run.stackPoliciesRun },
      { kind: "preview", stoppedAt: undefined, notReached: [], stackPoliciesRun: true },
    );
    assert.ok(violations.length >= 2);
    for (const v of violations) assert.equal(v.enforcedAt, AT_PREVIEW, `${v.policy}: ${v.message}`);
  });

  it("a result the preview cannot decide (a value known after apply) is enforced where the update decides it", () => {
    const cantRun =
      "can't run policy 'aws-resource-in-home-region' from policy pack 'infrasage-residency' during preview: ...";
    assert.equal(enforcedAt(true, "resource", "urn:x", cantRun), beforeUrn("urn:x"));
    assert.equal(enforcedAt(true, "stack", undefined, cantRun), AFTER_APPLY);
    assert.equal(enforcedAt(true, "resource", "urn:x", "outside the home region"), AT_PREVIEW);
    // Nothing mandatory: every step runs, then the stack policies.
    assert.deepEqual(simulateRun(false, ["a", "b"], new Map([["a", []]])), {
      kind: "up",
      reached: ["a", "b"],
      notReached: [],
      stackPoliciesRun: true,
    });
  });

  it("--json carries enforcedAt on every policy result and the run; text view and PR comment show them", async () => {
    // Every regional AWS resource (not the provider, not IAM) of the shipped stack violates a resource rule under this
    // policy config.
    const plan = await planShipped(STACK, {
      policyConfig: {
        "aws-resource-in-home-region": { homeRegion: "eu-central-1" },
        "storage-classes-in-home-region-stack": { homeRegion: "eu-central-1" },
      },
    });
    const first = plan.record.resources.findIndex((r) =>
      plan.violations.some((v) => v.policy === "aws-resource-in-home-region" && v.urn === r.urn),
    );
    assert.ok(
      plan.record.resources.slice(0, first).some((r) => r.type === "pulumi:providers:aws"),
      "the provider registers before the first regional resource",
    );
    assert.equal(plan.run.stoppedAt?.urn, plan.record.resources[first]!.urn);
    assert.deepEqual(
      plan.run.reached,
      plan.record.resources.slice(0, first).map((r) => r.urn),
    );
    const doc = JSON.parse(
      JSON.stringify(
        planJson({
          view: "up",
          organization: "organization",
          stacks: [plan],
          crossStack: { violations: [], flows: [], replication: [] },
          preflight: [],
        }),
      ),
    );
    const stack = doc.stacks[0];
    assert.ok(stack.violations.length > 0);
    for (const v of stack.violations) assert.match(v.enforcedAt, /^(before urn:pulumi:eu-west-1::|after apply$)/);
    assert.ok(stack.violations.some((v: { enforcedAt: string }) => v.enforcedAt === AFTER_APPLY));
    assert.equal(stack.update.stoppedAt.urn, plan.run.stoppedAt!.urn);
    const text = stackSummary(plan);
    assert.match(text, /enforced: before aws:/);
    assert.match(text, /enforced: after apply/);
    assert.match(text, new RegExp(`pulumi up stops at ${plan.record.resources[first]!.name} `));
    assert.match(
      text,
      new RegExp(
        `Would already exist \\(steps applied before the ` +
          `stop\\): ${plan.record.resources.slice(0, first).filter((r) => r.custom).length} ` +
          `resources?: aws \\(aws\\)`,
      ),
    );
    assert.match(text, /Never reached \(the stopping one included\): \d+: /);
    assert.match(text, /After a stop the engine runs no stack policy/);
    // The comment lists the first 40 mandatory findings: keep one of each kind.
    const two = [
      stack.violations[0],
      stack.violations.find((v: { enforcedAt: string }) => v.enforcedAt === AFTER_APPLY),
    ];
    const comment = prComment(
      [{ title: "shipped stacks", exitCode: 1, plan: { ...doc, stacks: [{ ...stack, violations: two }] } }],
      "main",
    );
    assert.match(comment, /\(enforced before aws:/);
    assert.match(comment, /\(enforced after apply\)/);
    assert.match(comment, /`pulumi up` stops at /);
  });

  it("labels cross-stack findings as enforced by no real run", () => {
    const cfg = (region: string, cidr: string, federation: object) => {
      const parsed = parseStackConfig(
        {
          "aws:region": region,
          "infrasage:tenantId": "acme",
          "infrasage:pattern": "hub-spoke",
          "infrasage:network": JSON.stringify({ cidr }),
          "infrasage:federation": JSON.stringify(federation),
        },
        region,
      );
      if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
      return { config: parsed.config, record: { stack: region, preview: false, resources: [], outputs: {} } };
    };
    // A hub that does not list its spoke: cross-stack-federation-pairing.
    const report = evaluateCrossStack([
      cfg("eu-west-1", "10.10.0.0/16", { role: "hub", spokes: [] }),
      cfg("ap-south-1", "10.20.0.0/16", { role: "spoke", hubStack: "acme/infrasage/eu-west-1" }),
    ]);
    assert.ok(report.violations.length > 0);
    for (const v of report.violations) assert.equal(v.enforcedAt, OFFLINE_ONLY);
  });
});
