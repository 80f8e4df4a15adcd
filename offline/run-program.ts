/**
 * Runs a Pulumi program under the SDK's mock runtime with one stack's config and records every
 * resource with what the mock `newResource` does not see: parent, dependencies (implicit through
 * inputs and explicit dependsOn), provider, protect/retain/ignoreChanges/aliases.
 * Relies on MockMonitor internals of @pulumi/pulumi (pinned exactly in package.json): every plan test breaks if
 * they change, and test/offline/engine-urn.test.ts checks the engine-URN override took.
 */
import { getSourceMapsSupport, setSourceMapsSupport } from "node:module";
import * as pulumi from "@pulumi/pulumi";
import { engineUrn } from "./engine-urn";
import { createMockCloud, type MockCloudContext } from "./mock-cloud";
import { withPlainStructs } from "./struct-round-trip";

export const SECRET = "[secret]";
/** How a value a provider computes is shown at preview (as `pulumi preview` prints it). */
export const UNKNOWN = "(known after apply)";
/** The SDK's and engine's unknown sentinel (pulumi/pulumi sdk/nodejs/runtime/rpc.ts unknownValue). */
export const UNKNOWN_SENTINEL = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";

export interface RecordedResource {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly custom: boolean;
  /** Effective region (AWS only): inputs.region ?? explicit provider's region ?? aws:region. */
  region?: string;
  readonly parent?: string;
  /** URN of the explicit provider, if any. */
  readonly provider?: string;
  /** Inputs with secrets replaced by "[secret]" and unknowns by "(known after apply)". */
  readonly inputs: Record<string, unknown>;
  /** Inputs with secrets revealed and unknowns left out (for pure checks and tests; never printed). */
  readonly rawInputs: Record<string, unknown>;
  /**
   * Inputs and outputs as the engine marshals them for the analyzer: unknowns as the sentinel,
   * secrets in their envelope, resource references as their URN.
   */
  readonly wire: { readonly inputs: Record<string, unknown>; readonly outputs: Record<string, unknown> };
  /** Per input property, the resources it was computed from. */
  readonly propertyDependencies: Record<string, string[]>;
  readonly dependencies: string[];
  readonly protect: boolean;
  readonly retainOnDelete: boolean;
  readonly ignoreChanges: string[];
  readonly aliases: string[];
  readonly deleteBeforeReplace: boolean;
  /** The `import` option: the id of an existing object adopted instead of created. */
  readonly importId?: string;
}

export interface RecordedOutput {
  /** The value; undefined when unknown (preview). */
  readonly value: unknown;
  readonly secret: boolean;
  /** False at preview when the value depends on something a provider computes. */
  readonly known: boolean;
  /** URNs of the resources the value is computed from (the Output's resources). */
  readonly dependencies?: readonly string[];
}

export interface ProgramRecord {
  readonly stack: string;
  /** Whether this is a preview (computed values unknown) or an update. */
  readonly preview: boolean;
  readonly resources: RecordedResource[];
  readonly outputs: Record<string, RecordedOutput>;
}

export interface RunOptions extends MockCloudContext {
  readonly project: string;
  readonly stack: string;
  /** Raw config, `"<ns>:<key>" -> string` as Pulumi passes it (structured values JSON-encoded). */
  readonly config: Readonly<Record<string, string>>;
  /** Run as `pulumi preview` does: values providers compute are unknown. @default false */
  readonly preview?: boolean;
  /** Organization (`pulumi.getOrganization()`). @default "organization" (self-managed backends) */
  readonly organization?: string;
}

type Struct = { toJavaScript(): Record<string, unknown> };
interface Req {
  getType(): string;
  getName(): string;
  getParent(): string;
  getCustom(): boolean;
  getProvider(): string;
  getObject(): Struct | undefined;
  getDependenciesList(): string[];
  getProtect(): boolean;
  getRetainondelete(): boolean;
  getIgnorechangesList(): string[];
  getAliasesList(): unknown[];
  getAliasurnsList(): string[];
  getDeletebeforereplace(): boolean;
  getImportid(): string;
  getPropertydependenciesMap(): { forEach(fn: (v: { getUrnsList(): string[] }, k: string) => void): void };
}

type View = "masked" | "revealed" | "wire";
const DROP = Symbol("drop");

/**
 * One view of a marshalled value. masked: secrets "[secret]", unknowns "(known after apply)";
 * revealed: secrets' values, unknowns dropped; wire: as the engine sends the analyzer (envelopes and
 * sentinels kept, resource references by URN).
 */
