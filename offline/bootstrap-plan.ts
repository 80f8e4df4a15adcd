/**
 * `npm run plan -- --bootstrap [--stack NAME] [--preview] [--json] [--out FILE] [--strict]`: plans the
 * bootstrap project (bootstrap/) offline as the program stacks are planned: its real program under
 * the same mock runtime (offline/run-program.ts), the same policy pack through its analyzer, a cost
 * estimate, and a check that every program stack file carries what the bootstrap created for it.
 * Exit 0 clean, 1 a mandatory violation (or, with --strict, a program stack missing a bootstrap key
 * or without a GitHub environment from any bootstrap stack),
 * 2 bad input.
 */
import { dirname, join, resolve } from "node:path";
import { defineBootstrap } from "../bootstrap/program";
import { BootstrapConfigError, parseBootstrapConfig, type BootstrapConfig } from "../bootstrap/lib/config";
import {
  programStackSettings,
  stacksWithoutEnvironment,
  wiringProblems,
  type WiringProblem,
} from "../bootstrap/lib/outputs";
import { GLOBAL_PRICES, PRICE_TABLE_VERSION } from "../lib/cost/prices";
import { limitProblems } from "../lib/aws/aws-limits";
import { AnalyzerError, PolicyAnalyzer } from "./analyzer";
import { evaluateStack, type Violation } from "./policy-runner";
import { before, CANT_RUN_RE } from "./update-order";
import { PolicyConfigError } from "./policy-config";
import { OutputFileError, writeOutputFile } from "./output-file";
import { PolicyWeakeningError } from "./policy-weakening";
import { readPolicyConfigFile } from "./run-inputs";
import { validatePolicyConfig } from "./stack-policy-config";
import { DEFAULT_ORGANIZATION, runProgram, SECRET, UNKNOWN, type ProgramRecord } from "./run-program";
import {
  findProject,
  listStackFiles,
  PROGRAM_ROOT,
  readStackFile,
  StackFileError,
  stackNameOf,
  type StackFile,
} from "./stack-file";

export const BOOTSTRAP_DIR = join(PROGRAM_ROOT, "bootstrap");

interface BootstrapCost {
  readonly monthlyTotal: number;
  readonly currency: "USD";
  readonly items: { readonly item: string; readonly quantity: number; readonly monthly: number }[];
  readonly notEstimated: string[];
}

export interface BootstrapStackPlan {
  readonly stack: string;
  readonly file: string;
  readonly config: BootstrapConfig;
  readonly record: ProgramRecord;
  readonly violations: Violation[];
  readonly cost: BootstrapCost;
  /** Program stack files lacking (or contradicting) a key the bootstrap created for them. */
  readonly wiring: WiringProblem[];
  /** Program stacks the bootstrap prepares an environment for that have no stack file yet. */
  readonly awaiting: string[];
}

export interface BootstrapPlanResult {
  readonly view: "preview" | "up";
  readonly stacks: BootstrapStackPlan[];
  /** Program stack files no planned bootstrap stack makes a GitHub environment for. */
  readonly withoutEnvironment: string[];
}

export interface BootstrapPlanOptions {
  readonly preview?: boolean;
  readonly policyConfig?: unknown;
  readonly analyzer?: PolicyAnalyzer;
  /** Where the program stack files live (their `deploy.previewRoleArn` is checked). @default the repository root */
  readonly programDir?: string;
}

/** Customer-managed KMS keys are the bootstrap's only fixed monthly cost (lib/cost/prices.ts). */
function bootstrapCost(record: ProgramRecord): BootstrapCost {
  const keys = record.resources.filter((r) => r.type === "aws:kms/key:Key").length;
  const items =
    keys > 0 ? [{ item: "KMS customer-managed keys", quantity: keys, monthly: keys * GLOBAL_PRICES.kmsKeyMonth }] : [];
  return {
    monthlyTotal: items.reduce((s, i) => s + i.monthly, 0),
    currency: "USD",
    items,
    notEstimated: [
      "S3 storage and requests of the state (a few MB per stack)",
      "KMS requests",
      "IAM, CodeConnections, GitHub: no charge",
    ],
  };
}

