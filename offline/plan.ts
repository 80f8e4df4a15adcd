/**
 * The offline plan: parse stack files, check what the CLI and providers check before creating
 * anything (preflight), run the real program under the mock cloud in the chosen view, and analyze
 * the record with the policy pack's own analyzer. `planAll` plans a set of stacks together so
 * StackReferences between them resolve as the engine would resolve them.
 */
import { assumedExistingSubnets } from "../lib/network/existing-vpc";
import { parseStackConfig } from "../lib/config/parse";
import type { ConfigProblem } from "../lib/rules/problems";
import type { StackConfig } from "../lib/config/types";
import { defineStack } from "../stack";
import { DEFAULT_ORGANIZATION, type ProgramRecord, type RecordedOutput } from "./run-program";
import { evaluateRemembered, runRemembered } from "./remembered";
import { projectOf, readStackFile, type StackFile } from "./stack-file";
import { evaluateCrossStack, type Violation, type CrossStackReport } from "./policy-runner";
import { before, OFFLINE_ONLY, type UpdateRun } from "./update-order";
import { backendKindOf, readProjectTags, stackTags, StackTagsError } from "./stack-tags";
import { estimateCost, type CostEstimate } from "../lib/cost/cost";
import { limitProblems } from "../lib/aws/aws-limits";
import { PolicyAnalyzer } from "./analyzer";
import { StackReferences } from "./stack-references";
import { preflight, type Finding } from "./preflight";
import type { ExistingObject } from "./mock-cloud";
import { PublishedStore } from "./published";
import { leftoversAfterDestroy, type DestroyMode } from "./second-life";
import { baseFor, type BasePlan } from "./diff/base-file";
import { diffStack, type StackDiff } from "./diff/plan-diff";
import { StackPolicyConfigs } from "./stack-policy-config";
import { PolicyWeakeningError } from "./policy-weakening";
import { cidrOverlaps } from "./cidr-overlap";

/** Pseudo-policy name of the provider-limit check in plan output. */
const AWS_LIMITS_POLICY = "aws-provider-limits";

/** `preview`: a first `pulumi preview` (computed values unknown); `up`: an update, every value known. */
type PlanView = "preview" | "up";

export interface StackPlan {
  readonly stack: string;
  readonly file: string;
  readonly config: StackConfig;
  readonly record: ProgramRecord;
  readonly view: PlanView;
  /** Whether the stack already had a deployment (its own previous outputs were readable). */
  readonly deployedBefore: boolean;
  /** Objects an earlier life of the stack left behind, which this plan ran against (--after-destroy). */
  readonly existing: readonly ExistingObject[];
  readonly violations: Violation[];
  /** The real run simulated in the engine's order: where `pulumi up` stops (offline/update-order.ts). */
  readonly run: UpdateRun;
  /** The stack tags the pack got in ConfigureStack, as the stack's backend sends them (offline/stack-tags.ts). */
  readonly stackTags: Readonly<Record<string, string>>;
  readonly cost: CostEstimate;
  /** The diff against `--base` (its replacement-guard findings are in `violations` too). */
  readonly diff?: StackDiff;
}

export interface PlanResult {
  readonly view: PlanView;
  readonly organization: string;
  readonly stacks: StackPlan[];
  readonly crossStack: CrossStackReport;
  /** What a real preview or up would refuse before creating anything (printed first). */
  readonly preflight: Finding[];
  /** With `--base`: stacks the base holds and this plan does not (a stack file removed, or a narrower selector). */
  readonly removedStacks?: { readonly stack: string; readonly resources: number }[];
}

