/**
 * Issue 19's classes on the cluster surfaces: rules EKS, the kubelet and AWS enforce half-way through
 * `up` (refused by the plan, naming the key and the fix), one setting written twice, hints inside named
 * maps, private chart repositories, partial cost totals, the Karpenter trust and the program's egress.
 */
import { containsCidr } from "cidr-tools";
import assert from "node:assert/strict";
import fc from "fast-check";
import * as pulumi from "@pulumi/pulumi";
import { parseStackConfig } from "../../lib/config/parse";
import type { ConfigProblem } from "../../lib/rules/problems";
import {
  EKS_LABEL_MAX,
  K8S_NAME_MAX,
  kubeletRefusesLabel,
  nodeLabelProblems,
  nodeTaintProblems,
  qualifiedNameProblem,
} from "../../lib/nodes/node-labels";
import { DEFAULT_MANAGED_NODE_GROUP_QUOTA, instanceTypeProblem } from "../../lib/nodes/node-groups";
import { estimateCost } from "../../lib/cost/cost";
import { PRICE_TABLE_VERSION } from "../../lib/cost/prices";
import { podIdentityTrustPolicy } from "../../lib/autoscaling/karpenter-plan";
import { allowEgress, externalDnsEgress, keeperEgress } from "../../lib/isolation/isolation";
import { chartArgs } from "../../components/release/infrasage-release";
import { prComment } from "../../offline/pr-comment";
import { parseBasePlan } from "../../offline/diff/base-file";
import { diffStack } from "../../offline/diff/plan-diff";
import { planSummary } from "../../offline/report";
import { planDir, planFile, writeStackFile, ofType, ROOT } from "../support/plan";
import { readStackFile, StackFileError } from "../../offline/stack-file";
import { join } from "node:path";

const BASE: Record<string, unknown> = {
  "aws:region": "eu-west-1",
  "infrasage:tenantId": "acme-eu",
  "infrasage:network": { cidr: "10.10.0.0/16" },
};
const rawOf = (o: Record<string, unknown>) =>
  Object.fromEntries(
    Object.entries({ ...BASE, ...o })
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
  );
const parse = (o: Record<string, unknown>, secretKeys: string[] = []) =>
  parseStackConfig(rawOf(o), "eu-west-1", { secretKeys });
function problems(o: Record<string, unknown>, secretKeys: string[] = []): ConfigProblem[] {
  const r = parse(o, secretKeys);
  assert.equal(r.ok, false, `expected ${JSON.stringify(o)} to be rejected`);
  return r.ok ? [] : r.problems;
}
function problemFor(list: readonly ConfigProblem[], key: string, re?: RegExp): ConfigProblem {
  const p = list.find((x) => x.key === key && (!re || re.test(`${x.message} Fix: ${x.fix}`)));
  assert.ok(p, `expected a problem for ${key}${re ? ` matching ${re}` : ""}, got: ${JSON.stringify(list, null, 1)}`);
  return p;
}
function accepted(o: Record<string, unknown>, secretKeys: string[] = []) {
  const r = parse(o, secretKeys);
  assert.ok(r.ok, JSON.stringify(r));
  return r.config;
}
const groups = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`g${i}`, {}]));

// --- Class 4: label and taint syntax (Kubernetes API validation, EKS lengths, the kubelet) ----------

const ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".split("");
const alnum = fc.constantFrom(...ALNUM);
const lowerAlnum = fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz0123456789".split(""));
/** A Kubernetes name part: alphanumeric ends, -_. inside, 1..63. */
const k8sName = fc
  .tuple(alnum, fc.array(fc.constantFrom(...ALNUM, "-", "_", "."), { maxLength: 61 }), alnum, fc.boolean())
  .map(([a, mid, z, single]) => (single ? a : `${a}${mid.join("")}${z}`));
