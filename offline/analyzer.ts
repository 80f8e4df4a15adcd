/**
 * The policy pack's own analyzer, started and driven the way the Pulumi CLI does it, so the plan's
 * policy results are @pulumi/policy's, levels included (nothing of its server is re-implemented).
 *
 * How the CLI runs a Node.js pack (pulumi/pulumi sdk/go/common/resource/plugin/analyzer_plugin.go,
 * NewPolicyAnalyzer, v3.270): `pulumi-analyzer-policy <engine address> .` with the pack folder as
 * working directory, which runs `@pulumi/pulumi/cmd/run-policy-pack` (ts-node, type-checked); the
 * pack's PolicyPack prints its gRPC port on stdout. The engine then calls, per stack run: Handshake
 * (@pulumi/policy's server does not implement it: the engine goes on), ConfigureStack (stack, project,
 * organization, DryRun, the decrypted config, its secret keys and the stack tags: NewPolicyAnalyzer),
 * GetAnalyzerInfo and Configure (policy config reconciled with each policy's default level:
 * pkg/engine/update.go LoadLocalPolicyPackAnalyzers); then Remediate and Analyze once per resource
 * (its inputs) and AnalyzeStack once (every resource's outputs), marshalling properties with
 * KeepUnknowns and KeepSecrets: unknowns as the sentinel string, secrets in their envelope. The
 * order per stack is offline/policy-runner.ts's (configureAnalyzer).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { createRequire, getCompileCacheDir } from "node:module";
import { join, resolve } from "node:path";
import type { EnforcementLevel } from "@pulumi/policy";

const PB_PATH = require.resolve("@pulumi/pulumi/proto/analyzer_pb");
const pbRequire = createRequire(PB_PATH);
/* eslint-disable @typescript-eslint/no-require-imports */
const analyzerPb = require("@pulumi/pulumi/proto/analyzer_pb") as AnalyzerPb;
const analyzerGrpc = require("@pulumi/pulumi/proto/analyzer_grpc_pb") as {
  AnalyzerClient: new (address: string, credentials: unknown, options?: object) => GrpcAnalyzerClient;
  AnalyzerService: { getAnalyzerInfo: { path: string; requestSerialize: (arg: unknown) => Buffer } };
};
// The same copies @pulumi/pulumi's generated code uses (a second copy would not be recognised).
const grpc = pbRequire("@grpc/grpc-js") as { credentials: { createInsecure(): unknown } };
interface StructMessage {
  serializeBinary(): Uint8Array;
  toArray(): unknown[];
  getFieldsMap(): { serializeBinary(field: number, writer: BinaryWriter): void };
}
interface BinaryWriter {
  writeSerializedMessage(bytes: Uint8Array, start: number, end: number): void;
}
const structPb = pbRequire("google-protobuf/google/protobuf/struct_pb") as {
  Struct: { fromJavaScript(o: Record<string, unknown>): StructMessage };
};
const emptyPb = pbRequire("google-protobuf/google/protobuf/empty_pb") as { Empty: new () => unknown };

/** The policy pack of this repository. */
const POLICY_PACK_DIR = resolve(__dirname, "..", "policies");

/** The engine's levels, as @pulumi/policy declares them. */
export type { EnforcementLevel };
const LEVELS: readonly EnforcementLevel[] = ["advisory", "mandatory", "disabled", "remediate"]; // proto enum order

export interface PolicyInfo {
  readonly name: string;
  readonly enforcementLevel: EnforcementLevel;
  /** JSON schema of the policy's config properties, if any. */
  readonly configSchema?: { readonly properties: Record<string, unknown>; readonly required: string[] };
}

export interface AnalyzerInfo {
  readonly name: string;
  readonly version: string;
  readonly policies: PolicyInfo[];
}

export interface Diagnostic {
  readonly policy: string;
  readonly level: EnforcementLevel;
  readonly message: string;
  readonly urn?: string;
}

/** What the engine sends for one resource (properties as JSON: unknown sentinels and secret envelopes kept). */
export interface AnalyzerResource {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly properties: Record<string, unknown>;
  readonly options: {
    readonly protect: boolean;
    readonly ignoreChanges: readonly string[];
    readonly deleteBeforeReplace?: boolean;
    readonly aliases: readonly string[];
    readonly additionalSecretOutputs: readonly string[];
    readonly parent?: string;
  };
  readonly provider?: {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    readonly properties: Record<string, unknown>;
  };
}

