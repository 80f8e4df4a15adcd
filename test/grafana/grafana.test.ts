/** Shared Grafana: config, reading sources (pending, never an error), datasources, admin secret, metrics flows. */
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { PlanResult } from "../../offline/plan";
import { parseStackConfig } from "../../lib/config/parse";
import {
  GRAFANA_ADMIN_SECRET,
  grafanaDatasources,
  grafanaValues,
  hostTunnel,
  readGrafanaSource,
  sourceTunnel,
  type GrafanaSourceExport,
} from "../../lib/grafana/grafana";
import { PORTS } from "../../policies/shared/ports";
import { crossStackFindings, crossStackFlows, type Flow, type StackFacts } from "../../policies/rules/cross-stack";
import { ofType, writeStackFile, planFiles, planFile, infrasageRelease } from "../support/plan";

const AP: GrafanaSourceExport = {
  stack: "ap-south-1",
  region: "ap-south-1",
  jurisdiction: "IN",
  prometheusUrl: `https://prometheus.ap-south-1.example.internal:${PORTS.metricsLink}`,
};
/** Where the host's Grafana reaches AP: its own link tunnel to AP, which dials AP.prometheusUrl over TLS. */
const AP_VIA_TUNNEL = "http://infrasage-metrics-ap-south-1.infrasage.svc.cluster.local:9090";
const HOST_REF = "acme/infrasage/eu-west-1";
const SOURCE_REF = "acme/infrasage/ap-south-1";
const base = (region: string, cidr: string, grafana: Record<string, unknown>) => ({
  "aws:region": region,
  "infrasage:tenantId": "acme",
  "infrasage:network": { cidr },
  "infrasage:grafana": grafana,
});
const raw = (grafana: Record<string, unknown>) => ({
  "aws:region": "ap-south-1",
  "infrasage:tenantId": "acme",
  "infrasage:network": '{"cidr":"10.20.0.0/16"}',
  "infrasage:grafana": JSON.stringify(grafana),
});
const problemKeys = (grafana: Record<string, unknown>) => {
  const r = parseStackConfig(raw(grafana), "ap-south-1");
  return r.ok ? [] : r.problems.map((p) => p.key);
};