/** A DNS-1123 label (lowercase). */
const dnsLabel = fc
  .tuple(
    lowerAlnum,
    fc.array(fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz0123456789-".split("")), { maxLength: 20 }),
    lowerAlnum,
  )
  .map(([a, mid, z]) => `${a}${mid.join("")}${z}`);
const prefix = fc.array(dnsLabel, { minLength: 1, maxLength: 4 }).map((ls) => ls.join("."));

describe("issue 19 class 4: node labels and taints", () => {
  it("accepts every qualified name Kubernetes accepts (property)", () => {
    fc.assert(
      fc.property(fc.option(prefix, { nil: undefined }), k8sName, (p, n) => {
        const key = p === undefined ? n : `${p}/${n}`;
        assert.equal(qualifiedNameProblem(key), undefined, key);
        // EKS takes the key when it is 63 characters or fewer in all, and not in a namespace the kubelet refuses.
        const label = nodeLabelProblems(key, "v").filter((x) => x.part === "key");
        assert.equal(label.length === 0, key.length <= EKS_LABEL_MAX && !kubeletRefusesLabel(key), key);
      }),
      { numRuns: 400 },
    );
  });

  it("refuses names breaking one rule: too long, bad ends, bad characters, two slashes, bad prefix (property)", () => {
    const broken = fc.oneof(
      k8sName.map((n) => `${n}${"a".repeat(K8S_NAME_MAX + 1 - n.length)}`), // name of 64
      k8sName.map((n) => `-${n}`),
      k8sName.map((n) => `${n}.`), // non-alphanumeric end
      fc
        .tuple(k8sName, fc.constantFrom(" ", "/", ":", "@", "é", "*", "\n"))
        .map(([n, c]) => (c === "/" ? `a/${n}/b` : `${n.slice(0, 1)}${c}${n}`)),
      fc.tuple(prefix, k8sName).map(([p, n]) => `${p.toUpperCase()}X/${n}`), // uppercase prefix
      fc.tuple(k8sName).map(([n]) => `/${n}`),
      prefix.map((p) => `${p}/`), // empty prefix or name
      fc.tuple(k8sName).map(([n]) => `${"a".repeat(254)}/${n}`), // prefix of 254
    );
    fc.assert(
      fc.property(broken, (key) => {
        assert.ok(qualifiedNameProblem(key) !== undefined, key);
        assert.ok(
          nodeLabelProblems(key, "v").some((p) => p.part === "key"),
          key,
        );
        assert.ok(
          nodeTaintProblems(key, undefined).some((p) => p.part === "key"),
          key,
        );
      }),
      { numRuns: 400 },
    );
  });

  it("values: a label value is 1..63 of the name characters; a taint value may be empty (property)", () => {
    fc.assert(
      fc.property(k8sName, (v) => {
        assert.deepEqual(nodeLabelProblems("infrasage.io/pool", v), []);
        assert.deepEqual(nodeTaintProblems("infrasage.io/pool", v), []);
        assert.ok(
          nodeLabelProblems("infrasage.io/pool", `${v}${"x".repeat(64 - v.length)}`).some((p) => p.part === "value"),
        );
        assert.ok(nodeTaintProblems("infrasage.io/pool", `_${v}`).some((p) => p.part === "value"));
      }),
      { numRuns: 300 },
    );
    assert.ok(nodeLabelProblems("infrasage.io/pool", "").some((p) => p.part === "value" && /EKS/.test(p.message)));
    assert.deepEqual(nodeTaintProblems("infrasage.io/dedicated", ""), []);
    assert.deepEqual(nodeTaintProblems("infrasage.io/dedicated", undefined), []);
  });

  it("kubelet namespaces: kubernetes.io and k8s.io (and subdomains) only where it may self-label (property)", () => {
    fc.assert(
      fc.property(k8sName, (n) => {
        for (const ns of [
          "node-role.kubernetes.io",
          "kubernetes.io",
          "app.kubernetes.io",
          "k8s.io",
          "x.k8s.io",
          "node-restriction.kubernetes.io",
        ])
          assert.ok(kubeletRefusesLabel(`${ns}/${n}`), `${ns}/${n}`);
        for (const ns of [
          "node.kubernetes.io",
          "kubelet.kubernetes.io",
          "a.node.kubernetes.io",
          "example.com",
          "kubernetes.io.example.com",
        ])
          assert.ok(!kubeletRefusesLabel(`${ns}/${n}`), `${ns}/${n}`);
        assert.ok(!kubeletRefusesLabel(n));
      }),
      { numRuns: 200 },
    );
    assert.ok(!kubeletRefusesLabel("topology.kubernetes.io/zone"));
    assert.ok(!kubeletRefusesLabel("kubernetes.io/arch"));
  });

  it("a stack file with such labels or taints exits before anything is planned, naming the key", () => {
    const list = problems({
      "infrasage:nodeGroups": {
        a: {
          labels: { "node-role.kubernetes.io/worker": "true", team: "" },
          taints: [
            { key: "a/b/c", effect: "NoSchedule" },
            { key: "x", value: "-v", effect: "PreferNoSchedule" },
            { key: "x", value: "w", effect: "PreferNoSchedule" },
          ],
        },
      },
    });
    problemFor(
      list,
      "infrasage:nodeGroups.a.labels.node-role.kubernetes.io/worker",
      /kubelet refuses.*kubectl label node/,
    );
    problemFor(list, "infrasage:nodeGroups.a.labels.team", /empty.*EKS/);
    problemFor(list, "infrasage:nodeGroups.a.taints[0].key", /more than one '\/'/);
    problemFor(list, "infrasage:nodeGroups.a.taints[1].value", /letter or digit/);
    problemFor(list, "infrasage:nodeGroups.a.taints[2]", /one taint per key and effect/);
    accepted({
      "infrasage:nodeGroups": {
        a: {
          labels: { "infrasage.io/pool": "a", "node.kubernetes.io/lifecycle": "normal" },
          taints: [{ key: "infrasage.io/dedicated", effect: "PreferNoSchedule" }],
        },
      },
    });
  });
});

describe("issue 19 class 4: node groups, add-ons, access entries, existing VPC, instance types", () => {
  it("more managed node groups than the EKS quota: says how to raise it, and takes the raised quota", () => {
    accepted({ "infrasage:nodeGroups": groups(DEFAULT_MANAGED_NODE_GROUP_QUOTA) });
    const p = problemFor(
      problems({ "infrasage:nodeGroups": groups(DEFAULT_MANAGED_NODE_GROUP_QUOTA + 1) }),
      "infrasage:nodeGroups",
      /Managed node groups per cluster/,
    );
    assert.match(p.fix, /Service Quotas.*infrasage:cluster\.managedNodeGroupQuota/);
    accepted({ "infrasage:nodeGroups": groups(31), "infrasage:cluster": { managedNodeGroupQuota: 31 } });
    problemFor(
      problems({ "infrasage:nodeGroups": groups(32), "infrasage:cluster": { managedNodeGroupQuota: 31 } }),
      "infrasage:nodeGroups",
      /is 31 \(cluster\.managedNodeGroupQuota\)/,
    );
  });

  it("a cluster whose groups all start at desiredSize 0 has no node, autoscaler or not", () => {
    for (const autoscaling of ["none", "cluster-autoscaler", "karpenter"]) {
      problemFor(
        problems({
          "infrasage:autoscaling": autoscaling,
          "infrasage:nodeGroups": { a: { minSize: 0, desiredSize: 0, maxSize: 3 } },
        }),
        "infrasage:nodeGroups",
        /desiredSize 0/,
      );
    }
    accepted({
      "infrasage:autoscaling": "none",
      "infrasage:nodeGroups": {
        a: { minSize: 0, desiredSize: 0, maxSize: 3 },
        b: { minSize: 1, desiredSize: 1, maxSize: 3 },
      },
    });
  });

  it("kube-proxy within the skew policy: never newer than the control plane, at most three minors older", () => {
    const kp = (version: string) => ({
      "infrasage:cluster": { version: "1.35", addons: { "kube-proxy": { version } } },
    });
    accepted(kp("v1.32.0-eksbuild.1"));
    accepted(kp("v1.35.3-eksbuild.1"));
    problemFor(
      problems(kp("v1.31.0-eksbuild.1")),
      "infrasage:cluster.addons.kube-proxy.version",
      /4 minor versions older.*skew policy/,
    );
    problemFor(
      problems(kp("v1.36.0-eksbuild.1")),
      "infrasage:cluster.addons.kube-proxy.version",
      /newer than the control plane/,
    );
    problemFor(
      problems(kp("v2.35.0-eksbuild.1")),
      "infrasage:cluster.addons.kube-proxy.version",
      /newer than the control plane/,
    );
  });

  it("one principal in adminRoleArns and the preview role: refused, the preview role never becomes admin", () => {
    const arn = "arn:aws:iam::123456789012:role/ci";
    problemFor(
      problems({ "infrasage:cluster": { adminRoleArns: [arn] }, "infrasage:deploy": { previewRoleArn: arn } }),
      "infrasage:cluster.adminRoleArns[0]",
      /preview.*cluster-admin/,
    );
    problemFor(
      problems({ "infrasage:cluster": { adminRoleArns: [arn, arn.replace("ci", "CI")] } }),
      "infrasage:cluster.adminRoleArns[1]",
      /second time/,
    );
    problemFor(
      problems({
        "infrasage:cluster": { accessEntries: [{ principalArn: arn, policy: "admin" }] },
        "infrasage:deploy": { previewRoleArn: arn.replace("ci", "Ci") },
      }),
      "infrasage:cluster.accessEntries[0]",
      /previewRoleArn.*read-only/,
    );
  });

  it('add-on configuration values of the wrong type: "False", booleans, numbers as strings', () => {
    const cni = (configurationValues: object) => ({
      "infrasage:cluster": { addons: { "vpc-cni": { configurationValues } } },
    });
    for (const v of ["False", "FALSE", "0", "no", " false", false, true, "True"]) {
      problemFor(
        problems(cni({ enableNetworkPolicy: v })),
        "infrasage:cluster.addons.vpc-cni.configurationValues.enableNetworkPolicy",
      );
    }
    accepted(cni({ enableNetworkPolicy: "true", env: { WARM_IP_TARGET: "5" } }));
    problemFor(
      problems(cni({ env: { ENABLE_PREFIX_DELEGATION: true } })),
      "infrasage:cluster.addons.vpc-cni.configurationValues.env.ENABLE_PREFIX_DELEGATION",
      /strings only.*quote it/,
    );
    problemFor(
      problems({ "infrasage:cluster": { addons: { coredns: { configurationValues: { replicaCount: "2" } } } } }),
      "infrasage:cluster.addons.coredns.configurationValues.replicaCount",
      /whole number/,
    );
  });

  it("an existing VPC's CIDR outside what AWS allows is blamed on the CIDR, not on the subnets", () => {
    const ev = (cidr: string) => ({
      "infrasage:network": {
        existingVpc: { vpcId: "vpc-0123abcd", cidr, privateSubnetIds: ["subnet-0123abcd", "subnet-0123abce"] },
      },
    });
    for (const cidr of ["10.0.0.0/8", "172.16.0.0/12", "8.8.0.0/16", "10.1.2.0/16"]) {
      const list = problems(ev(cidr));
      problemFor(list, "infrasage:network.existingVpc.cidr");
      assert.ok(!list.some((p) => /SubnetIds/.test(p.key)), JSON.stringify(list));
    }
    accepted(ev("10.30.0.0/16"));
    accepted(ev("100.64.0.0/16"));
  });

  it("instance types that cannot exist are config errors; real ones the price table lacks are not", () => {
    for (const t of ["zz9.large", "m6i.huge", "m6i", "M6i.large", "m0.large"]) assert.ok(instanceTypeProblem(t), t);
    for (const t of [
      "m6i.large",
      "c7i-flex.xlarge",
      "x2iedn.32xlarge",
      "u-6tb1.metal",
      "t4g.nano",
      "m7g.metal-48xl",
      "inf2.xlarge",
      "trn1n.32xlarge",
      "is4gen.large",
      "u7i-12tb.224xlarge",
      "u-3tb1.56xlarge",
    ])
      assert.equal(instanceTypeProblem(t), undefined, t);
    problemFor(
      problems({ "infrasage:nodeGroups": { a: { instanceTypes: ["zz9.large"] } } }),
      "infrasage:nodeGroups.a.instanceTypes",
      /no EC2 instance family/,
    );
    accepted({ "infrasage:nodeGroups": { a: { instanceTypes: ["c7i.large"] } } });
  });
});

// --- Class 5: one setting written twice -------------------------------------------------------------

describe("issue 19 class 5: a setting written twice", () => {
  const nested = { "infrasage:nodeGroups": { spot: { minSize: 1, desiredSize: 2, maxSize: 4 } } };
  it("nested and dotted, in either order: an error naming both spellings", () => {
    for (const order of [
      [nested, { "infrasage:nodeGroups.spot.desiredSize": "3" }],
      [{ "infrasage:nodeGroups.spot.desiredSize": "3" }, nested],
    ]) {
      const p = problemFor(problems(Object.assign({}, ...order)), "infrasage:nodeGroups.spot.desiredSize", /set twice/);
      assert.match(
        p.message,
        new RegExp(
          /infrasage:nodeGroups\b.*infrasage:nodeGroups\.spot\.desiredSize|/.source +
            /infrasage:nodeGroups\.spot\.desiredSize.*infrasage:nodeGroups\b/.source,
        ),
      );
    }
    // A dotted key whose value is a map (infrasage:nodeGroups.spot) cannot win silently either.
    const p = problemFor(
      problems({ ...nested, "infrasage:nodeGroups.spot": { desiredSize: 3 } }),
      "infrasage:nodeGroups.spot.desiredSize",
      /set twice/,
    );
    assert.match(p.message, /by infrasage:nodeGroups and by infrasage:nodeGroups\.spot$/);
  });
  it("a key with and without the project's namespace in one stack file: an error naming both", () => {
    const path = writeStackFile("eu-west-1", { ...BASE, network: { cidr: "10.20.0.0/16" } });
    assert.throws(
      () => readStackFile(path),
      (e: unknown) =>
        e instanceof StackFileError &&
        /sets infrasage:network twice, as "(network|infrasage:network)" and as "(infrasage:network|network)"/.test(
          e.message,
        ) &&
        e.message.startsWith(path),
    );
  });
  it("different settings in the two spellings merge", () => {
    const c = accepted({
      "infrasage:nodeGroups": { spot: { minSize: 1, maxSize: 4 } },
      "infrasage:nodeGroups.spot.desiredSize": "2",
    });
    assert.deepEqual(
      c.nodeGroups.map((g) => [g.name, g.minSize, g.desiredSize, g.maxSize]),
      [["spot", 1, 2, 4]],
    );
  });
});

// --- Class 8: hints inside named maps ---------------------------------------------------------------

describe("issue 19 class 8: a typo inside a named map suggests from that level's keys", () => {
  it("nodeGroups.<name> and cluster.addons.<name>", () => {
    assert.equal(
      problemFor(
        problems({ "infrasage:nodeGroups": { spot: { capacitytype: "SPOT" } } }),
        "infrasage:nodeGroups.spot.capacitytype",
      ).fix,
      "did you mean infrasage:nodeGroups.spot.capacityType?",
    );
    assert.equal(
      problemFor(
        problems({ "infrasage:cluster": { addons: { "vpc-cni": { verison: "v1.0.0-eksbuild.1" } } } }),
        "infrasage:cluster.addons.vpc-cni.verison",
      ).fix,
      "did you mean infrasage:cluster.addons.vpc-cni.version?",
    );
    // No close match: the keys of that level, never an empty list.
    assert.match(
      problemFor(problems({ "infrasage:nodeGroups": { spot: { zzzzzzzz: 1 } } }), "infrasage:nodeGroups.spot.zzzzzzzz")
        .fix,
      /known keys here: instanceTypes, capacityType, .*taints/,
    );
    assert.match(
      problemFor(problems({ "infrasage:cluster": { addons: { "vpc-cnii": {} } } }), "infrasage:cluster.addons.vpc-cnii")
        .fix,
      /did you mean vpc-cni\?/,
    );
  });
  it("every key of a named map, misspelt by one letter, gets that key back (property)", () => {
    const levels: [string, readonly string[]][] = [
      [
        "nodeGroups",
        [
          "instanceTypes",
          "capacityType",
          "amiType",
          "minSize",
          "maxSize",
          "desiredSize",
          "diskSize",
          "labels",
          "taints",
        ],
      ],
      ["addons", ["version", "configurationValues"]],
    ];
    fc.assert(
      fc.property(fc.constantFrom(...levels), fc.nat(), fc.nat(), ([map, keys], i, j) => {
        const key = keys[i % keys.length]!;
        const at = j % key.length;
        const typo = `${key.slice(0, at)}${key.slice(at + 1)}`; // one letter dropped
        const o =
          map === "nodeGroups"
            ? { "infrasage:nodeGroups": { g: { [typo]: 1 } } }
            : { "infrasage:cluster": { addons: { coredns: { [typo]: 1 } } } };
        const prefixKey = map === "nodeGroups" ? "infrasage:nodeGroups.g" : "infrasage:cluster.addons.coredns";
        const p = problemFor(problems(o), `${prefixKey}.${typo}`);
        assert.ok(
          p.fix.includes(`${prefixKey}.${key}`) || (p.fix.includes("known keys here: ") && p.fix.includes(key)),
          p.fix,
        );
      }),
      { numRuns: 150 },
    );
  });
});

// --- Class 9: private chart repositories -------------------------------------------------------------

describe("issue 19 class 9: private chart repositories", () => {
  const chart = { repo: "https://charts.example.com", name: "infrasage", version: "1.2.3" };
  it("username + password as a Pulumi secret; a plain-text password is refused, never echoed", () => {
    accepted({ "infrasage:chart": { ...chart, username: "bot", password: { secure: "v1:abc" } } });
    accepted({ "infrasage:chart": { ...chart, username: "bot" }, "infrasage:chart.password": "[secret]" }, [
      "infrasage:chart.password",
    ]);
    // Under the Pulumi CLI a `secure:` value inside the map arrives decrypted, and the whole key is secret.
    const run = accepted({ "infrasage:chart": { ...chart, username: "bot", password: "decrypted-value" } }, [
      "infrasage:chart",
    ]);
    assert.deepEqual(run.chart, { kind: "repo", ...chart, username: "bot", password: "decrypted-value" });
    const pw = "plain-Hunter2-password";
    const list = problems({ "infrasage:chart": { ...chart, username: "bot", password: pw } });
    const p = problemFor(
      list,
      "infrasage:chart.password",
      /plain text.*pulumi config set --secret infrasage:chart\.password/,
    );
    assert.ok(!JSON.stringify(list).includes(pw));
    assert.equal(list.filter((x) => x.key === "infrasage:chart.password").length, 1, JSON.stringify(list));
    assert.match(p.fix, /rotate/);
    problemFor(
      problems({ "infrasage:chart": { ...chart }, "infrasage:chart.password": "[secret]" }, [
        "infrasage:chart.password",
      ]),
      "infrasage:chart.username",
      /required/,
    );
    problemFor(problems({ "infrasage:chart": { ...chart, username: "bot" } }), "infrasage:chart.password", /--secret/);
    problemFor(
      problems({ "infrasage:chart": { username: "bot", password: { secure: "v1:abc" } } }),
      "infrasage:chart.password",
      /without chart\.repo/,
    );
  });
  it("the Release gets repositoryOpts username and secret password; OCI: the full chart reference", async () => {
    const https = chartArgs({ kind: "repo", ...chart, username: "bot", password: "s3cret-value" });
    assert.equal(https.chart, "infrasage");
    const opts = https.repositoryOpts as { repo: string; username: string; password: pulumi.Output<string> };
    assert.equal(opts.repo, chart.repo);
    assert.equal(opts.username, "bot");
    assert.ok(pulumi.Output.isInstance(opts.password));
    assert.equal(await (opts.password as unknown as { isSecret: Promise<boolean> }).isSecret, true);
    const oci = chartArgs({
      kind: "repo",
      repo: "oci://registry.example.com/charts/",
      name: "infrasage",
      version: "1.2.3",
      username: "bot",
      password: "x",
    });
    assert.equal(oci.chart, "oci://registry.example.com/charts/infrasage");
    assert.equal((oci.repositoryOpts as { repo?: string }).repo, undefined);
    assert.deepEqual(chartArgs({ kind: "repo", repo: "oci://r.example.com/c", name: "infrasage", version: "1.0.0" }), {
      chart: "oci://r.example.com/c/infrasage",
      version: "1.0.0",
    });
  });
});

// --- Class 10: partial totals ------------------------------------------------------------------------

describe("issue 19 class 10: a total that leaves something out says so everywhere", () => {
  it("estimate, text summary, JSON and PR comment", async () => {
    const plan = await planFile(
      writeStackFile("eu-west-1", {
        ...BASE,
        "infrasage:nodeGroups": {
          default: {},
          big: { instanceTypes: ["c7i.2xlarge"], minSize: 1, desiredSize: 3, maxSize: 3 },
        },
      }),
    );
    assert.equal(plan.cost.partial, true);
    assert.equal(plan.cost.missing.length, 1);
    assert.match(
      plan.cost.missing[0]!,
      new RegExp(
        `^3 × EC2 c7i\\.2xlarge \\(node group [^)]*big[^)]*\\): not in the price table ${PRICE_TABLE_VERSION}$`,
      ),
    );
    assert.ok(!plan.cost.items.some((i) => i.item.includes("c7i")));
    const full = estimateCost(
      plan.config,
      plan.record.resources.filter((r) => !JSON.stringify(r.inputs).includes("c7i.2xlarge")),
    );
    assert.equal(full.partial, false);
    assert.deepEqual(full.missing, []);
    const result = {
      view: "up",
      organization: "o",
      preflight: [],
      stacks: [plan, plan],
      crossStack: { violations: [], flows: [], replication: [] },
    } as unknown as Parameters<typeof planSummary>[0];
    const text = planSummary(result);
    assert.match(text, /Estimated cost: PARTIAL, at least [\d.]+ USD\/month .*leaves out 3 × EC2 c7i\.2xlarge/);
    assert.match(text, /All stacks: 2, estimated PARTIAL, at least/);
    const comment = prComment(
      [
        {
          title: "t",
          exitCode: 0,
          plan: {
            stacks: [{ stack: "eu-west-1", region: "eu-west-1", jurisdiction: "EU", violations: [], cost: plan.cost }],
            violations: [],
            flows: [],
          },
        },
      ],
      "main",
    );
    assert.match(comment, /\*\*partial\*\*: leaves out 3 × EC2 c7i\.2xlarge/);
    assert.match(comment, /Monthly cost of the plan: .*\*\*partial\*\*, at least: eu-west-1/);
    // A base whose own total was partial says so on the "before" side.
    const before = prComment(
      [
        {
          title: "t",
          exitCode: 0,
          plan: {
            stacks: [
              {
                stack: "eu-west-1",
                region: "eu-west-1",
                jurisdiction: "EU",
                violations: [],
                cost: full,
                diff: {
                  newStack: false,
                  monthlyTotalBefore: plan.cost.monthlyTotal,
                  monthlyTotalBeforePartial: true,
                  counts: {},
                  resources: [],
                },
              },
            ],
            violations: [],
            flows: [],
          },
        },
      ],
      "main",
    );
    assert.match(before, /\$[\d.]+ \(partial\) → \$[\d.]+/);
    assert.ok(!/\*\*partial\*\*: leaves out/.test(before));
    // ... which the diff takes from the base's cost.partial.
    const base = parseBasePlan(
      "b.json",
      JSON.stringify({
        stacks: [{ stack: "eu-west-1", resources: [], cost: { monthlyTotal: 10, partial: true, missing: ["x"] } }],
      }),
    );
    assert.equal(diffStack("b.json", base.stacks.get("eu-west-1"), [], []).monthlyTotalBeforePartial, true);
    const whole = parseBasePlan(
      "b.json",
      JSON.stringify({ stacks: [{ stack: "eu-west-1", resources: [], cost: { monthlyTotal: 10 } }] }),
    );
    assert.equal(diffStack("b.json", whole.stacks.get("eu-west-1"), [], []).monthlyTotalBeforePartial, undefined);
  });
});

// --- Class 12: Karpenter's trust, the program's own egress -------------------------------------------

describe("issue 19 class 12: Pod Identity trust and egress of the program's namespaces", () => {
  it("the controller role trusts one service account of one cluster in one account", async () => {
    const doc = podIdentityTrustPolicy({
      accountId: "123456789012",
      region: "eu-west-1",
      clusterName: "c1",
      namespace: "kube-system",
      serviceAccount: "karpenter",
    });
    assert.deepEqual(doc.Statement[0]!.Condition, {
      StringEquals: {
        "aws:SourceAccount": "123456789012",
        "aws:RequestTag/eks-cluster-arn": "arn:aws:eks:eu-west-1:123456789012:cluster/c1",
        "aws:RequestTag/kubernetes-namespace": "kube-system",
        "aws:RequestTag/kubernetes-service-account": "karpenter",
      },
    });
    const result = await planDir(join(ROOT, "examples", "eks-capabilities"));
    const roles = result.stacks
      .flatMap((s) => ofType(s, "aws:iam/role:Role"))
      .filter((r) => r.name.endsWith("controller-role"));
    assert.ok(roles.length > 0);
    for (const r of roles) {
      const trust = JSON.parse(String(r.inputs.assumeRolePolicy)) as {
        Statement: { Principal: { Service: string }; Condition?: { StringEquals?: Record<string, string> } }[];
      };
      assert.ok(trust.Statement.length > 0, r.name);
      for (const s of trust.Statement) {
        assert.equal(
          s.Principal.Service,
          "pods.eks.amazonaws.com",
          `${r.name}: every statement trusts only EKS Pod Identity`,
        );
        assert.deepEqual(Object.keys(s.Condition?.StringEquals ?? {}).sort(), [
          "aws:RequestTag/eks-cluster-arn",
          "aws:RequestTag/kubernetes-namespace",
          "aws:RequestTag/kubernetes-service-account",
          "aws:SourceAccount",
        ]);
      }
    }
  });

  it("egress rules: deny by default, DNS, and only what the traffic needs; no destination means no rule", () => {
    const k = keeperEgress("clickhouse-keeper", 9234, 9281);
    assert.deepEqual(
      k.map((p) => p.metadata.name),
      ["default-deny-egress", "allow-dns-egress", "allow-voters-egress"],
    );
    assert.deepEqual(k[0]!.spec, { podSelector: {}, policyTypes: ["Egress"] });
    assert.deepEqual(k[1]!.spec.egress![0]!.ports, [
      { protocol: "UDP", port: 53 },
      { protocol: "TCP", port: 53 },
    ]);
    assert.deepEqual(k[2]!.spec.egress, [
      {
        to: [{ podSelector: {} }],
        ports: [
          { protocol: "TCP", port: 9281 },
          { protocol: "TCP", port: 9234 },
        ],
      },
    ]);
    assert.deepEqual(allowEgress("x", "n", [9281], { cidrs: [] }).spec.egress, []);
    const e = externalDnsEgress("external-dns");
    assert.deepEqual(e[2]!.spec.egress, [
      { to: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ protocol: "TCP", port: 443 }] },
    ]);
  });

  it("the active-active example creates them for Keeper (with the peers) and external-dns", async () => {
    const result = await planDir(join(ROOT, "examples", "active-active"));
    let withExternalDns = 0;
    for (const s of result.stacks) {
      const policies = ofType(s, "kubernetes:networking.k8s.io/v1:NetworkPolicy").map(
        (r) =>
          r.inputs as {
            metadata: { name: string; namespace: string };
            spec: {
              policyTypes: string[];
              egress?: { to?: { ipBlock?: { cidr: string } }[]; ports: { port: number }[] }[];
            };
          },
      );
      // Every member runs Keeper; external-dns runs where the member publishes its records.
      const namespaces = [
        "clickhouse-keeper",
        ...(policies.some((p) => p.metadata.namespace === "external-dns") ? ["external-dns"] : []),
      ];
      if (namespaces.includes("external-dns")) withExternalDns++;
      for (const ns of namespaces) {
        const egress = policies.filter((p) => p.metadata.namespace === ns && p.spec.policyTypes.includes("Egress"));
        assert.ok(
          egress.some((p) => p.metadata.name === "default-deny-egress" && p.spec.egress === undefined),
          `${s.config.stack} ${ns}`,
        );
        assert.ok(
          egress.some((p) => p.metadata.name === "allow-dns-egress"),
          `${s.config.stack} ${ns}`,
        );
      }
      // Keeper reaches its peers, on the Keeper ports only, and only inside the other members' VPCs.
      const peers = policies.find((p) => p.metadata.name === "allow-replication-peers-egress");
      assert.ok(peers, `${s.config.stack}: no egress to the peers`);
      const others = result.stacks.filter((o) => o !== s).map((o) => o.config.network.cidr);
      const rules = peers.spec.egress ?? [];
      assert.ok(rules.length > 0, `${s.config.stack}: the peers' egress admits nothing`);
      for (const rule of rules) {
        assert.deepEqual(rule.ports.map((x) => x.port).sort(), [9234, 9281]);
        for (const to of rule.to ?? []) {
          const cidr = to.ipBlock?.cidr ?? "";
          assert.ok(
            others.some((vpc) => containsCidr(vpc, cidr)),
            `${s.config.stack}: egress to ${cidr}, outside the peers' VPCs ${others.join(", ")}`,
          );
        }
      }
    }
    assert.ok(withExternalDns > 0, "external-dns runs in at least one member");
  });
});
