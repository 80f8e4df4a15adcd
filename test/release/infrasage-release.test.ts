import assert from "node:assert/strict";
import { SEED_EU } from "../support/seed";
import * as k8s from "@pulumi/kubernetes";
import { runProgram, SECRET, type ProgramRecord, type RecordedResource } from "../../offline/run-program";
import { InfraSageRelease, type InfraSageReleaseArgs } from "../../components/release/infrasage-release";
import { EBS_TOPOLOGY_ZONE_KEY } from "../../lib/release/helm-values";
import { INGESTION_ENDPOINT } from "../../policies/shared/ports";
import { availabilityZonesOf } from "../../policies/shared/regions";

type StorageClassData = import("kubernetes-models/storage.k8s.io/v1/StorageClass").IStorageClass;
type SecretData = import("kubernetes-models/v1/Secret").ISecret;
type NamespaceData = import("kubernetes-models/v1/Namespace").INamespace;

const ARGS: InfraSageReleaseArgs = {
  values: {
    ...SEED_EU,
    // Grafana admin Secret (mode local): see the variants below and test/grafana/grafana.test.ts.
    grafana: { mode: "disabled" },
    // Runbook scope: see the variants below and test/runbooks/runbook-access.test.ts.
    runbooks: { namespaceScope: [] },
  },
  chart: { kind: "repo", repo: "https://charts.infrasage.example", name: "infrasage", version: "1.4.2" },
  availabilityZones: availabilityZonesOf("eu-west-1"),
};

const STACK = { project: "infrasage", stack: "eu-west-1", region: "eu-west-1", config: { "aws:region": "eu-west-1" } };

function run(args: InfraSageReleaseArgs): Promise<ProgramRecord> {
  return runProgram(() => {
    const p = new k8s.Provider("k8s", { kubeconfig: "{}" });
    const r = new InfraSageRelease("infrasage", args, { providers: { kubernetes: p } });
    return {
      apiKey: r.apiKey,
      namespace: r.namespace,
      releaseName: r.releaseName,
      storageClassName: r.storageClassName,
      ingestionEndpoint: r.ingestionEndpoint,
      values: r.values,
    };
  }, STACK);
}

function one(rec: ProgramRecord, type: string): RecordedResource {
  const found = rec.resources.filter((r) => r.type === type);
  assert.equal(found.length, 1, `one ${type}`);
  return found[0]!;
}

