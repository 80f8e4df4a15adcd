/**
 * The analyzer handshake as the CLI does it (offline/policy-runner.ts configureAnalyzer): ConfigureStack
 * with config, secret keys and stack tags, then GetAnalyzerInfo, then Configure, then Analyze and
 * AnalyzeStack; stack tags as each backend sends them (offline/stack-tags.ts); and a jurisdiction tag
 * a pull request sets through `pulumi:tags` does not change the verdict.
 */
import { strict as assert } from "node:assert";
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { parse } from "yaml";
import type { PolicyAnalyzer } from "../../offline/analyzer";
import { evaluateRun } from "../../offline/policy-runner";
import { backendKindOf, readProjectTags, stackTags, StackTagsError } from "../../offline/stack-tags";
import { sharedAnalyzer } from "../support/analyzer";
import { recorded } from "../support/recorded";
import { planFiles, ROOT, runCli, writeStackFile } from "../support/plan";

interface ProtoRequest {
  getUrn(): string;
  getProperties(): { serializeBinary(): Uint8Array; toJavaScript(): Record<string, unknown> };
  serializeBinary(): Uint8Array;
}
const analyzerPb = require("@pulumi/pulumi/proto/analyzer_pb") as {
  AnalyzeRequest: { deserializeBinary(bytes: Uint8Array): ProtoRequest };
};
const { Struct } = createRequire(require.resolve("@pulumi/pulumi/proto/analyzer_pb"))(
  "google-protobuf/google/protobuf/struct_pb",
) as { Struct: { fromJavaScript(o: object): { serializeBinary(): Uint8Array } } };

interface Call {
  readonly rpc: string;
  readonly req: Record<string, (() => unknown) | undefined>;
}

/** Records every RPC the real generated client sends (the pack still answers them). */
async function spying<T>(fn: (analyzer: PolicyAnalyzer) => Promise<T>): Promise<{ result: T; calls: Call[] }> {
  const analyzer = await sharedAnalyzer();
  const client = (analyzer as unknown as { client: Record<string, (...args: unknown[]) => unknown> }).client;
  const rpcs = ["getAnalyzerInfo", "configure", "configureStack", "analyze", "analyzeStack"];
  const originals = new Map(rpcs.map((r) => [r, client[r]!]));
  const calls: Call[] = [];
  for (const rpc of rpcs) {
    client[rpc] = function (this: unknown, req: unknown, ...rest: unknown[]) {
      calls.push({ rpc, req: req as Call["req"] });
      return originals.get(rpc)!.call(client, req, ...rest);
    };
  }
  // A call made by path (`/pulumirpc.Analyzer/GetAnalyzerInfo`) rather than through a generated method.
  const byPath = client.makeUnaryRequest!;
  client.makeUnaryRequest = function (this: unknown, path: unknown, ...rest: unknown[]) {
    const name = String(path).split("/").pop()!;
    calls.push({ rpc: name[0]!.toLowerCase() + name.slice(1), req: rest[2] as Call["req"] });
    return byPath.call(client, path, ...rest);
  };
  try {
    return { result: await fn(analyzer), calls };
  } finally {
    for (const [rpc, f] of originals) client[rpc] = f;
    client.makeUnaryRequest = byPath;
  }
}

const rec = (type: string, name: string, inputs: Record<string, unknown>, provider?: string) =>
  recorded(type, name, inputs, provider ? { provider } : {});

let freshRecords = 0;
/** A record no other test analysed (the pack's answers are kept per session and request). */
function fresh() {
  // Both resources unlike any other test's: a test file run before this one in the same process may
  // have analysed the plain provider in the same session.
  const n = `${process.pid}-${freshRecords++}`;
  const provider = rec("pulumi:providers:aws", "aws", { region: "eu-west-1", profile: `fresh-${n}` });
  return {
    stack: "eu-west-1",
    preview: false,
    resources: [provider, rec("aws:ec2/vpc:Vpc", `vpc-${n}`, { cidrBlock: "10.10.0.0/16" }, provider.urn)],
    outputs: {},
  };
}

