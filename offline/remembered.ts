/**
 * Runs of a program and their analyses, remembered. A run is a function of its fixed inputs (project,
 * stack, config, view, organization, region, what an earlier life left, an existing VPC's subnets) and
 * of what it reads while it runs: other stacks' outputs through StackReferences, its own last
 * deployment, what other stacks published. A run whose fixed inputs match a remembered one, and whose
 * every read answers the same now, would register the same resources in the same order: its record is
 * returned instead of running the program again: a stack of a rollout whose reads did not change
 * since its last round, and a run repeated by another plan of the same process (`--base`, the views of
 * one group, a test run's plans). What the program reads besides (files, the environment) is fixed for the life of
 * a process. INFRASAGE_DEBUG=1 runs every run.
 */
import { createHash } from "node:crypto";
import { deserialize, serialize } from "node:v8";
import type { PolicyAnalyzer } from "./analyzer";
import type { Published } from "./mock-cloud";
import { evaluateRun, type AnalysisTarget, type StackEvaluation } from "./policy-runner";
import { runProgram, type ProgramRecord, type RunOptions } from "./run-program";

type Program = Parameters<typeof runProgram>[0];

/** Something a run read from the world, with the answer it got (JSON). */
type Read =
  | { readonly kind: "reference"; readonly ref: string; readonly answer: string | undefined }
  | { readonly kind: "previous" | "parameters" | "secrets"; readonly answer: string | undefined };

interface Remembered {
  readonly program: Program;
  readonly reads: readonly Read[];
  readonly record: ProgramRecord;
}

/**
 * A bound for long-lived processes (a test worker holds about 220 runs, under 1 GiB in all); a plan
 * from the CLI runs a few.
 */
const MAX_REMEMBERED = 256;

const mapJson = (m: ReadonlyMap<string, string> | undefined) => (m ? JSON.stringify([...m]) : undefined);

/** What `read` answers in the world `opts` sees now. */
function answer(read: Read, opts: RunOptions): string | undefined {
  switch (read.kind) {
    case "reference":
      return JSON.stringify(opts.resolveStackReference?.(read.ref));
    case "previous":
      return JSON.stringify(opts.deployedOutputs?.());
    case "parameters":
      return mapJson(opts.published?.parameters);
    case "secrets":
      return mapJson(opts.published?.secrets);
  }
}

/** The options with every read noted (once: the world does not change during a run). */
function noting(opts: RunOptions, reads: Map<string, Read>): RunOptions {
  const note = <T>(id: string, read: Read, value: T): T => {
    if (!reads.has(id)) reads.set(id, read);
    return value;
  };
  const published = opts.published;
  const resolve = opts.resolveStackReference;
  const previous = opts.deployedOutputs;
  return {
    ...opts,
    ...(resolve && {
      resolveStackReference: (ref: string) => {
        const value = resolve(ref);
        return note(`reference:${ref}`, { kind: "reference", ref, answer: JSON.stringify(value) }, value);
      },
    }),
    ...(previous && {
      deployedOutputs: () => {
        const value = previous();
        return note("previous", { kind: "previous", answer: JSON.stringify(value) }, value);
      },
    }),
    ...(published && {
      published: {
        get parameters() {
          const answer = mapJson(published.parameters);
          return note("parameters", { kind: "parameters", answer }, published.parameters);
        },
        get secrets() {
          const answer = mapJson(published.secrets);
          return note("secrets", { kind: "secrets", answer }, published.secrets);
        },
      } satisfies Published,
    }),
  };
}

/** The inputs that do not change during a run, as one key. */
function fixedKey(opts: RunOptions): string {
  const { project, stack, config, preview, organization, region, existing, existingSubnets } = opts;
  return JSON.stringify([project, stack, config, preview ?? false, organization, region, existing, existingSubnets]);
}

/** A record may be handed to many callers: none may change it. */
function freeze(record: ProgramRecord): ProgramRecord {
  for (const r of record.resources) Object.freeze(r);
  Object.freeze(record.resources);
  Object.freeze(record.outputs);
  return Object.freeze(record);
}

/** Most recently used last. */
const remembered = new Map<string, Remembered[]>();

/** How many runs this process ran, and how many it answered from memory instead. */
export const runCounts = { ran: 0, remembered: 0 };

/**
 * Where runs and analyses are also kept beyond this process, by a digest of what they depend on. None
 * by default: the CLI plans in one process. The test suite's workers share one (test/support), so a
 * plan one worker made is not made again by the other.
 */
export interface SharedStore {
  read(key: string): Buffer | undefined;
  write(key: string, value: Buffer): void;
}

/**
 * Off: every run runs (INFRASAGE_DEBUG=1 also turns it off; tests compare a plan with and without).
 * `shared`: the store beyond this process, if any.
 */
export const memory: { on: boolean; shared: SharedStore | undefined } = { on: true, shared: undefined };

const digest = (...parts: string[]): string => createHash("sha256").update(parts.join("\0")).digest("base64url");

/** Only plain data goes to a shared store: what v8's serializer gives back as it was (no class instance). */
function plain(value: unknown, depth = 0): boolean {
  if (value === null || typeof value !== "object") return typeof value !== "function" && typeof value !== "symbol";
  if (depth > 64) return false;
  const proto = Object.getPrototypeOf(value);
  if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) return false;
  return Object.values(value).every((v) => plain(v, depth + 1));
}

/** The entries kept under `key` in the shared store (a damaged or foreign entry reads as none). */
function sharedEntries<T>(key: string): T[] {
  const bytes = memory.shared?.read(key);
  if (!bytes) return [];
  try {
    const value = deserialize(bytes) as unknown;
    return Array.isArray(value) ? (value as T[]) : [];
  } catch {
    return [];
  }
}