describe("shared Grafana (pure)", () => {
  it("reads a source's output, and lists a missing or malformed one as pending", () => {
    assert.deepEqual(readGrafanaSource(SOURCE_REF, { grafanaSource: AP }), { ok: true, source: AP });
    const missing = readGrafanaSource(SOURCE_REF, undefined);
    assert.ok(!missing.ok && /no 'grafanaSource' output yet/.test(missing.pending));
    const otherPort = readGrafanaSource(SOURCE_REF, {
      grafanaSource: { ...AP, prometheusUrl: "https://p.internal:9000" },
    });
    assert.ok(!otherPort.ok && /not TLS on port 9443/.test(otherPort.pending));
    // A source deployed before the link was TLS (plain http on 9090) is pending until its next up.
    const plain = readGrafanaSource(SOURCE_REF, { grafanaSource: { ...AP, prometheusUrl: "http://p.internal:9090" } });
    assert.ok(!plain.ok && /pulumi up there again/.test(plain.pending));
    assert.equal(readGrafanaSource(SOURCE_REF, { grafanaSource: { ...AP, stack: "eu-west-1" } }).ok, false);
  });

  it("makes one Prometheus datasource per source region, Grafana-side (proxy), never the default", () => {
    const eu: GrafanaSourceExport = { ...AP, stack: "eu-central-1", region: "eu-central-1", jurisdiction: "EU" };
    const ds = grafanaDatasources([AP, eu]);
    assert.deepEqual(
      ds.map((d) => d.uid),
      ["prometheus-ap-south-1", "prometheus-eu-central-1"],
    );
    assert.deepEqual(ds[0], {
      name: "Prometheus ap-south-1 (ap-south-1)",
      uid: "prometheus-ap-south-1",
      type: "prometheus",
      access: "proxy",
      url: AP_VIA_TUNNEL,
      isDefault: false,
      editable: false,
      jsonData: { httpMethod: "POST", timeInterval: "30s" },
    });
  });

  it("pairs the host's tunnel to a source (the source's certificate only) with the source's (the host's only)", () => {
    const client = hostTunnel(AP);
    assert.deepEqual(
      [client.name, client.target, client.peer, client.listenPort],
      [
        "infrasage-metrics-ap-south-1",
        "prometheus.ap-south-1.example.internal:9443",
        "ap-south-1.link.infrasage.internal",
        9090,
      ],
    );
    const server = sourceTunnel("eu-west-1");
    assert.deepEqual(
      [server.listenPort, server.target, server.allowedPeers],
      [9443, "infrasage-prometheus.infrasage.svc.cluster.local:9090", ["eu-west-1.link.infrasage.internal"]],
    );
  });

  it("runs Grafana only in local mode, with its admin password from a Secret", () => {
    assert.deepEqual(grafanaValues("local"), {
      enabled: true,
      admin: { existingSecret: GRAFANA_ADMIN_SECRET.name, userKey: "admin-user", passwordKey: "admin-password" },
    });
    assert.deepEqual(grafanaValues("shared"), { enabled: false });
    assert.deepEqual(grafanaValues("disabled"), { enabled: false });
    assert.throws(() => grafanaValues("shared", grafanaDatasources([AP])), /runs no Grafana/);
  });

  it("requires a host on a shared stack, and sources only where Grafana runs", () => {
    assert.deepEqual(problemKeys({ mode: "shared", hostStack: HOST_REF }), []);
    assert.deepEqual(problemKeys({ mode: "local", sources: ["acme/infrasage/eu-west-1"] }), []);
    assert.deepEqual(problemKeys({ mode: "shared" }), ["infrasage:grafana.hostStack"]);
    assert.deepEqual(problemKeys({ mode: "local", hostStack: HOST_REF }), ["infrasage:grafana.hostStack"]);
    assert.deepEqual(problemKeys({ mode: "disabled", sources: [HOST_REF] }), ["infrasage:grafana.sources"]);
    assert.deepEqual(problemKeys({ mode: "shared", hostStack: SOURCE_REF }), ["infrasage:grafana.hostStack"]);
    assert.match(problemKeys({ mode: "local", sources: ["eu-west-1"] }).join(), /^infrasage:grafana\.sources/);
  });

  it("lists metrics flows once per pair, lets them cross jurisdictions, and rejects anything broader", () => {
    const facts = (stack: string, jurisdiction: string, cidr: string, more: Partial<StackFacts>): StackFacts => ({
      stack,
      region: stack,
      jurisdiction,
      cidr,
      peers: [],
      ...more,
    });
    const host = facts("eu-west-1", "EU", "10.10.0.0/16", { grafanaSources: [SOURCE_REF] });
    const source = facts("ap-south-1", "IN", "10.20.0.0/16", { grafanaHostStack: HOST_REF });
    const flows = crossStackFlows([host, source]);
    assert.deepEqual(flows, [
      {
        from: "ap-south-1",
        to: "eu-west-1",
        fromJurisdiction: "IN",
        toJurisdiction: "EU",
        what: "metrics",
        ports: [PORTS.metricsLink],
      },
    ]);
    assert.deepEqual(crossStackFindings([host, source], flows), []);
    const unpaired = facts("ap-south-1", "IN", "10.20.0.0/16", {});
    assert.deepEqual(
      crossStackFindings([host, unpaired], crossStackFlows([host, unpaired])).map((f) => f.policy),
      ["cross-stack-grafana-pairing"],
    );
    const broader: Flow = { ...flows[0]!, ports: [PORTS.metricsLink, PORTS.clickhouseHttp] };
    assert.match(
      crossStackFindings([host, source], [broader])
        .map((f) => `${f.policy}: ${f.message}`)
        .join(),
      /cross-stack-metrics-prometheus-only: .*8123/,
    );
    const overlapping = facts("ap-south-1", "IN", "10.10.0.0/16", { grafanaHostStack: HOST_REF });
    assert.ok(
      crossStackFindings([host, overlapping], crossStackFlows([host, overlapping])).some(
        (f) => f.policy === "cross-stack-cidr-overlap",
      ),
    );
  });
});

