/**
 * The GitHub side, as plain values: one environment per program stack (required reviewers,
 * deployments from `main` only), the repository variables the workflows read, and branch protection
 * of `main` requiring the `checks` job and review from the code owners (the committed .github/CODEOWNERS).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import type { BootstrapConfig } from "./config";
import {
  backendUrl,
  backendVar,
  deployRoleArn,
  previewRoleArn,
  previewRoleVar,
  PULUMI_ORG_VAR,
  roleVar,
  secretsProviderUrl,
  secretsProviderVar,
  secretsKeyAlias,
  stateBucketName,
} from "./names";

/** Deployments only from this branch (the environment's custom branch policy). */
export const DEPLOY_BRANCH = "main";

export interface EnvironmentSpec {
  readonly environment: string;
  readonly reviewers: { readonly users: number[]; readonly teams: number[] };
  /** Whoever pushed may not approve their own deployment. */
  readonly preventSelfReview: true;
  /** Admins go through review like everyone. */
  readonly canAdminsBypass: false;
  /** custom branch policies (one: `main`), not "any protected branch". */
  readonly deploymentBranchPolicy: { readonly protectedBranches: false; readonly customBranchPolicies: true };
  readonly branchPattern: string;
}

export function environments(c: BootstrapConfig): EnvironmentSpec[] {
  return c.stacks.map((s) => ({
    environment: s.stack,
    reviewers: { users: [...c.reviewers.users], teams: [...c.reviewers.teams] },
    preventSelfReview: true,
    canAdminsBypass: false,
    deploymentBranchPolicy: { protectedBranches: false, customBranchPolicies: true },
    branchPattern: DEPLOY_BRANCH,
  }));
}

/** The roles' ARNs by region: by default their fixed names; the program passes the roles' own outputs. */
export interface RoleArns<T> {
  readonly deploy: (region: string) => T;
  readonly preview: (region: string) => T;
}

/**
 * Repository variables this stack owns (name -> value), as .github/workflows read them
 * (scripts/list-stacks.ts names). `roles`: where the role ARNs come from, so the program's variables
 * wait for their roles while names and values stay this one table.
 */
export function repositoryVariables<T = string>(c: BootstrapConfig, roles?: RoleArns<T>): Record<string, string | T> {
  const arns: RoleArns<string | T> = roles ?? {
    deploy: (r) => deployRoleArn(c.account, r),
    preview: (r) => previewRoleArn(c.account, r),
  };
  const vars: Record<string, string | T> = {};
  for (const r of c.regions) {
    vars[roleVar(r)] = arns.deploy(r);
    vars[previewRoleVar(r)] = arns.preview(r);
  }
  if (c.stateBackend === "per-jurisdiction") {
    vars[backendVar(c.jurisdiction)] = backendUrl(stateBucketName(c.jurisdiction, c.account), c.region);
    vars[secretsProviderVar(c.jurisdiction)] = secretsProviderUrl(secretsKeyAlias(c.jurisdiction), c.region);
  } else if (c.pulumiOrg && c.primary) {
    vars[PULUMI_ORG_VAR] = c.pulumiOrg;
  }
  return vars;
}

/**
 * The status check branch protection requires: the `checks` job of checks.yml, which GitHub reports
 * under the job's `name:` (docs.github.com, "Troubleshooting required status checks": the check name is the job name).
 */
export function requiredCheckName(workflowsDir: string): string {
  const doc = parse(readFileSync(join(workflowsDir, "checks.yml"), "utf8")) as {
    jobs?: Record<string, { name?: string }>;
  };
  const job = doc.jobs?.checks;
  if (!job) throw new Error(`${join(workflowsDir, "checks.yml")}: no job named checks; branch protection requires it`);
  return job.name ?? "checks";
}

export function branchProtection(check: string) {
  return {
    pattern: DEPLOY_BRANCH,
    enforceAdmins: true,
    allowsDeletions: false,
    allowsForcePushes: false,
    requiredStatusChecks: [{ strict: true, contexts: [check] }],
    requiredPullRequestReviews: [
      { requiredApprovingReviewCount: 1, requireCodeOwnerReviews: true, dismissStaleReviews: true },
    ],
  };
}
