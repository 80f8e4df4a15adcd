/**
 * policies/decode-once.ts: the pack's server decodes each resource's properties once for all its
 * rules, and builds its analyzer info once, with the same answers. Checked with the pack's own copy
 * of @pulumi/policy's handlers, as the pack's process runs them.
 */
import { strict as assert } from "node:assert";
import { createRequire } from "node:module";
import { join } from "node:path";
import { decodeOnce, decodingOnce, lastAnswer } from "../../policies/decode-once";
import { ALL_POLICIES } from "../../policies/rules/all";
import { ROOT } from "../support/plan";

// The repository's copy of @pulumi/policy, the same version as the pack's own (checked below), whose
// @pulumi/pulumi the tests have loaded already (the pack's copy would load a second SDK).
const packRequire = createRequire(join(ROOT, "package.json"));
type Rpc = (call: { request: unknown }, cb: (e: unknown, r: Response) => void) => Promise<void>;
interface Response {
  getDiagnosticsList(): { getPolicyname(): string; getMessage(): string }[];
  serializeBinary(): Uint8Array;
}
const server = packRequire("@pulumi/policy/server") as {
  makeAnalyzeRpcFun(name: string, version: string, level: string, policies: unknown): Rpc;
  makeAnalyzeStackRpcFun(name: string, version: string, level: string, policies: unknown): Rpc;
};
const protoutil = packRequire("@pulumi/policy/protoutil") as {
  makeAnalyzerInfo(...args: unknown[]): Response;
};
const pbPath = packRequire.resolve("@pulumi/pulumi/proto/analyzer_pb");
// biome-ignore lint/suspicious/noExplicitAny: generated protobuf classes
const pb = packRequire(pbPath) as Record<string, new () => any>;
const structPb = createRequire(pbPath)("google-protobuf/google/protobuf/struct_pb") as {
  Struct: { fromJavaScript(o: object): { toJavaScript(): object } };
};

/** A Struct that counts its decodes. */
function counted(props: object) {
  const struct = structPb.Struct.fromJavaScript(props);
  const decode = struct.toJavaScript.bind(struct);
  const count = { n: 0 };
  struct.toJavaScript = () => {
    count.n++;
    return decode();
  };
  return { struct, count };
}

const URN = "urn:pulumi:eu-west-1::infrasage::aws:eks/cluster:Cluster::cluster";
/** An EKS cluster with a public endpoint and no secrets encryption (several rules report it). */
const CLUSTER = { name: "c", vpcConfig: { endpointPublicAccess: true, publicAccessCidrs: ["0.0.0.0/0"] } };

function resource(Type: string, props: object) {
  const r = new pb[Type]!();
  r.setType("aws:eks/cluster:Cluster");
  r.setName("cluster");
  r.setUrn(URN);
  const { struct, count } = counted(props);
  r.setProperties(struct);
  r.setOptions(new pb.AnalyzerResourceOptions!());
  const provider = new pb.AnalyzerProviderResource!();
  provider.setType("pulumi:providers:aws");
  provider.setName("aws");
  provider.setUrn("urn:pulumi:eu-west-1::infrasage::pulumi:providers:aws::aws");
  const p = counted({ region: "eu-west-1" });
  provider.setProperties(p.struct);
  r.setProvider(provider);
  return { r, count, providerCount: p.count };
}

const answer = (rpc: Rpc, request: unknown) =>
  new Promise<Response>((ok, fail) => rpc({ request }, (e, r) => (e ? fail(e) : ok(r))));

/** Analyze and AnalyzeStack of one cluster by the pack's handlers: decodes and diagnostics. */
async function analyse() {
  const one = resource("AnalyzeRequest", CLUSTER);
  const analyze = await answer(server.makeAnalyzeRpcFun("infrasage", "0.0.0", "mandatory", ALL_POLICIES), one.r);
  const stack = resource("AnalyzerResource", CLUSTER);
  const req = new pb.AnalyzeStackRequest!();
  req.setResourcesList([stack.r]);
  const analyzeStack = await answer(
    server.makeAnalyzeStackRpcFun("infrasage", "0.0.0", "mandatory", ALL_POLICIES),
    req,
  );
  return {
    decodes: [one.count.n, one.providerCount.n, stack.count.n, stack.providerCount.n],
    bytes: [analyze.serializeBinary(), analyzeStack.serializeBinary()],
    policies: analyze.getDiagnosticsList().map((d) => d.getPolicyname()),
  };
}

