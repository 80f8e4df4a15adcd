/**
 * `tsx scripts/list-stacks.ts [DIR]`: the CI matrix, derived from the `Pulumi.<stack>.yaml` files in
 * DIR (default: the project root), printed as one JSON document. The preview and deploy workflows
 * consume it, so adding a region is adding its stack file: no workflow edit.
 *
 * Deploy order: independent stacks share nothing and deploy in parallel; stacks of a hub-and-spoke
 * or active-active group read each other's outputs, so they deploy one at a time in `ordered`:
 * hubs, then spokes, then active-active data members, then Keeper witnesses, each by name.
 * Exit 0 with the JSON on stdout; exit 2 with the file and the problem on stderr.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { findProject, listStackFiles, readStackFile, StackFileError, type StackFile } from "../offline/stack-file";
import { jurisdictionOf } from "../policies/shared/regions";
import { runnerProjectName } from "../lib/deploy/deploy-path";

/** What a stack is in its group; decides where it deploys. */
type GroupRole = "independent" | "hub" | "spoke" | "member" | "witness";

/** One matrix entry: everything a preview/deploy job needs to know about its stack. */
export interface StackEntry {
  readonly stack: string;
  /** `name:` of the Pulumi.yaml: the middle part of `org/project/stack`. */
  readonly project: string;
  readonly region: string;
  readonly jurisdiction: string;
  readonly pattern: string;
  readonly role: GroupRole;
  /** Repository variable holding the deploy role ARN (one per region, assumed by OIDC). */
  readonly roleVar: string;
  /** Optional repository variable holding a read-only role for previews (falls back to roleVar). */
  readonly previewRoleVar: string;
  /** Optional variable with a self-managed state backend URL for this jurisdiction. */
  readonly backendVar: string;
  /** Optional variable with the secrets provider new stacks of this jurisdiction are created with. */
  readonly secretsProviderVar: string;
  /** `policies/config/<stack>.json` if the policy pack ships one for this stack, else "". */
  readonly policyConfig: string;
  /** Where CI reaches the cluster: `codebuild` (the stack's own runner), `self-hosted`, `github-hosted`. */
  readonly runner: string;
  /** codebuild: the runner's CodeBuild project (runs-on `codebuild-<project>-<run id>-<attempt>`), else "". */
  readonly runnerProject: string;
  /** self-hosted: the runner's label; github-hosted: the hosted image; codebuild: "". */
  readonly runnerLabel: string;
}

/** The hosted image for jobs that never talk to a cluster (and for github-hosted stacks). */
const HOSTED_RUNNER = "ubuntu-24.04";

export interface StackList {
  /** Every stack name, sorted: what the preview matrix covers. */
  readonly stacks: string[];
  /** Every stack, sorted by name: the preview matrix. */
  readonly all: StackEntry[];
  /** Stacks that deploy in parallel (pattern independent). */
  readonly parallel: StackEntry[];
  /** Grouped stacks, in deploy order: the deploy job runs them one at a time (max-parallel: 1). */
  readonly ordered: StackEntry[];
}

/** GitHub variable names allow only [A-Z0-9_]: `eu-west-1` -> `EU_WEST_1`. */
const varSuffix = (s: string): string => s.toUpperCase().replace(/[^A-Z0-9]/g, "_");

function objectConfig(file: StackFile, key: string): Record<string, unknown> {
  const raw = file.config[key];
  if (raw === undefined) return {};
  try {
    const v: unknown = JSON.parse(raw);
    return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function roleOf(file: StackFile, pattern: string): GroupRole {
  if (pattern === "hub-spoke") return objectConfig(file, "infrasage:federation").role === "hub" ? "hub" : "spoke";
  if (pattern === "active-active")
    return objectConfig(file, "infrasage:replication").witness === true ? "witness" : "member";
  return "independent";
}

/**
 * Rank in the sequential deploy: a hub before its spokes (they read its outputs); then replication
 * groups, the members that hold data before the Keeper witness (it only adds a voter to their quorum).
 */
const RANK: Record<GroupRole, number> = { independent: 0, hub: 0, spoke: 1, member: 2, witness: 3 };

export function entryFor(file: StackFile, project: string, root: string): StackEntry {
  const region = file.config["aws:region"];
  if (!region) throw new StackFileError(file.path, "has no aws:region; set it to the stack's AWS region");
  const jurisdiction = jurisdictionOf(region);
  if (!jurisdiction)
    throw new StackFileError(
      file.path,
      `aws:region ${region} is not in policies/shared/regions.ts; add it there first`,
    );
  const pattern = file.config["infrasage:pattern"] ?? "independent";
  const policyConfig = join("policies", "config", `${file.stack}.json`);
  const deploy = objectConfig(file, "infrasage:deploy");
  const runner = typeof deploy.runner === "string" ? deploy.runner : "codebuild";
  return {
    stack: file.stack,
    project,
    region,
    jurisdiction,
    pattern,
    role: roleOf(file, pattern),
    roleVar: `AWS_ROLE_ARN_${varSuffix(region)}`,
    previewRoleVar: `AWS_PREVIEW_ROLE_ARN_${varSuffix(region)}`,
    backendVar: `PULUMI_BACKEND_URL_${varSuffix(jurisdiction)}`,
    secretsProviderVar: `PULUMI_SECRETS_PROVIDER_${varSuffix(jurisdiction)}`,
    policyConfig: existsSync(join(root, policyConfig)) ? policyConfig : "",
    runner,
    runnerProject: runner === "codebuild" ? runnerProjectName(file.stack) : "",
    runnerLabel:
      runner === "self-hosted" ? String(deploy.runnerLabel ?? "") : runner === "github-hosted" ? HOSTED_RUNNER : "",
  };
}

/** Splits entries into the parallel set and the ordered sequence (pure; entries in any order). */
function deployPlan(entries: readonly StackEntry[]): Pick<StackList, "parallel" | "ordered"> {
  const byName = [...entries].sort((a, b) => (a.stack < b.stack ? -1 : a.stack > b.stack ? 1 : 0));
  return {
    parallel: byName.filter((e) => e.role === "independent"),
    ordered: byName.filter((e) => e.role !== "independent").sort((a, b) => RANK[a.role] - RANK[b.role]),
  };
}

/** The matrix for the stack files in `dir`; `policyRoot` is where `policies/config` is looked up. */
export function listStacks(dir: string, policyRoot = dir): StackList {
  const project = findProject(dir).name;
  // deploy.runner operator: deployed by hand from inside the network, never by CI
  // (docs/deploying.md "Deploying for real").
  const all = listStackFiles(dir)
    .map((f) => entryFor(readStackFile(f), project, policyRoot))
    .filter((e) => e.runner !== "operator");
  return { stacks: all.map((e) => e.stack), all, ...deployPlan(all) };
}

if (require.main === module) {
  try {
    const dir = process.argv[2] ?? findProject(process.cwd()).root;
    process.stdout.write(`${JSON.stringify(listStacks(dir, findProject(process.cwd()).root))}\n`);
  } catch (e) {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 2;
  }
}
