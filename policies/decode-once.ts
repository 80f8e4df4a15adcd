/**
 * What @pulumi/policy's server (v1.21, server.js) does again and again for the same answer, done once:
 * - It decodes a resource's properties (Struct.toJavaScript) for every rule that looks at the resource:
 *   in Analyze once per rule, in AnalyzeStack every resource once per stack rule, and the provider's
 *   properties with each. The decoded JSON is the same each time and deserializeProperties only reads
 *   it (each rule still gets its own deserialized copy), so it is decoded once per Struct.
 * - It builds and encodes the analyzer info for every GetAnalyzerInfo (the engine asks in every update),
 *   from arguments fixed for the life of the process: built and encoded once per arguments.
 * Both wrap module exports the server calls through (`deserialize_1.deserializeProperties(...)`); an
 * @pulumi/policy without them is left as it is. Imported by index.ts before the pack starts serving.
 */
type Js = Record<string, unknown>;
interface Struct {
  toJavaScript(): Js;
}
interface Deserialize {
  deserializeProperties?: (struct: Struct, proxySecrets: boolean) => Js;
}
interface ProtoUtil {
  makeAnalyzerInfo?: (...args: unknown[]) => unknown;
}

/** deserializeProperties with each Struct's JSON decoded once. */
export function decodingOnce(deserializeProperties: NonNullable<Deserialize["deserializeProperties"]>) {
  const decoded = new WeakMap<Struct, Js>();
  const once = (struct: Struct): Js => {
    let js = decoded.get(struct);
    if (js === undefined) {
      js = struct.toJavaScript();
      decoded.set(struct, js);
    }
    return js;
  };
  return (struct: Struct, proxySecrets: boolean): Js =>
    deserializeProperties({ toJavaScript: () => once(struct) }, proxySecrets);
}

/** `make` remembering its last answer for the same arguments (compared by identity). */
export function lastAnswer<A extends unknown[], R>(make: (...args: A) => R): (...args: A) => R {
  let last: { args: A; answer: R } | undefined;
  return (...args: A): R => {
    if (last && last.args.length === args.length && last.args.every((a, i) => a === args[i])) return last.answer;
    const answer = make(...args);
    last = { args, answer };
    return answer;
  };
}

/** A message sent again and again unchanged, encoded once (gRPC encodes each answer it sends). */
function encodedOnce<T>(message: T): T {
  const m = message as { serializeBinary?: () => Uint8Array } | undefined;
  if (typeof m?.serializeBinary === "function") {
    const encode = m.serializeBinary.bind(m);
    let bytes: Uint8Array | undefined;
    m.serializeBinary = () => {
      bytes ??= encode();
      return bytes;
    };
  }
  return message;
}

/**
 * Wraps the two exports of the @pulumi/policy that `from` resolves (by default the one this pack runs
 * with); returns what puts them back.
 */
export function decodeOnce(from: (id: string) => unknown = require): () => void {
  const deserialize = from("@pulumi/policy/deserialize") as Deserialize;
  const protoutil = from("@pulumi/policy/protoutil") as ProtoUtil;
  const { deserializeProperties } = deserialize;
  const { makeAnalyzerInfo } = protoutil;
  if (typeof deserializeProperties === "function")
    deserialize.deserializeProperties = decodingOnce(deserializeProperties);
  if (typeof makeAnalyzerInfo === "function")
    protoutil.makeAnalyzerInfo = lastAnswer((...args: unknown[]) => encodedOnce(makeAnalyzerInfo(...args)));
  return () => {
    deserialize.deserializeProperties = deserializeProperties;
    protoutil.makeAnalyzerInfo = makeAnalyzerInfo;
  };
}
