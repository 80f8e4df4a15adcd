/**
 * Cluster and network hardening, judged on the plans of every shipped stack and example: no pod can
 * take the node's AWS credentials; pod isolation (NetworkPolicy enforced by the CNI, ingress denied by
 * default with explicit allows); Pod Security Admission labels on every namespace the program creates
 * or ensures; control-plane logs and encrypted log groups.
 */
import { strict as assert } from "node:assert";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import type { PlanResult, StackPlan } from "../../offline/plan";
import type { RecordedResource } from "../../offline/run-program";
import { NAMESPACE_POD_SECURITY } from "../../lib/isolation/isolation";
import { PORTS } from "../../policies/shared/ports";
import { ROOT, ofType, planDir, planFiles } from "../support/plan";

const SHIPPED = readdirSync(ROOT)
  .filter((f) => /^Pulumi\..+\.yaml$/.test(f))
  .map((f) => join(ROOT, f));
const EXAMPLES = readdirSync(join(ROOT, "examples"), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => join(ROOT, "examples", d.name));
const NETPOL = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
let cached: StackPlan[] | undefined;
/** Plans one after the other (the Pulumi runtime is process-global), once per test run. */
async function allStacks(): Promise<StackPlan[]> {
  if (!cached) {
    const results: PlanResult[] = [await planFiles(SHIPPED)];
    for (const d of EXAMPLES) results.push(await planDir(d));
    cached = results.flatMap((r) => r.stacks);
  }
  return cached;
}
const nameOf = (r: RecordedResource) => String((r.rawInputs.metadata as { name?: unknown } | undefined)?.name);
const nsOf = (r: RecordedResource) => String((r.rawInputs.metadata as { namespace?: unknown } | undefined)?.namespace);
interface Rule {
  from?: Record<string, unknown>[];
  ports?: { port: number }[];
}
const rulesOf = (p: RecordedResource) => (p.rawInputs.spec as { ingress?: Rule[] }).ingress ?? [];

