/**
 * The bootstrap stack file (`bootstrap/Pulumi.<name>.yaml`), parsed and checked before anything is
 * created: every problem names its key and the fix. One bootstrap stack per jurisdiction of an
 * account: its home region (`aws:region`) holds the jurisdiction's state bucket and keys.
 */
import { z } from "zod";
import { decodeConfigValue, formatProblems, type ConfigProblem } from "../../lib/rules/problems";
import { GITHUB_REPOSITORY_RE } from "../../lib/deploy/deploy-path";
import { STACK_NAME_RE } from "../../lib/links/stack-ref";
import { jurisdictionOf, type Jurisdiction } from "../../policies/shared/regions";

interface Reviewers {
  /** GitHub user ids (`gh api users/<login> --jq .id`). */
  readonly users: readonly number[];
  /** GitHub team ids (`gh api orgs/<org>/teams/<slug> --jq .id`). */
  readonly teams: readonly number[];
}

export interface BootstrapConfig {
  readonly stack: string;
  readonly account: string;
  /** Home region: the state bucket, its key, the secrets key. */
  readonly region: string;
  readonly jurisdiction: Jurisdiction;
  readonly owner: string;
  readonly repo: string;
  /** Regions of the jurisdiction that get a deploy role, a preview role and a connection. */
  readonly regions: readonly string[];
  /** Regions (any jurisdiction) the deploy roles may also act in: the other side of a hub-spoke or replication link. */
  readonly linkRegions: readonly string[];
  /** Program stacks deployed from this jurisdiction: one GitHub environment each, by region. */
  readonly stacks: readonly { readonly stack: string; readonly region: string }[];
  readonly reviewers: Reviewers;
  readonly stateBackend: "per-jurisdiction" | "shared";
  /** `PULUMI_ORG` for a shared Pulumi Cloud backend. */
  readonly pulumiOrg?: string;
  /**
   * This stack owns the account's GitHub OIDC provider and the repository-wide settings (one stack per
   * account/repository).
   */
  readonly primary: boolean;
}

/** A problem of the bootstrap stack file: the key, what is wrong, the fix (the program's config problem). */
export type BootstrapProblem = ConfigProblem;

export class BootstrapConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: readonly BootstrapProblem[],
  ) {
    super(formatProblems(problems, file, "bootstrap"));
    this.name = "BootstrapConfigError";
  }
}

const REGION_RE = /^[a-z]{2}(-[a-z]+)+-\d+$/;
const id = z.number().int().positive();
const schema = z.strictObject({
  account: z.string().regex(/^\d{12}$/, "must be the 12-digit AWS account id (quote it in YAML)"),
  repository: z.string().regex(GITHUB_REPOSITORY_RE, "must be owner/repo, e.g. acme/infrasage"),
  regions: z
    .array(z.string().regex(REGION_RE, "must be an AWS region code such as eu-west-1"))
    .min(1, "must list at least one region"),
  linkRegions: z.array(z.string().regex(REGION_RE, "must be an AWS region code")).optional(),
  stacks: z
    .array(
      z.strictObject({
        stack: z.string().regex(STACK_NAME_RE, "must be a stack name"),
        region: z.string().regex(REGION_RE, "must be an AWS region code"),
      }),
    )
    .optional(),
  reviewers: z.strictObject({ users: z.array(id).optional(), teams: z.array(id).optional() }),
  stateBackend: z.enum(["per-jurisdiction", "shared"]).optional(),
  pulumiOrg: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,100}$/, "must be a Pulumi organization name")
    .optional(),
  primary: z.boolean().optional(),
});

const FIX: Record<string, string> = {
  account: 'set bootstrap:account to the account id in quotes, e.g. "123456789012"',
  repository: "set bootstrap:repository to the GitHub repository, e.g. acme/infrasage",
  regions: "list the regions of this jurisdiction, e.g. [eu-west-1]",
  reviewers: "give bootstrap:reviewers: { users: [<id>], teams: [<id>] } (gh api users/<login> --jq .id)",
};