function parse(file: StackFile): BootstrapConfig {
  return parseBootstrapConfig(file.path, file.stack, file.config);
}

export async function planBootstrap(
  paths: readonly string[],
  options: BootstrapPlanOptions = {},
): Promise<BootstrapPlanResult> {
  const files = paths.map((p) => readStackFile(p));
  const configs = files.map(parse); // every config problem before anything runs
  const starting = options.analyzer ? Promise.resolve(options.analyzer) : PolicyAnalyzer.start();
  starting.catch(() => undefined);
  const programFiles = listStackFiles(options.programDir ?? PROGRAM_ROOT).map((p) => readStackFile(p));
  const records: ProgramRecord[] = [];
  for (const [i, f] of files.entries()) {
    const c = configs[i]!;
    records.push(
      await runProgram(defineBootstrap, {
        project: findProject(dirname(f.path)).name,
        stack: f.stack,
        region: c.region,
        config: f.config,
        preview: options.preview ?? false,
        organization: DEFAULT_ORGANIZATION,
      }),
    );
  }
  const analyzer = await starting;
  try {
    const stacks: BootstrapStackPlan[] = [];
    for (const [i, f] of files.entries()) {
      const c = configs[i]!;
      const record = records[i]!;
      const violations = await evaluateStack(
        analyzer,
        record,
        { project: findProject(dirname(f.path)).name, organization: DEFAULT_ORGANIZATION, config: f.config },
        options.policyConfig ?? {},
      );
      // What AWS itself refuses at create time (name lengths), as the program's plan reports it (offline/plan.ts
      // AWS_LIMITS_POLICY).
      violations.push(
        ...record.resources.flatMap((r) =>
          limitProblems([r]).map(
            (x): Violation => ({
              policy: "aws-provider-limits",
              level: "mandatory",
              message: `${x.type} ${x.name}: ${x.message}`,
              urn: r.urn,
              enforcedAt: before(r.urn),
            }),
          ),
        ),
      );
      const wiring: WiringProblem[] = [];
      const awaiting: string[] = [];
      for (const s of programStackSettings(c)) {
        const program = programFiles.find((p) => p.stack === s.stack);
        if (program) wiring.push(...wiringProblems(s, `Pulumi.${s.stack}.yaml`, program.config));
        else awaiting.push(s.stack);
      }
      stacks.push({
        stack: f.stack,
        file: f.path,
        config: c,
        record,
        violations,
        cost: bootstrapCost(record),
        wiring,
        awaiting,
      });
    }
    return {
      view: options.preview ? "preview" : "up",
      stacks,
      withoutEnvironment: stacksWithoutEnvironment(
        configs,
        programFiles.map((p) => p.stack),
      ),
    };
  } finally {
    if (!options.analyzer) analyzer.close();
  }
}

const shown = (o: { value: unknown; secret: boolean; known: boolean }): unknown =>
  o.secret ? SECRET : !o.known ? UNKNOWN : o.value;

function bootstrapJson(result: BootstrapPlanResult) {
  return {
    bootstrap: true,
    view: result.view,
    stacks: result.stacks.map((s) => ({
      stack: s.stack,
      jurisdiction: s.config.jurisdiction,
      region: s.config.region,
      account: s.config.account,
      resources: s.record.resources.map((r) => ({
        urn: r.urn,
        type: r.type,
        name: r.name,
        region: r.region ?? null,
        inputs: r.inputs,
        protect: r.protect,
        custom: r.custom,
      })),
      outputs: Object.fromEntries(Object.entries(s.record.outputs).map(([k, o]) => [k, shown(o)])),
      violations: s.violations,
      cost: s.cost,
      wiring: s.wiring,
      awaiting: s.awaiting,
    })),
    withoutEnvironment: result.withoutEnvironment,
  };
}

