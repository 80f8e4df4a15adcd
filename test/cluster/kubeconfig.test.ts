import { strict as assert } from "node:assert";
import { parse } from "yaml";
import { buildKubeconfig, contextNameFor, mergeKubeconfigs } from "../../lib/cluster/kubeconfig";

interface Entry {
  name: string;
  [key: string]: unknown;
}
interface Doc {
  clusters: Entry[];
  contexts: Entry[];
  users: Entry[];
  "current-context"?: string;
}

const kubeconfigFor = (region: string) =>
  buildKubeconfig({
    clusterName: `infrasage-${region}`,
    endpoint: `https://ABC.gr7.${region}.eks.amazonaws.com`,
    certificateAuthorityData: Buffer.from(`CA-${region}`).toString("base64"),
    region,
    contextName: contextNameFor(`infrasage-${region}`, region),
  });

describe("kubeconfig", () => {
  it("is YAML with one cluster, context and user, all named after the region", () => {
    const doc = parse(kubeconfigFor("eu-west-1")) as Doc;
    assert.deepEqual(
      [doc.clusters, doc.contexts, doc.users].map((l) => l.map((e) => e.name)),
      [["infrasage-eu-west-1"], ["infrasage-eu-west-1"], ["infrasage-eu-west-1"]],
    );
    assert.equal(doc["current-context"], "infrasage-eu-west-1");
    assert.deepEqual(doc.contexts[0]!.context, { cluster: "infrasage-eu-west-1", user: "infrasage-eu-west-1" });
    assert.deepEqual(doc.clusters[0]!.cluster, {
      server: "https://ABC.gr7.eu-west-1.eks.amazonaws.com",
      "certificate-authority-data": Buffer.from("CA-eu-west-1").toString("base64"),
    });
  });

  it("authenticates with `aws eks get-token` for the cluster and region, never interactively, with no token", () => {
    const text = kubeconfigFor("ap-south-1");
    const user = (parse(text) as Doc).users[0]!.user as { exec: Record<string, unknown> };
    assert.equal(user.exec.apiVersion, "client.authentication.k8s.io/v1beta1");
    assert.equal(user.exec.command, "aws");
    assert.equal(user.exec.interactiveMode, "Never");
    const args = user.exec.args as string[];
    assert.deepEqual(args.slice(0, 2), ["eks", "get-token"]);
    assert.equal(args[args.indexOf("--cluster-name") + 1], "infrasage-ap-south-1");
    assert.equal(args[args.indexOf("--region") + 1], "ap-south-1");
    assert.doesNotMatch(text, /token:|password:|client-key-data/);
  });

  it("context names carry the region even when the cluster name does not", () => {
    assert.equal(contextNameFor("infrasage-eu-west-1", "eu-west-1"), "infrasage-eu-west-1");
    assert.equal(contextNameFor("infrasage-prod", "eu-west-1"), "infrasage-prod-eu-west-1");
    assert.notEqual(contextNameFor("infrasage-prod", "eu-west-1"), contextNameFor("infrasage-prod", "ap-south-1"));
  });

  it("two regions' kubeconfigs merge into two distinct contexts", () => {
    const merged = parse(mergeKubeconfigs([kubeconfigFor("eu-west-1"), kubeconfigFor("ap-south-1")])) as Doc;
    assert.deepEqual(
      merged.contexts.map((c) => c.name),
      ["infrasage-eu-west-1", "infrasage-ap-south-1"],
    );
    assert.deepEqual(
      merged.clusters.map((c) => c.name),
      ["infrasage-eu-west-1", "infrasage-ap-south-1"],
    );
    assert.deepEqual(
      merged.users.map((c) => c.name),
      ["infrasage-eu-west-1", "infrasage-ap-south-1"],
    );
    assert.equal(merged["current-context"], "infrasage-eu-west-1");
    const ap = merged.contexts.find((c) => c.name === "infrasage-ap-south-1")!.context as {
      cluster: string;
      user: string;
    };
    assert.deepEqual(ap, { cluster: "infrasage-ap-south-1", user: "infrasage-ap-south-1" });
  });

  it("rejects duplicate names, naming every clash", () => {
    assert.throws(
      () => mergeKubeconfigs([kubeconfigFor("eu-west-1"), kubeconfigFor("eu-west-1")]),
      (e: Error) =>
        ["clusters", "contexts", "users"].every((s) => e.message.includes(`${s} name "infrasage-eu-west-1"`)),
    );
  });

  it("rejects a document that is not a kubeconfig", () => {
    assert.throws(() => mergeKubeconfigs(["- a\n- b\n"]), /kubeconfig #1/);
    assert.throws(() => mergeKubeconfigs([kubeconfigFor("eu-west-1"), "clusters: 3\n"]), /kubeconfig #2: `clusters`/);
  });
});