function view(value: unknown, as: View): unknown {
  if (value === UNKNOWN_SENTINEL) return as === "masked" ? UNKNOWN : as === "revealed" ? DROP : value;
  if (Array.isArray(value)) return value.map((v) => view(v, as)).filter((v) => v !== DROP);
  if (value && typeof value === "object") {
    const o = value as Record<string, unknown>;
    if (o[SIG_KEY] === SECRET_SIG)
      return as === "masked"
        ? SECRET
        : as === "revealed"
          ? view(o.value, as)
          : { [SIG_KEY]: SECRET_SIG, value: view(o.value, as) };
    if (o[SIG_KEY] === RESOURCE_SIG) return o.urn;
    return Object.fromEntries(
      Object.entries(o)
        .map(([k, v]) => [k, view(v, as)])
        .filter(([, v]) => v !== DROP),
    );
  }
  return value;
}

function providerUrn(ref: string): string | undefined {
  if (!ref) return undefined;
  return ref.split("::").slice(0, -1).join("::");
}

/**
 * A Struct's conversion to JavaScript, made once: the mock monitor and the SDK convert the same request
 * and response again (rpc.js deserializeProperties), and neither changes what it gets.
 */
function converted(struct: Struct | undefined): Record<string, unknown> {
  if (!struct) return {};
  const object = struct.toJavaScript();
  struct.toJavaScript = () => object;
  return object;
}

function record(
  req: Req,
  urn: string,
  object: Record<string, unknown>,
  state: Record<string, unknown>,
): RecordedResource {
  const propertyDependencies: Record<string, string[]> = {};
  req.getPropertydependenciesMap().forEach((v, k) => {
    propertyDependencies[k] = v.getUrnsList();
  });
  const aliases = [
    ...req.getAliasurnsList(),
    ...req.getAliasesList().map((a) => JSON.stringify((a as { toObject?: () => unknown }).toObject?.() ?? a)),
  ];
  return {
    urn,
    type: req.getType(),
    name: req.getName(),
    custom: req.getCustom(),
    parent: req.getParent() || undefined,
    provider: providerUrn(req.getProvider()),
    inputs: view(object, "masked") as Record<string, unknown>,
    rawInputs: view(object, "revealed") as Record<string, unknown>,
    wire: {
      inputs: view(object, "wire") as Record<string, unknown>,
      outputs: view(state, "wire") as Record<string, unknown>,
    },
    propertyDependencies,
    dependencies: [...new Set(req.getDependenciesList())],
    protect: req.getProtect(),
    retainOnDelete: req.getRetainondelete(),
    ignoreChanges: req.getIgnorechangesList(),
    aliases,
    deleteBeforeReplace: req.getDeletebeforereplace(),
    ...(req.getImportid() ? { importId: req.getImportid() } : {}),
  };
}

/** Effective region of every AWS resource, filled in after all providers are known. */
function fillRegions(resources: RecordedResource[], homeRegion: string): void {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  for (const r of resources) {
    if (!r.type.startsWith("aws:") && r.type !== "pulumi:providers:aws") continue;
    const own = r.rawInputs.region;
    const provider = r.provider ? byUrn.get(r.provider) : undefined;
    const providerRegion = provider?.rawInputs.region;
    r.region = typeof own === "string" ? own : typeof providerRegion === "string" ? providerRegion : homeRegion;
  }
}

/** The organization self-managed backends give every stack (pulumi/pulumi pkg/backend/diy). */
export const DEFAULT_ORGANIZATION = "organization";

let running = false;

/** The SDK's promise wrapper (runtime/debuggable.js, internal: not in its typings), called through its module. */
const debuggable = require("@pulumi/pulumi/runtime/debuggable") as {
  debuggablePromise: <T>(p: Promise<T>, ctx: unknown) => Promise<T>;
};
const sdkResource = pulumi.Resource as unknown as { stackTrace: (skip: number) => unknown[] };

/**
 * Switches off, for one run, two SDK debugging aids that nothing offline reads and that cost about a
 * third of a plan's CPU (mostly in garbage): every Resource parses its whole stack trace for the source
 * position the engine prints in errors (Resource.stackTrace sets Error.stackTraceLimit to Infinity), and
 * every internal promise gets a stack trace and leak-detector bookkeeping (debuggablePromise). Returns
 * what puts them back.
 */
function withoutSdkDebugging(): () => void {
  const { debuggablePromise } = debuggable;
  const { stackTrace } = sdkResource;
  debuggable.debuggablePromise = (p) => p;
  sdkResource.stackTrace = () => [];
  return () => {
    debuggable.debuggablePromise = debuggablePromise;
    sdkResource.stackTrace = stackTrace;
  };
}

/**
 * Runs `program` (which registers resources and returns stack outputs) for one stack.
 * Rejects with the program's own error if it throws or an output fails.
 */