export function bootstrapSummary(result: BootstrapPlanResult): string {
  const uncovered = result.withoutEnvironment.map(
    (s) =>
      `Program stack ${s}: no bootstrap stack planned here makes its GitHub environment; ` +
      `GitHub would create it on the first up, unprotected.\n  Fix: add ${s} (its ` +
      `region to bootstrap:regions, or to bootstrap:stacks) in its jurisdiction's ` +
      `bootstrap stack file and pulumi up the bootstrap before merging Pulumi.${s}.yaml.`,
  );
  return [
    ...result.stacks.map((s) => {
      const c = s.config;
      const lines = [
        `Bootstrap stack ${s.stack}: account ${c.account}, jurisdiction ${c.jurisdiction}, ` +
          `home region ${c.region}, ` +
          `repository ${c.owner}/${c.repo}; ${result.view === "preview" ? "first pulumi preview" : "pulumi up"} ` +
          `with an admin's credentials`,
      ];
      const custom = s.record.resources.filter((r) => r.custom && !r.type.startsWith("pulumi:providers:"));
      lines.push(`Resources (${custom.length}):`);
      const byType = new Map<string, string[]>();
      for (const r of custom)
        byType.set(r.type, [
          ...(byType.get(r.type) ?? []),
          r.region && r.region !== c.region ? `${r.name} [in ${r.region}]` : r.name,
        ]);
      for (const [type, names] of [...byType].sort(([a], [b]) => a.localeCompare(b))) {
        lines.push(`  ${String(names.length).padStart(3)} × ${type}`, `          ${names.join(", ")}`);
      }
      lines.push("Outputs:");
      for (const [k, o] of Object.entries(s.record.outputs))
        lines.push(`  ${k.padEnd(22)} ${JSON.stringify(shown(o))}`);
      lines.push(
        "Connections (CodeConnections): each stays PENDING until someone approves it once in the AWS console:",
      );
      for (const r of c.regions)
        lines.push(
          `  infrasage-github-${r} (${r}): Developer Tools > Settings > Connections > Update pending connection`,
        );
      lines.push("Program stacks (what their stack files take from this bootstrap):");
      for (const p of programStackSettings(c)) {
        const problems = s.wiring.filter((w) => w.stack === p.stack);
        if (s.awaiting.includes(p.stack))
          lines.push(
            `  ${p.stack}: no Pulumi.${p.stack}.yaml yet; its environment is ready for it (set ${Object.entries(
              p.config,
            )
              .map(([k, v]) => `${k}: ${v}`)
              .join(", ")})`,
          );
        else if (problems.length === 0)
          lines.push(`  ${p.stack}: Pulumi.${p.stack}.yaml carries every key the bootstrap created`);
        else for (const w of problems) lines.push(`  ${p.stack}: ${w.message}.\n    Fix: ${w.fix}.`);
      }
      lines.push("Policy violations:");
      // As in the program's plan: a policy that read a value known only after apply is listed once (checked at up).
      const deferred = s.violations.filter((v) => v.level === "advisory" && CANT_RUN_RE.test(v.message));
      const shownViolations = s.violations.filter((v) => !deferred.includes(v));
      if (shownViolations.length === 0 && deferred.length === 0) lines.push("  none");
      for (const v of shownViolations)
        lines.push(`  [${v.level}] ${v.policy}: ${v.message}${v.urn ? `\n      at ${v.urn}` : ""}`);
      if (deferred.length > 0)
        lines.push(
          `  [advisory] checked at pulumi up, not at this preview (a value it reads is ` +
            `known after apply): ${[...new Set(deferred.map((v) => v.policy))].join(", ")}`,
        );
      lines.push(`Estimated cost: ${s.cost.monthlyTotal.toFixed(2)} USD/month (price table ${PRICE_TABLE_VERSION})`);
      for (const i of s.cost.items)
        lines.push(`  ${i.item.padEnd(28)} ${String(i.quantity).padStart(6)} ${i.monthly.toFixed(2).padStart(10)}`);
      lines.push(`  not estimated: ${s.cost.notEstimated.join("; ")}`);
      return lines.join("\n");
    }),
    ...uncovered,
  ].join("\n\n");
}

