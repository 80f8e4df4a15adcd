/**
 * What the program stacks take from the bootstrap, and what the bootstrap's outputs tell a person:
 * the config keys each program stack file sets to the bootstrap's values, and the console step
 * the connections wait for.
 */
import { decodeConfigValue } from "../../lib/rules/problems";
import type { BootstrapConfig } from "./config";
import { boundaryPolicyArn, previewRoleArn } from "./names";

export interface ProgramStackSettings {
  readonly stack: string;
  readonly region: string;
  /** Keys of the stack file (`Pulumi.<stack>.yaml`) and the values the bootstrap created them for. */
  readonly config: Readonly<Record<string, string>>;
}

/**
 * The bootstrap-owned keys of each program stack: the preview role (the cluster gives it the EKS view
 * policy), the permissions boundary its roles must carry (else the deploy role may not create them)
 * and where its state lives. Their values are names the bootstrap fixed, so a stack file can
 * carry them before the bootstrap runs and the plan can check them.
 */
export function programStackSettings(c: BootstrapConfig): ProgramStackSettings[] {
  return c.stacks.map((s) => ({
    stack: s.stack,
    region: s.region,
    config: {
      "infrasage:deploy.previewRoleArn": previewRoleArn(c.account, s.region),
      "infrasage:deploy.permissionsBoundaryArn": boundaryPolicyArn(c.account, c.jurisdiction),
      "infrasage:stateBackend": c.stateBackend,
    },
  }));
}

export interface WiringProblem {
  readonly stack: string;
  readonly key: string;
  readonly message: string;
  readonly fix: string;
}

/**
 * Reads `a.b` of a stack file's config in any spelling the program's parser accepts: a flat dotted
 * key (`ns:a.b`, `pulumi config set`) or a structured value above it (`ns:a` holding `{ b }`).
 */
function configValue(raw: Readonly<Record<string, string>>, key: string): string | undefined {
  const [ns, rest] = key.split(":") as [string, string];
  const path = rest.split(".");
  for (let k = path.length; k > 0; k--) {
    const value = raw[`${ns}:${path.slice(0, k).join(".")}`];
    if (value === undefined) continue;
    let cur: unknown = k === path.length ? value : decodeConfigValue(value);
    for (const p of path.slice(k))
      cur = cur && typeof cur === "object" ? (cur as Record<string, unknown>)[p] : undefined;
    return typeof cur === "string" ? cur : undefined;
  }
  return undefined;
}

/** The keys a program stack file lacks, or sets to something else than the bootstrap created. */
export function wiringProblems(
  settings: ProgramStackSettings,
  file: string,
  raw: Readonly<Record<string, string>>,
): WiringProblem[] {
  const problems: WiringProblem[] = [];
  for (const [key, want] of Object.entries(settings.config)) {
    const have = configValue(raw, key) ?? (key === "infrasage:stateBackend" ? "shared" : undefined);
    if (have === want) continue;
    problems.push({
      stack: settings.stack,
      key,
      message:
        have === undefined
          ? `${file} does not set ${key}`
          : `${file} sets ${key} to ${have}, the bootstrap created ${want}`,
      fix: `set ${key}: ${want} in ${file} (bootstrap output programStacks)`,
    });
  }
  return problems;
}

/**
 * Program stacks no bootstrap stack makes an environment for: their `up` job would run in an
 * environment GitHub creates on first use, unprotected (no reviewers, any branch).
 */
export function stacksWithoutEnvironment(
  configs: readonly BootstrapConfig[],
  programStacks: readonly string[],
): string[] {
  const covered = new Set(configs.flatMap((c) => c.stacks.map((s) => s.stack)));
  return programStacks.filter((s) => !covered.has(s));
}

export interface ConnectionRef {
  readonly region: string;
  readonly name: string;
}

/** AWS creates a CodeConnections connection PENDING; it works only after someone approves it once. */
export function connectionApproval(connections: readonly ConnectionRef[]): string[] {
  return connections.map(
    (x) =>
      `${x.name} (${x.region}) stays PENDING until approved: AWS console, Developer Tools > Settings > ` +
      `Connections > ${x.name} > Update pending connection, install or pick the GitHub app for the repository`,
  );
}
