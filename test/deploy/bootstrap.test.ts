/**
 * The bootstrap project (bootstrap/): trust conditions, the state bucket and keys, the GitHub side,
 * its offline plan (`npm run plan -- --bootstrap`) with the pack, and what the program stacks take from it.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { parse } from "yaml";
import { BootstrapConfigError, parseBootstrapConfig } from "../../bootstrap/lib/config";
import { deployTrust, previewTrust } from "../../bootstrap/lib/trust";
import { environments, repositoryVariables, requiredCheckName } from "../../bootstrap/lib/github";
import { previewRoleArn } from "../../bootstrap/lib/names";
import { programStackSettings, wiringProblems } from "../../bootstrap/lib/outputs";
import {
  BOOTSTRAP_DIR,
  bootstrapSummary,
  planBootstrap,
  type BootstrapPlanResult,
  type BootstrapStackPlan,
} from "../../offline/bootstrap-plan";
import { listStackFiles, readStackFile } from "../../offline/stack-file";
import { entryFor } from "../../scripts/list-stacks";
import { awsResourceInHomeRegion, telemetryStoresInHomeRegion } from "../../policies/rules/residency";
import {
  githubOidcTrustExact,
  githubTrustProblems,
  noAdminPolicies,
  noWildcardPrincipals,
  s3BucketHardened,
} from "../../policies/rules/bootstrap";
import {
  assertClean,
  assertViolation,
  runResourcePolicy,
  runStackPolicy,
  type ResourceSpec,
} from "../support/policy-args";
import { sharedAnalyzer } from "../support/analyzer";
import { planFile, ROOT, runCli, writeStackFile } from "../support/plan";
import { docSection } from "../support/docs";
import type { RecordedResource } from "../../offline/run-program";

const PROVIDER = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";
const doc = (r: RecordedResource, key: string) => JSON.parse(String(r.rawInputs[key]));
const ofType = (s: BootstrapStackPlan, type: string) => s.record.resources.filter((r) => r.type === type);
const one = (s: BootstrapStackPlan, type: string, name?: string) => {
  const list = ofType(s, type).filter((r) => name === undefined || r.name === name);
  assert.equal(list.length, 1, `${type} ${name ?? ""}`);
  return list[0]!;
};

describe("bootstrap: the project", () => {
  it("runs bootstrap/index.ts, not the root package.json's main (the Node runtime's fallback without main:)", () => {
    const project = parse(readFileSync(join(BOOTSTRAP_DIR, "Pulumi.yaml"), "utf8")) as {
      name: string;
      main?: string;
      runtime: { options: { tsconfig: string } };
    };
    assert.equal(project.name, "infrasage-bootstrap");
    // The root's transpile-only tsconfig (docs/deploying.md "Deploying for real", Fast starts), relative to the folder
    // node runs in.
    assert.equal(join(BOOTSTRAP_DIR, project.runtime.options.tsconfig), join(ROOT, "tsconfig.pulumi.json"));
    assert.equal(project.main, "index.ts");
    assert.match(readFileSync(join(BOOTSTRAP_DIR, "index.ts"), "utf8"), /export = defineBootstrap\(\);/);
  });
});

describe("bootstrap: trust documents", () => {
  it("trusts the deploy role for the region's environments only, by exact StringEquals on aud and sub", () => {
    const d = deployTrust(PROVIDER, "acme", "infrasage", ["eu-west-1"]);
    assert.deepEqual(d.Statement, [
      {
        Effect: "Allow",
        Principal: { Federated: PROVIDER },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
          StringEquals: {
            "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
            "token.actions.githubusercontent.com:sub": "repo:acme/infrasage:environment:eu-west-1",
          },
        },
      },
    ]);
    assert.deepEqual(githubTrustProblems(d.Statement[0] as never), []);
    assert.throws(() => deployTrust(PROVIDER, "acme", "infrasage", ["eu-*"]), /wildcard/);
    assert.throws(() => deployTrust(PROVIDER, "acme", "infrasage", []), /at least one subject/);
  });

  it("trusts the preview role for pull requests and main, nothing else", () => {
    const p = previewTrust(PROVIDER, "acme", "infrasage");
    assert.deepEqual(p.Statement[0]!.Condition, {
      StringEquals: {
        "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
        "token.actions.githubusercontent.com:sub": [
          "repo:acme/infrasage:pull_request",
          "repo:acme/infrasage:ref:refs/heads/main",
        ],
      },
    });
  });

  it("the pack's check finds what a hand-written trust gets wrong", () => {
    const base = deployTrust(PROVIDER, "acme", "infrasage", ["eu-west-1"]).Statement[0] as unknown as Record<
      string,
      unknown
    >;
    const like = {
      ...base,
      Condition: {
        StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" },
        StringLike: { "token.actions.githubusercontent.com:sub": "repo:acme/*" },
      },
    };
    assert.deepEqual(githubTrustProblems(like), [
      "does not pin the subject (StringEquals token.actions.githubusercontent.com:sub): " +
        "any repository's workflow could assume it",
      "tests token.actions.githubusercontent.com:sub with StringLike (only StringEquals is exact)",
    ]);
    const noAud = {
      ...base,
      Condition: { StringEquals: { "token.actions.githubusercontent.com:sub": "repo:acme/infrasage:environment:*" } },
    };
    assert.deepEqual(githubTrustProblems(noAud), [
      "does not require StringEquals token.actions.githubusercontent.com:aud = sts.amazonaws.com",
      "subject repo:acme/infrasage:environment:* has a wildcard",
    ]);
  });
});

describe("bootstrap: config", () => {
  const valid = {
    "aws:region": "eu-west-1",
    "bootstrap:account": "123456789012",
    "bootstrap:repository": "acme/infrasage",
    "bootstrap:regions": '["eu-west-1"]',
    "bootstrap:reviewers": '{"users":[1]}',
  };

  it("defaults one environment per region, named like it, and per-jurisdiction state", () => {
    const c = parseBootstrapConfig("f", "eu", valid);
    assert.deepEqual(c.stacks, [{ stack: "eu-west-1", region: "eu-west-1" }]);
    assert.equal(c.stateBackend, "per-jurisdiction");
    assert.equal(c.jurisdiction, "EU");
  });

  it("rejects every problem at once, naming the key and the fix", () => {
    const bad = { ...valid, "bootstrap:regions": '["ap-south-1"]', "bootstrap:reviewers": "{}" };
    try {
      parseBootstrapConfig("bootstrap/Pulumi.eu.yaml", "eu", bad);
      assert.fail("accepted");
    } catch (e) {
      assert.ok(e instanceof BootstrapConfigError);
      assert.deepEqual(
        e.problems.map((p) => p.key),
        ["bootstrap:regions.0", "bootstrap:regions", "bootstrap:reviewers"],
      );
      assert.match(e.message, /^bootstrap\/Pulumi\.eu\.yaml: invalid bootstrap configuration/);
      assert.match(
        e.message,
        /regions\.0: ap-south-1 is in IN, this stack's state is in EU .* Fix: create a bootstrap stack for IN/,
      );
    }
    assert.throws(
      () => parseBootstrapConfig("f", "eu", { ...valid, "bootstrap:account": "12345" }),
      /bootstrap:account: must be the 12-digit AWS account id/,
    );
  });

  it("takes a repository by the rule deploy.repository follows (GitHub owner names: letters, digits, hyphens)", () => {
    for (const repository of ["acme_corp/infrasage", "acme.corp/infrasage", "acme", "acme/infra/sage"])
      assert.throws(
        () => parseBootstrapConfig("f", "eu", { ...valid, "bootstrap:repository": repository }),
        /bootstrap:repository: must be owner\/repo/,
        repository,
      );
    for (const repository of ["acme-corp/infra.sage_2", "a/b"]) {
      const c = parseBootstrapConfig("f", "eu", { ...valid, "bootstrap:repository": repository });
      assert.equal(`${c.owner}/${c.repo}`, repository);
    }
  });
});

describe("bootstrap: plan (npm run plan -- --bootstrap)", function () {
  this.timeout(300_000);
  let result: BootstrapPlanResult;
  let eu: BootstrapStackPlan;
  let india: BootstrapStackPlan;

  before(async () => {
    result = await planBootstrap(listStackFiles(BOOTSTRAP_DIR), { analyzer: await sharedAnalyzer() });
    eu = result.stacks.find((s) => s.stack === "eu")!;
    india = result.stacks.find((s) => s.stack === "in")!;
  });

  it("plans clean with the policy pack, and every program stack file carries the bootstrap's keys", () => {
    assert.deepEqual(
      result.stacks.map((s) => s.stack),
      ["eu", "in"],
    );
    assert.deepEqual(result.withoutEnvironment, []);
    for (const s of result.stacks) {
      assert.deepEqual(s.violations, [], s.stack);
      assert.deepEqual(s.wiring, [], s.stack);
      assert.deepEqual(s.awaiting, [], s.stack);
    }
  });

  it(
    "creates GitHub's OIDC provider once per account (the " +
      "primary stack), audience sts.amazonaws.com, no thumbprint",
    () => {
      const oidc = one(eu, "aws:iam/openIdConnectProvider:OpenIdConnectProvider");
      assert.equal(oidc.rawInputs.url, "https://token.actions.githubusercontent.com");
      assert.deepEqual(oidc.rawInputs.clientIdLists, ["sts.amazonaws.com"]);
      assert.equal(oidc.rawInputs.thumbprintLists, undefined);
      assert.equal(oidc.protect, true);
      assert.equal(ofType(india, "aws:iam/openIdConnectProvider:OpenIdConnectProvider").length, 0);
      // The other stack trusts the same provider by its ARN.
      assert.equal(
        doc(one(india, "aws:iam/role:Role", "deploy-ap-south-1"), "assumeRolePolicy").Statement[0].Principal.Federated,
        PROVIDER,
      );
    },
  );

  it("pins the roles' trust: deploy role per environment, preview role for pull requests and main", () => {
    const trust = doc(one(eu, "aws:iam/role:Role", "deploy-eu-west-1"), "assumeRolePolicy");
    assert.deepEqual(trust.Statement[0].Condition.StringEquals, {
      "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
      "token.actions.githubusercontent.com:sub": "repo:acme/infrasage:environment:eu-west-1",
    });
    const preview = doc(one(eu, "aws:iam/role:Role", "preview-eu-west-1"), "assumeRolePolicy");
    assert.deepEqual(preview.Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:sub"], [
      "repo:acme/infrasage:pull_request",
      "repo:acme/infrasage:ref:refs/heads/main",
    ]);
    assert.equal(one(eu, "aws:iam/role:Role", "deploy-eu-west-1").rawInputs.path, "/infrasage-bootstrap/");
    const policy = doc(one(eu, "aws:iam/rolePolicy:RolePolicy", "deploy-eu-west-1"), "policy");
    const boundary = policy.Statement.find((s: { Sid: string }) => s.Sid === "RolesOnlyWithBoundary");
    assert.equal(
      boundary.Condition.StringEquals["iam:PermissionsBoundary"],
      eu.record.outputs.permissionsBoundaryArn!.value,
    );
  });

  it("keeps the state bucket and both keys in the jurisdiction's home region, hardened", () => {
    for (const [s, region] of [
      [eu, "eu-west-1"],
      [india, "ap-south-1"],
    ] as const) {
      const bucket = one(s, "aws:s3/bucket:Bucket");
      assert.equal(bucket.region, region);
      assert.equal(bucket.protect, true);
      assert.equal(
        bucket.rawInputs.bucket,
        `infrasage-pulumi-state-${s.config.jurisdiction.toLowerCase()}-123456789012`,
      );
      for (const key of ofType(s, "aws:kms/key:Key")) {
        assert.equal(key.region, region);
        assert.equal(key.protect, true);
        assert.equal(key.rawInputs.enableKeyRotation, true);
        assert.equal(key.rawInputs.deletionWindowInDays, 30);
      }
      assert.equal(ofType(s, "aws:kms/key:Key").length, 2);
      assert.deepEqual(one(s, "aws:s3/bucketVersioning:BucketVersioning").rawInputs.versioningConfiguration, {
        status: "Enabled",
      });
      const sse = (
        one(s, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").rawInputs
          .rules as Record<string, Record<string, string>>[]
      )[0]!;
      assert.equal(sse.applyServerSideEncryptionByDefault!.sseAlgorithm, "aws:kms");
      assert.equal(
        sse.applyServerSideEncryptionByDefault!.kmsMasterKeyId,
        ofType(s, "aws:kms/key:Key").find((k) => k.name === "state-key")!.wire.outputs.arn,
      );
      const pab = one(s, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").rawInputs;
      for (const k of ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"])
        assert.equal(pab[k], true, k);
      const tls = doc(one(s, "aws:s3/bucketPolicy:BucketPolicy"), "policy").Statement[0];
      assert.deepEqual([tls.Effect, tls.Condition], ["Deny", { Bool: { "aws:SecureTransport": "false" } }]);
      const rule = (
        one(s, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").rawInputs.rules as Record<
          string,
          unknown
        >[]
      )[0]!;
      assert.deepEqual(rule.noncurrentVersionExpiration, { noncurrentDays: 90 });
      const connection = one(s, "aws:codeconnections/connection:Connection");
      assert.equal(connection.region, region);
    }
  });

  it("says the connection stays PENDING until approved in the console", () => {
    assert.deepEqual(eu.record.outputs.connectionStatus!.value, { "eu-west-1": "PENDING" });
    assert.match(
      String((eu.record.outputs.connectionApproval!.value as string[])[0]),
      /stays PENDING until approved: AWS console, Developer Tools > Settings > Connections/,
    );
  });

  it("creates one protected GitHub environment per stack: reviewers, no self-review, deploys from main only", () => {
    const env = one(eu, "github:index/repositoryEnvironment:RepositoryEnvironment");
    assert.deepEqual(env.rawInputs, {
      repository: "infrasage",
      environment: "eu-west-1",
      reviewers: [{ users: [1000001], teams: [2000001] }],
      preventSelfReview: true,
      canAdminsBypass: false,
      deploymentBranchPolicy: { protectedBranches: false, customBranchPolicies: true },
    });
    const branch = one(eu, "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy");
    assert.deepEqual([branch.rawInputs.environment, branch.rawInputs.branchPattern], ["eu-west-1", "main"]);
    // Every shipped program stack has its environment in some bootstrap stack.
    const envs = result.stacks.flatMap((s) => environments(s.config).map((e) => e.environment)).sort();
    assert.deepEqual(
      envs,
      listStackFiles(ROOT)
        .map((f) => readStackFile(f).stack)
        .sort(),
    );
  });

  it("writes the repository variables under the names the workflows read (scripts/list-stacks.ts)", () => {
    for (const s of result.stacks) {
      const vars = Object.fromEntries(
        ofType(s, "github:index/actionsVariable:ActionsVariable").map((v) => [
          v.rawInputs.variableName,
          v.rawInputs.value,
        ]),
      );
      for (const p of programStackSettings(s.config)) {
        const entry = entryFor(readStackFile(join(ROOT, `Pulumi.${p.stack}.yaml`)), "infrasage", ROOT);
        assert.equal(vars[entry.roleVar], (s.record.outputs.deployRoleArns!.value as Record<string, string>)[p.region]);
        assert.equal(vars[entry.previewRoleVar], previewRoleArn("123456789012", p.region));
        assert.equal(
          vars[entry.backendVar],
          `s3://infrasage-pulumi-state-${s.config.jurisdiction.toLowerCase()}-123456789012?region=${s.config.region}`,
        );
        assert.equal(
          vars[entry.secretsProviderVar],
          `awskms://alias/infrasage-pulumi-secrets-${s.config.jurisdiction.toLowerCase()}?region=${s.config.region}`,
        );
      }
      assert.deepEqual(Object.keys(vars).sort(), Object.keys(repositoryVariables(s.config)).sort());
    }
    // A shared Pulumi Cloud backend: PULUMI_ORG instead of backend URLs.
    const shared = parseBootstrapConfig("f", "x", {
      "aws:region": "eu-west-1",
      "bootstrap:account": "123456789012",
      "bootstrap:repository": "a/b",
      "bootstrap:regions": '["eu-west-1"]',
      "bootstrap:reviewers": '{"users":[1]}',
      "bootstrap:stateBackend": "shared",
      "bootstrap:pulumiOrg": "acme",
      "bootstrap:primary": "true",
    });
    assert.deepEqual(Object.keys(repositoryVariables(shared)).sort(), [
      "AWS_PREVIEW_ROLE_ARN_EU_WEST_1",
      "AWS_ROLE_ARN_EU_WEST_1",
      "PULUMI_ORG",
    ]);
  });

  it("protects main with the checks job's status check and review by the owners of policies/ and bootstrap/", () => {
    const checks = parse(readFileSync(join(ROOT, ".github", "workflows", "checks.yml"), "utf8")) as {
      jobs: { checks: { name: string } };
    };
    assert.equal(requiredCheckName(join(ROOT, ".github", "workflows")), checks.jobs.checks.name);
    const protection = one(eu, "github:index/branchProtection:BranchProtection").rawInputs as Record<string, unknown>;
    assert.equal(protection.pattern, "main");
    assert.equal(protection.enforceAdmins, true);
    assert.deepEqual(protection.requiredStatusChecks, [{ strict: true, contexts: [checks.jobs.checks.name] }]);
    assert.equal(
      (protection.requiredPullRequestReviews as Record<string, unknown>[])[0]!.requireCodeOwnerReviews,
      true,
    );
    const owners = readFileSync(join(ROOT, ".github", "CODEOWNERS"), "utf8");
    for (const path of ["/policies/", "/bootstrap/"]) assert.match(owners, new RegExp(`^${path} @\\S+`, "m"), path);
    assert.equal(
      ofType(india, "github:index/branchProtection:BranchProtection").length,
      0,
      "repository-wide settings belong to the primary stack",
    );
  });

  it("names the key a program stack file lacks, and the value the bootstrap made for it", () => {
    const settings = programStackSettings(eu.config)[0]!;
    const raw = readStackFile(join(ROOT, "Pulumi.eu-west-1.yaml")).config;
    assert.deepEqual(wiringProblems(settings, "Pulumi.eu-west-1.yaml", raw), []);
    // The same values as flat dotted keys (pulumi config set infrasage:deploy.previewRoleArn ...), as the program's
    // parser accepts them.
    const flat: Record<string, string> = { ...raw, "infrasage:deploy": JSON.stringify({ runner: "codebuild" }) };
    for (const [k, v] of Object.entries(settings.config)) flat[k] = v;
    assert.deepEqual(wiringProblems(settings, "Pulumi.eu-west-1.yaml", flat), []);
    const without = { ...raw, "infrasage:deploy": JSON.stringify({ runner: "codebuild" }) };
    delete (without as Record<string, string>)["infrasage:stateBackend"];
    assert.deepEqual(
      wiringProblems(settings, "Pulumi.eu-west-1.yaml", without).map((p) => [p.key, p.message]),
      [
        ["infrasage:deploy.previewRoleArn", "Pulumi.eu-west-1.yaml does not set infrasage:deploy.previewRoleArn"],
        [
          "infrasage:deploy.permissionsBoundaryArn",
          "Pulumi.eu-west-1.yaml does not set infrasage:deploy.permissionsBoundaryArn",
        ],
        [
          "infrasage:stateBackend",
          "Pulumi.eu-west-1.yaml sets infrasage:stateBackend to shared, the bootstrap created per-jurisdiction",
        ],
      ],
    );
  });

  it("CLI: --bootstrap prints the plan and exits 0; a bad stack name exits 2", async () => {
    const ok = await runCli(["--bootstrap", "--stack", "eu"]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /^Bootstrap stack eu: account 123456789012, jurisdiction EU/);
    assert.match(ok.stdout, /stays PENDING until someone approves it once in the AWS console/);
    assert.match(ok.stdout, /Estimated cost: 2\.00 USD\/month/);
    const json = await runCli(["--bootstrap", "--stack", "in", "--json"]);
    assert.equal(json.code, 0, json.stderr);
    const doc = JSON.parse(json.stdout) as {
      bootstrap: boolean;
      stacks: { stack: string; jurisdiction: string; violations: unknown[]; outputs: Record<string, unknown> }[];
    };
    assert.deepEqual(
      [doc.bootstrap, doc.stacks.map((s) => [s.stack, s.jurisdiction, s.violations.length])],
      [true, [["in", "IN", 0]]],
    );
    assert.deepEqual(doc.stacks[0]!.outputs.connectionStatus, { "ap-south-1": "PENDING" });
    const bad = await runCli(["--bootstrap", "--stack", "nope"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /Pulumi\.nope\.yaml: does not exist; bootstrap stacks: eu, in/);
  });

  it("CLI: --bootstrap reads its policy config and writes --out as the main plan does", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bootstrap-cli-"));
    const typo = join(dir, "typo.json");
    writeFileSync(typo, JSON.stringify({ "no-admin-policy": "disabled" }));
    const unknown = await runCli(["--bootstrap", "--stack", "eu", "--policy-pack-config", typo]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /typo\.json: "no-admin-policy" is not a policy of the pack/);
    const leak = join(dir, "leak.json");
    writeFileSync(leak, '{"a": ghp_abcdefabcdefabcdefabcdef}');
    const invalid = await runCli(["--bootstrap", "--stack", "eu", "--policy-pack-config", leak]);
    assert.equal(invalid.code, 2);
    assert.match(invalid.stderr, /leak\.json: not valid JSON/);
    assert.ok(!invalid.stderr.includes("ghp_"), invalid.stderr);
    const stackFile = join(ROOT, "bootstrap", "Pulumi.eu.yaml");
    const before = readFileSync(stackFile, "utf8");
    const over = await runCli(["--bootstrap", "--stack", "eu", "--out", stackFile]);
    assert.equal(over.code, 2);
    assert.match(over.stderr, /--out .*Pulumi\.eu\.yaml: is the stack file/);
    assert.equal(readFileSync(stackFile, "utf8"), before);
  });

  it("a bad bootstrap stack file stops before anything runs, naming file and key", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bootstrap-"));
    writeFileSync(join(dir, "Pulumi.yaml"), "name: infrasage-bootstrap\nruntime: nodejs\n");
    const file = join(dir, "Pulumi.eu.yaml");
    writeFileSync(
      file,
      'config:\n  aws:region: eu-west-1\n  bootstrap:account: "123456789012"\n  bootstrap:repository: ' +
        "acme/infrasage\n  bootstrap:regions: [eu-west-1]\n  bootstrap:reviewers: {}\n",
    );
    await assert.rejects(
      planBootstrap([file], { analyzer: await sharedAnalyzer() }),
      (e: Error) =>
        e instanceof BootstrapConfigError &&
        /bootstrap:reviewers: lists nobody/.test(e.message) &&
        e.message.startsWith(file),
    );
  });
});

describe("bootstrap: the pack's rules", function () {
  this.timeout(120_000);
  const role = (trust: unknown): ResourceSpec => ({
    type: "aws:iam/role:Role",
    name: "deploy",
    props: { assumeRolePolicy: JSON.stringify(trust) },
  });

  it("github-oidc-trust-exact: passes the bootstrap's trust, refuses a wildcard subject", async () => {
    assertClean(
      await runResourcePolicy(githubOidcTrustExact, role(deployTrust(PROVIDER, "acme", "infrasage", ["eu-west-1"]))),
    );
    const loose = {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Federated: PROVIDER },
          Action: "sts:AssumeRoleWithWebIdentity",
          Condition: { StringLike: { "token.actions.githubusercontent.com:sub": "repo:acme/*" } },
        },
      ],
    };
    assertViolation(await runResourcePolicy(githubOidcTrustExact, role(loose)), /does not pin the subject/);
  });

  it("no-wildcard-principals and no-admin-policies", async () => {
    assertViolation(
      await runResourcePolicy(
        noWildcardPrincipals,
        role({ Statement: [{ Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole" }] }),
      ),
      /allows any principal/,
    );
    assertClean(
      await runResourcePolicy(noWildcardPrincipals, {
        type: "aws:s3/bucketPolicy:BucketPolicy",
        props: {
          policy: JSON.stringify({ Statement: [{ Effect: "Deny", Principal: "*", Action: "s3:*", Resource: "*" }] }),
        },
      }),
    );
    assertViolation(
      await runResourcePolicy(noAdminPolicies, {
        type: "aws:iam/rolePolicy:RolePolicy",
        props: { policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] }) },
      }),
      /allows \* on \*/,
    );
  });

  it("s3-bucket-hardened: a bare bucket lacks everything; the bootstrap's bucket has it all", async () => {
    const bucket: ResourceSpec = { type: "aws:s3/bucket:Bucket", name: "state", props: { bucket: "b" } };
    const o = await runStackPolicy(s3BucketHardened, [bucket]);
    for (const re of [
      /versioning is not Enabled/,
      /not SSE-KMS/,
      /public access is not blocked/,
      /does not deny requests without TLS/,
      /expires noncurrent versions/,
    ])
      assertViolation(o, re);
    const plan = (await planBootstrap([join(BOOTSTRAP_DIR, "Pulumi.in.yaml")], { analyzer: await sharedAnalyzer() }))
      .stacks[0]!;
    const specs = plan.record.resources
      .filter((r) => r.type.startsWith("aws:s3/"))
      .map(
        (r): ResourceSpec => ({
          type: r.type,
          name: r.name,
          urn: r.urn,
          props: r.wire.outputs,
          propertyDependencies: r.propertyDependencies,
        }),
      );
    assertClean(await runStackPolicy(s3BucketHardened, specs));
  });
});

