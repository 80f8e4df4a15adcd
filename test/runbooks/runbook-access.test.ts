/** Runbook access per cluster: least-privilege Role rules, token-free kubeconfig, namespaced bindings only. */
import assert from "node:assert/strict";
import { parse } from "yaml";
import type { StackPlan } from "../../offline/plan";
import { parseStackConfig } from "../../lib/config/parse";
import { buildHelmValues, type HelmValuesInput } from "../../lib/release/helm-values";
import {
  IN_CLUSTER_CA_FILE,
  IN_CLUSTER_SERVER,
  IN_CLUSTER_TOKEN_FILE,
  RUNBOOK_KUBECONFIG_SECRET,
  RUNBOOK_RULES,
  RUNBOOK_SERVICE_ACCOUNT,
  namespaceScopeProblems,
  runbookAccessValues,
  runbookKubeconfig,
  runbookManifests,
} from "../../lib/runbooks/runbook-access";
import { ofType, one, planShipped, writeStackFile, planFile, infrasageRelease } from "../support/plan";

const SCOPE = ["infra", "payments", "auth"];
const CLUSTER = "infrasage-eu-west-1";
const RBAC = "kubernetes:rbac.authorization.k8s.io/v1";

/** Validates a manifest against the upstream OpenAPI schema (kubernetes-models, ESM). */
async function validate(manifest: { readonly kind: string; readonly [key: string]: unknown }): Promise<void> {
  const models = {
    ServiceAccount: async () => (await import("kubernetes-models/v1/ServiceAccount")).ServiceAccount,
    Secret: async () => (await import("kubernetes-models/v1/Secret")).Secret,
    Namespace: async () => (await import("kubernetes-models/v1/Namespace")).Namespace,
    Role: async () => (await import("kubernetes-models/rbac.authorization.k8s.io/v1/Role")).Role,
    RoleBinding: async () => (await import("kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding")).RoleBinding,
  } as const;
  const load = models[manifest.kind as keyof typeof models];
  assert.ok(load, `no model for ${manifest.kind}`);
  const Model = await load();
  // The model classes take their own typed shape; the manifest is checked at run time by validate().
  new Model(manifest as never).validate();
}

