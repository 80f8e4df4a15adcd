/**
 * Under the mock runtime nothing is sent over the wire: the SDK builds a protobuf Struct of every
 * resource's inputs (Struct.fromJavaScript), the mock monitor reads it back (toJavaScript), and the
 * monitor's answer goes the same way round. Each builds and walks a message object per value (about
 * 6% of a run's CPU is saved without them, measured A/B). During a run, Struct.fromJavaScript makes a
 * Struct that holds the round trip's result, computed directly: the same values, keys in the same
 * (sorted) order, the same error for a value a Struct cannot hold. Its fields are built only if
 * something reads them (the pack's requests serialize through getFieldsMap), so a message that is
 * sent is the same message.
 */
import { createRequire } from "node:module";

type Js = Record<string, unknown>;
interface StructMessage {
  toJavaScript(): Js;
  getFieldsMap(noLazyCreate?: boolean): unknown;
}
interface StructClass {
  new (): StructMessage;
  fromJavaScript(value: Js): StructMessage;
}

// The copy of google-protobuf the SDK's generated code uses (a second copy would not be the SDK's).
const sdkRequire = createRequire(require.resolve("@pulumi/pulumi/proto/resource_pb"));
const { Struct } = sdkRequire("google-protobuf/google/protobuf/struct_pb") as { Struct: StructClass };

const UNEXPECTED = "Unexpected struct type.";

/** Value.fromJavaScript(v).toJavaScript(). */
function valueRoundTrip(v: unknown): unknown {
  switch (typeof v) {
    case "string":
    case "number":
    case "boolean":
      return v;
    case "object":
      if (v === null) return null;
      if (Array.isArray(v)) {
        // ListValue.fromJavaScript reads indices up to length: a hole is undefined, which it refuses.
        const out: unknown[] = [];
        for (let i = 0; i < v.length; i++) out[i] = valueRoundTrip(v[i]);
        return out;
      }
      return structRoundTrip(v as Js);
    default:
      // undefined, functions, symbols, bigints (goog.typeOf: none of the kinds a Value has).
      throw new Error(UNEXPECTED);
  }
}

/** Set when a round trip met a `__proto__` key (see withPlainStructs). */
let protoKey = false;

/** Struct.fromJavaScript(obj).toJavaScript(): every enumerable key (for-in), in the map's sorted order. */
export function structRoundTrip(obj: Js): Js {
  const keys: string[] = [];
  for (const key in obj) {
    keys.push(key);
    if (key === "__proto__") protoKey = true;
  }
  const values = keys.map((k) => valueRoundTrip(obj[k]));
  const order = keys.map((_, i) => i).sort((a, b) => (keys[a]! < keys[b]! ? -1 : keys[a]! > keys[b]! ? 1 : 0));
  const out: Js = {};
  for (const i of order) out[keys[i]!] = values[i];
  return out;
}

/**
 * Struct.fromJavaScript replaced until the returned function is called. The real one is kept for the
 * fields of a Struct something reads.
 */
export function withPlainStructs(): () => void {
  const real = Struct.fromJavaScript;
  Struct.fromJavaScript = (value: Js) => {
    protoKey = false;
    const js = structRoundTrip(value);
    // A `__proto__` key is a field of the message but not a key of its JavaScript (the assignment sets
    // the prototype): only the real Struct keeps both.
    if (protoKey) return real.call(Struct, value);
    const struct = new Struct();
    let fields: StructMessage | undefined;
    struct.toJavaScript = () => js;
    struct.getFieldsMap = (noLazyCreate) => {
      fields ??= real.call(Struct, js);
      return fields.getFieldsMap(noLazyCreate);
    };
    return struct;
  };
  return () => {
    Struct.fromJavaScript = real;
  };
}
