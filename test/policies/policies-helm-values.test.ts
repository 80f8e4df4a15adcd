import {
  alertForwardNoRawTelemetry,
  clickhouseReplicationInJurisdictionStack,
  hostRegion,
  ingestionEndpointsClusterLocal,
  replicaHosts,
} from "../../policies/rules/helm-values";
import { INGESTION_ENDPOINT } from "../../policies/shared/ports";
import {
  assertClean,
  assertDeferredToUp,
  assertViolation,
  homeProvider,
  runResourcePolicy,
  runStackPolicy,
  type ResourceSpec,
} from "../support/policy-args";
import { strict as assert } from "node:assert";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const release = (
  aiopsEnv: Record<string, unknown>,
  unknown: string[] = [],
  extra: Record<string, unknown> = {},
): ResourceSpec => ({
  type: RELEASE,
  name: "infrasage-release",
  provider: null,
  unknown,
  props: { values: { aiopsEngine: { env: aiopsEnv }, ...extra } },
});
const HUB = "http://infrasage-hub.central.internal/api/v1/alerts/webhook";
const xml = (...hosts: string[]) =>
  `<clickhouse><remote_servers><infrasage_cluster><shard>` +
  `${hosts.map((h) => `<replica><host>${h}</host><port>9000</port></replica>`).join("")}</` +
  `shard></infrasage_cluster></remote_servers></clickhouse>`;

describe("policy alert-forward-no-raw-telemetry", () => {
  it("passes forwarding with raw telemetry off", async () =>
    assertClean(
      await runResourcePolicy(
        alertForwardNoRawTelemetry,
        release({
          ALERT_FORWARD_URL: HUB,
          ALERT_FORWARD_INCLUDE_METADATA: "true",
          ALERT_FORWARD_INCLUDE_RAW_TELEMETRY: "false",
        }),
      ),
    ));
  it("rejects raw telemetry on, or left to the chart default", async () => {
    assertViolation(
      await runResourcePolicy(
        alertForwardNoRawTelemetry,
        release({ ALERT_FORWARD_URL: HUB, ALERT_FORWARD_INCLUDE_RAW_TELEMETRY: "true" }),
      ),
      /raw telemetry could leave/,
    );
    assertViolation(
      await runResourcePolicy(alertForwardNoRawTelemetry, release({ ALERT_FORWARD_URL: HUB })),
      /unset, chart default/,
    );
  });
  it("checks container env lists of any Kubernetes object", async () =>
    assertViolation(
      await runResourcePolicy(alertForwardNoRawTelemetry, {
        type: "kubernetes:apps/v1:Deployment",
        provider: null,
        props: {
          spec: {
            template: {
              spec: {
                containers: [
                  {
                    env: [
                      { name: "ALERT_FORWARD_URL", value: HUB },
                      { name: "ALERT_FORWARD_INCLUDE_RAW_TELEMETRY", value: "true" },
                    ],
                  },
                ],
              },
            },
          },
        },
      }),
      /raw telemetry/,
    ));
  // At up (flag known) "true" is a mandatory violation: "rejects raw telemetry on, or left to the chart default" above.
  it("defers to up when the flag is unknown at preview", async () =>
    assertDeferredToUp(
      await runResourcePolicy(
        alertForwardNoRawTelemetry,
        release({ ALERT_FORWARD_URL: HUB }, ["values.aiopsEngine.env.ALERT_FORWARD_INCLUDE_RAW_TELEMETRY"]),
      ),
    ));
});

describe("policy ingestion-endpoints-cluster-local", () => {
  it("passes the local gateway", async () =>
    assertClean(
      await runResourcePolicy(ingestionEndpointsClusterLocal, release({ INFRASAGE_ENDPOINT: INGESTION_ENDPOINT })),
    ));
  it("rejects endpoints outside the cluster", async () => {
    assertViolation(
      await runResourcePolicy(
        ingestionEndpointsClusterLocal,
        release({ INFRASAGE_ENDPOINT: "http://gateway.us.example.com:8080" }),
      ),
      /not a cluster-local service/,
    );
    assertViolation(
      await runResourcePolicy(
        ingestionEndpointsClusterLocal,
        release({ OTEL_EXPORTER_OTLP_ENDPOINT: "https://otel.vendor.io" }),
      ),
      /OTEL_EXPORTER_OTLP_ENDPOINT/,
    );
  });
  // At up (endpoint known) an outside endpoint is a mandatory violation: "rejects endpoints outside the cluster" above.
  it("defers to up when the endpoint is unknown at preview", async () =>
    assertDeferredToUp(
      await runResourcePolicy(
        ingestionEndpointsClusterLocal,
        release({}, ["values.aiopsEngine.env.INFRASAGE_ENDPOINT"]),
      ),
    ));
});

describe("policy clickhouse-replication-in-jurisdiction-stack (second line, after apply)", () => {
  const run = (spec: ResourceSpec) => runStackPolicy(clickhouseReplicationInJurisdictionStack, [homeProvider(), spec]);
  const enabled = { CLICKHOUSE_CLUSTER: "infrasage_cluster", CLICKHOUSE_REPLICATION_ENABLED: "true" };
  it("maps hosts to regions by the region code they carry", async () => {
    assert.equal(hostRegion("clickhouse-0.eu-central-1.internal", "eu-west-1"), "eu-central-1");
    assert.equal(hostRegion("clickhouse.infrasage.svc.cluster.local", "eu-west-1"), "eu-west-1");
    assert.equal(hostRegion("clickhouse-b.region-b.internal", "eu-west-1"), undefined);
    assert.deepEqual(replicaHosts({ config: xml("a.eu-west-1.internal", "b.eu-west-3.internal") }), [
      "a.eu-west-1.internal",
      "b.eu-west-3.internal",
    ]);
  });
  it("passes replicas in EU regions (XML in values)", async () =>
    assertClean(
      await run(
        release(enabled, [], {
          clickhouse: { config: xml("clickhouse-a.eu-west-1.internal", "clickhouse-b.eu-central-1.internal") },
        }),
      ),
    ));
  it("rejects a replica in another jurisdiction (object-form remote_servers too)", async () => {
    assertViolation(
      await run(
        release(enabled, [], {
          clickhouse: { config: xml("clickhouse-a.eu-west-1.internal", "clickhouse-b.ap-south-1.internal") },
        }),
      ),
      /ap-south-1 is in jurisdiction IN/,
    );
    assertViolation(
      await run(
        release(enabled, [], { remote_servers: { c: { shard: [{ replica: [{ host: "ch.us-east-1.internal" }] }] } } }),
      ),
      /us-east-1/,
    );
  });
  it("rejects hosts that name no region, and replication with no hosts listed", async () => {
    assertViolation(
      await run(release(enabled, [], { clickhouse: { config: xml("clickhouse-b.region-b.internal") } })),
      /names no single known region/,
    );
    assertViolation(await run(release(enabled)), /no replica hosts/);
  });
  it("defers to up when a replica host is unknown at preview", async () =>
    assertDeferredToUp(await run(release(enabled, ["values.replicaHosts"]))));
  it("at up, rejects the same replicaHosts value once known and outside the jurisdiction", async () =>
    assertViolation(
      await run(release(enabled, [], { replicaHosts: ["clickhouse-b.ap-south-1.internal"] })),
      /ap-south-1 is in jurisdiction IN/,
    ));
});