describe("InfraSageRelease", () => {
  let rec: ProgramRecord;
  before(async () => {
    rec = await run(ARGS);
  });

  const sc = () => one(rec, "kubernetes:storage.k8s.io/v1:StorageClassPatch");
  const secret = () => one(rec, "kubernetes:core/v1:Secret");
  const release = () => one(rec, "kubernetes:helm.sh/v3:Release");
  const ns = () => one(rec, "kubernetes:core/v1:Namespace");

  it("keeps the API key a secret end to end", () => {
    assert.equal(rec.outputs.apiKey!.secret, true);
    const key = rec.outputs.apiKey!.value as string;
    assert.match(key, /^[A-Za-z0-9]{40}$/);
    // The k8s SDK marks all of stringData secret; the revealed value is the generated key.
    assert.equal(secret().inputs.stringData, SECRET);
    assert.deepEqual(secret().rawInputs.stringData, { "api-key": key });
    const pw = one(rec, "random:index/randomPassword:RandomPassword");
    assert.equal(pw.inputs.length, 40);
    assert.equal(pw.inputs.special, false);
    // Plaintext appears nowhere in what is recorded for printing.
    for (const r of rec.resources) assert.ok(!JSON.stringify(r.inputs).includes(key), r.urn);
  });

  it("puts the Secret in the release namespace and names it in the values", () => {
    const meta = secret().inputs.metadata as Record<string, unknown>;
    assert.equal(meta.namespace, "infrasage");
    const values = release().inputs.values as { apiKey: { existingSecret: string } };
    assert.equal(values.apiKey.existingSecret, meta.name);
  });

  it("creates an encrypted, retained, first-consumer StorageClass limited to the region, kept on delete", () => {
    const s = sc();
    assert.equal((s.inputs.metadata as { name: string }).name, "gp3-eu-west-1");
    assert.equal(s.inputs.provisioner, "ebs.csi.aws.com");
    assert.equal(s.inputs.reclaimPolicy, "Retain");
    assert.deepEqual(s.inputs.parameters, { type: "gp3", encrypted: "true" });
    assert.equal(s.inputs.volumeBindingMode, "WaitForFirstConsumer");
    assert.equal(s.inputs.allowVolumeExpansion, true);
    assert.deepEqual(s.inputs.allowedTopologies, [
      { matchLabelExpressions: [{ key: EBS_TOPOLOGY_ZONE_KEY, values: ["eu-west-1a", "eu-west-1b", "eu-west-1c"] }] },
    ]);
    assert.equal(s.retainOnDelete, true);
  });

  it("installs the chart from the repo with the seed values, after the StorageClass and Secret", () => {
    const r = release();
    assert.equal(r.inputs.chart, "infrasage");
    assert.equal(r.inputs.version, "1.4.2");
    assert.deepEqual(r.inputs.repositoryOpts, { repo: "https://charts.infrasage.example" });
    assert.equal(r.inputs.namespace, "infrasage");
    assert.equal(r.inputs.name, "infrasage");
    assert.equal(r.inputs.atomic, false);
    assert.ok(typeof r.inputs.timeout === "number" && r.inputs.timeout >= 300);
    const values = r.inputs.values as Record<string, Record<string, unknown>>;
    assert.deepEqual(values.ingestionGateway, { replicaCount: 3, env: { TENANT_ID: "acme-eu", REGION: "eu-west-1" } });
    assert.deepEqual(values.clickhouse, { persistence: { storageClass: "gp3-eu-west-1", size: "500Gi" } });
    assert.deepEqual(values.aiopsEngine, { env: {} });
    assert.deepEqual(values, rec.outputs.values!.value);
    assert.ok(r.dependencies.includes(sc().urn), "depends on the StorageClass");
    assert.ok(r.dependencies.includes(secret().urn), "depends on the Secret");
  });

  it("wires every child under the component with the caller's kubernetes provider", () => {
    const component = one(rec, "infrasage:app:InfraSageRelease");
    const provider = one(rec, "pulumi:providers:kubernetes");
    for (const r of [ns(), secret(), sc(), release()]) {
      assert.equal(r.parent, component.urn, r.urn);
      assert.equal(r.provider, provider.urn, r.urn);
    }
    assert.deepEqual(
      rec.resources
        .filter((r) => r.parent === component.urn)
        .map((r) => r.name)
        .sort(),
      [
        "infrasage-api-key",
        "infrasage-api-key",
        "infrasage-namespace",
        "infrasage-netpol-allow-ingestion",
        "infrasage-netpol-allow-within-namespace",
        "infrasage-netpol-default-deny-ingress",
        "infrasage-release",
        "infrasage-storage-class",
      ],
    );
  });

  it("exports the namespace, release name, storage class and the seed's gateway endpoint", () => {
    assert.equal(rec.outputs.namespace!.value, "infrasage");
    assert.equal(rec.outputs.releaseName!.value, "infrasage");
    assert.equal(rec.outputs.storageClassName!.value, "gp3-eu-west-1");
    assert.equal(rec.outputs.ingestionEndpoint!.value, INGESTION_ENDPOINT);
    assert.equal(rec.outputs.namespace!.secret, false);
  });

  it("creates only objects valid against the upstream Kubernetes schema", async () => {
    const { StorageClass } = await import("kubernetes-models/storage.k8s.io/v1/StorageClass");
    const { Secret } = await import("kubernetes-models/v1/Secret");
    const { Namespace } = await import("kubernetes-models/v1/Namespace");
    const { NetworkPolicy } = await import("kubernetes-models/networking.k8s.io/v1/NetworkPolicy");
    const k8sObjects = rec.resources.filter(
      (r) => r.type.startsWith("kubernetes:") && r.type !== "kubernetes:helm.sh/v3:Release",
    );
    assert.equal(k8sObjects.length, 6);
    for (const p of k8sObjects.filter((r) => r.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy")) {
      new NetworkPolicy({
        ...p.rawInputs,
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
      } as never).validate();
    }
    // Revealed inputs: the masked Secret would fail the schema ("[secret]" is not an object).
    const obj = (r: RecordedResource, apiVersion: string, kind: string) => ({ ...r.rawInputs, apiVersion, kind });
    new StorageClass(obj(sc(), "storage.k8s.io/v1", "StorageClass") as StorageClassData).validate();
    new Secret(obj(secret(), "v1", "Secret") as SecretData).validate();
    new Namespace(obj(ns(), "v1", "Namespace") as NamespaceData).validate();
  });
});

describe("InfraSageRelease variants", () => {
  it("installs a chart from a local path", async () => {
    const rec = await run({ ...ARGS, chart: { kind: "path", path: "./infrasage-chart" } });
    const r = one(rec, "kubernetes:helm.sh/v3:Release");
    assert.equal(r.inputs.chart, "./infrasage-chart");
    assert.equal(r.inputs.repositoryOpts, undefined);
    assert.equal(r.inputs.version, undefined);
  });

  it("creates the runbook identity under the release with a scope, and needs the cluster name for it", async () => {
    const scoped = { ...ARGS, values: { ...ARGS.values, runbooks: { namespaceScope: ["infra", "payments", "auth"] } } };
    await assert.rejects(run(scoped), /clusterName is required/);
    const rec = await run({ ...scoped, clusterName: "infrasage-eu-west-1" });
    const access = one(rec, "infrasage:ops:RunbookAccess");
    assert.equal(access.parent, one(rec, "infrasage:app:InfraSageRelease").urn);
    const values = one(rec, "kubernetes:helm.sh/v3:Release").inputs.values as {
      aiopsEngine: { env: Record<string, string> };
    };
    assert.deepEqual(values.aiopsEngine.env, {
      KUBERNETES_NAMESPACE_SCOPE: "infra,payments,auth",
      KUBERNETES_KUBECONFIG: "/etc/kubeconfig/infrasage-eu-west-1.yaml",
    });
  });

  it("generates Grafana's admin password into its own Secret where Grafana runs (mode local)", async () => {
    const rec = await run({ ...ARGS, values: { ...ARGS.values, grafana: { mode: "local" } } });
    assert.equal(rec.outputs.grafanaAdminPassword, undefined, "the test program does not export it");
    const secrets = rec.resources.filter((r) => r.type === "kubernetes:core/v1:Secret");
    const admin = secrets.find((s) => (s.rawInputs.metadata as { name: string }).name === "infrasage-grafana-admin")!;
    assert.equal(admin.inputs.stringData, SECRET);
    assert.ok(one(rec, "kubernetes:helm.sh/v3:Release").dependencies.includes(admin.urn));
  });

  it("rejects AZs outside the region", async () => {
    await assert.rejects(
      run({ ...ARGS, availabilityZones: ["eu-west-1a", "eu-central-1a"] }),
      /eu-central-1a not AZ\(s\) of eu-west-1/,
    );
  });
});