describe("bootstrap: deploy.permissionsBoundaryArn reaches every role of the program", function () {
  this.timeout(300_000);
  const BOUNDARY = "arn:aws:iam::123456789012:policy/infrasage-bootstrap/infrasage-boundary-eu";

  it("Karpenter's, the load-balancer controller's and every role carry it; without the key none does", async () => {
    const dir = mkdtempSync(join(tmpdir(), "boundary-"));
    const paths: string[] = [];
    for (const src of [
      join(ROOT, "examples", "eks-capabilities", "Pulumi.eu-central-1.yaml"),
      join(ROOT, "examples", "hub-spoke", "Pulumi.eu-west-1.yaml"),
    ]) {
      const config = { ...(parse(readFileSync(src, "utf8")) as { config: Record<string, unknown> }).config };
      config["infrasage:deploy"] = {
        ...(config["infrasage:deploy"] as object | undefined),
        permissionsBoundaryArn: BOUNDARY,
      };
      const sub = mkdtempSync(join(dir, "s-"));
      paths.push(writeStackFile(src.split("Pulumi.")[1]!.replace(".yaml", ""), config, sub));
    }
    for (const path of paths) {
      const plan = await planFile(path);
      const roles = plan.record.resources.filter((r) => r.type === "aws:iam/role:Role");
      assert.ok(roles.length >= 4, path);
      for (const r of roles) assert.equal(r.rawInputs.permissionsBoundary, BOUNDARY, `${plan.stack} ${r.name}`);
    }
    const names = (await planFile(paths[0]!)).record.resources
      .filter((r) => r.type === "aws:iam/role:Role")
      .map((r) => r.name);
    assert.ok(
      names.some((n) => /karpenter/.test(n)),
      names.join(),
    );
    const plain = await planFile(join(ROOT, "examples", "eks-capabilities", "Pulumi.eu-central-1.yaml"));
    for (const r of plain.record.resources.filter((x) => x.type === "aws:iam/role:Role"))
      assert.equal(r.rawInputs.permissionsBoundary, undefined);
  });
});

