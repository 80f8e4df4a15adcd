/** Upgrades: nodes and add-ons follow cluster.version in order; one minor at a time, never down. */
import assert from "node:assert/strict";
import { versionSkewProblems } from "../../lib/cluster/upgrade-plan";
import { dirname, join } from "node:path";
import { writeFileSync } from "node:fs";
import { planFile, runCli, writeStackFile, ofType } from "../support/plan";

const base = {
  "aws:region": "eu-west-1",
  "infrasage:tenantId": "acme-eu",
  "infrasage:network": { cidr: "10.10.0.0/16" },
};
const deployedAt = (version: string) => ({
  "eu-west-1": { clusterName: "infrasage-eu-west-1", clusterVersion: version },
});

describe("upgrades: version skew", () => {
  it("allows staying and one minor up; refuses a jump and a downgrade with the step to take", () => {
    assert.deepEqual(versionSkewProblems(undefined, "1.35"), []);
    assert.deepEqual(versionSkewProblems("1.35", "1.35"), []);
    assert.deepEqual(versionSkewProblems("1.34", "1.35"), []);
    const [jump] = versionSkewProblems("1.33", "1.35");
    assert.equal(jump!.key, "infrasage:cluster.version");
    assert.match(jump!.message, /jumps from 1\.33 to 1\.35: EKS upgrades a control plane one minor version at a time/);
    assert.match(jump!.fix, /^set 1\.34, run pulumi up/);
    const [down] = versionSkewProblems("1.35", "1.34");
    assert.match(down!.message, /cannot downgrade.*nodes at 1\.35 would be newer than an API server at 1\.34/);
  });
});

describe("upgrades: the planned stack", function () {
  this.timeout(180000);

  it("refuses before anything is planned when the running cluster is two minors behind", async () => {
    const path = writeStackFile("eu-west-1", { ...base, "infrasage:cluster": { version: "1.35" } });
    await assert.rejects(
      planFile(path, { previous: deployedAt("1.33") }),
      /infrasage:cluster\.version: jumps from 1\.33 to 1\.35.*Fix: set 1\.34/s,
    );
    await assert.rejects(planFile(path, { previous: deployedAt("1.36") }), /cannot downgrade/);
  });

  it("the CLI takes the last deployment's --json as previous outputs and exits 2 on a jump", async () => {
    const path = writeStackFile("eu-west-1", { ...base, "infrasage:cluster": { version: "1.35" } });
    const previous = join(dirname(path), "deployed.json");
    writeFileSync(
      previous,
      JSON.stringify({ stacks: [{ stack: "eu-west-1", outputs: deployedAt("1.33")["eu-west-1"] }] }),
    );
    const r = await runCli(["--config-file", path, "--previous", previous]);
    assert.equal(r.code, 2, r.stdout);
    assert.match(r.stderr, /infrasage:cluster\.version: jumps from 1\.33 to 1\.35/);
    assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
    const ok = await runCli(["--config-file", path, "--previous", previous.replace("deployed", "missing")]);
    assert.equal(ok.code, 2);
    assert.match(ok.stderr, /--previous .*missing\.json/);
  });

  it(
    "moves one minor: control plane first, then vpc-cni and kube-proxy, " +
      "then the nodes at the control plane's version, then coredns and EBS CSI",
    async () => {
      const plan = await planFile(writeStackFile("eu-west-1", { ...base, "infrasage:cluster": { version: "1.35" } }), {
        previous: deployedAt("1.34"),
      });
      const cluster = ofType(plan, "aws:eks/cluster:Cluster")[0]!;
      assert.equal(cluster.rawInputs.version, "1.35");
      const addon = (n: string) => ofType(plan, "aws:eks/addon:Addon").find((a) => a.rawInputs.addonName === n)!;
      for (const ng of ofType(plan, "aws:eks/nodeGroup:NodeGroup")) {
        assert.equal(ng.rawInputs.version, "1.35", "nodes follow the control plane");
        assert.ok(ng.dependencies.includes(cluster.urn), "after the control plane");
        for (const a of ["vpc-cni", "kube-proxy"]) assert.ok(ng.dependencies.includes(addon(a).urn), `after ${a}`);
        for (const a of ["coredns", "aws-ebs-csi-driver"])
          assert.ok(addon(a).dependencies.includes(ng.urn), `${a} after the nodes`);
      }
      for (const a of ["vpc-cni", "kube-proxy", "coredns", "aws-ebs-csi-driver"])
        assert.ok(addon(a).dependencies.includes(cluster.urn), `${a} after the control plane`);
      assert.equal(plan.record.outputs.clusterVersion?.value, "1.35");
    },
  );

  it("Karpenter's nodes follow too: the node class's AMI alias resolves per control-plane version", async () => {
    const plan = await planFile(writeStackFile("eu-west-1", { ...base, "infrasage:autoscaling": "karpenter" }), {
      previous: deployedAt("1.34"),
    });
    const nodeClass = ofType(plan, "kubernetes:karpenter.k8s.aws/v1:EC2NodeClass")[0]!;
    assert.deepEqual((nodeClass.rawInputs.spec as { amiSelectorTerms: unknown }).amiSelectorTerms, [
      { alias: "al2023@latest" },
    ]);
  });
});

