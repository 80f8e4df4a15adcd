/**
 * CI reaches a private cluster only from inside its network: the stack creates its own CodeBuild-hosted
 * runner there (or admits the team's self-hosted runner), and the preflight refuses a deploy path that
 * cannot reach the API server, before anything is created.
 */
import { strict as assert } from "node:assert";
import { join } from "node:path";
import {
  deployPathProblems,
  runnerProjectName,
  EKS_VIEW_POLICY_ARN,
  type DeployConfig,
} from "../../lib/deploy/deploy-path";
import { parseStackConfig } from "../../lib/config/parse";
import { ROOT, ofType, one, planFiles, planShipped, runCli, writeStackFile } from "../support/plan";
import type { StackPlan } from "../../offline/plan";

const CONNECTION = "arn:aws:codeconnections:eu-west-1:123456789012:connection/0b4a9f5e-2c1d-4e8f-9a6b-7c3d2e1f0a9b";
const base = { "aws:region": "eu-west-1", tenantId: "acme-eu", network: { cidr: "10.10.0.0/16" } };
const codebuild: DeployConfig = {
  runner: "codebuild",
  repository: "acme/infrasage",
  connectionArn: CONNECTION,
  runnerCidrs: [],
};
const deployFindings = async (deploy: Record<string, unknown>, more: Record<string, unknown> = {}) =>
  (await planFiles([writeStackFile("eu-west-1", { ...base, deploy, ...more })])).preflight.filter(
    (f) => f.kind === "deploy-path",
  );

describe("deploy path (pure)", () => {
  it("refuses GitHub-hosted runners for a private endpoint, and for a public one (no fixed addresses)", () => {
    assert.match(
      deployPathProblems({ runner: "github-hosted", runnerCidrs: [] }, { publicAccessCidrs: [] }, false)[0]!.message,
      /outside every VPC .* times out/,
    );
    assert.match(
      deployPathProblems(
        { runner: "github-hosted", runnerCidrs: [] },
        { publicAccessCidrs: ["203.0.113.0/24"] },
        false,
      )[0]!.message,
      /no fixed addresses/,
    );
  });
  it("needs repository and connection for the CodeBuild runner, and the runner in the plan", () => {
    assert.deepEqual(deployPathProblems(codebuild, { publicAccessCidrs: [] }, true), []);
    assert.deepEqual(
      deployPathProblems({ runner: "codebuild", runnerCidrs: [] }, { publicAccessCidrs: [] }, false).map((p) => p.key),
      ["infrasage:deploy.repository", "infrasage:deploy.connectionArn"],
    );
    assert.equal(deployPathProblems(codebuild, { publicAccessCidrs: [] }, false).length, 1);
  });
  it("needs a label and admitted ranges for a self-hosted runner", () => {
    assert.deepEqual(
      deployPathProblems({ runner: "self-hosted", runnerCidrs: [] }, { publicAccessCidrs: [] }, false).map(
        (p) => p.key,
      ),
      ["infrasage:deploy.runnerLabel", "infrasage:deploy.runnerCidrs"],
    );
    assert.deepEqual(
      deployPathProblems(
        { runner: "self-hosted", runnerLabel: "vpc-eu", runnerCidrs: ["10.10.0.0/24"] },
        { publicAccessCidrs: [] },
        true,
      ),
      [],
    );
  });
  it("names the runner's project after the stack (the workflows' runs-on label)", () => {
    assert.equal(runnerProjectName("eu-west-1"), "infrasage-deploy-eu-west-1");
    assert.throws(() => runnerProjectName("x".repeat(300)));
  });
});

describe("deploy config", () => {
  const problems = (deploy: Record<string, unknown>) => {
    const r = parseStackConfig(
      {
        "aws:region": "eu-west-1",
        "infrasage:tenantId": "acme",
        "infrasage:network": JSON.stringify({ cidr: "10.10.0.0/16" }),
        "infrasage:deploy": JSON.stringify(deploy),
      },
      "eu-west-1",
    );
    return r.ok ? [] : r.problems.map((p) => `${p.key}: ${p.message}`);
  };
  it("accepts each runner with its own keys", () => {
    assert.deepEqual(problems({ runner: "codebuild", repository: "acme/infrasage", connectionArn: CONNECTION }), []);
    assert.deepEqual(problems({ runner: "self-hosted", runnerLabel: "in-vpc", runnerCidrs: ["10.10.8.0/24"] }), []);
  });
  it("rejects keys of another runner kind, public runner ranges, malformed ARNs and repositories", () => {
    assert.ok(
      problems({
        runner: "self-hosted",
        repository: "acme/infrasage",
        runnerLabel: "x",
        runnerCidrs: ["10.0.0.0/24"],
      }).some((p) => /deploy\.repository: is set but deploy\.runner is self-hosted/.test(p)),
    );
    assert.ok(
      problems({ runner: "self-hosted", runnerLabel: "x", runnerCidrs: ["0.0.0.0/0"] }).some((p) =>
        /deploy\.runnerCidrs\[0\]: .*not a private range/.test(p),
      ),
    );
    assert.ok(
      problems({ connectionArn: "arn:aws:iam::123456789012:role/x" }).some((p) => /deploy\.connectionArn/.test(p)),
    );
    assert.ok(problems({ repository: "https://github.com/acme/x" }).some((p) => /deploy\.repository/.test(p)));
    assert.ok(problems({ runner: "jenkins" }).some((p) => /deploy\.runner/.test(p)));
  });
});