export interface PlanOptions {
  /** Plan a first `pulumi preview` of the stacks not listed in `deployed`. @default false (the up view) */
  readonly preview?: boolean;
  /**
   * Stacks of the set that already have a deployment: their outputs resolve for the others.
   * @default in the up view every stack (the group after its rollout); in the preview view none
   */
  readonly deployed?: readonly string[];
  /** `--policy-pack-config` content. @default {} (each stack's `policies/config/<stack>.json`, as CI passes it) */
  readonly policyConfig?: unknown;
  /** The `--policy-pack-config` file `policyConfig` was read from (it then applies to every stack). */
  readonly policyConfigFile?: string;
  /**
   * Where the stacks' own policy config files are, and the accepted weakenings (tests).
   * @default the repository's policies/
   */
  readonly policyFiles?: { readonly dir?: string; readonly acceptedFile?: string };
  /**
   * Outputs of stacks outside the plan that exist and are deployed (`org/project/stack` -> outputs);
   * undefined for a stack the plan knows nothing about. @default none
   */
  readonly external?: (ref: string) => Record<string, unknown> | undefined;
  /**
   * Outputs of the planned stacks' last deployment, for stacks that exist already (a re-deploy reads
   * its own previous outputs through a StackReference to itself). @default none
   */
  readonly previous?: Readonly<Record<string, Record<string, unknown>>>;
  /**
   * Plan the next life of the stacks: each is first deployed (up view), then destroyed this way, and
   * the plan is run against what the destroy left behind. @default none (nothing existed before)
   */
  readonly afterDestroy?: DestroyMode;
  /**
   * With afterDestroy: the first life as already planned, the up plan of the same files (no previous
   * outputs; its records are what the first life deploys), instead of running it again (tests share
   * it). Ignored unless it holds exactly the planned stacks. @default the first life is run here
   */
  readonly firstLife?: PlanResult;
  /**
   * A pack to use and leave running: running (tests), or still starting (the CLI starts it before it loads
   * the program, and it goes on starting while the programs run). Otherwise one is started for this plan
   * and stopped after it.
   */
  readonly analyzer?: PolicyAnalyzer | Promise<PolicyAnalyzer>;
  /** Diff every stack against this earlier plan (`--base`), with the replacement guard. @default no diff */
  readonly base?: BasePlan;
  /** Tags stored with each stack in its backend (`pulumi stack tag set`), by stack. @default none */
  readonly storedTags?: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

/** A user-facing failure: bad config (with every problem) or a program error. CLI exit 2. */
export class PlanError extends Error {
  constructor(
    readonly file: string,
    message: string,
    readonly problems: readonly ConfigProblem[] = [],
  ) {
    super(message);
    this.name = "PlanError";
  }
}

function parseOrThrow(file: StackFile): StackConfig {
  if (file.secretKeys.some((k) => k.startsWith("infrasage:"))) {
    throw new PlanError(
      file.path,
      `${file.path}: ${file.secretKeys.join(", ")} use secure: values, which the offline ` +
        `plan cannot decrypt; InfraSage keys hold no secrets, set them in plain text`,
    );
  }
  const parsed = parseStackConfig(file.config, file.stack, file.parseOptions);
  if (!parsed.ok) {
    const lines = parsed.problems.map((p) => `  - ${p.key}: ${p.message}. Fix: ${p.fix}.`);
    throw new PlanError(
      file.path,
      `${file.path}: invalid InfraSage configuration (${parsed.problems.length} ` +
        `problem${parsed.problems.length === 1 ? "" : "s"}):\n${lines.join("\n")}`,
      parsed.problems,
    );
  }
  return parsed.config;
}

interface Planned {
  readonly file: StackFile;
  readonly config: StackConfig;
  readonly project: string;
}

interface World {
  readonly refs: StackReferences;
  readonly organization: string;
  /** Per stack, the objects outside its state (see PlanOptions.afterDestroy). */
  readonly existing: ReadonlyMap<string, readonly ExistingObject[]>;
  /** What deployed stacks published for stacks in other backends (link contracts, spoke credentials). */
  readonly published: PublishedStore;
}

/** Runs the program for one stack; StackReferences are answered by `world.refs`. */
async function runStack(p: Planned, view: PlanView, world: World): Promise<ProgramRecord> {
  try {
    return await runRemembered(
      defineStack,
      {
        project: p.project,
        stack: p.file.stack,
        region: p.config.region,
        config: p.file.config,
        preview: view === "preview",
        organization: world.organization,
        existing: world.existing.get(p.file.stack) ?? [],
        published: world.published.view(),
        deployedOutputs: () => world.refs.deployedOutputs(p.file.stack),
        existingSubnets: p.config.network.existingVpc
          ? assumedExistingSubnets(p.config.network.existingVpc, p.config.region)
          : [],
        resolveStackReference: (ref) => world.refs.resolve(p.file.stack, ref),
      },
      "defineStack",
    );
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    throw new PlanError(p.file.path, `${p.file.path}: the program failed: ${message}`);
  }
}

function outputValues(outputs: Record<string, RecordedOutput>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(outputs)
      .filter(([, o]) => o.known)
      .map(([k, o]) => [k, o.value]),
  );
}

/**
 * Deploys `stacks` in file order, again and again until no output changes (stacks may reference each
 * other in cycles: hub and spokes, replication peers), as the documented rollouts do. A stack's
 * reference to itself reads its own previous deployment (none on its first `up`).
 */