describe("the pack's server decodes each answer once (policies/decode-once.ts)", () => {
  it("is checked on the @pulumi/policy and @pulumi/pulumi versions the pack runs with", () => {
    const version = (from: string, pkg: string) =>
      (createRequire(join(ROOT, from, "package.json"))(`${pkg}/package.json`) as { version: string }).version;
    for (const pkg of ["@pulumi/policy", "@pulumi/pulumi"])
      assert.equal(version(".", pkg), version("policies", pkg), pkg);
  });

  it("decodes a Struct once however many times it is deserialized, each caller getting its own copy", () => {
    const seen: object[] = [];
    const deserialize = decodingOnce((s, proxySecrets) => {
      const js = s.toJavaScript();
      seen.push(js);
      return { ...js, proxySecrets };
    });
    const a = counted({ x: 1 });
    const b = counted({ y: 2 });
    const first = deserialize(a.struct as never, false);
    const again = deserialize(a.struct as never, true);
    deserialize(b.struct as never, false);
    assert.deepEqual([a.count.n, b.count.n], [1, 1]);
    assert.notEqual(first, again);
    assert.deepEqual(first, { x: 1, proxySecrets: false });
    assert.deepEqual(again, { x: 1, proxySecrets: true });
    assert.equal(seen[0], seen[1], "the decoded JSON is the one decode");
  });

  it("remembers the last answer for the same arguments only", () => {
    let made = 0;
    const make = lastAnswer((a: object, b: string) => ({ a, b, made: ++made }));
    const args = { policies: [] };
    assert.equal(make(args, "x"), make(args, "x"));
    assert.notEqual(make(args, "y"), make(args, "x"));
    assert.notEqual(make({ policies: [] }, "x"), make(args, "x"));
  });

  it("the pack's handlers decode a resource and its provider once for all rules, with the same answers", async () => {
    const before = await analyse();
    const restore = decodeOnce(packRequire);
    let after: Awaited<ReturnType<typeof analyse>>;
    try {
      after = await analyse();
    } finally {
      restore();
    }
    assert.ok(
      before.decodes.every((n) => n > 3),
      `decoded for each rule before: ${before.decodes}`,
    );
    assert.deepEqual(after.decodes, [1, 1, 1, 1]);
    assert.ok(before.policies.length >= 2, before.policies.join());
    assert.deepEqual(after.bytes, before.bytes);
  });

  it("builds and encodes the analyzer info once for the same arguments, the same bytes", () => {
    const args = ["infrasage", "0.0.0", "mandatory", { policies: ALL_POLICIES }, {}];
    const plain = protoutil.makeAnalyzerInfo(...args).serializeBinary();
    const restore = decodeOnce(packRequire);
    try {
      const first = protoutil.makeAnalyzerInfo(...args);
      assert.equal(protoutil.makeAnalyzerInfo(...args), first);
      assert.deepEqual(first.serializeBinary(), plain);
      assert.equal(first.serializeBinary(), first.serializeBinary(), "encoded once");
    } finally {
      restore();
    }
    assert.notEqual(protoutil.makeAnalyzerInfo(...args), protoutil.makeAnalyzerInfo(...args), "restored");
  });

  it("the pack's entry point applies it before it serves", () => {
    const index = require("node:fs").readFileSync(join(ROOT, "policies", "index.ts"), "utf8") as string;
    assert.ok(index.indexOf("decodeOnce();") > 0 && index.indexOf("decodeOnce();") < index.indexOf("new PolicyPack("));
  });
});