describe("hardening (every shipped stack and example)", () => {
  it(
    "keeps the node's credentials from pods: IMDSv2 with hop limit " +
      "1, the CNI on its own IRSA role, no CNI policy on the node role",
    async () => {
      for (const s of await allStacks()) {
        for (const lt of ofType(s, "aws:ec2/launchTemplate:LaunchTemplate")) {
          assert.deepEqual(
            lt.rawInputs.metadataOptions,
            { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 },
            s.stack,
          );
        }
        const cni = ofType(s, "aws:eks/addon:Addon").find((a) => a.rawInputs.addonName === "vpc-cni")!;
        assert.ok(cni.rawInputs.serviceAccountRoleArn, `${s.stack}: vpc-cni has its own role`);
        assert.deepEqual(JSON.parse(String(cni.rawInputs.configurationValues)), { enableNetworkPolicy: "true" });
        const nodeRole = ofType(s, "aws:iam/role:Role").find((r) => r.name === "cluster-node-role")!;
        const onNodeRole = ofType(s, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
          .filter((a) => (a.propertyDependencies.role ?? []).includes(nodeRole.urn))
          .map((a) => String(a.rawInputs.policyArn));
        assert.ok(
          onNodeRole.length >= 2 && !onNodeRole.some((a) => a.endsWith("AmazonEKS_CNI_Policy")),
          `${s.stack}: ${onNodeRole.join(", ")}`,
        );
        const cniRole = ofType(s, "aws:iam/role:Role").find((r) => r.name === "cluster-cni-role")!;
        assert.match(String(cniRole.rawInputs.assumeRolePolicy), /system:serviceaccount:kube-system:aws-node/);
      }
    },
  );

  it(
    "labels every namespace it creates or ensures for Pod Security " +
      "Admission: warn and audit restricted, enforce as documented",
    async () => {
      let namespaces = 0;
      for (const s of await allStacks()) {
        for (const ns of [
          ...ofType(s, "kubernetes:core/v1:Namespace"),
          ...ofType(s, "kubernetes:core/v1:NamespacePatch"),
        ]) {
          namespaces++;
          const labels = (ns.rawInputs.metadata as { labels: Record<string, string> }).labels;
          assert.equal(labels["pod-security.kubernetes.io/warn"], "restricted", `${s.stack} ${nameOf(ns)}`);
          assert.equal(labels["pod-security.kubernetes.io/audit"], "restricted", `${s.stack} ${nameOf(ns)}`);
          const expected = {
            infrasage: NAMESPACE_POD_SECURITY.infrasage,
            "clickhouse-keeper": NAMESPACE_POD_SECURITY.keeper,
            "external-dns": NAMESPACE_POD_SECURITY.externalDns,
          }[nameOf(ns)];
          assert.equal(labels["pod-security.kubernetes.io/enforce"], expected, `${s.stack} ${nameOf(ns)}`);
        }
      }
      assert.ok(namespaces >= 11);
    },
  );

  it("denies ingress by default in every namespace it creates, and no rule admits every source", async () => {
    for (const s of await allStacks()) {
      const policies = ofType(s, NETPOL);
      for (const ns of [
        ...ofType(s, "kubernetes:core/v1:Namespace"),
        ...ofType(s, "kubernetes:core/v1:NamespacePatch"),
      ]) {
        const deny = policies.find((p) => nsOf(p) === nameOf(ns) && nameOf(p) === "default-deny-ingress");
        assert.ok(deny, `${s.stack}: namespace ${nameOf(ns)} has no default deny`);
        assert.deepEqual(deny.rawInputs.spec, { podSelector: {}, policyTypes: ["Ingress"] });
      }
      for (const p of policies) {
        for (const rule of rulesOf(p)) {
          assert.ok(
            rule.from && rule.from.length > 0,
            `${s.stack} ${nameOf(p)}: a rule without sources admits everything`,
          );
          const anyNamespace = rule.from.some((f) => JSON.stringify(f) === '{"namespaceSelector":{}}');
          if (anyNamespace) {
            // Only the Ingestion Gateway takes traffic from every namespace, on its port only.
            assert.equal(nameOf(p), "allow-ingestion", `${s.stack}: ${nameOf(p)}`);
            assert.deepEqual(rule.ports, [{ protocol: "TCP", port: PORTS.ingestionGateway }]);
            assert.deepEqual(
              (p.rawInputs.spec as { podSelector: { matchLabels: Record<string, string> } }).podSelector.matchLabels[
                "app.kubernetes.io/component"
              ],
              "ingestion-gateway",
            );
          }
        }
      }
    }
  });

  it(
    "admits the cross-region links only from where they come: replication " +
      "peers' pods on TLS ports, load-balancer subnets on the link's port",
    async () => {
      const aa = await planDir(join(ROOT, "examples", "active-active"));
      for (const s of aa.stacks) {
        const peers = aa.stacks.filter((x) => x.stack !== s.stack);
        const peerCidrs = (data: boolean) =>
          peers
            .filter((p) => !data || !p.config.replication!.witness)
            .flatMap((p) => (p.record.outputs.network!.value as { privateSubnetCidrs: string[] }).privateSubnetCidrs)
            .sort();
        const keeper = ofType(s, NETPOL).find(
          (p) => nameOf(p) === "allow-replication-peers" && nsOf(p) === "clickhouse-keeper",
        )!;
        assert.deepEqual(
          rulesOf(keeper)[0]!
            .from!.map((f) => (f as { ipBlock: { cidr: string } }).ipBlock.cidr)
            .sort(),
          peerCidrs(false),
        );
        assert.deepEqual(
          rulesOf(keeper)[0]!.ports!.map((x) => x.port),
          [PORTS.keeperClientTls, PORTS.keeperRaft],
        );
        const ch = ofType(s, NETPOL).find((p) => nameOf(p) === "allow-replication-peers" && nsOf(p) === "infrasage");
        if (s.config.replication!.witness) assert.equal(ch, undefined, "a witness runs no ClickHouse");
        else {
          assert.deepEqual(
            rulesOf(ch!)[0]!
              .from!.map((f) => (f as { ipBlock: { cidr: string } }).ipBlock.cidr)
              .sort(),
            peerCidrs(true),
          );
          assert.deepEqual(
            rulesOf(ch!)[0]!.ports!.map((x) => x.port),
            [PORTS.clickhouseNativeTls, PORTS.clickhouseInterserverTls],
          );
        }
      }
      const hub = (await planDir(join(ROOT, "examples", "hub-spoke"))).stacks.find((s) => s.stack === "eu-west-1")!;
      const webhook = ofType(hub, NETPOL).find((p) => nameOf(p) === "allow-alert-webhook")!;
      const lbCidrs = (hub.record.outputs.federation!.value as { lbSubnetCidrs: string[] }).lbSubnetCidrs;
      assert.deepEqual(
        rulesOf(webhook)[0]!.from!.map((f) => (f as { ipBlock: { cidr: string } }).ipBlock.cidr),
        lbCidrs,
      );
      assert.deepEqual(
        rulesOf(webhook)[0]!.ports!.map((x) => x.port),
        [PORTS.alertWebhook],
      );
      assert.deepEqual(
        webhook.rawInputs.spec &&
          (webhook.rawInputs.spec as { podSelector: { matchLabels: Record<string, string> } }).podSelector.matchLabels[
            "app.kubernetes.io/instance"
          ],
        "infrasage-alert-link",
        "only the link tunnel",
      );
    },
  );

  it("ships every control-plane log type and encrypts every log group with the stack's own rotated key", async () => {
    for (const s of await allStacks()) {
      assert.deepEqual(ofType(s, "aws:eks/cluster:Cluster")[0]!.rawInputs.enabledClusterLogTypes, [
        "api",
        "audit",
        "authenticator",
        "controllerManager",
        "scheduler",
      ]);
      const key = ofType(s, "aws:kms/key:Key").find((k) => k.urn.includes("LogsKey"))!;
      assert.equal(key.rawInputs.enableKeyRotation, true);
      assert.match(String(key.rawInputs.policy), new RegExp(`logs\\.${s.config.region}\\.amazonaws\\.com`));
      for (const lg of ofType(s, "aws:cloudwatch/logGroup:LogGroup"))
        assert.deepEqual(lg.propertyDependencies.kmsKeyId, [key.urn], `${s.stack}: ${lg.urn}`);
    }
  });

  it(
    "runs Keeper with the service account token unmounted, " +
      "a read-only root filesystem and only recommended labels",
    async () => {
      for (const s of (await planDir(join(ROOT, "examples", "active-active"))).stacks) {
        const sts = ofType(s, "kubernetes:apps/v1:StatefulSet")[0]!;
        const spec = sts.rawInputs.spec as {
          template: {
            metadata: { labels: Record<string, string> };
            spec: {
              automountServiceAccountToken: boolean;
              containers: { securityContext: { readOnlyRootFilesystem: boolean } }[];
            };
          };
        };
        assert.equal(spec.template.spec.automountServiceAccountToken, false);
        assert.equal(spec.template.spec.containers[0]!.securityContext.readOnlyRootFilesystem, true);
        for (const r of [sts, ...ofType(s, "kubernetes:core/v1:Service")]) {
          const labels = Object.keys((r.rawInputs.metadata as { labels?: Record<string, string> }).labels ?? {});
          assert.ok(
            labels.every((l) => l.startsWith("app.kubernetes.io/")),
            `${s.stack} ${r.name}: ${labels.join(", ")}`,
          );
        }
      }
    },
  );
});