describe("the in-network runner in the plan", () => {
  for (const stack of ["eu-west-1", "ap-south-1"]) {
    it(
      `${stack}: a CodeBuild runner in the cluster's private subnets, ` +
        `HTTPS out only, the API server port opened to it alone`,
      async () => {
        const plan: StackPlan = await planShipped(stack);
        const project = one(plan, "aws:codebuild/project:Project");
        assert.equal(project.rawInputs.name, runnerProjectName(stack));
        const vpc = project.rawInputs.vpcConfig as { subnets: string[]; securityGroupIds: string[] };
        const cluster = one(plan, "aws:eks/cluster:Cluster");
        assert.deepEqual(vpc.subnets, (cluster.rawInputs.vpcConfig as { subnetIds: string[] }).subnetIds);
        const sg = ofType(plan, "aws:ec2/securityGroup:SecurityGroup").find((x) => x.urn.includes("DeployRunner"))!;
        assert.deepEqual(
          (sg.rawInputs.egress as { fromPort: number; toPort: number }[]).map((e) => [e.fromPort, e.toPort]),
          [[443, 443]],
        );
        assert.equal(sg.rawInputs.ingress, undefined);
        const ingress = ofType(plan, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter(
          (x) => x.rawInputs.fromPort === 443,
        );
        assert.equal(ingress.length, 1);
        assert.deepEqual(ingress[0]!.propertyDependencies.referencedSecurityGroupId, [sg.urn]);
        assert.equal(ingress[0]!.rawInputs.cidrIpv4, undefined, "no address range: only the runner's security group");
        const webhook = one(plan, "aws:codebuild/webhook:Webhook");
        assert.deepEqual(webhook.rawInputs.filterGroups, [
          { filters: [{ type: "EVENT", pattern: "WORKFLOW_JOB_QUEUED" }] },
        ]);
        const role = ofType(plan, "aws:iam/role:Role").find((x) => x.urn.includes("DeployRunner"))!;
        const policy = JSON.parse(String((role.rawInputs.inlinePolicies as { policy: string }[])[0]!.policy)) as {
          Statement: { Action: string | string[] }[];
        };
        const actions = policy.Statement.flatMap((x) => [x.Action].flat());
        assert.ok(
          actions.every((a) => /^(logs|ec2|codeconnections|codestar-connections):/.test(a)),
          JSON.stringify(actions),
        );
        assert.ok(!actions.some((a) => a.endsWith(":*")));
        assert.deepEqual(plan.violations, []);
      },
    );
  }

  it("admits a self-hosted runner's ranges on 443 and gives the preview role view access (cluster scope)", async () => {
    const plan = (
      await planFiles([
        writeStackFile("eu-west-1", {
          ...base,
          deploy: {
            runner: "self-hosted",
            runnerLabel: "vpc-eu",
            runnerCidrs: ["10.10.240.0/24"],
            previewRoleArn: "arn:aws:iam::123456789012:role/infrasage-preview",
          },
        }),
      ])
    ).stacks[0]!;
    assert.equal(ofType(plan, "aws:codebuild/project:Project").length, 0);
    const rule = ofType(plan, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").find(
      (x) => x.rawInputs.cidrIpv4 === "10.10.240.0/24",
    )!;
    assert.deepEqual([rule.rawInputs.fromPort, rule.rawInputs.toPort], [443, 443]);
    const assoc = ofType(plan, "aws:eks/accessPolicyAssociation:AccessPolicyAssociation").find(
      (x) => x.rawInputs.policyArn === EKS_VIEW_POLICY_ARN,
    )!;
    assert.deepEqual(assoc.rawInputs.accessScope, { type: "cluster" });
    assert.equal(assoc.rawInputs.principalArn, "arn:aws:iam::123456789012:role/infrasage-preview");
    assert.deepEqual(plan.violations, []);
  });

  it(
    "preflight: no finding for the runner of the shipped stacks; " +
      "GitHub-hosted with a private endpoint is refused, and --strict fails on it",
    async () => {
      assert.deepEqual(
        (await planFiles([join(ROOT, "Pulumi.eu-west-1.yaml")])).preflight.filter((f) => f.kind === "deploy-path"),
        [],
      );
      assert.deepEqual(
        (await deployFindings({ runner: "github-hosted" })).map((f) => f.key),
        ["infrasage:deploy.runner"],
      );
      assert.deepEqual(
        (await deployFindings({})).map((f) => f.key),
        ["infrasage:deploy.repository", "infrasage:deploy.connectionArn"],
      );
      const run = await runCli([
        "--config-file",
        writeStackFile("eu-west-1", { ...base, deploy: { runner: "github-hosted" } }),
        "--strict",
      ]);
      assert.equal(run.code, 1);
      assert.match(run.stdout, /deploy\.runner\): GitHub-hosted runners are outside every VPC/);
    },
  );
});