async function rollout(stacks: readonly Planned[], world: World): Promise<Map<string, ProgramRecord>> {
  const records = new Map<string, ProgramRecord>();
  for (let pass = 0; pass < 4; pass++) {
    const readsBefore = world.refs.reads;
    let changed = false;
    for (const p of stacks) {
      const record = await runStack(p, "up", world);
      const values = outputValues(record.outputs);
      if (JSON.stringify(world.refs.deployedOutputs(p.file.stack)) !== JSON.stringify(values)) changed = true;
      world.refs.deploy(p.file.stack, values);
      world.published.deploy(p.file.stack, record);
      records.set(p.file.stack, record);
    }
    // Another round only matters if some stack read another's (or its own) outputs: through a
    // StackReference, or through a published link contract.
    const readContracts = stacks.some((p) => p.config.links.via === "ssm");
    if (!changed || (world.refs.reads === readsBefore && !readContracts)) break;
  }
  return records;
}

/** Plans one stack file on its own (its references to other stacks read as not deployed). */
export async function planStackFile(file: StackFile, options: PlanOptions = {}): Promise<StackPlan> {
  const [plan] = (await planFiles([file], options)).stacks;
  return plan!;
}

/** Plans every stack file together; see PlanOptions for the views. */
export async function planAll(paths: readonly string[], options: PlanOptions = {}): Promise<PlanResult> {
  return planFiles(
    paths.map((p) => readStackFile(p)),
    options,
  );
}

