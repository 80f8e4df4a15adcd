/** `cluster.addons`: versions from one table per cluster version, overrides, and what EKS/Kubernetes refuse. */
import assert from "node:assert/strict";
import { DEFAULT_EKS_VERSION, SUPPORTED_EKS_VERSIONS } from "../../lib/cluster/eks-versions";
import { parseStackConfig } from "../../lib/config/parse";
import {
  ADDON_VERSIONS,
  ADDON_VERSION_RE,
  MANAGED_ADDON_NAMES,
  addonConfigurationValues,
  addonVersionFor,
  compareAddonVersions,
  installedOrNewer,
} from "../../lib/addons/addon-versions";
import { EKS_ADDONS } from "../../lib/cluster/cluster-plan";
import { planFile, writeStackFile, ofType } from "../support/plan";

const base = {
  "aws:region": "eu-west-1",
  "infrasage:tenantId": "acme-eu",
  "infrasage:network": { cidr: "10.10.0.0/16" },
};
const raw = (extra: Record<string, unknown>) =>
  Object.fromEntries(
    Object.entries({ ...base, ...extra }).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
  );
const problems = (addons: unknown, extra: Record<string, unknown> = {}) => {
  const r = parseStackConfig(raw({ "infrasage:cluster": { addons, ...extra } }), "eu-west-1");
  assert.equal(r.ok, false);
  return r.ok ? [] : r.problems.map((p) => `${p.key}: ${p.message}`);
};

describe("add-ons: the version table", () => {
  it("has exactly one entry per supported cluster version, each naming every managed add-on", () => {
    assert.deepEqual(Object.keys(ADDON_VERSIONS).sort(), [...SUPPORTED_EKS_VERSIONS].sort());
    for (const v of SUPPORTED_EKS_VERSIONS)
      assert.deepEqual(Object.keys(ADDON_VERSIONS[v]!).sort(), [...MANAGED_ADDON_NAMES].sort(), v);
    for (const spec of EKS_ADDONS) assert.ok((MANAGED_ADDON_NAMES as readonly string[]).includes(spec.name), spec.name);
  });

  it("pins only EKS add-on versions (v<semver>-eksbuild.<n>), or `default`", () => {
    assert.ok(ADDON_VERSION_RE.test("v1.36.0-eksbuild.14"));
    for (const bad of [
      "1.36.0-eksbuild.14",
      "v1.36-eksbuild.1",
      "v1.36.0",
      "v1.36.0-minimal-eksbuild.2",
      "v1.36.0-eksbuild.",
    ])
      assert.ok(!ADDON_VERSION_RE.test(bad), bad);
    for (const v of SUPPORTED_EKS_VERSIONS) {
      for (const a of MANAGED_ADDON_NAMES) {
        const pin = ADDON_VERSIONS[v]![a];
        assert.ok(pin === "default" || ADDON_VERSION_RE.test(pin), `${v} ${a}: ${pin}`);
      }
    }
  });

  it(
    "pins kube-proxy and coredns for every cluster version (AWS's " +
      "per-version tables), kube-proxy at the cluster's minor",
    () => {
      for (const v of SUPPORTED_EKS_VERSIONS) {
        const kubeProxy = ADDON_VERSIONS[v]!["kube-proxy"];
        assert.match(kubeProxy, ADDON_VERSION_RE, `kube-proxy ${v}`);
        assert.equal(/^v(\d+\.\d+)\./.exec(kubeProxy)?.[1], v, `kube-proxy ${kubeProxy} has the minor of cluster ${v}`);
        assert.match(ADDON_VERSIONS[v]!.coredns, ADDON_VERSION_RE, `coredns ${v}`);
      }
    },
  );

  it(
    "takes the config's version over the table, the table's pin over " +
      "EKS's default, and merges configuration values over the program's",
    () => {
      assert.equal(addonVersionFor("coredns", "1.35", { version: "v1.12.4-eksbuild.1" }), "v1.12.4-eksbuild.1");
      assert.equal(addonVersionFor("kube-proxy", "1.35"), ADDON_VERSIONS["1.35"]!["kube-proxy"]);
      assert.equal(addonVersionFor("vpc-cni", "1.35"), undefined, "table `default`: EKS's default at deploy time");
      assert.equal(addonVersionFor("coredns", "1.30"), undefined, "no entry: EKS's default");
      assert.deepEqual(
        addonConfigurationValues(
          { enableNetworkPolicy: "true" },
          { configurationValues: { env: { WARM_IP_TARGET: "5" } } },
        ),
        { enableNetworkPolicy: "true", env: { WARM_IP_TARGET: "5" } },
      );
    },
  );
});

