import assert from "node:assert/strict";
import fc from "fast-check";
import { SEED_EU } from "../support/seed";
import {
  API_KEY_SECRET_KEY,
  EBS_TOPOLOGY_ZONE_KEY,
  buildHelmValues,
  buildStorageClassSpec,
  type HelmValuesInput,
} from "../../lib/release/helm-values";
import { parseStackConfig } from "../../lib/config/parse";
import { availabilityZonesOf, REGIONS } from "../../policies/shared/regions";
import type { GrafanaMode } from "../../lib/config/types";
import { GRAFANA_ADMIN_SECRET } from "../../lib/grafana/grafana";

/** The seed's values-eu.yaml install (medium profile, acme-eu in eu-west-1). */
const SEED: HelmValuesInput = { ...SEED_EU, apiKeySecretName: "infrasage-api-key" };

/** Every string leaf (value, not key) of a JSON-like value. */
function leaves(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(leaves);
  if (value && typeof value === "object") return Object.values(value).flatMap(leaves);
  return [];
}

describe("buildHelmValues", () => {
  it("reproduces the seed's values-eu.yaml exactly", () => {
    const v = buildHelmValues(SEED);
    assert.deepEqual(v.ingestionGateway, { replicaCount: 3, env: { TENANT_ID: "acme-eu", REGION: "eu-west-1" } });
    assert.deepEqual(v.clickhouse, { persistence: { storageClass: "gp3-eu-west-1", size: "500Gi" } });
  });

  it("gets the seed values from the parsed default config of acme-eu / eu-west-1", () => {
    const parsed = parseStackConfig(
      {
        "aws:region": "eu-west-1",
        "infrasage:tenantId": "acme-eu",
        "infrasage:network": JSON.stringify({ cidr: "10.10.0.0/16" }),
      },
      "eu-west-1",
    );
    assert.ok(parsed.ok);
    const v = buildHelmValues({ ...parsed.config, apiKeySecretName: "k" });
    assert.equal(v.ingestionGateway.replicaCount, 3);
    assert.deepEqual(v.ingestionGateway.env, { TENANT_ID: "acme-eu", REGION: "eu-west-1" });
    assert.deepEqual(v.clickhouse.persistence, { storageClass: "gp3-eu-west-1", size: "500Gi" });
  });

  it("puts Kafka on the same storage class with its own size and replicas", () => {
    const v = buildHelmValues({ ...SEED, kafka: { replicaCount: 1, size: "50Gi" } });
    assert.deepEqual(v.kafka, { replicaCount: 1, persistence: { storageClass: "gp3-eu-west-1", size: "50Gi" } });
  });

  it("scales the ML Engine to 0 when disabled, to its replica count when enabled", () => {
    assert.equal(buildHelmValues({ ...SEED, mlEngine: { enabled: false, replicaCount: 2 } }).mlEngine.replicaCount, 0);
    assert.equal(buildHelmValues({ ...SEED, mlEngine: { enabled: true, replicaCount: 2 } }).mlEngine.replicaCount, 2);
  });

  it("enables the bundled Grafana only in local mode", () => {
    const cases: [GrafanaMode, boolean][] = [
      ["local", true],
      ["shared", false],
      ["disabled", false],
    ];
    for (const [mode, enabled] of cases) {
      assert.equal(buildHelmValues({ ...SEED, grafana: { mode } }).grafana.enabled, enabled, mode);
    }
  });

  it("comma-joins the runbook namespace scope, and omits it when empty", () => {
    const v = buildHelmValues({ ...SEED, runbooks: { namespaceScope: ["infra", "payments", "auth"] } });
    assert.equal(v.aiopsEngine.env.KUBERNETES_NAMESPACE_SCOPE, "infra,payments,auth");
    assert.deepEqual(buildHelmValues(SEED).aiopsEngine.env, {});
  });

  it("adds extra AIops env and refuses to let it override derived variables", () => {
    const v = buildHelmValues({
      ...SEED,
      runbooks: { namespaceScope: ["infra"] },
      extraAiopsEnv: { ALERT_FORWARD_INCLUDE_RAW_TELEMETRY: "false", CLICKHOUSE_CLUSTER: "infrasage_cluster" },
    });
    assert.deepEqual(v.aiopsEngine.env, {
      KUBERNETES_NAMESPACE_SCOPE: "infra",
      ALERT_FORWARD_INCLUDE_RAW_TELEMETRY: "false",
      CLICKHOUSE_CLUSTER: "infrasage_cluster",
    });
    assert.throws(
      () => buildHelmValues({ ...SEED, extraAiopsEnv: { KUBERNETES_NAMESPACE_SCOPE: "*" } }),
      /KUBERNETES_NAMESPACE_SCOPE/,
    );
  });

  it("references the API key Secret by name only", () => {
    const v = buildHelmValues(SEED);
    assert.deepEqual(v.apiKey, { existingSecret: "infrasage-api-key", existingSecretKey: API_KEY_SECRET_KEY });
  });

  it("never carries secret material: every string in the values comes from the input", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...REGIONS),
        fc.stringMatching(/^[a-z0-9]{1,10}$/),
        fc.boolean(),
        fc.constantFrom<GrafanaMode>("local", "shared", "disabled"),
        fc.array(fc.constantFrom("infra", "auth"), { maxLength: 2 }),
        (r, tenant, ml, mode, scope) => {
          const input: HelmValuesInput = {
            ...SEED,
            tenantId: tenant,
            region: r.code,
            jurisdiction: r.jurisdiction,
            clickhouse: { storageClass: `gp3-${r.code}`, size: "100Gi" },
            mlEngine: { enabled: ml, replicaCount: 1 },
            grafana: { mode },
            runbooks: { namespaceScope: scope },
          };
          const allowed = new Set([
            ...leaves(input),
            scope.join(","),
            API_KEY_SECRET_KEY,
            ...Object.values(GRAFANA_ADMIN_SECRET),
          ]);
          for (const s of leaves(buildHelmValues(input))) assert.ok(allowed.has(s), `not from the input: ${s}`);
        },
      ),
    );
  });
});