async function planFiles(files: readonly StackFile[], options: PlanOptions): Promise<PlanResult> {
  // every config problem first
  const planned: Planned[] = files.map((file) => ({ file, config: parseOrThrow(file), project: projectOf(file.path) }));
  const overlaps = cidrOverlaps(
    planned.map((p) => ({
      stack: p.file.stack,
      file: p.file.path,
      cidr: p.config.network.cidr,
      key: p.config.network.existingVpc ? "network.existingVpc.cidr" : "network.cidr",
    })),
  );
  if (overlaps.length > 0)
    throw new PlanError(
      planned[0]!.file.path,
      `VPC CIDRs of the stacks planned together overlap:\n${overlaps.join("\n")}`,
    );
  const view: PlanView = options.preview ? "preview" : "up";
  const policyConfigs = policyConfigsFor(
    planned.map((p) => p.file.stack),
    options,
  ); // bad policy config exits 2 before anything runs
  // The tags each stack's backend would send the pack; a malformed pulumi:tags fails before anything runs.
  const tagsOf = new Map(
    planned.map((p) => {
      try {
        return [
          p.file.stack,
          stackTags(
            backendKindOf(p.config),
            options.storedTags?.[p.file.stack] ?? {},
            readProjectTags(p.file.path),
            p.file,
          ),
        ] as const;
      } catch (e) {
        if (e instanceof StackTagsError)
          throw new PlanError(p.file.path, `${e.message}. Fix: give pulumi:tags an object of string values`);
        throw e;
      }
    }),
  );
  // A base from other stacks fails before anything runs.
  const bases = options.base
    ? baseFor(
        options.base,
        planned.map((p) => p.file.stack),
      )
    : undefined;
  // The pack starts (about a second: ts-node type-checks it) while the programs run.
  const starting = options.analyzer ? Promise.resolve(options.analyzer) : PolicyAnalyzer.start();
  starting.catch(() => undefined); // awaited below; no unhandled rejection meanwhile
  // A failure before the analysis stops the pack this plan started (once it is up).
  const stopOnError = (e: unknown): never => {
    if (!options.analyzer)
      void starting.then(
        (a) => a.close(),
        () => undefined,
      );
    throw e;
  };
  const newRefs = () =>
    new StackReferences(
      planned.map((p) => ({ stack: p.file.stack, project: p.project, file: p.file.path, references: p.config })),
      options.external,
    );
  const refs = newRefs();
  const organization = refs.organization ?? DEFAULT_ORGANIZATION;
  const existing = new Map<string, readonly ExistingObject[]>();
  if (options.afterDestroy) {
    // The first life: every stack deployed, then destroyed; keep what the destroy leaves behind.
    const given = options.firstLife?.stacks;
    const first =
      options.firstLife?.view === "up" &&
      given?.length === planned.length &&
      planned.every((p, i) => given[i]?.stack === p.file.stack)
        ? new Map(given.map((s) => [s.stack, s.record]))
        : await rollout(planned, {
            refs: newRefs(),
            organization,
            existing,
            published: new PublishedStore(),
          }).catch(stopOnError);
    for (const [stack, record] of first)
      existing.set(stack, leftoversAfterDestroy(record.resources, options.afterDestroy));
  }
  for (const [stack, outputs] of Object.entries(options.previous ?? {})) refs.deploy(stack, outputs);
  const world: World = { refs, organization, existing, published: new PublishedStore() };
  const deployedNames = new Set(options.deployed ?? (view === "up" ? planned.map((p) => p.file.stack) : []));
  for (const name of deployedNames) {
    if (!planned.some((p) => p.file.stack === name))
      stopOnError(
        new PlanError(
          name,
          `--deployed ${name}: no such stack in the plan (stacks: ${planned.map((p) => p.file.stack).join(", ")})`,
        ),
      );
  }
  // The stacks that exist already, as their own rollout left them; then every other stack's first run.
  const deployed = planned.filter((p) => deployedNames.has(p.file.stack));
  const records = await rollout(deployed, world).catch(stopOnError);
  for (const p of planned.filter((x) => !deployedNames.has(x.file.stack))) {
    const record = await runStack(p, view, world).catch(stopOnError);
    if (view === "up") world.published.deploy(p.file.stack, record);
    records.set(p.file.stack, record);
  }

  const analyzer = await starting;
  try {
    const stacks: StackPlan[] = [];
    for (const p of planned) {
      const record = records.get(p.file.stack)!;
      // What AWS itself would reject at create time (name lengths after auto-naming, tag limits):
      // mocks accept anything, so the plan checks it like a mandatory policy.
      // AWS refuses such a create call: the update fails at that resource (a preview does not call AWS).
      const limits = record.resources.flatMap((r) =>
        limitProblems([r]).map(
          (x): Violation => ({
            policy: AWS_LIMITS_POLICY,
            level: "mandatory",
            message: `${x.type} ${x.name}: ${x.message}`,
            urn: r.urn,
            enforcedAt: before(r.urn),
          }),
        ),
      );
      const tags = tagsOf.get(p.file.stack)!;
      const { violations, run } = await evaluateRemembered(
        analyzer,
        record,
        { project: p.project, organization, config: p.file.config, secretKeys: p.file.secretKeys, tags },
        policyConfigs.configFor(p.file.stack, options.policyConfig),
      );
      // Policy config that weakens a residency rule (CI passes it from the pull request's tree): no real run checks
      // this.
      const weakenings = policyConfigs.weakenings(
        p.file.stack,
        p.config.region,
        record.resources.map((r) => r.urn),
      );
      const diff = options.base
        ? diffStack(options.base.file, bases?.get(p.file.stack), record.resources, p.config.allowReplace)
        : undefined;
      stacks.push({
        stack: p.file.stack,
        file: p.file.path,
        config: p.config,
        record,
        view: record.preview ? "preview" : "up",
        deployedBefore: deployedNames.has(p.file.stack) || options.previous?.[p.file.stack] !== undefined,
        existing: existing.get(p.file.stack) ?? [],
        violations: [
          ...violations,
          ...limits,
          ...weakenings,
          ...(diff?.guard ?? []).map((g) => ({ ...g, enforcedAt: OFFLINE_ONLY })),
        ],
        run,
        stackTags: tags,
        cost: estimateCost(p.config, record.resources),
        ...(diff ? { diff } : {}),
      });
    }
    const project = planned[0]?.project ?? "";
    return {
      view,
      organization,
      stacks,
      crossStack: evaluateCrossStack(
        stacks.map((s) => ({ config: s.config, record: s.record })),
        { project },
      ),
      preflight: [
        ...preflight(planned.map((p) => ({ file: p.file, config: p.config, record: records.get(p.file.stack)! }))),
        ...refs.findings(),
      ],
      ...(options.base
        ? {
            removedStacks: [...options.base.stacks.values()]
              .filter((b) => !planned.some((p) => p.file.stack === b.stack))
              .map((b) => ({ stack: b.stack, resources: b.resources.length })),
          }
        : {}),
    };
  } finally {
    if (!options.analyzer) analyzer.close();
  }
}

function policyConfigsFor(stacks: readonly string[], options: PlanOptions): StackPolicyConfigs {
  try {
    return new StackPolicyConfigs(stacks, {
      ...(options.policyConfigFile !== undefined
        ? { given: { file: options.policyConfigFile, doc: options.policyConfig } }
        : {}),
      ...options.policyFiles,
    });
  } catch (e) {
    if (e instanceof PolicyWeakeningError) throw new PlanError(options.policyConfigFile ?? "policy config", e.message);
    throw e;
  }
}