describe("bootstrap: docs/deploying.md From zero to deployed", function () {
  this.timeout(300_000);
  const section = docSection("From zero to deployed");

  it("is at most three commands, for a bootstrap stack that exists, plus the connection approval", () => {
    const blocks = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!.trim().split("\n"));
    assert.equal(blocks.length, 1);
    const commands = blocks[0]!;
    assert.ok(commands.length <= 3, commands.join("; "));
    for (const c of commands.filter((x) => x.startsWith("pulumi"))) {
      const stack = /(?:stack init|-s) (\S+)/.exec(c)![1]!;
      assert.ok(
        listStackFiles(BOOTSTRAP_DIR).some((f) => f.endsWith(`Pulumi.${stack}.yaml`)),
        c,
      );
    }
    assert.match(section, /`PENDING`/);
    assert.match(section, /Update\npending connection/);
  });

  it("lists the keys program stacks take from the bootstrap; the plan names a missing one with its value", async () => {
    const c = parseBootstrapConfig("f", "eu", readStackFile(join(BOOTSTRAP_DIR, "Pulumi.eu.yaml")).config);
    for (const key of Object.keys(programStackSettings(c)[0]!.config))
      assert.ok(section.includes(`\`${key.replace("infrasage:", "")}\``), key);
    const dir = mkdtempSync(join(tmpdir(), "program-"));
    writeFileSync(join(dir, "Pulumi.eu-west-1.yaml"), "config:\n  aws:region: eu-west-1\n  infrasage:tenantId: x\n");
    const result = await planBootstrap([join(BOOTSTRAP_DIR, "Pulumi.eu.yaml")], {
      analyzer: await sharedAnalyzer(),
      programDir: dir,
    });
    const text = bootstrapSummary(result);
    assert.match(
      text,
      new RegExp(
        /eu-west-1: Pulumi\.eu-west-1\.yaml does not set infrasage:deploy\.previewRoleArn\.\n {4}Fix: /.source +
          /set infrasage:deploy\.previewRoleArn: arn:aws:iam::123456789012:role\//.source +
          /infrasage-bootstrap\/infrasage-preview-eu-west-1 in Pulumi\.eu-west-1\.yaml/.source,
      ),
    );
    assert.match(text, /does not set infrasage:deploy\.permissionsBoundaryArn/);
    // A program stack no bootstrap stack makes an environment for.
    writeFileSync(join(dir, "Pulumi.eu-central-1.yaml"), "config:\n  aws:region: eu-central-1\n");
    const more = await planBootstrap([join(BOOTSTRAP_DIR, "Pulumi.eu.yaml")], {
      analyzer: await sharedAnalyzer(),
      programDir: dir,
    });
    assert.deepEqual(more.withoutEnvironment, ["eu-central-1"]);
    assert.match(
      bootstrapSummary(more),
      new RegExp(
        /Program stack eu-central-1: no bootstrap stack planned here makes its /.source +
          /GitHub environment; GitHub would create it on the first up, unprotected/.source,
      ),
    );
  });

  it("the pack keeps the state bucket and keys in the stack's region", async () => {
    assertViolation(
      await runResourcePolicy(telemetryStoresInHomeRegion, {
        type: "aws:s3/bucket:Bucket",
        name: "state",
        props: { bucket: "b", region: "ap-south-1" },
      }),
      /ap-south-1/,
    );
    assertViolation(
      await runResourcePolicy(awsResourceInHomeRegion, {
        type: "aws:kms/key:Key",
        name: "state-key",
        props: { enableKeyRotation: true, region: "ap-south-1" },
      }),
      /ap-south-1/,
    );
  });
});
