/**
 * The deploy role's policy is derived from what the program creates: every resource type of every
 * shipped and example plan has an entry in bootstrap/lib/actions.ts, and the derived policies grant
 * its actions (deploy) or only its reads (preview). A new type without an entry fails here.
 */
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { coverageOf, INVOKE_ACTIONS, TYPE_ACTIONS } from "../../bootstrap/lib/actions";
import {
  allowedActions,
  BOUNDARY_CONDITIONED,
  PROGRAM_TAG,
  boundaryPolicy,
  deployPolicy,
  isReadOnly,
  previewPolicy,
  WRITE_VERBS,
} from "../../bootstrap/lib/policies";
import type { PolicyStatement } from "../../lib/aws/policy-document";
import { planDir, ROOT } from "../support/plan";

const ACCOUNT = "123456789012";
const BOUNDARY = `arn:aws:iam::${ACCOUNT}:policy/infrasage-bootstrap/infrasage-boundary-eu`;
const STATE = {
  bucket: "infrasage-pulumi-state-eu-123456789012",
  keyArns: [`arn:aws:kms:eu-west-1:${ACCOUNT}:key/a`, `arn:aws:kms:eu-west-1:${ACCOUNT}:key/b`],
};
const deploy = deployPolicy({ account: ACCOUNT, regions: ["eu-west-1"], boundaryArn: BOUNDARY, state: STATE });
const preview = previewPolicy({ account: ACCOUNT, regions: ["eu-west-1"], state: STATE });
const actionsOf = (s: PolicyStatement): string[] => (Array.isArray(s.Action) ? [...s.Action] : [s.Action as string]);
const resourcesOf = (s: PolicyStatement): string[] =>
  s.Resource === undefined ? [] : Array.isArray(s.Resource) ? [...s.Resource] : [s.Resource as string];
/** IAM's limit on a role's inline policies, whitespace not counted (IAM User Guide, IAM and STS quotas). */
const ROLE_INLINE_POLICY_CHARS = 10_240;