const USAGE =
  "usage: npm run plan -- --bootstrap [--stack NAME] [--preview] [--json] [--out FILE] [--strict] " +
  `[--policy-pack-config PATH]
  plans bootstrap/Pulumi.<NAME>.yaml (default: every bootstrap stack) with the policy pack`;

/** The `--bootstrap` mode of the plan CLI (offline/cli.ts hands it the arguments). */
export async function bootstrapMain(
  argv: readonly string[],
  cwd: string,
  deps: { analyzer?: PolicyAnalyzer } = {},
): Promise<number> {
  let json = false,
    preview = false,
    strict = false,
    stack: string | undefined,
    out: string | undefined,
    policyFile: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = (): string | undefined => {
      const v = argv[++i];
      return v === undefined || v.startsWith("--") ? undefined : v;
    };
    if (arg === "--json") json = true;
    else if (arg === "--preview") preview = true;
    else if (arg === "--strict") strict = true;
    else if (arg === "--stack" || arg === "--out" || arg === "--policy-pack-config") {
      const v = value();
      if (v === undefined) {
        process.stderr.write(`${arg} needs a value\n${USAGE}\n`);
        return 2;
      }
      if (arg === "--stack") stack = v;
      else if (arg === "--out") out = resolve(cwd, v);
      else policyFile = resolve(cwd, v);
    } else {
      process.stderr.write(`--bootstrap: unknown argument ${arg}\n${USAGE}\n`);
      return 2;
    }
  }
  let result: BootstrapPlanResult;
  try {
    const all = listStackFiles(BOOTSTRAP_DIR);
    const files = stack === undefined ? all : all.filter((f) => stackNameOf(f) === stack);
    if (files.length === 0)
      throw new StackFileError(
        join(BOOTSTRAP_DIR, `Pulumi.${stack}.yaml`),
        `does not exist; bootstrap stacks: ${all.map((f) => stackNameOf(f)).join(", ") || "none"}`,
      );
    // Read, bounded and validated (names, levels, schemas) as the main plan does.
    let policyConfig: unknown = {};
    if (policyFile) {
      policyConfig = readPolicyConfigFile(policyFile);
      validatePolicyConfig(policyFile, policyConfig);
    }
    result = await planBootstrap(files, {
      preview,
      policyConfig,
      ...(deps.analyzer ? { analyzer: deps.analyzer } : {}),
    });
  } catch (e) {
    if (e instanceof BootstrapConfigError || e instanceof StackFileError || e instanceof AnalyzerError)
      process.stderr.write(`${e.message}\n`);
    else if (e instanceof PolicyConfigError || e instanceof PolicyWeakeningError)
      process.stderr.write(`--policy-pack-config: ${e.message}\n`);
    else process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }
  const doc = () => `${JSON.stringify(bootstrapJson(result), null, 2)}\n`;
  if (out) {
    // The plan's one writer: never over an input of the run, atomically.
    try {
      const inputs = [
        ...result.stacks.map((b) => ({ what: "the stack file", path: b.file })),
        ...(policyFile ? [{ what: "--policy-pack-config", path: policyFile }] : []),
      ];
      writeOutputFile("--out", out, doc(), inputs);
    } catch (e) {
      if (!(e instanceof OutputFileError)) throw e;
      process.stderr.write(`${e.message}\n`);
      return 2;
    }
  }
  process.stdout.write(json ? doc() : `${bootstrapSummary(result)}\n`);
  const mandatory = result.stacks.some((s) => s.violations.some((v) => v.level === "mandatory"));
  const wiringFindings =
    result.stacks.some((s) => s.wiring.length > 0) || (stack === undefined && result.withoutEnvironment.length > 0);
  return mandatory || (strict && wiringFindings) ? 1 : 0;
}