describe("the analyzer handshake, as the Pulumi CLI does it", () => {
  it(
    "sends ConfigureStack (stack, config, secret keys, tags) first, then " +
      "GetAnalyzerInfo, then Configure, then Analyze per resource and AnalyzeStack",
    async () => {
      const record = fresh();
      const { calls } = await spying((a) =>
        evaluateRun(a, record, {
          project: "infrasage",
          organization: "organization",
          config: { "aws:region": "eu-west-1", "infrasage:apiKey": "[secret]" },
          secretKeys: ["infrasage:apiKey"],
          tags: { "infrasage:jurisdiction": "EU" },
        }),
      );
      assert.deepEqual(
        calls.map((c) => c.rpc),
        ["configureStack", "getAnalyzerInfo", "configure", "analyze", "analyze", "analyzeStack"],
      );
      const req = calls[0]!.req as unknown as {
        getStack(): string;
        getProject(): string;
        getOrganization(): string;
        getDryRun(): boolean;
        getTagsMap(): { toObject(): [string, string][] };
        getConfigMap(): { toObject(): [string, string][] };
        getConfigSecretKeysList(): string[];
      };
      assert.deepEqual(
        {
          stack: req.getStack(),
          project: req.getProject(),
          organization: req.getOrganization(),
          dryRun: req.getDryRun(),
        },
        { stack: "eu-west-1", project: "infrasage", organization: "organization", dryRun: false },
      );
      assert.deepEqual(Object.fromEntries(req.getTagsMap().toObject()), { "infrasage:jurisdiction": "EU" });
      assert.deepEqual(Object.fromEntries(req.getConfigMap().toObject()), {
        "aws:region": "eu-west-1",
        "infrasage:apiKey": "[secret]",
      });
      assert.deepEqual(req.getConfigSecretKeysList(), ["infrasage:apiKey"]);
    },
  );
});

describe("the pack's answers, kept per session and request (offline/analyzer.ts)", () => {
  const target = { project: "infrasage", organization: "organization", config: { "aws:region": "eu-west-1" } };

  it("sends a request it answered in the same session once; every call of the session still goes", async () => {
    const record = fresh();
    const first = await spying((a) => evaluateRun(a, record, target));
    const again = await spying((a) => evaluateRun(a, record, target));
    assert.deepEqual(
      first.calls.map((c) => c.rpc),
      ["configureStack", "getAnalyzerInfo", "configure", "analyze", "analyze", "analyzeStack"],
    );
    assert.deepEqual(
      again.calls.map((c) => c.rpc),
      ["configureStack", "getAnalyzerInfo", "configure"],
    );
    assert.deepEqual(again.result, first.result);
  });

  for (const [what, other] of [
    ["other config", { ...target, config: { ...target.config, "infrasage:tenantId": "x" } }],
    ["other stack tags", { ...target, tags: { "infrasage:jurisdiction": "EU" } }],
  ] as const) {
    it(`asks again in a session with ${what}`, async () => {
      const record = fresh();
      await spying((a) => evaluateRun(a, record, target));
      const { calls } = await spying((a) => evaluateRun(a, record, other));
      assert.deepEqual(
        calls.map((c) => c.rpc).filter((r) => r.startsWith("analyze")),
        ["analyze", "analyze", "analyzeStack"],
      );
    });
  }

  it("sends a resource's properties encoded once, as the bytes a fresh Struct has", async () => {
    const record = fresh();
    const vpc = record.resources[1]!;
    const sent = async (t: Parameters<typeof evaluateRun>[2]) => {
      const { calls } = await spying((a) => evaluateRun(a, record, t));
      const request = calls.filter((c) => c.rpc === "analyze").map((c) => c.req as unknown as ProtoRequest);
      return request.find((r) => r.getUrn() === vpc.urn)!;
    };
    const first = await sent(target);
    const again = await sent({ ...target, config: { ...target.config, "infrasage:tenantId": "y" } });
    const expected = Struct.fromJavaScript(vpc.wire.inputs).serializeBinary();
    for (const req of [first, again]) {
      assert.deepEqual(req.getProperties().serializeBinary(), expected);
      const read = analyzerPb.AnalyzeRequest.deserializeBinary(req.serializeBinary());
      assert.deepEqual(read.getProperties().toJavaScript(), vpc.wire.inputs);
      assert.equal(read.getUrn(), vpc.urn);
    }
  });

  it("asks again under other policy config, and for a resource whose inputs changed", async () => {
    const record = fresh();
    await spying((a) => evaluateRun(a, record, target));
    const advisory = await spying((a) => evaluateRun(a, record, target, { all: "advisory" }));
    assert.equal(advisory.calls.filter((c) => c.rpc === "analyze").length, 2);
    const [provider, vpc] = record.resources;
    const changed = {
      ...record,
      resources: [provider!, rec(vpc!.type, vpc!.name, { cidrBlock: "10.11.0.0/16" }, provider!.urn)],
    };
    const { calls } = await spying((a) => evaluateRun(a, changed, target));
    assert.deepEqual(
      calls.map((c) => c.rpc).filter((r) => r.startsWith("analyze")),
      ["analyze", "analyzeStack"],
      "the provider's request is the same; the VPC's and the stack's are not",
    );
  });
});