describe("bootstrap: the deploy policy is derived from the program's resource types", function () {
  this.timeout(600_000);
  let types: Map<string, boolean>;
  /** Inline policies of the program's own roles, and every role, across all plans. */
  let rolePolicies: { name: string; policy: string }[];
  let roles: { stack: string; name: string; boundary: unknown; tags: unknown }[];

  before(async () => {
    types = new Map();
    rolePolicies = [];
    roles = [];
    const dirs = [ROOT, ...readdirSync(join(ROOT, "examples")).map((d) => join(ROOT, "examples", d))];
    for (const dir of dirs) {
      for (const s of (await planDir(dir)).stacks) {
        for (const r of s.record.resources) {
          types.set(r.type, r.custom);
          if (r.type === "aws:iam/rolePolicy:RolePolicy" && typeof r.rawInputs.policy === "string")
            rolePolicies.push({ name: `${s.stack}/${r.name}`, policy: r.rawInputs.policy });
          if (r.type === "aws:iam/role:Role")
            roles.push({
              stack: dir === ROOT ? s.stack : `${dir}:${s.stack}`,
              name: r.name,
              boundary: r.rawInputs.permissionsBoundary,
              tags: r.rawInputs.tags,
            });
        }
      }
    }
  });

  it("has an entry (or a non-IAM authorization) for every type a shipped or example stack creates", () => {
    assert.ok(types.size > 40, `planned ${types.size} types`);
    const missing = [...types].filter(([t, custom]) => coverageOf(t, custom).kind === "missing").map(([t]) => t);
    assert.deepEqual(missing, [], `add these types to bootstrap/lib/actions.ts TYPE_ACTIONS: ${missing.join(", ")}`);
    // AWS types never fall back to a package-wide default.
    assert.equal(coverageOf("aws:s3/bucket:Bucket", true).kind, "missing");
    assert.equal(coverageOf("kubernetes:core/v1:Secret", true).kind, "kubernetes-api");
    for (const [t, custom] of types)
      if (custom && t.startsWith("aws:")) assert.equal(coverageOf(t, custom).kind, "iam", t);
  });

  it("has an entry for every data source the mock cloud answers (an unknown one fails the plan)", () => {
    const source = readFileSync(join(ROOT, "offline", "mock-cloud.ts"), "utf8");
    const tokens = [...source.matchAll(/case "(aws:[^"]+:get[A-Za-z]+)"/g)].map((m) => m[1]!);
    assert.ok(tokens.length > 10);
    assert.deepEqual(
      tokens.filter((t) => !(t in INVOKE_ACTIONS)),
      [],
    );
  });

  it("grants every write and read action of every planned AWS type, and every data source's", () => {
    const granted = new Set(allowedActions(deploy));
    for (const [t, custom] of types) {
      const c = coverageOf(t, custom);
      if (c.kind !== "iam") continue;
      for (const a of [...c.actions.write, ...c.actions.read])
        assert.ok(granted.has(a), `${t}: ${a} not in the deploy policy`);
    }
    for (const a of Object.values(INVOKE_ACTIONS).flat()) assert.ok(granted.has(a), a);
  });

  it("never allows * or a whole service on every resource", () => {
    for (const s of deploy.Statement.filter((x) => x.Effect === "Allow")) {
      for (const a of actionsOf(s)) {
        assert.ok(a !== "*" && !a.endsWith(":*"), `${s.Sid}: ${a}`);
        assert.match(a, /^[a-z0-9-]+:[A-Za-z]+$/, `${s.Sid}: ${a} is one action, not a pattern`);
      }
    }
  });

  it(
    "lets the role create and change roles only with the boundary, " +
      "and never touch the bootstrap's own IAM or drop a boundary",
    () => {
      const allows = deploy.Statement.filter((s) => s.Effect === "Allow");
      for (const a of BOUNDARY_CONDITIONED) {
        const granting = allows.filter((s) => actionsOf(s).includes(a));
        assert.ok(granting.length > 0, a);
        for (const s of granting)
          assert.equal(s.Condition?.StringEquals?.["iam:PermissionsBoundary"], BOUNDARY, `${a} in ${s.Sid}`);
      }
      // The other role changes (trust, delete, tags) only on the program's roles, by its tag; every role the plans
      // create carries it.
      const lifecycle = allows.find((s) => s.Sid === "ProgramRolesOnly")!;
      assert.deepEqual([...actionsOf(lifecycle)].sort(), [
        "iam:DeleteRole",
        "iam:TagRole",
        "iam:UntagRole",
        "iam:UpdateAssumeRolePolicy",
        "iam:UpdateRole",
      ]);
      assert.deepEqual(lifecycle.Condition, {
        StringEquals: { [`aws:ResourceTag/${PROGRAM_TAG.key}`]: PROGRAM_TAG.value },
      });
      for (const r of roles)
        assert.equal(
          (r.tags as Record<string, string> | undefined)?.[PROGRAM_TAG.key],
          PROGRAM_TAG.value,
          `${r.stack} ${r.name}`,
        );
      const iamWrites = allows.flatMap((s) =>
        actionsOf(s)
          .filter((a) => a.startsWith("iam:") && !/^iam:(Get|List)/.test(a))
          .map((a) => [a, s] as const),
      );
      for (const [a, s] of iamWrites)
        assert.ok(
          s.Condition !== undefined || /oidc-provider\/oidc\.eks/.test(String(s.Resource)),
          `${a} (${s.Sid}) is unconditioned`,
        );
      const denyAll = deploy.Statement.find((s) => s.Effect === "Deny" && actionsOf(s).includes("iam:*"))!;
      assert.deepEqual(
        resourcesOf(denyAll).sort(),
        [
          `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`,
          `arn:aws:iam::${ACCOUNT}:policy/infrasage-bootstrap/*`,
          `arn:aws:iam::${ACCOUNT}:role/infrasage-bootstrap/*`,
        ].sort(),
      );
      assert.ok(
        deploy.Statement.some(
          (s) =>
            s.Effect === "Deny" &&
            actionsOf(s).includes("iam:DeleteRolePermissionsBoundary") &&
            resourcesOf(s).includes("*"),
        ),
      );
      // PassRole only to the services the program's resources hand roles to.
      const pass = allows.find((s) => actionsOf(s).includes("iam:PassRole"))!;
      assert.deepEqual(
        [...(pass.Condition!.StringEquals!["iam:PassedToService"] as string[])].sort(),
        [...new Set(Object.values(TYPE_ACTIONS).flatMap((e) => e.passRoleTo ?? []))].sort(),
      );
      // OIDC provider actions only on EKS issuers (never GitHub's provider).
      const oidc = allows.filter((s) =>
        actionsOf(s).some(
          (a) => /OpenIDConnectProvider$/.test(a) && !a.startsWith("iam:Get") && !a.startsWith("iam:List"),
        ),
      );
      for (const s of oidc)
        assert.deepEqual(resourcesOf(s), [`arn:aws:iam::${ACCOUNT}:oidc-provider/oidc.eks.*.amazonaws.com/id/*`]);
    },
  );

  it("keeps regional actions in the role's regions and state access to the jurisdiction's bucket and keys", () => {
    const regional = deploy.Statement.find((s) => s.Sid === "ProgramRegional")!;
    assert.deepEqual(regional.Condition, { StringEquals: { "aws:RequestedRegion": ["eu-west-1"] } });
    assert.ok(
      !actionsOf(regional).some((a) => a.startsWith("iam:") || a.startsWith("route53:")),
      "global services need no region condition",
    );
    const objects = deploy.Statement.find((s) => s.Sid === "StateObjects")!;
    assert.deepEqual(resourcesOf(objects), [`arn:aws:s3:::${STATE.bucket}/*`]);
    assert.deepEqual(resourcesOf(deploy.Statement.find((s) => s.Sid === "StateKeys")!), STATE.keyArns);
  });

  it("fits IAM's inline policy limit", () => {
    for (const doc of [deploy, preview])
      assert.ok(JSON.stringify(doc).replace(/\s/g, "").length < ROLE_INLINE_POLICY_CHARS);
  });

  it("preview policy: only reads, every planned type's reads, and the state read-only", () => {
    const actions = allowedActions(preview);
    for (const a of actions) {
      assert.ok(isReadOnly(a), `${a} is not a read`);
      assert.ok(!WRITE_VERBS.some((v) => a.split(":")[1]!.startsWith(v)), `${a} starts with a write verb`);
    }
    for (const [t, custom] of types) {
      const c = coverageOf(t, custom);
      if (c.kind === "iam") for (const a of c.actions.read) assert.ok(actions.includes(a), `${t}: ${a}`);
    }
    assert.ok(actions.includes("codebuild:BatchGetProjects"), "the workflows find the runner with it");
    assert.deepEqual(actionsOf(preview.Statement.find((s) => s.Sid === "StateKeys")!), [
      "kms:Decrypt",
      "kms:DescribeKey",
    ]);
    // The check itself: writes are never read-only.
    for (const w of ["s3:PutObject", "ec2:CreateVpc", "kms:GenerateDataKey", "iam:PassRole", "eks:UpdateClusterConfig"])
      assert.equal(isReadOnly(w), false, w);
  });

  it("boundary: holds everything the program's own role policies grant", () => {
    const within = allowedActions(boundaryPolicy(ACCOUNT)).map((a) => new RegExp(`^${a.replace(/\*/g, ".*")}$`));
    assert.ok(rolePolicies.length > 5);
    for (const p of rolePolicies) {
      const doc = JSON.parse(p.policy) as { Statement: PolicyStatement[] };
      for (const a of allowedActions({ Version: "2012-10-17", Statement: [doc.Statement].flat() }))
        assert.ok(
          within.some((re) => re.test(a)),
          `${p.name}: ${a} is outside the boundary`,
        );
    }
  });

  it("the shipped stacks put the boundary on every role they create", () => {
    const shipped = roles.filter((r) => !r.stack.includes(":"));
    assert.ok(shipped.length >= 10);
    for (const r of shipped)
      assert.match(
        String(r.boundary),
        /^arn:aws:iam::123456789012:policy\/infrasage-bootstrap\/infrasage-boundary-(eu|in)$/,
        `${r.stack} ${r.name}`,
      );
  });

  it("boundary: no role under it can change IAM beyond Karpenter's instance profiles", () => {
    const b = boundaryPolicy(ACCOUNT);
    const iam = allowedActions(b).filter((a) => a.startsWith("iam:"));
    const writes = iam.filter((a) => !/^iam:(Get|List)/.test(a));
    assert.deepEqual(
      writes.filter((a) => !/InstanceProfile$/.test(a) && a !== "iam:PassRole" && a !== "iam:CreateServiceLinkedRole"),
      [],
    );
    assert.ok(!allowedActions(b).some((a) => a === "*" || a === "iam:*"));
  });
});