/** Decodes `bootstrap:<key>` values as the CLI hands them (structured values JSON-encoded, as the program's). */
function decode(raw: Readonly<Record<string, string>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (!k.startsWith("bootstrap:")) continue;
    const key = k.slice("bootstrap:".length);
    out[key] = key === "primary" ? (v === "true" ? true : v === "false" ? false : v) : decodeConfigValue(v);
  }
  return out;
}

/** Parses one bootstrap stack's config (`"<ns>:<key>" -> string`); every problem at once. */
export function parseBootstrapConfig(
  file: string,
  stack: string,
  raw: Readonly<Record<string, string>>,
): BootstrapConfig {
  const problems: BootstrapProblem[] = [];
  const region = raw["aws:region"];
  const jurisdiction = region ? jurisdictionOf(region) : undefined;
  if (!region)
    problems.push({
      key: "aws:region",
      message: "is not set",
      fix: "set aws:region to the region that keeps this jurisdiction's state (e.g. eu-west-1)",
    });
  else if (!jurisdiction)
    problems.push({
      key: "aws:region",
      message: `${region} is not in policies/shared/regions.ts`,
      fix: "use a commercial AWS region listed there",
    });
  const parsed = schema.safeParse(decode(raw));
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = `bootstrap:${issue.path.join(".")}`;
      const top = String(issue.path[0] ?? "");
      problems.push({
        key: key === "bootstrap:" ? "bootstrap" : key,
        message: issue.message,
        fix: FIX[top] ?? "see the comments in bootstrap/Pulumi.eu.yaml",
      });
    }
    throw new BootstrapConfigError(file, problems);
  }
  const c = parsed.data;
  for (const [i, r] of c.regions.entries()) {
    const j = jurisdictionOf(r);
    if (!j)
      problems.push({
        key: `bootstrap:regions.${i}`,
        message: `${r} is not in policies/shared/regions.ts`,
        fix: "use a commercial AWS region listed there",
      });
    else if (jurisdiction && j !== jurisdiction)
      problems.push({
        key: `bootstrap:regions.${i}`,
        message: `${r} is in ${j}, this stack's state is in ${jurisdiction} (aws:region ${region})`,
        fix: `create a bootstrap stack for ${j} and list ${r} there`,
      });
  }
  if (region && jurisdiction && !c.regions.includes(region))
    problems.push({
      key: "bootstrap:regions",
      message: `does not list the home region ${region}`,
      fix: `add ${region}`,
    });
  const stacks = c.stacks ?? c.regions.map((r) => ({ stack: r, region: r }));
  for (const [i, s] of stacks.entries()) {
    if (!c.regions.includes(s.region))
      problems.push({
        key: `bootstrap:stacks.${i}.region`,
        message: `${s.region} is not in bootstrap:regions`,
        fix: "add the region to bootstrap:regions, or move the stack to its jurisdiction's bootstrap stack",
      });
  }
  const reviewers = { users: c.reviewers.users ?? [], teams: c.reviewers.teams ?? [] };
  if (reviewers.users.length + reviewers.teams.length === 0)
    problems.push({
      key: "bootstrap:reviewers",
      message: "lists nobody: every up would run unapproved",
      fix: FIX.reviewers!,
    });
  if (reviewers.users.length + reviewers.teams.length > 6)
    problems.push({
      key: "bootstrap:reviewers",
      message: "lists more than 6 reviewers, GitHub's limit per environment",
      fix: "name a team instead of its members",
    });
  const stateBackend = c.stateBackend ?? "per-jurisdiction";
  if (stateBackend === "shared" && !c.pulumiOrg)
    problems.push({
      key: "bootstrap:pulumiOrg",
      message: "is required with stateBackend: shared (Pulumi Cloud)",
      fix: "set bootstrap:pulumiOrg to your Pulumi organization",
    });
  if (problems.length > 0) throw new BootstrapConfigError(file, problems);
  const [owner, repo] = c.repository.split("/") as [string, string];
  return {
    stack,
    account: c.account,
    region: region!,
    jurisdiction: jurisdiction!,
    owner,
    repo,
    regions: c.regions,
    linkRegions: c.linkRegions ?? [],
    stacks,
    reviewers,
    stateBackend,
    ...(c.pulumiOrg ? { pulumiOrg: c.pulumiOrg } : {}),
    primary: c.primary ?? false,
  };
}