describe("GetAnalyzerInfo, asked every session, decoded once per answer (offline/analyzer.ts)", () => {
  it("the same bytes give the same frozen info; other bytes are decoded afresh", async () => {
    const analyzer = await sharedAnalyzer();
    const first = await analyzer.getAnalyzerInfo();
    const again = await spying((a) => a.getAnalyzerInfo());
    assert.deepEqual(
      again.calls.map((c) => c.rpc),
      ["getAnalyzerInfo"],
      "the call still goes to the pack",
    );
    assert.equal(again.result, first);
    assert.ok(Object.isFrozen(first) && Object.isFrozen(first.policies) && first.policies.every(Object.isFrozen));
    const schemas = first.policies.flatMap((p) => (p.configSchema ? [p.configSchema] : []));
    assert.ok(schemas.length > 0);
    assert.ok(schemas.every((c) => [c, c.properties, c.required].every(Object.isFrozen)));
    assert.deepEqual(first, analyzer.info, "what the pack said when it started");
    const memo = analyzer as unknown as { lastInfo: { bytes: Buffer; info: unknown } };
    memo.lastInfo = { bytes: Buffer.from("another pack's answer"), info: { name: "stale", policies: [] } };
    const afresh = await analyzer.getAnalyzerInfo();
    assert.notEqual(afresh, first);
    assert.deepEqual(afresh, first);
  });
});

describe("stack tags as each backend sends them", () => {
  const project = {
    file: "Pulumi.yaml",
    name: "infrasage",
    runtime: "nodejs",
    description: "d",
    configTags: { team: "sre", "infrasage:jurisdiction": "IN" },
  };
  const file = (config: Record<string, string> = {}) => ({ path: "Pulumi.x.yaml", config });
  it("per-jurisdiction state is a self-managed backend: only the stored tags", () => {
    assert.equal(backendKindOf({ stateBackend: "per-jurisdiction" }), "diy");
    assert.equal(
      backendKindOf({ stateBackend: "self-managed" }),
      "diy",
      "one self-managed bucket for every stack is a DIY backend too",
    );
    assert.deepEqual(
      stackTags(
        "diy",
        { "infrasage:jurisdiction": "EU" },
        project,
        file({ "pulumi:tags": JSON.stringify({ x: "y" }) }),
      ),
      { "infrasage:jurisdiction": "EU" },
    );
  });
  it(
    "shared state is modelled as Pulumi Cloud: stored tags, then " +
      "pulumi:project/runtime/description and pulumi:tags config, which wins",
    () => {
      assert.equal(backendKindOf({ stateBackend: "shared" }), "cloud");
      assert.deepEqual(stackTags("cloud", { "infrasage:jurisdiction": "EU", owner: "ops" }, project, file()), {
        "infrasage:jurisdiction": "IN",
        owner: "ops",
        team: "sre",
        "pulumi:project": "infrasage",
        "pulumi:runtime": "nodejs",
        "pulumi:description": "d",
      });
      // The stack file's pulumi:tags replaces the project's value of that key.
      assert.deepEqual(
        stackTags("cloud", {}, project, file({ "pulumi:tags": JSON.stringify({ team: "data" }) })).team,
        "data",
      );
      assert.throws(() => stackTags("cloud", {}, { ...project, configTags: { n: 1 } }, file()), StackTagsError);
    },
  );
  it("reads pulumi:tags from the Pulumi.yaml the stack runs with (value form)", () => {
    const path = writeStackFile("eu-west-1", {});
    writeFileSync(
      join(dirname(path), "Pulumi.yaml"),
      `name: infrasage\nruntime:\n  name: nodejs\nmain: ${ROOT}\nconfig:\n` +
        `  pulumi:tags:\n    value:\n      infrasage:jurisdiction: IN\n`,
    );
    assert.deepEqual(readProjectTags(path), {
      file: join(dirname(path), "Pulumi.yaml"),
      name: "infrasage",
      runtime: "nodejs",
      configTags: { "infrasage:jurisdiction": "IN" },
    });
  });
});

