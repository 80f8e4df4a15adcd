/**
 * offline/remembered.ts: a run answered from memory is the run the program would make (same fixed
 * inputs, same answers to every read), and anything else runs; a group's plan is the same with every
 * run run. Also the SDK debugging aids run-program.ts switches off during a run.
 */
import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { createRequire, getSourceMapsSupport } from "node:module";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { evaluateRemembered, memory, runCounts, runRemembered, type SharedStore } from "../../offline/remembered";
import { runProgram, type RunOptions } from "../../offline/run-program";
import { planAll, type PlanResult } from "../../offline/plan";
import { listStackFiles } from "../../offline/stack-file";
import { sharedAnalyzer } from "../support/analyzer";
import { planDir, planShipped, ROOT } from "../support/plan";

const BASE: RunOptions = { project: "infrasage", stack: "eu-west-1", region: "eu-west-1", config: {} };

/** A program that reads what a stack can read (a StackReference, its last deployment, what others published). */
function reader(calls: { n: number }) {
  return () => {
    calls.n++;
    const ref = new pulumi.StackReference("peer", { name: "acme/infrasage/eu-central-1" });
    const clusters = aws.eks.getClustersOutput({});
    const published = aws.ssm.getParametersByPathOutput({ path: "/infrasage/" });
    const vpc = new aws.ec2.Vpc("vpc", { cidrBlock: "10.10.0.0/16" });
    return { peer: ref.getOutput("cidr"), clusters: clusters.names, published: published.names, vpc: vpc.cidrBlock };
  };
}

/** A world whose answers a test changes between runs. */
function world() {
  const state = {
    peer: undefined as Record<string, unknown> | undefined,
    previous: undefined as Record<string, unknown> | undefined,
    parameters: new Map<string, string>(),
  };
  const opts = (): RunOptions => ({
    ...BASE,
    resolveStackReference: () => state.peer,
    deployedOutputs: () => state.previous,
    published: { parameters: state.parameters, secrets: new Map() },
  });
  return { state, opts };
}

const counted = async <T>(fn: () => Promise<T>) => {
  const before = { ...runCounts };
  const result = await fn();
  return { result, ran: runCounts.ran - before.ran, remembered: runCounts.remembered - before.remembered };
};

describe("runs remembered (offline/remembered.ts)", () => {
  it("answers the same run from memory: the same record, the program not run again", async () => {
    const calls = { n: 0 };
    const program = reader(calls);
    const w = world();
    const first = await counted(() => runRemembered(program, w.opts()));
    const second = await counted(() => runRemembered(program, w.opts()));
    assert.deepEqual([first.ran, second.ran, second.remembered, calls.n], [1, 0, 1, 1]);
    assert.equal(second.result, first.result);
  });

  for (const [what, change] of [
    [
      "a StackReference answers otherwise",
      (s: ReturnType<typeof world>["state"]) => (s.peer = { cidr: "10.1.0.0/16" }),
    ],
    ["its last deployment is another", (s: ReturnType<typeof world>["state"]) => (s.previous = { clusterName: "c" })],
    ["another stack published something", (s: ReturnType<typeof world>["state"]) => s.parameters.set("x|/a", "b")],
  ] as const) {
    it(`runs again when ${what}, and remembers both answers`, async () => {
      const calls = { n: 0 };
      const program = reader(calls);
      const w = world();
      const before = await runRemembered(program, w.opts());
      change(w.state);
      const after = await counted(() => runRemembered(program, w.opts()));
      assert.deepEqual([after.ran, calls.n], [1, 2]);
      assert.notEqual(after.result, before);
      assert.equal(await runRemembered(program, w.opts()), after.result, "the new answers are remembered");
      assert.equal(calls.n, 2);
    });
  }

  it("runs again for other config, another view, another stack or another program", async () => {
    const calls = { n: 0 };
    const program = reader(calls);
    const w = world();
    await runRemembered(program, w.opts());
    await runRemembered(program, { ...w.opts(), config: { "infrasage:tenantId": "other" } });
    await runRemembered(program, { ...w.opts(), preview: true });
    await runRemembered(program, { ...w.opts(), stack: "eu-central-1" });
    assert.equal(calls.n, 4);
    const other = { n: 0 };
    await runRemembered(reader(other), w.opts());
    assert.equal(other.n, 1);
  });

  it("runs every run under INFRASAGE_DEBUG=1", async () => {
    const calls = { n: 0 };
    const program = reader(calls);
    const w = world();
    process.env.INFRASAGE_DEBUG = "1";
    try {
      await runRemembered(program, w.opts());
      await runRemembered(program, w.opts());
    } finally {
      delete process.env.INFRASAGE_DEBUG;
    }
    assert.equal(calls.n, 2);
  });

  it("does not remember a run that failed", async () => {
    let fail = true;
    const program = () => {
      if (fail) throw new Error("boom");
      return {};
    };
    await assert.rejects(runRemembered(program, BASE), /boom/);
    fail = false;
    const again = await counted(() => runRemembered(program, BASE));
    assert.equal(again.ran, 1);
  });

  it("hands out records nobody can change (they are shared)", async () => {
    const record = await runRemembered(reader({ n: 0 }), world().opts());
    assert.throws(() => record.resources.push(record.resources[0]!), TypeError);
    assert.throws(() => {
      (record.resources[0] as { name: string }).name = "changed";
    }, TypeError);
    assert.ok(Object.isFrozen(record.outputs));
  });

  it("remembers an analysis per record and session, not across sessions", async () => {
    const analyzer = await sharedAnalyzer();
    const record = await runRemembered(reader({ n: 0 }), world().opts());
    const target = { project: "infrasage", organization: "organization", config: {} };
    const a = evaluateRemembered(analyzer, record, target, {});
    assert.equal(evaluateRemembered(analyzer, record, { ...target }, {}), a);
    assert.notEqual(evaluateRemembered(analyzer, record, { ...target, tags: { team: "x" } }, {}), a);
    await a;
  });
});