describe("upgrades: add-ons are never taken back to an older build", function () {
  this.timeout(180000);
  const running = (addonVersions: Record<string, string>) => ({
    "eu-west-1": { ...deployedAt("1.35")["eu-west-1"], addonVersions },
  });
  const addonVersion = (plan: Awaited<ReturnType<typeof planFile>>, n: string) =>
    ofType(plan, "aws:eks/addon:Addon").find((a) => a.rawInputs.addonName === n)!.rawInputs.addonVersion;

  it("keeps a running build newer than the table's pin, and takes the pin when it is newer", async () => {
    const path = writeStackFile("eu-west-1", { ...base, "infrasage:cluster": { version: "1.35" } });
    const pin = String(addonVersion(await planFile(path), "kube-proxy"));
    assert.match(pin, /^v1\.35\.\d+-eksbuild\.\d+$/);
    const build = Number(/eksbuild\.(\d+)$/.exec(pin)![1]);
    const newer = pin.replace(/eksbuild\.\d+$/, `eksbuild.${build + 8}`);
    assert.equal(
      addonVersion(await planFile(path, { previous: running({ "kube-proxy": newer }) }), "kube-proxy"),
      newer,
      "EKS would refuse the downgrade",
    );
    const older = pin.replace(/eksbuild\.\d+$/, `eksbuild.${Math.max(0, build - 1)}`);
    assert.equal(addonVersion(await planFile(path, { previous: running({ "kube-proxy": older }) }), "kube-proxy"), pin);
    // The output the next deployment compares with records what was planned.
    const plan = await planFile(path, { previous: running({ "kube-proxy": newer }) });
    assert.equal((plan.record.outputs.addonVersions!.value as Record<string, string>)["kube-proxy"], newer);
  });

  it("keeps Karpenter's Pod Identity agent at a running build too and records it for the next deployment", async () => {
    const path = writeStackFile("eu-west-1", {
      ...base,
      "infrasage:autoscaling": "karpenter",
      "infrasage:cluster": { version: "1.35" },
    });
    const agent = (plan: Awaited<ReturnType<typeof planFile>>) =>
      ofType(plan, "aws:eks/addon:Addon").find((a) => a.rawInputs.addonName === "eks-pod-identity-agent")!.rawInputs
        .addonVersion;
    const fresh = String(agent(await planFile(path)));
    const newer = fresh.replace(/eksbuild\.(\d+)$/, (_, n: string) => `eksbuild.${Number(n) + 5}`);
    assert.notEqual(newer, fresh);
    const plan = await planFile(path, { previous: running({ "eks-pod-identity-agent": newer }) });
    assert.equal(agent(plan), newer);
    assert.equal((plan.record.outputs.addonVersions!.value as Record<string, string>)["eks-pod-identity-agent"], newer);
  });

  it("refuses a cluster.addons version older than the running one before anything is planned", async () => {
    const path = writeStackFile("eu-west-1", {
      ...base,
      "infrasage:cluster": { version: "1.35", addons: { coredns: { version: "v1.14.3-eksbuild.1" } } },
    });
    await assert.rejects(
      planFile(path, { previous: running({ coredns: "v1.14.3-eksbuild.9" }) }),
      new RegExp(
        /infrasage:cluster\.addons\.coredns\.version: v1\.14\.3-eksbuild\.1 is older /.source +
          /than the v1\.14\.3-eksbuild\.9 the cluster runs; this program never takes an /.source +
          /add-on back to an older build \(EKS could.*Fix: set v1\.14\.3-eksbuild\.9 or newer/.source,
      ),
    );
  });
});