describe("runbook access (pure)", () => {
  it("grants only what a runbook needs: no secrets, no wildcard, no exec, no create", () => {
    const flat = RUNBOOK_RULES.flatMap((r) =>
      r.resources.flatMap((res) => r.verbs.map((v) => ({ group: r.apiGroups.join(","), res, v }))),
    );
    for (const r of RUNBOOK_RULES) {
      for (const field of [r.apiGroups, r.resources, r.verbs]) assert.ok(!field.includes("*"), JSON.stringify(r));
    }
    assert.ok(!flat.some((g) => ["secrets", "configmaps", "serviceaccounts", "serviceaccounts/token"].includes(g.res)));
    assert.ok(!flat.some((g) => ["pods/exec", "pods/attach", "pods/portforward"].includes(g.res)));
    assert.ok(!flat.some((g) => ["create", "escalate", "bind", "impersonate", "deletecollection"].includes(g.v)));
    const can = (res: string, v: string) => flat.some((g) => g.res === res && g.v === v);
    for (const [res, v] of [
      ["pods", "delete"],
      ["pods", "list"],
      ["pods/log", "get"],
      ["events", "watch"],
      ["deployments", "patch"],
      ["statefulsets", "patch"],
      ["deployments/scale", "patch"],
      ["statefulsets/scale", "update"],
    ] as const)
      assert.ok(can(res, v), `${v} ${res}`);
  });

  it("writes an in-cluster kubeconfig that names the pod's token file and CA file, never a token", () => {
    const text = runbookKubeconfig(CLUSTER);
    const doc = parse(text) as {
      clusters: { cluster: Record<string, string> }[];
      users: { user: Record<string, string> }[];
      "current-context": string;
    };
    assert.deepEqual(doc.clusters[0]!.cluster, {
      server: IN_CLUSTER_SERVER,
      "certificate-authority": IN_CLUSTER_CA_FILE,
    });
    assert.deepEqual(doc.users[0]!.user, { tokenFile: IN_CLUSTER_TOKEN_FILE });
    assert.equal(IN_CLUSTER_SERVER, "https://kubernetes.default.svc");
    assert.equal(IN_CLUSTER_CA_FILE, "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt");
    assert.equal(doc["current-context"], CLUSTER);
    assert.doesNotMatch(text, /\btoken:|client-key|certificate-authority-data|password/);
  });

  it("plans Kubernetes objects that validate against the upstream schema", async () => {
    const m = runbookManifests({ clusterName: CLUSTER, namespace: "infrasage", namespaceScope: SCOPE });
    for (const o of [m.serviceAccount, m.kubeconfigSecret, ...m.namespaces, ...m.roles, ...m.roleBindings])
      await validate(o);
    assert.deepEqual(
      m.roles.map((r) => r.metadata.namespace),
      SCOPE,
    );
    assert.deepEqual(Object.keys(m.kubeconfigSecret.stringData), [`${CLUSTER}.yaml`]);
    for (const b of m.roleBindings) {
      assert.deepEqual(b.subjects, [{ kind: "ServiceAccount", name: RUNBOOK_SERVICE_ACCOUNT, namespace: "infrasage" }]);
      assert.deepEqual(b.roleRef, { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: b.metadata.name });
    }
  });

  it("refuses system namespaces, InfraSage's own namespace, duplicates and an empty scope", () => {
    assert.deepEqual(namespaceScopeProblems(SCOPE), []);
    for (const system of ["kube-system", "kube-public", "kube-node-lease"])
      assert.match(
        namespaceScopeProblems([system])
          .map((p) => p.message)
          .join(),
        /cluster-admin/,
        system,
      );
    assert.match(
      namespaceScopeProblems(["infrasage"])
        .map((p) => p.message)
        .join(),
      /API key/,
    );
    assert.match(
      namespaceScopeProblems(["infra", "infra"])
        .map((p) => p.message)
        .join(),
      /more than once/,
    );
    assert.throws(
      () => runbookManifests({ clusterName: CLUSTER, namespace: "infrasage", namespaceScope: [] }),
      /at least one/,
    );
    const parsed = parseStackConfig(
      {
        "aws:region": "eu-west-1",
        "infrasage:tenantId": "acme-eu",
        "infrasage:network": '{"cidr":"10.10.0.0/16"}',
        "infrasage:runbooks": '{"namespaceScope":["payments","kube-system"]}',
      },
      "eu-west-1",
    );
    assert.ok(!parsed.ok && parsed.problems.some((p) => p.key === "infrasage:runbooks.namespaceScope"));
  });

  it("sets the seed's two variables and the mount only together with a scope", () => {
    const base: HelmValuesInput = {
      tenantId: "acme-eu",
      region: "eu-west-1",
      jurisdiction: "EU",
      ingestionGateway: { replicaCount: 3 },
      clickhouse: { storageClass: "gp3-eu-west-1", size: "500Gi" },
      kafka: { replicaCount: 3, size: "200Gi" },
      mlEngine: { enabled: true, replicaCount: 1 },
      grafana: { mode: "local" },
      runbooks: { namespaceScope: SCOPE },
      apiKeySecretName: "k",
    };
    const v = buildHelmValues({ ...base, runbookAccess: runbookAccessValues(CLUSTER) });
    assert.deepEqual(v.aiopsEngine, {
      env: {
        KUBERNETES_NAMESPACE_SCOPE: "infra,payments,auth",
        KUBERNETES_KUBECONFIG: "/etc/kubeconfig/infrasage-eu-west-1.yaml",
      },
      serviceAccount: { create: false, name: RUNBOOK_SERVICE_ACCOUNT },
      kubeconfig: { existingSecret: RUNBOOK_KUBECONFIG_SECRET, mountPath: "/etc/kubeconfig" },
    });
    assert.throws(
      () => buildHelmValues({ ...base, runbooks: { namespaceScope: [] }, runbookAccess: runbookAccessValues(CLUSTER) }),
      /empty/,
    );
    assert.throws(
      () => buildHelmValues({ ...base, extraAiopsEnv: { KUBERNETES_KUBECONFIG: "/root/.kube/config" } }),
      /KUBERNETES_KUBECONFIG/,
    );
  });
});