describe("buildStorageClassSpec", () => {
  const azs = availabilityZonesOf("eu-west-1");

  it("is encrypted gp3 on the EBS CSI driver, bound at first consumer, retained, expandable", () => {
    const sc = buildStorageClassSpec("eu-west-1", "gp3-eu-west-1", azs);
    assert.equal(sc.metadata.name, "gp3-eu-west-1");
    assert.equal(sc.provisioner, "ebs.csi.aws.com");
    assert.deepEqual(sc.parameters, { type: "gp3", encrypted: "true" });
    assert.equal(sc.volumeBindingMode, "WaitForFirstConsumer");
    assert.equal(sc.reclaimPolicy, "Retain");
    assert.equal(sc.allowVolumeExpansion, true);
  });

  it("restricts volumes to the region's AZs under the zone key the EBS CSI driver reports", () => {
    const sc = buildStorageClassSpec("eu-west-1", "gp3-eu-west-1", azs);
    assert.deepEqual(sc.allowedTopologies, [
      { matchLabelExpressions: [{ key: EBS_TOPOLOGY_ZONE_KEY, values: ["eu-west-1a", "eu-west-1b", "eu-west-1c"] }] },
    ]);
    assert.equal(EBS_TOPOLOGY_ZONE_KEY, "topology.kubernetes.io/zone");
  });

  it("pins every region's volumes to AZs of that region only", () => {
    fc.assert(
      fc.property(fc.constantFrom(...REGIONS), (r) => {
        const sc = buildStorageClassSpec(r.code, `gp3-${r.code}`, availabilityZonesOf(r.code, 2));
        const values = sc.allowedTopologies.flatMap((t) => t.matchLabelExpressions.flatMap((e) => e.values));
        assert.ok(
          values.length === 2 && values.every((az) => az.startsWith(r.code) && az.length === r.code.length + 1),
        );
      }),
    );
  });

  it("rejects an empty AZ list and AZs of another region", () => {
    assert.throws(() => buildStorageClassSpec("eu-west-1", "gp3-eu-west-1", []), /no availability zones/);
    assert.throws(
      () => buildStorageClassSpec("eu-west-1", "gp3-eu-west-1", ["eu-west-1a", "ap-south-1a"]),
      /ap-south-1a/,
    );
    assert.throws(() => buildStorageClassSpec("eu-west-1", "gp3-eu-west-1", ["eu-west-10a"]), /eu-west-10a/);
  });
});