describe("a pull request that sets the jurisdiction tag in pulumi:tags does not change the verdict", () => {
  const shipped = (stack: string) =>
    (parse(readFileSync(join(ROOT, `Pulumi.${stack}.yaml`), "utf8")) as { config: Record<string, unknown> }).config;
  const IDENTITY = ["resource-home-matches-stack-identity", "stack-identity-matches-home-region"];
  /** Plans one stack file in a project whose Pulumi.yaml may carry `pulumi:tags` (the pull request's edit). */
  async function verdict(
    stack: string,
    config: Record<string, unknown>,
    prTags: Record<string, string> | undefined,
    stored: Record<string, string> = {},
  ) {
    const path = writeStackFile(stack, config);
    if (prTags) {
      const tags = Object.entries(prTags)
        .map(([k, v]) => `      ${k}: ${v}\n`)
        .join("");
      writeFileSync(
        join(dirname(path), "Pulumi.yaml"),
        `name: infrasage\nruntime: nodejs\nmain: ${ROOT}\nconfig:\n  pulumi:tags:\n    value:\n${tags}`,
      );
    }
    const [plan] = (await planFiles([path], { storedTags: { [stack]: stored } })).stacks;
    return {
      identity: plan!.violations.filter((v) => IDENTITY.includes(v.policy)).map((v) => `${v.policy}: ${v.message}`),
      tags: plan!.stackTags,
    };
  }

  it("Pulumi Cloud: a good stack stays good although the pack now gets the PR's tag", async () => {
    // The shipped stacks keep state per jurisdiction (the bootstrap's backends): this case is Pulumi Cloud's.
    const cloud = { ...shipped("eu-west-1"), "infrasage:stateBackend": "shared" };
    const base = await verdict("eu-west-1", cloud, undefined);
    const pr = await verdict("eu-west-1", cloud, { "infrasage:jurisdiction": "IN" });
    assert.equal(pr.tags["infrasage:jurisdiction"], "IN", "Pulumi Cloud sends the PR's tag");
    assert.deepEqual(base.identity, []);
    assert.deepEqual(pr.identity, base.identity);
  });

  it(
    "a self-managed backend: a bad stack (stored tag EU, deployed " +
      "to India) stays bad; the PR's tag never reaches the pack",
    async () => {
      const prod = {
        ...shipped("ap-south-1"),
        "infrasage:jurisdiction": "IN",
        "infrasage:stateBackend": "per-jurisdiction",
      };
      const base = await verdict("prod", prod, undefined, { "infrasage:jurisdiction": "EU" });
      const pr = await verdict("prod", prod, { "infrasage:jurisdiction": "IN" }, { "infrasage:jurisdiction": "EU" });
      assert.deepEqual(pr.tags, { "infrasage:jurisdiction": "EU" });
      assert.ok(
        base.identity.some((m) =>
          /resource-home-matches-stack-identity: [\s\S]*tagged infrasage:jurisdiction=EU/.test(m),
        ),
        base.identity.join("\n"),
      );
      assert.ok(
        base.identity.some((m) =>
          /stack-identity-matches-home-region: [\s\S]*tagged infrasage:jurisdiction=EU/.test(m),
        ),
      );
      assert.deepEqual(pr.identity, base.identity);
    },
  );

  it("--stack-tags gives the plan the stored tags (a bad file exits 2 naming the option)", async () => {
    const path = writeStackFile("prod", {
      ...shipped("ap-south-1"),
      "infrasage:jurisdiction": "IN",
      "infrasage:stateBackend": "per-jurisdiction",
    });
    const tags = join(dirname(path), "tags.json");
    writeFileSync(tags, JSON.stringify({ prod: { "infrasage:jurisdiction": "EU" } }));
    const run = await runCli(["--config-file", path, "--stack-tags", tags, "--json"]);
    assert.equal(run.code, 1, run.stderr);
    const doc = JSON.parse(run.stdout) as { stacks: { stackTags: object; violations: { policy: string }[] }[] };
    assert.deepEqual(doc.stacks[0]!.stackTags, { "infrasage:jurisdiction": "EU" });
    assert.ok(doc.stacks[0]!.violations.some((v) => v.policy === "stack-identity-matches-home-region"));
    writeFileSync(tags, JSON.stringify({ prod: { "infrasage:jurisdiction": 1 } }));
    const bad = await runCli(["--config-file", path, "--stack-tags", tags]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--stack-tags .*tags\.json: must be/);
    // A key naming no planned stack would tag nothing: refused, naming the key and the planned stacks.
    writeFileSync(tags, JSON.stringify({ prd: { "infrasage:jurisdiction": "IN" } }));
    const stray = await runCli(["--config-file", path, "--stack-tags", tags]);
    assert.equal(stray.code, 2);
    assert.match(stray.stderr, /tags\.json: names 'prd', which this run does not plan \(it plans prod\)/);
    // A missing file is named once.
    const missing = await runCli(["--config-file", path, "--stack-tags", join(dirname(path), "none.json")]);
    assert.equal(missing.code, 2);
    assert.equal(missing.stderr.split("none.json").length - 1, 1, missing.stderr);
    assert.match(missing.stderr, /--stack-tags .*none\.json: does not exist/);
  });
});