describe("runs and analyses shared between processes (memory.shared, as npm test's workers share them)", () => {
  /** A store in memory standing for the folder the workers share; counts what goes through it. */
  function fakeStore() {
    const entries = new Map<string, Buffer>();
    const count = { reads: 0, hits: 0, writes: 0 };
    const store: SharedStore = {
      read: (key) => {
        count.reads++;
        const v = entries.get(key);
        if (v) count.hits++;
        return v;
      },
      write: (key, value) => {
        count.writes++;
        entries.set(key, value);
      },
    };
    return { store, count };
  }
  let saved: SharedStore | undefined;
  let shared: ReturnType<typeof fakeStore>;
  let name = 0;
  /** A program name no other test shares (the stack's program is shared as "defineStack"). */
  const sharedName = () => `reader-${process.pid}-${name++}`;
  beforeEach(() => {
    saved = memory.shared;
    shared = fakeStore();
    memory.shared = shared.store;
  });
  afterEach(() => {
    memory.shared = saved;
  });

  it("a run another process made (same program name, fixed inputs and reads) is not run again", async () => {
    const as = sharedName();
    const w = world();
    const mine = { n: 0 };
    const first = await runRemembered(reader(mine), w.opts(), as);
    // Another process: its own copy of the program (not the same function), the same name.
    const theirs = { n: 0 };
    const second = await counted(() => runRemembered(reader(theirs), w.opts(), as));
    assert.deepEqual([mine.n, theirs.n, second.ran, second.remembered], [1, 0, 0, 1]);
    assert.notEqual(second.result, first);
    assert.deepStrictEqual(second.result, first);
    assert.ok(Object.isFrozen(second.result) && second.result.resources.every(Object.isFrozen));
  });

  it("runs again when a read answers otherwise there, and keeps both answers", async () => {
    const as = sharedName();
    const w = world();
    await runRemembered(reader({ n: 0 }), w.opts(), as);
    w.state.peer = { cidr: "10.1.0.0/16" };
    const theirs = { n: 0 };
    await runRemembered(reader(theirs), w.opts(), as);
    assert.equal(theirs.n, 1);
    w.state.peer = undefined;
    const third = { n: 0 };
    await runRemembered(reader(third), w.opts(), as);
    assert.equal(third.n, 0, "the first answer is still there");
  });

  it("a program without a shared name, or a run under INFRASAGE_DEBUG=1, never goes to the store", async () => {
    await runRemembered(reader({ n: 0 }), world().opts());
    process.env.INFRASAGE_DEBUG = "1";
    try {
      await runRemembered(reader({ n: 0 }), world().opts(), sharedName());
    } finally {
      delete process.env.INFRASAGE_DEBUG;
    }
    assert.deepEqual(shared.count, { reads: 0, hits: 0, writes: 0 });
  });

  it("an analysis made elsewhere of the same run, session and pack comes from the store, no pack call", async () => {
    const analyzer = await sharedAnalyzer();
    const as = sharedName();
    const w = world();
    const target = { project: "infrasage", organization: "organization", config: {} };
    const mine = await evaluateRemembered(analyzer, await runRemembered(reader({ n: 0 }), w.opts(), as), target, {});
    const theirs = await runRemembered(reader({ n: 0 }), w.opts(), as);
    const client = (analyzer as unknown as { client: { configureStack: (...a: unknown[]) => unknown } }).client;
    const configureStack = client.configureStack;
    let calls = 0;
    client.configureStack = (...a: unknown[]) => {
      calls++;
      return configureStack.apply(client, a);
    };
    try {
      const again = await evaluateRemembered(analyzer, theirs, target, {});
      assert.equal(calls, 0, "served from the store");
      assert.deepStrictEqual(again, mine);
      // Another pack (folder) answers for itself.
      const other = Object.create(analyzer, { packDir: { value: "/another/pack" } }) as typeof analyzer;
      assert.deepStrictEqual(await evaluateRemembered(other, theirs, target, {}), mine);
      assert.equal(calls, 1, "another pack's analysis is made");
    } finally {
      client.configureStack = configureStack;
    }
  });
});