/** What ConfigureStack tells the pack about the stack being run (AnalyzerStackConfigureRequest). */
export interface StackSession {
  readonly stack: string;
  readonly project: string;
  readonly organization: string;
  readonly dryRun: boolean;
  readonly tags?: Readonly<Record<string, string>>;
  /** `ns:key` -> value, as the engine sends the decrypted config (secrets offline: "[secret]"). */
  readonly config?: Readonly<Record<string, string>>;
  readonly configSecretKeys?: readonly string[];
}

/** A resource of AnalyzeStack: outputs as properties, plus the links. */
export interface AnalyzerStackResource extends AnalyzerResource {
  readonly parent?: string;
  readonly dependencies: readonly string[];
  readonly propertyDependencies: Readonly<Record<string, readonly string[]>>;
}

/** Per policy: its level and config properties, as the engine passes them to Configure. */
export type ReconciledConfig = Record<
  string,
  { readonly enforcementLevel: EnforcementLevel; readonly properties: Record<string, unknown> }
>;

// --- The generated protobuf classes, as far as they are used here -----------------------------------
interface Msg {
  [setter: string]: unknown;
}
type Ctor = new () => Msg;
interface AnalyzerPb {
  AnalyzeRequest: Ctor;
  AnalyzeStackRequest: Ctor;
  AnalyzerInfo: { deserializeBinary(bytes: Uint8Array): ProtoAnalyzerInfo };
  AnalyzerResource: Ctor;
  AnalyzerResourceOptions: Ctor;
  AnalyzerProviderResource: Ctor;
  AnalyzerPropertyDependencies: Ctor;
  ConfigureAnalyzerRequest: Ctor;
  PolicyConfig: Ctor;
  AnalyzerStackConfigureRequest: Ctor;
}
interface ProtoDiagnostic {
  getPolicyname(): string;
  getEnforcementlevel(): number;
  getMessage(): string;
  getUrn(): string;
}
interface ProtoPolicyInfo {
  getName(): string;
  getEnforcementlevel(): number;
  getConfigschema():
    | { getProperties(): { toJavaScript(): Record<string, unknown> } | undefined; getRequiredList(): string[] }
    | undefined;
}
interface ProtoAnalyzerInfo {
  getName(): string;
  getVersion(): string;
  getPoliciesList(): ProtoPolicyInfo[];
}
type Callback<T> = (err: Error | null, resp: T) => void;
interface GrpcAnalyzerClient {
  getAnalyzerInfo(
    req: unknown,
    cb: Callback<{ getName(): string; getVersion(): string; getPoliciesList(): ProtoPolicyInfo[] }>,
  ): void;
  configure(req: unknown, cb: Callback<unknown>): void;
  configureStack(req: unknown, cb: Callback<unknown>): void;
  analyze(req: unknown, cb: Callback<{ getDiagnosticsList(): ProtoDiagnostic[] }>): void;
  analyzeStack(req: unknown, cb: Callback<{ getDiagnosticsList(): ProtoDiagnostic[] }>): void;
  makeUnaryRequest<T>(
    path: string,
    serialize: (arg: unknown) => Buffer,
    deserialize: (bytes: Buffer) => T,
    arg: unknown,
    cb: Callback<T>,
  ): void;
  close(): void;
}

const call = <T>(fn: (cb: Callback<T>) => void): Promise<T> =>
  new Promise((ok, fail) => fn((err, resp) => (err ? fail(err) : ok(resp))));
const set = (msg: Msg, field: string, value: unknown): void =>
  (msg[`set${field}`] as (v: unknown) => void).call(msg, value);

/**
 * `of` made once per properties object: records are frozen, and a provider's properties go with each of
 * its resources (a message is only read when it is sent, so one can sit in many requests).
 */
function oncePerObject<T>(of: (props: Record<string, unknown>) => T): (props: Record<string, unknown>) => T {
  const made = new WeakMap<Record<string, unknown>, T>();
  return (props) => {
    if (!made.has(props)) made.set(props, of(props));
    return made.get(props)!;
  };
}

/**
 * Internal keys (`__defaults`, `__meta`) are dropped as with SkipInternalKeys. The Struct's fields are
 * encoded once: the same properties go to the pack in each session that analyses the record, and
 * re-encoding them for every request was most of what sending cost here. Its map writes those bytes
 * (the whole of a Struct's encoding is its map's entries).
 */
