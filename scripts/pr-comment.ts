/**
 * `tsx scripts/pr-comment.ts --base-label TEXT [--plan TITLE::FILE::EXIT[::OUTPUT]]... > comment.md`: the pull
 * request's plan comment (offline/pr-comment.ts) from plans written with `--base ... --out FILE`.
 * A plan that failed (exit 2) has no file: pass its exit status and the comment says so.
 * Exit 2 on bad arguments or an unreadable plan file.
 */
import { existsSync } from "node:fs";
import { prComment, type CommentInput, type PlanDoc } from "../offline/pr-comment";
import { parseBoundedJson } from "../offline/json-input";
import { redactCredentials, Redactor } from "../offline/redaction";
import { readTextFile } from "../offline/stack-file";

export function parseArgs(argv: readonly string[]): { base: string; inputs: CommentInput[] } {
  let base = "the target branch";
  const inputs: CommentInput[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = argv[++i];
    if (value === undefined) throw new Error(`${arg} needs a value`);
    if (arg === "--base-label") base = value;
    else if (arg === "--plan") {
      const [title, file, code, errorFile] = value.split("::");
      if (!title || !file || !/^\d+$/.test(code ?? ""))
        throw new Error(`--plan ${value}: expected TITLE::FILE::EXIT_STATUS[::OUTPUT_FILE]`);
      const exitCode = Number(code);
      let plan: PlanDoc | undefined;
      if (existsSync(file) && exitCode !== 2) {
        // Bounded like every plan input (offline/json-input.ts); the error never quotes the file.
        let parsed: ReturnType<typeof parseBoundedJson>;
        try {
          parsed = parseBoundedJson(readTextFile(file, "plan --json file", 64 * 1024 * 1024));
        } catch (e) {
          throw new Error(`${(e as Error).message}; write it with npm run -s plan -- ... --out ${file}`);
        }
        if (!parsed.ok)
          throw new Error(
            `${file}: not a plan's --json (${parsed.reason}); write it with npm run -s plan -- ... --out ${file}`,
          );
        // Redacted before Markdown escaping hides a token's shape (ghp_ becomes ghp\_).
        plan = new Redactor().json(parsed.value) as PlanDoc;
      }
      // A failed plan's own words (its stderr), so the comment says which file and key to fix.
      const error =
        exitCode === 2 && errorFile && existsSync(errorFile)
          ? readTextFile(errorFile, "plan output file", 16 * 1024 * 1024).slice(-4000)
          : undefined;
      inputs.push({ title, exitCode, ...(plan ? { plan } : {}), ...(error ? { error } : {}) });
    } else throw new Error(`unknown argument ${arg}`);
  }
  return { base, inputs };
}

if (require.main === module) {
  try {
    const { base, inputs } = parseArgs(process.argv.slice(2));
    // The plans were redacted when written; a hand-made or older plan file goes through the scanner here.
    process.stdout.write(redactCredentials(prComment(inputs, base)));
  } catch (e) {
    process.stderr.write(redactCredentials(`pr-comment: ${(e as Error).message}\n`));
    process.exitCode = 2;
  }
}