describe("a group's plan with runs remembered is the plan with every run run", function () {
  this.timeout(120_000);

  /** examples/hub-spoke with its own tenants (so no earlier plan of this process remembered its runs). */
  function group(): string[] {
    const dir = mkdtempSync(join(tmpdir(), "remembered-"));
    writeFileSync(join(dir, "Pulumi.yaml"), `name: infrasage\nruntime: nodejs\nmain: ${ROOT}\n`);
    return listStackFiles(join(ROOT, "examples", "hub-spoke")).map((src) => {
      const to = join(dir, src.split("/").pop()!);
      copyFileSync(src, to);
      writeFileSync(to, readFileSync(to, "utf8").replace(/tenantId: (\S+)/, "tenantId: $1-r"));
      return to;
    });
  }

  it("same records, findings and outputs; a stack whose reads did not change is not run again", async () => {
    const analyzer = await sharedAnalyzer();
    const files = group();
    const remembered = await counted(() => planAll(files, { analyzer }));
    memory.on = false;
    let everyRun: Awaited<ReturnType<typeof counted<PlanResult>>>;
    try {
      everyRun = await counted(() => planAll(files, { analyzer }));
    } finally {
      memory.on = true;
    }
    assert.equal(everyRun.remembered, 0);
    assert.ok(
      remembered.remembered >= 1,
      "the rollout's last round of the stack whose reads did not change comes from memory",
    );
    assert.deepEqual(
      [everyRun.ran, remembered.ran, remembered.remembered],
      [6, 5, 1],
      "hub-spoke's rollout: 6 runs, the last of one stack from memory (docs/plan.md Speed)",
    );
    assert.ok(remembered.result.stacks.every((s, i) => s.record !== everyRun.result.stacks[i]!.record));
    assert.equal(JSON.stringify(remembered.result), JSON.stringify(everyRun.result));
  });
});

describe("SDK debugging aids are off during a run only (offline/run-program.ts)", () => {
  const debuggable = require("@pulumi/pulumi/runtime/debuggable") as { debuggablePromise: unknown };
  const resource = pulumi.Resource as unknown as { stackTrace: unknown };
  const sdkRequire = createRequire(require.resolve("@pulumi/pulumi/proto/resource_pb"));
  const sdkStruct = (sdkRequire("google-protobuf/google/protobuf/struct_pb") as { Struct: { fromJavaScript: unknown } })
    .Struct;

  it("the pinned SDK calls both through the objects the run replaces them on", () => {
    const sdk = join(ROOT, "node_modules", "@pulumi", "pulumi");
    assert.equal(typeof debuggable.debuggablePromise, "function");
    assert.equal(typeof resource.stackTrace, "function");
    assert.match(readFileSync(join(sdk, "runtime", "resource.js"), "utf8"), /debuggable_1\.debuggablePromise\(/);
    assert.match(readFileSync(join(sdk, "resource.js"), "utf8"), /Resource\.stackTrace\(4\)/);
  });

  it("with them off, every resource still registers after its parent, its provider and each dependency", async () => {
    const plans = [
      await planShipped("eu-west-1"),
      await planShipped("eu-west-1", { preview: true }),
      ...(await planDir(join(ROOT, "examples", "active-active"))).stacks,
    ];
    const late = plans.flatMap(({ record }) => {
      const at = new Map(record.resources.map((r, i) => [r.urn, i]));
      return record.resources.flatMap((r, i) =>
        [r.parent, r.provider, ...r.dependencies]
          .filter((u): u is string => u !== undefined && at.has(u) && at.get(u)! > i)
          .map((u) => `${record.stack}: ${r.urn} before ${u}`),
      );
    });
    assert.deepEqual(late, []);
    assert.ok(plans.every((p) => p.record.resources.length > 50));
  });

  it("replaces them and Struct.fromJavaScript during a run, puts them back after, also after a failure", async () => {
    const current = () => [debuggable.debuggablePromise, resource.stackTrace, sdkStruct.fromJavaScript];
    const originals = current();
    const maps = getSourceMapsSupport();
    const seen: unknown[] = [];
    const program = (fail: boolean) => () => {
      seen.push(...current());
      if (fail) throw new Error("boom");
      return {};
    };
    await runProgram(program(false), BASE);
    await assert.rejects(runProgram(program(true), BASE), /boom/);
    assert.deepEqual(current(), originals);
    assert.ok(seen.every((f, i) => f !== originals[i % originals.length]));
    assert.deepEqual(getSourceMapsSupport(), maps, "source maps as they were set (our files only), not all on");
    seen.length = 0;
    process.env.INFRASAGE_DEBUG = "1";
    try {
      await runProgram(program(false), BASE);
    } finally {
      delete process.env.INFRASAGE_DEBUG;
    }
    assert.deepEqual(seen, originals, "INFRASAGE_DEBUG=1 keeps them");
  });
});
