/**
 * `tsx scripts/pr-comment.ts --base-label TEXT [--plan TITLE::FILE::EXIT[::OUTPUT]]... > comment.md`: the pull
 * request's plan comment (offline/pr-comment.ts) from plans written with `--base ... --out FILE`.
 * A plan that failed (exit 2) has no file: pass its exit status and the comment says so.
 * Exit 2 on bad arguments or an unreadable plan file.
 */
import { existsSync, readFileSync } from "node:fs";
import { prComment, type CommentInput, type PlanDoc } from "../offline/pr-comment";

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
      if (!title || !file || !/^\d+$/.test(code ?? "")) throw new Error(`--plan ${value}: expected TITLE::FILE::EXIT_STATUS[::OUTPUT_FILE]`);
      const exitCode = Number(code);
      let plan: PlanDoc | undefined;
      if (existsSync(file) && exitCode !== 2) {
        try {
          plan = JSON.parse(readFileSync(file, "utf8")) as PlanDoc;
        } catch (e) {
          throw new Error(`${file}: not a plan's --json (${(e as Error).message}); write it with npm run -s plan -- ... --out ${file}`);
        }
      }
      // A failed plan's own words (its stderr), so the comment says which file and key to fix.
      const error = exitCode === 2 && errorFile && existsSync(errorFile) ? readFileSync(errorFile, "utf8").slice(-4000) : undefined;
      inputs.push({ title, exitCode, ...(plan ? { plan } : {}), ...(error ? { error } : {}) });
    } else throw new Error(`unknown argument ${arg}`);
  }
  return { base, inputs };
}

if (require.main === module) {
  try {
    const { base, inputs } = parseArgs(process.argv.slice(2));
    process.stdout.write(prComment(inputs, base));
  } catch (e) {
    process.stderr.write(`pr-comment: ${(e as Error).message}\n`);
    process.exitCode = 2;
  }
}