describe("runbook access (planned stack)", () => {
  let plan: StackPlan;
  before(async () => {
    const path = writeStackFile("eu-west-1", {
      "aws:region": "eu-west-1",
      "infrasage:tenantId": "acme-eu",
      "infrasage:network": { cidr: "10.10.0.0/16" },
      "infrasage:runbooks": { namespaceScope: SCOPE },
    });
    plan = await planFile(path);
  });

  it(
    "has no cluster-scoped RBAC at all, and every RoleBinding " +
      "names only the runbook ServiceAccount in a scoped namespace",
    () => {
      assert.deepEqual(
        plan.record.resources.filter((r) => /:(ClusterRole|ClusterRoleBinding)$/.test(r.type)),
        [],
      );
      const bindings = ofType(plan, `${RBAC}:RoleBinding`);
      assert.equal(bindings.length, SCOPE.length);
      for (const b of bindings) {
        const meta = b.rawInputs.metadata as { namespace: string };
        assert.ok(SCOPE.includes(meta.namespace), meta.namespace);
        assert.deepEqual(b.rawInputs.subjects, [
          { kind: "ServiceAccount", name: RUNBOOK_SERVICE_ACCOUNT, namespace: "infrasage" },
        ]);
        assert.equal((b.rawInputs.roleRef as { kind: string }).kind, "Role");
      }
      const roles = ofType(plan, `${RBAC}:Role`);
      assert.deepEqual(
        roles.map((r) => (r.rawInputs.metadata as { namespace: string }).namespace).sort(),
        [...SCOPE].sort(),
      );
      for (const r of roles) assert.doesNotMatch(JSON.stringify(r.rawInputs.rules), /secrets|"\*"/);
    },
  );

  it("passes the policy pack (no-cluster-admin-for-service-accounts included)", () => {
    assert.deepEqual(
      plan.violations.filter((v) => v.level === "mandatory"),
      [],
    );
  });

  it("ensures the scoped namespaces without ever deleting them", () => {
    const namespaces = ofType(plan, "kubernetes:core/v1:NamespacePatch");
    assert.deepEqual(namespaces.map((n) => (n.rawInputs.metadata as { name: string }).name).sort(), [...SCOPE].sort());
    for (const n of namespaces) assert.equal(n.retainOnDelete, true, n.urn);
    for (const r of ofType(plan, `${RBAC}:Role`)) {
      const ns = namespaces.find(
        (n) =>
          (n.rawInputs.metadata as { name: string }).name === (r.rawInputs.metadata as { namespace: string }).namespace,
      )!;
      assert.ok(r.dependencies.includes(ns.urn), `${r.name} waits for its namespace`);
    }
  });

  it("creates objects that validate, and points the AIops Engine at the mounted kubeconfig", async () => {
    const kinds: [string, string][] = [
      ["core/v1:ServiceAccount", "ServiceAccount"],
      [`rbac.authorization.k8s.io/v1:Role`, "Role"],
      [`rbac.authorization.k8s.io/v1:RoleBinding`, "RoleBinding"],
      ["core/v1:NamespacePatch", "Namespace"],
    ];
    for (const [type, kind] of kinds) {
      for (const r of ofType(plan, `kubernetes:${type}`)) {
        await validate({
          apiVersion: type.startsWith("core") ? "v1" : "rbac.authorization.k8s.io/v1",
          kind,
          ...r.rawInputs,
        });
      }
    }
    const secret = ofType(plan, "kubernetes:core/v1:Secret").find(
      (s) => (s.rawInputs.metadata as { name: string }).name === RUNBOOK_KUBECONFIG_SECRET,
    )!;
    await validate({ apiVersion: "v1", kind: "Secret", ...secret.rawInputs });
    const kubeconfig = (secret.rawInputs.stringData as Record<string, string>)[`${CLUSTER}.yaml`]!;
    assert.doesNotMatch(kubeconfig, /\btoken:/);
    const release = infrasageRelease(plan);
    const values = release.rawInputs.values as {
      aiopsEngine: { env: Record<string, string>; serviceAccount: { name: string } };
    };
    assert.equal(values.aiopsEngine.env.KUBERNETES_KUBECONFIG, `/etc/kubeconfig/${CLUSTER}.yaml`);
    assert.equal(values.aiopsEngine.env.KUBERNETES_NAMESPACE_SCOPE, "infra,payments,auth");
    assert.equal(values.aiopsEngine.serviceAccount.name, RUNBOOK_SERVICE_ACCOUNT);
    const sa = one(plan, "kubernetes:core/v1:ServiceAccount");
    assert.ok(
      release.dependencies.includes(sa.urn) && release.dependencies.includes(secret.urn),
      "pods start after their ServiceAccount and kubeconfig",
    );
    const component = one(plan, "infrasage:ops:RunbookAccess");
    assert.equal(sa.parent, component.urn);
  });

  it("creates no runbook identity and sets no runbook env without a scope", async () => {
    const shipped = await planShipped("eu-west-1");
    assert.deepEqual(ofType(shipped, "infrasage:ops:RunbookAccess"), []);
    assert.deepEqual(
      shipped.record.resources.filter((r) => r.type.startsWith(`kubernetes:rbac`)),
      [],
    );
    const env = (infrasageRelease(shipped).rawInputs.values as { aiopsEngine: { env: Record<string, string> } })
      .aiopsEngine.env;
    assert.equal(env.KUBERNETES_KUBECONFIG, undefined);
    assert.equal(env.KUBERNETES_NAMESPACE_SCOPE, undefined);
  });
});