const struct = oncePerObject((props) => {
  const message = structPb.Struct.fromJavaScript(
    Object.fromEntries(Object.entries(props).filter(([k, v]) => !k.startsWith("__") && v !== undefined)),
  );
  const bytes = message.serializeBinary();
  message.getFieldsMap().serializeBinary = (_field, writer) => writer.writeSerializedMessage(bytes, 0, bytes.length);
  // Setting a message into a request reads its array (toArray), which walks every map entry of every
  // nested Struct to sync it: the array of a message that never changes is the same each time. `g` is
  // the name google-protobuf's own code calls it by (the parent's sync of its fields).
  const array = message.toArray();
  const same = () => array;
  Object.assign(message, { toArray: same, g: same });
  return message;
});

/** A properties object's JSON, for the keys of the pack's answers. */
const jsonOf = oncePerObject((props) => JSON.stringify(props));

function resourceMessage<M extends Ctor>(Type: M, r: AnalyzerResource): Msg {
  const msg = new Type();
  set(msg, "Urn", r.urn);
  set(msg, "Type", r.type);
  set(msg, "Name", r.name);
  set(msg, "Properties", struct(r.properties));
  const opts = new analyzerPb.AnalyzerResourceOptions();
  set(opts, "Protect", r.options.protect);
  set(opts, "IgnorechangesList", [...r.options.ignoreChanges]);
  set(opts, "AliasesList", [...r.options.aliases]);
  set(opts, "AdditionalsecretoutputsList", [...r.options.additionalSecretOutputs]);
  if (r.options.deleteBeforeReplace !== undefined) {
    set(opts, "Deletebeforereplacedefined", true);
    set(opts, "Deletebeforereplace", r.options.deleteBeforeReplace);
  }
  if (r.options.parent) set(opts, "Parent", r.options.parent);
  set(msg, "Options", opts);
  if (r.provider) {
    const p = new analyzerPb.AnalyzerProviderResource();
    set(p, "Urn", r.provider.urn);
    set(p, "Type", r.provider.type);
    set(p, "Name", r.provider.name);
    set(p, "Properties", struct(r.provider.properties));
    set(msg, "Provider", p);
  }
  return msg;
}

const diagnostics = (list: ProtoDiagnostic[]): Diagnostic[] =>
  list.map((d) => ({
    policy: d.getPolicyname(),
    level: LEVELS[d.getEnforcementlevel()] ?? "mandatory",
    message: d.getMessage(),
    ...(d.getUrn() ? { urn: d.getUrn() } : {}),
  }));

/** A pack that could not be started or answered wrongly: the plan stops (exit 2) with this message. */
export class AnalyzerError extends Error {}

const START_TIMEOUT_MS = 120_000;

const digest = (value: unknown): string => createHash("sha256").update(JSON.stringify(value)).digest("base64");

/** Answers kept per pack (a test worker asks about 10,000 distinct questions). */
const MAX_ANSWERS = 50_000;

/**
 * The pack's process caches its compiled code as this one does (offline/cli.ts): its TypeScript compiler
 * and Pulumi SDK are most of its start-up, a third less CPU from the cache. No cache here, none there. A
 * folder of its own: it compiles the pack's files with ts-node, this process with tsx, and entries of one
 * file with two contents would replace each other at every run.
 */
function codeCache(): { args: string[]; env: Record<string, string> } {
  const dir = getCompileCacheDir?.();
  if (!dir) return { args: [], env: {} };
  return {
    args: ["--require", join(__dirname, "pack-code-cache.cjs")],
    env: { NODE_COMPILE_CACHE: join(dir, "policy-pack") },
  };
}

/** A running policy pack. Start it once, analyze any number of stacks, close it. */
export class PolicyAnalyzer {
  /** The session the pack was last given (ConfigureStack, Configure): digests of their JSON. */
  private readonly session = { stack: "", config: "" };
  /**
   * The pack's answers, by session and request: its policies are functions of the two, so a request
   * it answered in the same session is not sent again (a `--base` plan or a test run analyses the
   * same resources many times). A failed call is not kept.
   */
  private readonly answers = new Map<string, Promise<Diagnostic[]>>();
  /** The last GetAnalyzerInfo answer, as sent and as read. */
  private lastInfo: { readonly bytes: Buffer; readonly info: AnalyzerInfo } | undefined;

  private constructor(
    private readonly child: ChildProcess,
    private readonly client: GrpcAnalyzerClient,
    readonly info: AnalyzerInfo,
    private readonly stop: () => void,
    /** The pack's folder (with its info: which pack answers, for a shared store of analyses). */
    readonly packDir: string,
  ) {}