describe("shared Grafana (planned stacks)", () => {
  let result: PlanResult;
  before(async () => {
    const dir = mkdtempSync(join(tmpdir(), "infrasage-grafana-"));
    writeStackFile(
      "eu-west-1",
      base("eu-west-1", "10.10.0.0/16", { mode: "local", sources: ["acme/infrasage/ap-south-1"] }),
      dir,
    );
    writeStackFile(
      "ap-south-1",
      base("ap-south-1", "10.20.0.0/16", { mode: "shared", hostStack: "acme/infrasage/eu-west-1" }),
      dir,
    );
    result = await planFiles([join(dir, "Pulumi.eu-west-1.yaml"), join(dir, "Pulumi.ap-south-1.yaml")]);
  });
  const stack = (name: string) => result.stacks.find((s) => s.stack === name)!;
  const grafanaOf = (name: string) =>
    (
      ofType(stack(name), "kubernetes:helm.sh/v3:Release").find((r) => r.rawInputs.name === "infrasage")!.rawInputs
        .values as { grafana: Record<string, unknown> }
    ).grafana;

  it("plans clean, with the metrics flow in the flow table", () => {
    for (const s of result.stacks)
      assert.deepEqual(
        s.violations.filter((v) => v.level === "mandatory"),
        [],
        s.stack,
      );
    assert.deepEqual(result.crossStack.violations, []);
    assert.deepEqual(
      result.crossStack.flows.filter((f) => f.what === "metrics").map((f) => [f.from, f.to, f.ports]),
      [["ap-south-1", "eu-west-1", [PORTS.metricsLink]]],
    );
  });

  it("runs no Grafana (and generates no admin password) on the shared stack", () => {
    assert.deepEqual(grafanaOf("ap-south-1"), { enabled: false });
    assert.equal(
      ofType(stack("ap-south-1"), "random:index/randomPassword:RandomPassword").some((r) => r.name.includes("grafana")),
      false,
    );
    assert.equal(stack("ap-south-1").record.outputs.grafanaAdminPassword, undefined);
    assert.deepEqual((stack("ap-south-1").record.outputs.grafana!.value as { pending: string[] }).pending, []);
    assert.match(
      String((stack("ap-south-1").record.outputs.grafanaSource!.value as { prometheusUrl: string }).prometheusUrl),
      /^https:\/\/.*:9443$/,
    );
  });

  it("keeps the host's Grafana admin password secret end to end and lists an unexposed source as pending", async () => {
    const host = stack("eu-west-1");
    const out = host.record.outputs.grafanaAdminPassword!;
    assert.equal(out.secret, true);
    assert.match(String(out.value), /^[A-Za-z0-9]{32}$/);
    for (const r of host.record.resources) assert.ok(!JSON.stringify(r.inputs).includes(String(out.value)), r.urn);
    const secret = ofType(host, "kubernetes:core/v1:Secret").find(
      (s) => (s.rawInputs.metadata as { name: string }).name === GRAFANA_ADMIN_SECRET.name,
    )!;
    assert.ok(infrasageRelease(host).dependencies.includes(secret.urn));
    // Planned alone (the source not deployed): no datasource, the source pending.
    const alone = await planFile(
      writeStackFile("eu-west-1", base("eu-west-1", "10.10.0.0/16", { mode: "local", sources: [SOURCE_REF] })),
    );
    assert.equal(
      (infrasageRelease(alone).rawInputs.values as { grafana: Record<string, unknown> }).grafana.datasources,
      undefined,
    );
    const g = alone.record.outputs.grafana!.value as { pending: string[]; sources: string[] };
    assert.deepEqual(g.sources, []);
    assert.match(g.pending.join(), /acme\/infrasage\/ap-south-1 has no 'grafanaSource' output yet/);
  });

  it("adds a datasource per source once the source exports its Prometheus endpoint", async () => {
    const path = writeStackFile(
      "eu-west-1",
      base("eu-west-1", "10.10.0.0/16", { mode: "local", sources: ["acme/infrasage/ap-south-1"] }),
    );
    const plan = await planFile(path, { external: (ref) => (ref === SOURCE_REF ? { grafanaSource: AP } : undefined) });
    const values = (
      infrasageRelease(plan).rawInputs.values as { grafana: { datasources: { url: string; uid: string }[] } }
    ).grafana;
    assert.deepEqual(
      values.datasources.map((d) => [d.uid, d.url]),
      [["prometheus-ap-south-1", AP_VIA_TUNNEL]],
    );
    // The tunnel the datasource names exists and dials the source's TLS endpoint.
    const tunnel = ofType(plan, "kubernetes:apps/v1:Deployment").find(
      (d) => (d.rawInputs.metadata as { name: string }).name === "infrasage-metrics-ap-south-1",
    )!;
    const args = (tunnel.rawInputs.spec as { template: { spec: { containers: { args: string[] }[] } } }).template.spec
      .containers[0]!.args;
    assert.ok(
      args.includes("--target=prometheus.ap-south-1.example.internal:9443") &&
        args.includes("--verify-dns=ap-south-1.link.infrasage.internal"),
      args.join(" "),
    );
    assert.match(
      (plan.record.outputs.linkPrerequisites!.value as string[])[0]!,
      /infrasage\/infrasage-link-tls .*eu-west-1\.link\.infrasage\.internal/,
    );
    const g = plan.record.outputs.grafana!.value as { sources: string[]; flows: string[]; pending: string[] };
    assert.deepEqual([g.sources, g.pending], [["ap-south-1"], []]);
    assert.match(g.flows[0]!, /ap-south-1 \(IN\) -> eu-west-1 \(EU\): metrics only/);
  });
});
