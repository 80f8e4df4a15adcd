/** `cluster.accessEntries`: EKS access policies, cluster-wide or namespaced, one entry per principal. */
import assert from "node:assert/strict";
import * as aws from "@pulumi/aws";
import { parseStackConfig } from "../../lib/config/parse";
import { ACCESS_POLICY_ARNS, clusterAccessEntries, planAccessEntries } from "../../lib/cluster/access-entries";
import { EksCluster } from "../../components/cluster/cluster";
import { CLUSTER_ADMIN_POLICY_ARN, adminEntryKey, clusterNameFor } from "../../lib/cluster/cluster-plan";
import { EKS_VIEW_POLICY_ARN } from "../../lib/deploy/deploy-path";
import { profileNodeGroup } from "../../lib/nodes/node-groups";
import { SCALE_PROFILES } from "../../lib/profiles/profiles";
import { runProgram } from "../../offline/run-program";

const ADMIN = "arn:aws:iam::123456789012:role/platform-admins";
const DEV = "arn:aws:iam::123456789012:role/team-a-developers";
const AUDITOR = "arn:aws:iam::123456789012:user/auditor";
const raw = (cluster: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  Object.fromEntries(
    Object.entries({
      "aws:region": "eu-west-1",
      "infrasage:tenantId": "acme-eu",
      "infrasage:network": { cidr: "10.10.0.0/16" },
      "infrasage:cluster": cluster,
      ...extra,
    }).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
  );
const problemKeys = (cluster: Record<string, unknown>, extra: Record<string, unknown> = {}) => {
  const r = parseStackConfig(raw(cluster, extra), "eu-west-1");
  assert.equal(r.ok, false);
  return r.ok ? [] : r.problems.map((p) => `${p.key}: ${p.message}`);
};

describe("access entries: config", () => {
  it("takes roles and users with a policy, namespaced or cluster-wide", () => {
    const r = parseStackConfig(
      raw({
        accessEntries: [
          { principalArn: DEV, policy: "edit", namespaces: ["team-a", "team-a-*"] },
          { principalArn: AUDITOR, policy: "view" },
        ],
      }),
      "eu-west-1",
    );
    assert.ok(r.ok, JSON.stringify(!r.ok && r.problems));
    const planned = planAccessEntries(r.config.cluster.accessEntries);
    assert.deepEqual(
      planned.map((e) => [e.policyArn, e.accessScope]),
      [
        [ACCESS_POLICY_ARNS.edit, { type: "namespace", namespaces: ["team-a", "team-a-*"] }],
        [ACCESS_POLICY_ARNS.view, { type: "cluster" }],
      ],
    );
  });

  it(
    "refuses what EKS would: a second entry for a principal (also " +
      "through adminRoleArns or the preview role), bad ARNs and policies",
    () => {
      assert.ok(
        problemKeys({
          accessEntries: [
            { principalArn: DEV, policy: "edit" },
            { principalArn: DEV, policy: "view" },
          ],
        }).some((p) => p.startsWith("infrasage:cluster.accessEntries[1]: lists")),
      );
      assert.ok(
        problemKeys({ adminRoleArns: [ADMIN], accessEntries: [{ principalArn: ADMIN, policy: "view" }] }).some((p) =>
          /also in cluster.adminRoleArns/.test(p),
        ),
      );
      assert.ok(
        problemKeys(
          { accessEntries: [{ principalArn: DEV, policy: "view" }] },
          { "infrasage:deploy": { previewRoleArn: DEV } },
        ).some((p) => /also deploy.previewRoleArn/.test(p)),
      );
      assert.ok(
        problemKeys({ accessEntries: [{ principalArn: "arn:aws:iam::123:role/x", policy: "view" }] }).some((p) =>
          p.startsWith("infrasage:cluster.accessEntries.0.principalArn"),
        ),
      );
      assert.ok(
        problemKeys({ accessEntries: [{ principalArn: DEV, policy: "owner" }] }).some((p) =>
          p.startsWith("infrasage:cluster.accessEntries.0.policy"),
        ),
      );
      assert.ok(
        problemKeys({ accessEntries: [{ principalArn: DEV, policy: "cluster-admin", namespaces: ["a"] }] }).some((p) =>
          /cluster-wide by definition/.test(p),
        ),
      );
      assert.ok(
        problemKeys({ accessEntries: [{ principalArn: DEV, policy: "view", namespaces: ["Bad_NS"] }] }).some((p) =>
          p.startsWith("infrasage:cluster.accessEntries.0.namespaces.0"),
        ),
      );
    },
  );
});

describe("access entries: every entry of the cluster", () => {
  const PREVIEW = "arn:aws:iam::123456789012:role/infrasage-preview";
  it("admin roles (each once), then cluster.accessEntries, then the preview role, under their deployed names", () => {
    const all = clusterAccessEntries({
      adminRoleArns: [ADMIN, ADMIN],
      accessEntries: [{ principalArn: DEV, policy: "edit", namespaces: ["team-a"] }],
      previewRoleArn: PREVIEW,
    });
    assert.deepEqual(all, [
      {
        name: `admin-${adminEntryKey(ADMIN)}`,
        principalArn: ADMIN,
        policyArn: CLUSTER_ADMIN_POLICY_ARN,
        accessScope: { type: "cluster" },
      },
      {
        name: `access-${adminEntryKey(DEV)}`,
        principalArn: DEV,
        policyArn: ACCESS_POLICY_ARNS.edit,
        accessScope: { type: "namespace", namespaces: ["team-a"] },
      },
      { name: "preview", principalArn: PREVIEW, policyArn: EKS_VIEW_POLICY_ARN, accessScope: { type: "cluster" } },
    ]);
  });

  it("no preview role, no preview entry", () => {
    assert.deepEqual(
      clusterAccessEntries({ adminRoleArns: [ADMIN] }).map((e) => e.name),
      [`admin-${adminEntryKey(ADMIN)}`],
    );
  });
});

describe("access entries: the cluster component", function () {
  this.timeout(60000);
  it("creates an entry and a policy association per principal next to the admin roles, with stable names", async () => {
    const rec = await runProgram(
      () => {
        const provider = new aws.Provider("aws", { region: "eu-west-1" });
        new EksCluster(
          "cluster",
          {
            clusterName: clusterNameFor("eu-west-1"),
            version: "1.35",
            vpcId: "vpc-1",
            privateSubnetIds: ["subnet-a", "subnet-b"],
            publicAccessCidrs: [],
            adminRoleArns: [ADMIN],
            accessEntries: [
              { principalArn: DEV, policy: "edit", namespaces: ["team-a"] },
              { principalArn: AUDITOR, policy: "view" },
            ],
            nodeGroups: [profileNodeGroup(SCALE_PROFILES.medium)],
            region: "eu-west-1",
            tags: {},
          },
          { providers: { aws: provider } },
        );
        return {};
      },
      { project: "infrasage", stack: "eu-west-1", region: "eu-west-1", config: { "aws:region": "eu-west-1" } },
    );
    const entries = rec.resources.filter((r) => r.type === "aws:eks/accessEntry:AccessEntry");
    assert.deepEqual(entries.map((e) => e.rawInputs.principalArn).sort(), [ADMIN, AUDITOR, DEV].sort());
    const assoc = rec.resources.filter((r) => r.type === "aws:eks/accessPolicyAssociation:AccessPolicyAssociation");
    const dev = assoc.find((a) => a.rawInputs.principalArn === DEV)!;
    assert.equal(dev.rawInputs.policyArn, ACCESS_POLICY_ARNS.edit);
    assert.deepEqual(dev.rawInputs.accessScope, { type: "namespace", namespaces: ["team-a"] });
    assert.match(dev.name, /^cluster-access-team-a-developers-[0-9a-f]{8}-policy$/);
    assert.ok(
      assoc.some((a) => a.rawInputs.principalArn === ADMIN && a.name.startsWith("cluster-admin-")),
      "adminRoleArns keep their names",
    );
  });
});
