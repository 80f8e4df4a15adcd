/** `cluster.addons`: versions from one table per cluster version, overrides, and what EKS/Kubernetes refuse. */
import assert from "node:assert/strict";
import { parseStackConfig, SUPPORTED_EKS_VERSIONS } from "../lib/config/parse";
import { ADDON_VERSIONS, ADDON_VERSION_RE, MANAGED_ADDON_NAMES, addonConfigurationValues, addonVersionFor } from "../lib/addons/addon-versions";
import { EKS_ADDONS } from "../lib/cluster-plan";
import { planFile, writeStackFile, ofType } from "./support/plan";

const base = { "aws:region": "eu-west-1", "infrasage:tenantId": "acme-eu", "infrasage:network": { cidr: "10.10.0.0/16" } };
const raw = (extra: Record<string, unknown>) => Object.fromEntries(Object.entries({ ...base, ...extra }).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));
const problems = (addons: unknown, extra: Record<string, unknown> = {}) => {
  const r = parseStackConfig(raw({ "infrasage:cluster": { addons, ...extra } }), "eu-west-1");
  assert.equal(r.ok, false);
  return r.ok ? [] : r.problems.map((p) => `${p.key}: ${p.message}`);
};

describe("add-ons: the version table", () => {
  it("has an entry for every supported cluster version and every managed add-on, each `default` or a real version form", () => {
    for (const v of SUPPORTED_EKS_VERSIONS) {
      for (const a of MANAGED_ADDON_NAMES) {
        const pin = ADDON_VERSIONS[v]?.[a];
        assert.ok(pin === "default" || ADDON_VERSION_RE.test(pin ?? ""), `${v} ${a}: ${pin}`);
        if (a === "kube-proxy" && pin !== "default") assert.ok(pin!.startsWith(`v${v}.`), `kube-proxy ${pin} matches ${v}`);
      }
    }
    for (const spec of EKS_ADDONS) assert.ok((MANAGED_ADDON_NAMES as readonly string[]).includes(spec.name), spec.name);
  });

  it("takes the config's version over the table, and merges configuration values over the program's", () => {
    assert.equal(addonVersionFor("coredns", "1.35", { version: "v1.12.4-eksbuild.1" }), "v1.12.4-eksbuild.1");
    assert.equal(addonVersionFor("coredns", "1.35"), undefined, "table `default`: EKS's default at deploy time");
    assert.deepEqual(addonConfigurationValues({ enableNetworkPolicy: "true" }, { configurationValues: { env: { WARM_IP_TARGET: "5" } } }), { enableNetworkPolicy: "true", env: { WARM_IP_TARGET: "5" } });
  });
});

describe("add-ons: config", () => {
  it("refuses unknown add-ons, malformed versions, a kube-proxy newer than the control plane, and NetworkPolicy switched off", () => {
    assert.ok(problems({ "aws-efs-csi-driver": {} }).some((p) => p.startsWith("infrasage:cluster.addons.aws-efs-csi-driver: is not an add-on")));
    assert.ok(problems({ coredns: { version: "1.12" } }).some((p) => p.startsWith("infrasage:cluster.addons.coredns.version")));
    assert.ok(problems({ "kube-proxy": { version: "v1.36.0-eksbuild.1" } }, { version: "1.35" }).some((p) => /newer than the control plane/.test(p)));
    assert.ok(problems({ "vpc-cni": { configurationValues: { enableNetworkPolicy: "false" } } }).some((p) => /NetworkPolicy enforcement off/.test(p)));
    assert.ok(problems({ "eks-pod-identity-agent": {} }).some((p) => /only Karpenter installs the agent/.test(p)));
    assert.ok(problems({ coredns: { versions: "x" } }).some((p) => p.startsWith("infrasage:cluster.addons.coredns.versions")));
  });
});

describe("add-ons: the planned stack", function () {
  this.timeout(120000);
  it("installs the configured version and merged values; the others keep EKS's default", async () => {
    const plan = await planFile(writeStackFile("eu-west-1", { ...base, "infrasage:cluster": { addons: {
      coredns: { version: "v1.12.4-eksbuild.1", configurationValues: { replicaCount: 3 } },
      "vpc-cni": { configurationValues: { env: { WARM_IP_TARGET: "5" } } },
    } } }));
    const addon = (n: string) => ofType(plan, "aws:eks/addon:Addon").find((a) => a.rawInputs.addonName === n)!;
    assert.equal(addon("coredns").rawInputs.addonVersion, "v1.12.4-eksbuild.1");
    assert.deepEqual(JSON.parse(String(addon("coredns").rawInputs.configurationValues)), { replicaCount: 3 });
    assert.deepEqual(JSON.parse(String(addon("vpc-cni").rawInputs.configurationValues)), { enableNetworkPolicy: "true", env: { WARM_IP_TARGET: "5" } });
    assert.notEqual(addon("kube-proxy").rawInputs.addonVersion, undefined, "EKS's default for the version (getAddonVersion)");
  });
});