/** What the store keeps under a run's key: which reads each kept record answered (the records apart). */
interface SharedRun {
  readonly reads: readonly Read[];
  /** The key the record is kept under. */
  readonly id: string;
}

function sharedRecord(id: string): ProgramRecord | undefined {
  const [record] = sharedEntries<ProgramRecord>(id);
  return record && Array.isArray(record.resources) ? record : undefined;
}

/** A record's digest in the shared store (its program, fixed inputs and reads), if it may be shared. */
const sharedKeys = new WeakMap<ProgramRecord, string>();

function remember(key: string, entry: Remembered, candidates: Remembered[]): void {
  remembered.delete(key);
  remembered.set(key, [entry, ...candidates].slice(0, 4));
  let total = [...remembered.values()].reduce((n, list) => n + list.length, 0);
  for (const [k, list] of remembered) {
    if (total <= MAX_REMEMBERED) break;
    remembered.delete(k);
    total -= list.length;
  }
}

const readsKey = (reads: readonly Read[]): string => JSON.stringify(reads);

/**
 * runProgram, or the record of the same run remembered (see the file's comment). `shareAs` names a
 * program the same in every process (the stack's program), whose runs may go to the shared store.
 */
export async function runRemembered(program: Program, opts: RunOptions, shareAs?: string): Promise<ProgramRecord> {
  if (!memory.on || process.env.INFRASAGE_DEBUG) {
    runCounts.ran++;
    return freeze(await runProgram(program, opts));
  }
  const key = fixedKey(opts);
  const candidates = remembered.get(key) ?? [];
  const matches = (reads: readonly Read[]) => reads.every((r) => answer(r, opts) === r.answer);
  const hit = candidates.find((c) => c.program === program && matches(c.reads));
  if (hit) {
    runCounts.remembered++;
    remembered.delete(key);
    remembered.set(key, candidates);
    return hit.record;
  }
  const storeKey = shareAs && memory.shared ? digest("run", shareAs, key) : undefined;
  const stored = storeKey ? sharedEntries<SharedRun>(storeKey) : [];
  const found = stored.find((e) => matches(e.reads));
  const kept = found && sharedRecord(found.id);
  if (found && kept) {
    runCounts.remembered++;
    const record = freeze(kept);
    sharedKeys.set(record, found.id);
    remember(key, { program, reads: found.reads, record }, candidates);
    return record;
  }
  const reads = new Map<string, Read>();
  runCounts.ran++;
  const record = freeze(await runProgram(program, noting(opts, reads)));
  remember(key, { program, reads: [...reads.values()], record }, candidates);
  // The resources are plain by construction (decoded Structs); the outputs are whatever the program returned.
  if (storeKey && plain(record.outputs)) {
    const entry: SharedRun = { reads: [...reads.values()], id: digest(storeKey, readsKey([...reads.values()])) };
    memory.shared!.write(entry.id, serialize([record]));
    memory.shared!.write(storeKey, serialize([entry, ...stored.filter((e) => e.id !== entry.id)].slice(0, 4)));
    sharedKeys.set(record, entry.id);
  }
  return record;
}

const evaluations = new WeakMap<PolicyAnalyzer, WeakMap<ProgramRecord, Map<string, Promise<StackEvaluation>>>>();

/**
 * evaluateRun, or the same evaluation remembered: the pack's policies are functions of the stack's
 * session (target, policy config) and the resources, so a remembered record analysed again with the
 * same session by the same pack gets the same diagnostics.
 */
export function evaluateRemembered(
  analyzer: PolicyAnalyzer,
  record: ProgramRecord,
  target: AnalysisTarget,
  policyConfig: unknown,
): Promise<StackEvaluation> {
  const byRecord = evaluations.get(analyzer) ?? new WeakMap<ProgramRecord, Map<string, Promise<StackEvaluation>>>();
  evaluations.set(analyzer, byRecord);
  const bySession = byRecord.get(record) ?? new Map<string, Promise<StackEvaluation>>();
  byRecord.set(record, bySession);
  const key = JSON.stringify([target, policyConfig]);
  let evaluation = bySession.get(key);
  if (!evaluation) {
    evaluation = sharedEvaluation(analyzer, record, key, () => evaluateRun(analyzer, record, target, policyConfig));
    bySession.set(key, evaluation);
    evaluation.catch(() => bySession.delete(key)); // a failure (the pack stopped) is tried afresh
  }
  return evaluation;
}

const packKeys = new WeakMap<PolicyAnalyzer, string>();
/** Which pack answers: its folder and what it said it is (its policies, levels and schemas). */
function packKey(analyzer: PolicyAnalyzer): string {
  let key = packKeys.get(analyzer);
  if (key === undefined) {
    key = digest(analyzer.packDir, JSON.stringify(analyzer.info));
    packKeys.set(analyzer, key);
  }
  return key;
}

/** The analysis from the shared store, or made and put there (a record that may be shared, the same pack). */
async function sharedEvaluation(
  analyzer: PolicyAnalyzer,
  record: ProgramRecord,
  session: string,
  evaluate: () => Promise<StackEvaluation>,
): Promise<StackEvaluation> {
  const recordKey = sharedKeys.get(record);
  if (!recordKey || !memory.shared) return evaluate();
  const storeKey = digest("analysis", recordKey, session, packKey(analyzer));
  const [stored] = sharedEntries<StackEvaluation>(storeKey);
  if (stored) return stored;
  const evaluation = await evaluate();
  if (plain(evaluation)) memory.shared.write(storeKey, serialize([evaluation]));
  return evaluation;
}