export async function runProgram(
  program: () => Record<string, unknown> | Promise<Record<string, unknown>>,
  opts: RunOptions,
): Promise<ProgramRecord> {
  if (running) throw new Error("runProgram: one program at a time (the Pulumi runtime is process-global)");
  running = true;
  const failures: unknown[] = [];
  const onRejection = (reason: unknown) => failures.push(reason);
  process.on("unhandledRejection", onRejection);
  // The SDK takes a stack trace for every promise and resource (leak debugging, source positions);
  // mapped through tsx's source maps that is 80% of a plan's time, and nothing offline reads them.
  // INFRASAGE_DEBUG=1 keeps them for debugging the program itself.
  // Restored as it was set (offline/process-setup.ts: our files only), not just switched back on
  // (setSourceMapsSupport: Node 22.14; before it, on or off is all there is).
  const sourceMaps = getSourceMapsSupport?.() ?? { enabled: process.sourceMapsEnabled };
  const setSourceMaps = (enabled: boolean, options?: object) =>
    setSourceMapsSupport ? setSourceMapsSupport(enabled, options) : process.setSourceMapsEnabled(enabled);
  const stackTraceLimit = Error.stackTraceLimit;
  let restoreSdk = () => {};
  if (!process.env.INFRASAGE_DEBUG) {
    setSourceMaps(false);
    Error.stackTraceLimit = 0;
    const restoreDebugging = withoutSdkDebugging();
    const restoreStructs = withPlainStructs();
    restoreSdk = () => {
      restoreStructs();
      restoreDebugging();
    };
  }
  try {
    pulumi.runtime.setAllConfig({ ...opts.config });
    const preview = opts.preview ?? false;
    await pulumi.runtime.setMocks(
      createMockCloud({ ...opts, preview }),
      opts.project,
      opts.stack,
      preview,
      opts.organization ?? DEFAULT_ORGANIZATION,
    );
    const monitor = pulumi.runtime.getMonitor() as unknown as {
      registerResource: (
        req: Req,
        cb: (err: unknown, resp?: { getUrn(): string; getObject(): Struct | undefined }) => void,
      ) => Promise<void>;
    };
    // URNs as the engine makes them (offline/engine-urn.ts), not the mock runtime's short form.
    const urns = monitor as unknown as { newUrn?: (parent: string, type: string, name: string) => string };
    if (typeof urns.newUrn === "function")
      urns.newUrn = (parent, type, name) => engineUrn(opts.stack, opts.project, parent || undefined, type, name);
    const original = monitor.registerResource.bind(monitor);
    const resources: RecordedResource[] = [];
    // Registration order (when the SDK sends RegisterResource, after the inputs resolved) is the
    // order the engine analyzes and applies resources in (offline/update-order.ts): record that
    // order, not the order the mock answers in.
    const sequence = new Map<RecordedResource, number>();
    let sent = 0;
    let pending = 0;
    monitor.registerResource = (req, cb) => {
      pending++;
      const seq = sent++;
      const object = converted(req.getObject());
      return original(req, (err, resp) => {
        pending--;
        if (!err && resp) {
          const r = record(req, resp.getUrn(), object, converted(resp.getObject()));
          sequence.set(r, seq);
          resources.push(r);
        }
        if (err) failures.push(err);
        cb(err, resp);
      });
    };

    const exported = await program();
    const outputs: Record<string, RecordedOutput> = {};
    for (const [key, value] of Object.entries(exported)) {
      // promise() and isSecret are the SDK's internal accessors (pinned SDK); promise() rejects
      // if the output failed, where apply would never call back.
      const out = pulumi.output(value as pulumi.Input<unknown>) as unknown as {
        promise(): Promise<unknown>;
        isSecret: Promise<boolean>;
        isKnown: Promise<boolean>;
        allResources?: () => Promise<Set<pulumi.Resource>>;
      };
      const [resolved, secret, known, from] = await Promise.all([
        out.promise(),
        out.isSecret,
        out.isKnown,
        out.allResources?.() ?? Promise.resolve(new Set<pulumi.Resource>()),
      ]);
      const dependencies = await Promise.all(
        [...from].map((r) => (r.urn as unknown as { promise(): Promise<string> }).promise()),
      );
      outputs[key] = { value: known ? resolved : undefined, secret, known, dependencies };
    }
    // Let every in-flight registration (children created inside applies) finish.
    for (let idle = 0; idle < 5; idle = pending === 0 ? idle + 1 : 0) await new Promise((r) => setImmediate(r));
    if (failures.length > 0) throw failures[0];
    resources.sort((a, b) => sequence.get(a)! - sequence.get(b)!);
    fillRegions(resources, opts.region);
    return { stack: opts.stack, preview, resources, outputs };
  } finally {
    process.off("unhandledRejection", onRejection);
    setSourceMaps(sourceMaps.enabled, sourceMaps);
    Error.stackTraceLimit = stackTraceLimit;
    restoreSdk();
    running = false;
  }
}