describe("add-ons: config", () => {
  it(
    "refuses unknown add-ons, malformed versions, a kube-proxy " +
      "newer than the control plane, and NetworkPolicy switched off",
    () => {
      assert.ok(
        problems({ "aws-efs-csi-driver": {} }).some((p) =>
          p.startsWith("infrasage:cluster.addons.aws-efs-csi-driver: is not an add-on"),
        ),
      );
      assert.ok(
        problems({ coredns: { version: "1.12" } }).some((p) =>
          p.startsWith("infrasage:cluster.addons.coredns.version"),
        ),
      );
      assert.ok(
        problems({ "kube-proxy": { version: "v1.36.0-eksbuild.1" } }, { version: "1.35" }).some((p) =>
          /newer than the control plane/.test(p),
        ),
      );
      assert.ok(
        problems({ "vpc-cni": { configurationValues: { enableNetworkPolicy: "false" } } }).some((p) =>
          /NetworkPolicy enforcement off/.test(p),
        ),
      );
      assert.ok(problems({ "eks-pod-identity-agent": {} }).some((p) => /only Karpenter installs the agent/.test(p)));
      assert.ok(
        problems({ coredns: { versions: "x" } }).some((p) => p.startsWith("infrasage:cluster.addons.coredns.versions")),
      );
    },
  );
});

describe("add-ons: the planned stack", function () {
  this.timeout(120000);
  it("installs the configured version and merged values; the others get the table's pin or EKS's default", async () => {
    const plan = await planFile(
      writeStackFile("eu-west-1", {
        ...base,
        "infrasage:cluster": {
          addons: {
            coredns: { version: "v1.12.4-eksbuild.1", configurationValues: { replicaCount: 3 } },
            "vpc-cni": { configurationValues: { env: { WARM_IP_TARGET: "5" } } },
          },
        },
      }),
    );
    const addon = (n: string) => ofType(plan, "aws:eks/addon:Addon").find((a) => a.rawInputs.addonName === n)!;
    assert.equal(addon("coredns").rawInputs.addonVersion, "v1.12.4-eksbuild.1");
    assert.deepEqual(JSON.parse(String(addon("coredns").rawInputs.configurationValues)), { replicaCount: 3 });
    assert.deepEqual(JSON.parse(String(addon("vpc-cni").rawInputs.configurationValues)), {
      enableNetworkPolicy: "true",
      env: { WARM_IP_TARGET: "5" },
    });
    assert.equal(
      addon("kube-proxy").rawInputs.addonVersion,
      ADDON_VERSIONS[DEFAULT_EKS_VERSION]!["kube-proxy"],
      "the table's pin for the cluster's version",
    );
    assert.notEqual(
      addon("vpc-cni").rawInputs.addonVersion,
      undefined,
      "EKS's default for the version (getAddonVersion)",
    );
  });
});

describe("add-on version order (never a downgrade)", () => {
  it("orders by version, then by eksbuild number; a pin never goes below what runs", () => {
    assert.ok(
      compareAddonVersions("v1.14.3-eksbuild.3", "v1.14.3-eksbuild.16") < 0,
      "build 16 is newer than build 3 (not a string order)",
    );
    assert.ok(compareAddonVersions("v1.14.10-eksbuild.1", "v1.14.9-eksbuild.9") > 0);
    assert.equal(compareAddonVersions("v1.2.3-eksbuild.1", "v1.2.3-eksbuild.1"), 0);
    assert.equal(installedOrNewer("v1.14.3-eksbuild.3", "v1.14.3-eksbuild.16"), "v1.14.3-eksbuild.16");
    assert.equal(
      installedOrNewer("v1.35.3-eksbuild.13", "v1.34.6-eksbuild.20"),
      "v1.35.3-eksbuild.13",
      "an upgrade to the next minor goes ahead",
    );
    assert.equal(installedOrNewer("v1.35.3-eksbuild.13", undefined), "v1.35.3-eksbuild.13");
    assert.equal(installedOrNewer(undefined, "v1.35.3-eksbuild.13"), undefined);
  });
});
