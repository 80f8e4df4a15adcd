/** Pattern 2, pure parts: seed values, reading the hub / spokes, credential map, LB controller policy, config. */
import assert from "node:assert/strict";
import {
  FEDERATION_TAGS,
  HUB_RECEIVER,
  HUB_WEBHOOK_URL,
  alertFlow,
  credentialsDocument,
  hubTunnel,
  hubValues,
  readHub,
  readSpokes,
  spokeTunnel,
  spokeValues,
  type HubFederationExport,
} from "../../lib/federation/federation";
import { buildHelmValues, type HelmValuesInput } from "../../lib/release/helm-values";
import { lbControllerPolicy, targetGroupBindingSpec } from "../../lib/addons/lb-controller-plan";
import type { NetworkExport } from "../../lib/links/peering-plan";
import { PORTS } from "../../policies/shared/ports";
import { parseStackConfig } from "../../lib/config/parse";

const BASE: HelmValuesInput = {
  tenantId: "acme-in",
  region: "ap-south-1",
  jurisdiction: "IN",
  ingestionGateway: { replicaCount: 3 },
  clickhouse: { storageClass: "gp3-ap-south-1", size: "500Gi" },
  kafka: { replicaCount: 3, size: "200Gi" },
  mlEngine: { enabled: true, replicaCount: 1 },
  grafana: { mode: "local" },
  runbooks: { namespaceScope: [] },
  apiKeySecretName: "infrasage-api-key",
};

const HUB_NETWORK: NetworkExport = {
  stack: "eu-west-1",
  region: "eu-west-1",
  jurisdiction: "EU",
  vpcId: "vpc-hub",
  vpcCidr: "10.10.0.0/16",
  privateRouteTableIds: ["rtb-1", "rtb-2", "rtb-3"],
  privateSubnetCidrs: ["10.10.0.0/18", "10.10.64.0/18", "10.10.128.0/18"],
  clusterSecurityGroupId: "sg-cluster",
};
const HUB: HubFederationExport = {
  webhookUrl: HUB_WEBHOOK_URL,
  zoneId: "ZHUB",
  lbSecurityGroupId: "sg-lb",
  lbSubnetCidrs: HUB_NETWORK.privateSubnetCidrs,
  region: "eu-west-1",
  jurisdiction: "EU",
};
const HUB_OUTPUTS = { federation: HUB, network: HUB_NETWORK, spokeCredentials: { "ap-south-1": "c".repeat(48) } };
const SELF = { stack: "ap-south-1", vpcCidr: "10.20.0.0/16" };
const REF = "acme/infrasage/eu-west-1";

