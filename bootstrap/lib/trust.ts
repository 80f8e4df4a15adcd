/**
 * Trust policies of the roles GitHub Actions assumes with its OIDC token. Exact subjects only
 * (StringEquals, never StringLike or a wildcard): the `sub` claim GitHub issues is
 * `repo:<owner>/<repo>:environment:<name>` for a job in an environment, `repo:<owner>/<repo>:pull_request`
 * for a pull request, `repo:<owner>/<repo>:ref:refs/heads/<branch>` otherwise (docs.github.com,
 * "About security hardening with OpenID Connect", example subject claims).
 */
import { webIdentityTrust, type PolicyDocument } from "../../lib/aws/policy-document";
import { GITHUB_OIDC_HOST, OIDC_AUDIENCE } from "./names";

const environmentSubject = (owner: string, repo: string, environment: string): string =>
  `repo:${owner}/${repo}:environment:${environment}`;
const pullRequestSubject = (owner: string, repo: string): string => `repo:${owner}/${repo}:pull_request`;
const branchSubject = (owner: string, repo: string, branch: string): string =>
  `repo:${owner}/${repo}:ref:refs/heads/${branch}`;

/** A subject is exact: no `*` or `?` (which StringLike would expand) anywhere. */
const exact = (sub: string): string => {
  if (/[*?]/.test(sub)) throw new Error(`OIDC subject ${sub} contains a wildcard; subjects must be exact`);
  return sub;
};

function githubTrust(providerArn: string, subjects: readonly string[]): PolicyDocument {
  if (subjects.length === 0) throw new Error("a GitHub OIDC trust needs at least one subject");
  return webIdentityTrust(providerArn, {
    [`${GITHUB_OIDC_HOST}:aud`]: OIDC_AUDIENCE,
    [`${GITHUB_OIDC_HOST}:sub`]: subjects.length === 1 ? exact(subjects[0]!) : subjects.map(exact),
  });
}

/** The deploy role of a region: only the `up` jobs, which run in an environment named after their stack. */
export function deployTrust(
  providerArn: string,
  owner: string,
  repo: string,
  stacks: readonly string[],
): PolicyDocument {
  return githubTrust(
    providerArn,
    stacks.map((s) => environmentSubject(owner, repo, s)),
  );
}

/** The preview role: pull requests and pushes to main (the deploy workflow's preview, the drift check). */
export function previewTrust(providerArn: string, owner: string, repo: string): PolicyDocument {
  return githubTrust(providerArn, [pullRequestSubject(owner, repo), branchSubject(owner, repo, "main")]);
}