  private answer(
    kind: string,
    resources: readonly AnalyzerResource[],
    ask: () => Promise<Diagnostic[]>,
  ): Promise<Diagnostic[]> {
    const hash = createHash("sha256").update(`${kind} ${this.session.stack} ${this.session.config}`);
    for (const r of resources) {
      const { properties, provider, ...rest } = r;
      hash.update(`\n${JSON.stringify(rest)}\n${jsonOf(properties)}`);
      if (provider) hash.update(`\n${JSON.stringify({ ...provider, properties: 0 })}\n${jsonOf(provider.properties)}`);
    }
    const key = hash.digest("base64");
    let answer = this.answers.get(key);
    if (!answer) {
      if (this.answers.size >= MAX_ANSWERS) this.answers.clear();
      answer = ask().then((d) => Object.freeze(d) as Diagnostic[]);
      this.answers.set(key, answer);
      answer.catch(() => this.answers.delete(key));
    }
    return answer;
  }

  /** Starts the pack in `packDir` as the CLI does and reads its info. */
  static async start(packDir: string = POLICY_PACK_DIR): Promise<PolicyAnalyzer> {
    // The CLI's plugin script runs ./node_modules/@pulumi/pulumi/cmd/run-policy-pack from the pack
    // folder; Node resolution from there finds the pack's own install or, in this repository, the root's.
    let runner: string;
    try {
      runner = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [packDir] });
    } catch {
      throw new AnalyzerError(
        `${packDir}: @pulumi/pulumi is not installed for the policy pack; run npm install in ${packDir}`,
      );
    }
    const cache = codeCache();
    const child = spawn(process.execPath, [...cache.args, runner, "127.0.0.1:0", "."], {
      cwd: packDir,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, PULUMI_NODEJS_TRANSPILE_ONLY: undefined, ...cache.env },
    });
    // Never outlive the plan, from the first moment: a run that exits while the pack is still
    // starting (bad input found meanwhile) must not leave it behind.
    const stop = () => {
      child.kill();
    };
    process.once("exit", stop);
    const port = await new Promise<number>((ok, fail) => {
      let out = "";
      let err = "";
      const timer = setTimeout(() => {
        child.kill();
        fail(new AnalyzerError(`policy pack ${packDir} did not start within ${START_TIMEOUT_MS / 1000} s`));
      }, START_TIMEOUT_MS);
      child.stdout!.on("data", (d: Buffer) => {
        out += String(d);
        const line = /^(\d+)\s*$/m.exec(out);
        if (line) {
          clearTimeout(timer);
          ok(Number(line[1]));
        }
      });
      child.stderr!.on("data", (d: Buffer) => {
        err += String(d);
      });
      child.on("exit", (code) => {
        clearTimeout(timer);
        fail(
          new AnalyzerError(
            `policy pack ${packDir} exited (${code}) before ` +
              `serving:\n${(err || out).trim().split("\n").slice(0, 30).join("\n")}`,
          ),
        );
      });
    });
    child.removeAllListeners("exit");
    // Never keep the plan (or a test run) alive.
    child.unref();
    (child.stdout as unknown as { unref?: () => void }).unref?.();
    (child.stderr as unknown as { unref?: () => void }).unref?.();
    const client = new analyzerGrpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
      "grpc.max_receive_message_length": 400 * 1024 * 1024,
    });
    const resp = await call<Awaited<ReturnType<typeof readInfo>>>((cb) =>
      client.getAnalyzerInfo(new emptyPb.Empty(), (e, r) => cb(e, r ? readInfo(r) : (undefined as never))),
    ).catch((e: unknown) => {
      client.close();
      stop();
      throw e;
    });
    return new PolicyAnalyzer(child, client, resp, stop, resolve(packDir));
  }

  /** `Configure`: every policy's level and config properties (see reconcilePolicyConfig). */
  async configure(config: ReconciledConfig): Promise<void> {
    const req = new analyzerPb.ConfigureAnalyzerRequest();
    const map = (req.getPolicyconfigMap as () => Map<string, unknown>).call(req);
    for (const [name, c] of Object.entries(config)) {
      const pc = new analyzerPb.PolicyConfig();
      set(pc, "Enforcementlevel", LEVELS.indexOf(c.enforcementLevel));
      set(pc, "Properties", structPb.Struct.fromJavaScript(c.properties));
      map.set(name, pc);
    }
    this.session.config = "";
    await call((cb) => this.client.configure(req, cb));
    this.session.config = digest(config);
  }

  /**
   * `ConfigureStack`: which stack is analyzed, its config (`ns:key` -> value), which keys are secret,
   * and its tags as the backend sends them (offline/stack-tags.ts; none by default).
   */
  async configureStack(stack: StackSession): Promise<void> {
    const req = new analyzerPb.AnalyzerStackConfigureRequest();
    set(req, "Stack", stack.stack);
    set(req, "Project", stack.project);
    set(req, "Organization", stack.organization);
    set(req, "DryRun", stack.dryRun);
    const tags = (req.getTagsMap as () => Map<string, string>).call(req);
    for (const [k, v] of Object.entries(stack.tags ?? {})) tags.set(k, v);
    const config = (req.getConfigMap as () => Map<string, string>).call(req);
    for (const [k, v] of Object.entries(stack.config ?? {})) config.set(k, v);
    set(req, "ConfigSecretKeysList", [...(stack.configSecretKeys ?? [])]);
    this.session.stack = "";
    await call((cb) => this.client.configureStack(req, cb));
    this.session.stack = digest(stack);
  }

  /**
   * `GetAnalyzerInfo` again (the engine asks after ConfigureStack, before Configure). The pack answers
   * with the same bytes every time (its policies are fixed when it starts): those are decoded once.
   */
  async getAnalyzerInfo(): Promise<AnalyzerInfo> {
    const { path, requestSerialize } = analyzerGrpc.AnalyzerService.getAnalyzerInfo;
    const decode = (bytes: Buffer): AnalyzerInfo => {
      if (this.lastInfo?.bytes.equals(bytes)) return this.lastInfo.info;
      const info = frozenInfo(readInfo(analyzerPb.AnalyzerInfo.deserializeBinary(new Uint8Array(bytes))));
      this.lastInfo = { bytes: Buffer.from(bytes), info };
      return info;
    };
    return call<AnalyzerInfo>((cb) =>
      this.client.makeUnaryRequest(path, requestSerialize, decode, new emptyPb.Empty(), cb),
    );
  }

  analyze(r: AnalyzerResource): Promise<Diagnostic[]> {
    return this.answer("analyze", [r], async () => {
      const resp = await call<{ getDiagnosticsList(): ProtoDiagnostic[] }>((cb) =>
        this.client.analyze(resourceMessage(analyzerPb.AnalyzeRequest, r), cb),
      );
      return diagnostics(resp.getDiagnosticsList());
    });
  }

  analyzeStack(resources: readonly AnalyzerStackResource[]): Promise<Diagnostic[]> {
    return this.answer("analyzeStack", resources, () => this.sendAnalyzeStack(resources));
  }

  private async sendAnalyzeStack(resources: readonly AnalyzerStackResource[]): Promise<Diagnostic[]> {
    const req = new analyzerPb.AnalyzeStackRequest();
    set(
      req,
      "ResourcesList",
      resources.map((r) => {
        const msg = resourceMessage(analyzerPb.AnalyzerResource, r);
        if (r.parent) set(msg, "Parent", r.parent);
        set(msg, "DependenciesList", [...r.dependencies]);
        const deps = (msg.getPropertydependenciesMap as () => Map<string, unknown>).call(msg);
        for (const [k, urns] of Object.entries(r.propertyDependencies)) {
          if (urns.length === 0) continue;
          const d = new analyzerPb.AnalyzerPropertyDependencies();
          set(d, "UrnsList", [...urns]);
          deps.set(k, d);
        }
        return msg;
      }),
    );
    const resp = await call<{ getDiagnosticsList(): ProtoDiagnostic[] }>((cb) => this.client.analyzeStack(req, cb));
    return diagnostics(resp.getDiagnosticsList());
  }

  close(): void {
    this.client.close();
    this.child.kill();
    process.removeListener("exit", this.stop);
  }
}

/** Info handed to every stack's session: nobody may change it. */
function frozenInfo(info: AnalyzerInfo): AnalyzerInfo {
  for (const p of info.policies) {
    if (p.configSchema) {
      Object.freeze(p.configSchema.properties);
      Object.freeze(p.configSchema.required);
      Object.freeze(p.configSchema);
    }
    Object.freeze(p);
  }
  Object.freeze(info.policies);
  return Object.freeze(info);
}

function readInfo(r: ProtoAnalyzerInfo): AnalyzerInfo {
  return {
    name: r.getName(),
    version: r.getVersion(),
    policies: r.getPoliciesList().map((p) => {
      const schema = p.getConfigschema();
      return {
        name: p.getName(),
        enforcementLevel: LEVELS[p.getEnforcementlevel()] ?? "advisory",
        ...(schema
          ? {
              configSchema: {
                properties: schema.getProperties()?.toJavaScript() ?? {},
                required: schema.getRequiredList(),
              },
            }
          : {}),
      };
    }),
  };
}