describe("federation values (seed pattern 2)", () => {
  it("keeps the seed's hub name and path, over TLS on 8443; the hub's own receiver stays inside its cluster", () => {
    assert.equal(PORTS.alertWebhook, 8443);
    assert.equal(HUB_WEBHOOK_URL, "https://infrasage-hub.central.internal:8443/api/v1/alerts/webhook");
    assert.deepEqual(HUB_RECEIVER, {
      name: "infrasage-hub",
      webhook_configs: [
        { url: "http://infrasage-aiops.infrasage.svc.cluster.local:8080/api/v1/alerts/webhook", send_resolved: true },
      ],
    });
  });

  it("pairs the hub's tunnel (listed spokes' certificates only) with each spoke's (the hub's certificate only)", () => {
    const hub = hubTunnel(["ap-south-1", "us_east.1"]);
    assert.deepEqual(
      [hub.listenPort, hub.target],
      [PORTS.alertWebhook, "infrasage-aiops.infrasage.svc.cluster.local:8080"],
    );
    assert.deepEqual(hub.allowedPeers, ["ap-south-1.link.infrasage.internal", "us-east-1.link.infrasage.internal"]);
    const spoke = spokeTunnel("eu-west-1");
    assert.deepEqual(
      [spoke.target, spoke.peer, spoke.listenPort],
      ["infrasage-hub.central.internal:8443", "eu-west-1.link.infrasage.internal", 8080],
    );
  });

  it("gives a spoke the seed's three variables, retries, and the credential only by secret reference", () => {
    const v = buildHelmValues({
      ...BASE,
      alertFederation: spokeValues({ stack: "ap-south-1", includeMetadata: true, hubWebhookUrl: HUB_WEBHOOK_URL }),
    });
    const env = v.aiopsEngine.env;
    // The spoke's own link tunnel, which carries the alert to HUB_WEBHOOK_URL over TLS.
    assert.equal(
      env.ALERT_FORWARD_URL,
      "http://infrasage-hub-link.infrasage.svc.cluster.local:8080/api/v1/alerts/webhook",
    );
    assert.equal(env.ALERT_FORWARD_INCLUDE_METADATA, "true");
    assert.equal(env.ALERT_FORWARD_INCLUDE_RAW_TELEMETRY, "false");
    assert.ok(Number(env.ALERT_FORWARD_RETRY_MAX_ATTEMPTS) > 0 && Number(env.ALERT_FORWARD_RETRY_BACKOFF_SECONDS) > 0);
    assert.equal(env.ALERT_FORWARD_QUEUE_PERSISTENT, "true");
    assert.deepEqual(v.aiopsEngine.extraEnv, [
      {
        name: "ALERT_FORWARD_CREDENTIAL",
        valueFrom: { secretKeyRef: { name: "infrasage-federation-credential", key: "credential" } },
      },
    ]);
    assert.equal(v.alertmanager, undefined);
  });

  it("forwards nothing while the hub is not ready, and keeps raw telemetry false even without metadata", () => {
    const alone = buildHelmValues({
      ...BASE,
      alertFederation: spokeValues({ stack: "ap-south-1", includeMetadata: true }),
    });
    assert.deepEqual(alone.aiopsEngine, { env: {} });
    const noMeta = spokeValues({
      stack: "ap-south-1",
      includeMetadata: false,
      hubWebhookUrl: HUB_WEBHOOK_URL,
    }).aiopsEnv;
    assert.equal(noMeta.ALERT_FORWARD_INCLUDE_METADATA, "false");
    assert.equal(noMeta.ALERT_FORWARD_INCLUDE_RAW_TELEMETRY, "false");
  });

  it(
    "gives the hub the seed's receiver under " +
      "alertmanager.config.receivers and the spokes' credentials by reference",
    () => {
      const v = buildHelmValues({ ...BASE, alertFederation: hubValues() });
      assert.deepEqual(v.alertmanager, { config: { receivers: [HUB_RECEIVER] } });
      assert.deepEqual(
        v.aiopsEngine.extraEnv?.map((e) => e.valueFrom.secretKeyRef),
        [{ name: "infrasage-federation-spokes", key: "credentials.json" }],
      );
      assert.equal(v.aiopsEngine.env.ALERT_FORWARD_URL, undefined, "the hub is not a spoke of itself");
    },
  );

  it("rejects a variable set both by federation and extraAiopsEnv", () => {
    assert.throws(
      () =>
        buildHelmValues({
          ...BASE,
          extraAiopsEnv: { ALERT_FORWARD_URL: "http://elsewhere" },
          alertFederation: spokeValues({ stack: "ap-south-1", includeMetadata: true, hubWebhookUrl: HUB_WEBHOOK_URL }),
        }),
      /ALERT_FORWARD_URL/,
    );
  });

  it("tags federation resources for reviewers and the policy pack", () => {
    assert.deepEqual(FEDERATION_TAGS, { Purpose: "alert-federation", "infrasage.io/flow": "alert-metadata" });
    assert.match(
      alertFlow({ stack: "ap-south-1", region: "ap-south-1" }, { stack: "eu-west-1", region: "eu-west-1" }),
      /^ap-south-1 \(IN\) -> eu-west-1 \(EU\): alert metadata only, TCP 8443 \(TLS/,
    );
  });
});

describe("readHub (a spoke reads its hub's outputs)", () => {
  it("is ready with federation, network and this spoke's credential", () => {
    const read = readHub(REF, HUB_OUTPUTS, SELF);
    assert.ok(read.ok);
    assert.deepEqual(read.hub, HUB);
    assert.equal(read.network.vpcCidr, "10.10.0.0/16");
  });

  it("lists what is missing when the hub is not deployed", () => {
    const read = readHub(REF, undefined, SELF);
    assert.ok(!read.ok);
    assert.equal(read.pending.length, 2);
    assert.match(read.pending[0]!, /acme\/infrasage\/eu-west-1 has no 'federation' output yet/);
    assert.match(read.pending[1]!, /no 'network' output/);
  });

  it("is pending when the hub does not list this spoke", () => {
    const read = readHub(REF, { ...HUB_OUTPUTS, spokeCredentials: { "us-east-1": "x" } }, SELF);
    assert.ok(!read.ok);
    assert.deepEqual(read.pending, [
      `${REF} does not list this stack (ap-south-1) in infrasage:federation.spokes: ` +
        `add it there, pulumi up the hub, then this spoke again`,
    ]);
  });

  it("is pending on an incomplete or inconsistent federation output", () => {
    const incomplete = readHub(REF, { ...HUB_OUTPUTS, federation: { ...HUB, lbSubnetCidrs: [] } }, SELF);
    assert.ok(!incomplete.ok && /incomplete/.test(incomplete.pending[0]!));
    const outside = readHub(REF, { ...HUB_OUTPUTS, federation: { ...HUB, lbSubnetCidrs: ["10.99.0.0/24"] } }, SELF);
    assert.ok(!outside.ok && /10\.99\.0\.0\/24 outside VPC 10\.10\.0\.0\/16/.test(outside.pending[0]!));

    // A hub deployed before the links were TLS (plain http on port 80) is pending until its next up.
    const plain = readHub(
      REF,
      {
        ...HUB_OUTPUTS,
        federation: { ...HUB, webhookUrl: "http://infrasage-hub.central.internal/api/v1/alerts/webhook" },
      },
      SELF,
    );
    assert.ok(!plain.ok && /not on the TLS webhook .*pulumi up the hub/.test(plain.pending[0]!));
  });

  it("throws when the VPC CIDRs overlap (no redeploy fixes that)", () => {
    assert.throws(() => readHub(REF, HUB_OUTPUTS, { stack: "ap-south-1", vpcCidr: "10.10.0.0/16" }), /overlaps/);
  });
});

describe("readSpokes (the hub reads its listed spokes)", () => {
  const spoke: NetworkExport = {
    ...HUB_NETWORK,
    stack: "ap-south-1",
    region: "ap-south-1",
    jurisdiction: "IN",
    vpcCidr: "10.20.0.0/16",
    privateSubnetCidrs: ["10.20.0.0/18"],
  };
  it("links deployed spokes and reports the others as pending", () => {
    const { linked, pending } = readSpokes("10.10.0.0/16", [
      { ref: "acme/infrasage/ap-south-1", outputs: { network: spoke } },
      { ref: "acme/infrasage/us-east-1" },
    ]);
    assert.deepEqual(
      linked.map((s) => s.stack),
      ["ap-south-1"],
    );
    assert.deepEqual(pending, [
      "acme/infrasage/us-east-1 has no 'network' output yet (not deployed); run pulumi up there, then here again",
    ]);
  });

  it("never links a spoke whose CIDR overlaps the hub's", () => {
    const { linked, pending } = readSpokes("10.20.0.0/16", [
      { ref: "acme/infrasage/ap-south-1", outputs: { network: spoke } },
    ]);
    assert.deepEqual(linked, []);
    assert.match(pending[0]!, /overlaps/);
  });
});

describe("credentials and the load balancer controller", () => {
  it("writes the credential map with sorted keys", () => {
    assert.equal(credentialsDocument({ b: "2", a: "1" }), '{"a":"1","b":"2"}');
  });

  it("lets the controller (de)register targets only in the given target groups, and read", () => {
    const doc = lbControllerPolicy(["arn:aws:elasticloadbalancing:eu-west-1:1:targetgroup/tg/1"]);
    const write = doc.Statement.find((s) => [s.Action].flat().includes("elasticloadbalancing:RegisterTargets"))!;
    assert.deepEqual(write.Resource, ["arn:aws:elasticloadbalancing:eu-west-1:1:targetgroup/tg/1"]);
    for (const s of doc.Statement.filter((x) => x.Resource === "*")) {
      for (const a of [s.Action].flat()) assert.match(a, /:Describe/, `${a} on *`);
    }
    assert.throws(() => lbControllerPolicy([]), /no target group/);
  });

  it("binds the AIops Service's pod IPs (ip targets)", () => {
    assert.deepEqual(
      targetGroupBindingSpec({ targetGroupArn: "arn:tg", serviceName: "infrasage-aiops", servicePort: 8080 }),
      {
        serviceRef: { name: "infrasage-aiops", port: 8080 },
        targetGroupARN: "arn:tg",
        targetType: "ip",
      },
    );
  });
});

describe("federation config", () => {
  const raw = (federation: Record<string, unknown>, stack = "eu-west-1") =>
    parseStackConfig(
      {
        "aws:region": stack,
        "infrasage:tenantId": "acme",
        "infrasage:pattern": "hub-spoke",
        "infrasage:network": JSON.stringify({ cidr: "10.10.0.0/16" }),
        "infrasage:federation": JSON.stringify(federation),
      },
      stack,
    );
  const keys = (r: ReturnType<typeof raw>) => (r.ok ? [] : r.problems.map((p) => p.key));

  it("accepts a hub's spoke allowlist and defaults it to empty", () => {
    const hub = raw({ role: "hub", spokes: ["acme/infrasage/ap-south-1"] });
    assert.ok(hub.ok);
    assert.deepEqual(hub.config.federation?.spokes, ["acme/infrasage/ap-south-1"]);
    const bare = raw({ role: "hub" });
    assert.ok(bare.ok);
    assert.deepEqual(bare.config.federation?.spokes, []);
  });

  it("rejects spokes on a spoke, listed twice by stack name, or naming the hub itself", () => {
    assert.deepEqual(
      keys(
        raw(
          { role: "spoke", hubStack: "acme/infrasage/eu-west-1", spokes: ["acme/infrasage/us-east-1"] },
          "ap-south-1",
        ),
      ),
      ["infrasage:federation.spokes"],
    );
    assert.deepEqual(keys(raw({ role: "hub", spokes: ["acme/infrasage/ap-south-1", "other/infrasage/ap-south-1"] })), [
      "infrasage:federation.spokes",
    ]);
    assert.deepEqual(keys(raw({ role: "hub", spokes: ["acme/infrasage/eu-west-1"] })), ["infrasage:federation.spokes"]);
    assert.deepEqual(keys(raw({ role: "hub", spokes: ["not-a-ref"] })), ["infrasage:federation.spokes.0"]);
  });
});
