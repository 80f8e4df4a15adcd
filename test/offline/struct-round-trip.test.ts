/**
 * offline/struct-round-trip.ts: during a run, Struct.fromJavaScript makes a Struct holding the round
 * trip's result directly. It must be the round trip: same values, same key order, same errors, and a
 * message that is serialized must be the message the real Struct makes.
 */
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import fc from "fast-check";
import { structRoundTrip, withPlainStructs } from "../../offline/struct-round-trip";
import { runProgram } from "../../offline/run-program";
import { readStackFile } from "../../offline/stack-file";
import { defineStack } from "../../stack";
import { ROOT } from "../support/plan";

type Js = Record<string, unknown>;
interface Message {
  toJavaScript(): Js;
  serializeBinary(): Uint8Array;
}
// The SDK's own copy of google-protobuf, whose Struct a run replaces.
const sdkRequire = createRequire(require.resolve("@pulumi/pulumi/proto/resource_pb"));
const { Struct } = sdkRequire("google-protobuf/google/protobuf/struct_pb") as {
  Struct: { fromJavaScript(o: Js): Message };
};
const analyzerPb = require("@pulumi/pulumi/proto/analyzer_pb") as Record<
  string,
  new () => { setProperties(s: unknown): void; setUrn(u: string): void; serializeBinary(): Uint8Array }
>;

const real = (o: Js) => Struct.fromJavaScript(o);
/** Struct.fromJavaScript as a run has it. */
function plain<T>(fn: () => T): T {
  const restore = withPlainStructs();
  try {
    return fn();
  } finally {
    restore();
  }
}
const errorOf = (fn: () => unknown): string => {
  try {
    fn();
    return "no error";
  } catch (e) {
    return (e as Error).message;
  }
};

// Keys a Struct may meet: ordinary, upper-case before lower, integer-like, prototype names.
const keys = ["B", "a", "10", "9", "-1", "constructor", "toString"];
const valueWith = (key: fc.Arbitrary<string>) =>
  fc.letrec((tie) => ({
    leaf: fc.oneof(fc.string(), fc.double(), fc.integer(), fc.boolean(), fc.constant(null), fc.constant(-0)),
    node: fc.oneof({ depthSize: "small" }, tie("leaf"), fc.array(tie("node"), { maxLength: 4 }), tie("object")),
    object: fc.dictionary(key, tie("node"), { maxKeys: 5 }),
  })).object;
const value = valueWith(fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom(...keys)));
// A `__proto__` key: its JavaScript's prototype differs per object, so only the bytes compare.
const valueWithProto = valueWith(fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom(...keys, "__proto__")));

describe("Struct round trip computed directly (offline/struct-round-trip.ts)", () => {
  it("gives what Struct.fromJavaScript(v).toJavaScript() gives: values, -0, key order", () => {
    fc.assert(
      fc.property(value, (o) => {
        const expected = real(o as Js).toJavaScript();
        const got = structRoundTrip(o as Js);
        assert.deepStrictEqual(got, expected);
        assert.deepEqual(JSON.stringify(got), JSON.stringify(expected));
        assert.deepEqual(Object.keys(got), Object.keys(expected));
      }),
      { numRuns: 300 },
    );
  });

  it("reads inherited enumerable keys and non-plain objects as the real one does", () => {
    const inherited = Object.assign(Object.create({ parent: 1 }) as Js, { own: 2 });
    for (const o of [
      inherited,
      { d: new Date(0), m: new Map([[1, 2]]), t: new Uint8Array([7, 8]) },
      { a: [1, [2, [3]]] },
    ])
      assert.deepStrictEqual(structRoundTrip(o), real(o).toJavaScript());
  });

  it("refuses what a Struct cannot hold with the real one's error", () => {
    const bad: Js[] = [
      { u: undefined },
      { f: () => 1 },
      { s: Symbol("x") },
      { b: 1n },
      { deep: { list: [1, undefined] } },
      // biome-ignore lint/suspicious/noSparseArray: a hole is what is tested
      { hole: [1, , 3] },
    ];
    for (const o of bad) {
      assert.equal(
        errorOf(() => real(o)),
        "Unexpected struct type.",
      );
      assert.equal(
        errorOf(() => plain(() => Struct.fromJavaScript(o))),
        "Unexpected struct type.",
      );
    }
  });

  it("a Struct made during a run serializes to the real one's bytes, alone and inside a request", () => {
    fc.assert(
      fc.property(valueWithProto, (o) => {
        const made = plain(() => Struct.fromJavaScript(o as Js));
        assert.deepEqual(made.serializeBinary(), real(o as Js).serializeBinary());
        const request = (s: unknown) => {
          const r = new analyzerPb.AnalyzeRequest!();
          r.setUrn("urn:x");
          r.setProperties(s);
          return r.serializeBinary();
        };
        assert.deepEqual(request(plain(() => Struct.fromJavaScript(o as Js))), request(real(o as Js)));
      }),
      { numRuns: 100 },
    );
  });

  it("a stack's run records the same resources with the shortcut as without (INFRASAGE_DEBUG=1)", async () => {
    const file = readStackFile(`${ROOT}/Pulumi.eu-west-1.yaml`);
    const opts = { project: "infrasage", stack: "eu-west-1", region: "eu-west-1", config: file.config };
    const fast = await runProgram(defineStack, opts);
    process.env.INFRASAGE_DEBUG = "1";
    let slow: typeof fast;
    try {
      slow = await runProgram(defineStack, opts);
    } finally {
      delete process.env.INFRASAGE_DEBUG;
    }
    // Independent resources may register in another order without the SDK's debugging aids (docs/plan.md).
    const byUrn = (r: typeof fast) => [...r.resources].sort((a, b) => a.urn.localeCompare(b.urn));
    assert.ok(fast.resources.length > 50);
    assert.deepStrictEqual(byUrn(fast), byUrn(slow));
    assert.deepStrictEqual(fast.outputs, slow.outputs);
  });
});
