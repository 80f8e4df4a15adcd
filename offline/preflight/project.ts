/**
 * The Pulumi CLI's rules for a project file and a stack name, checked before the program runs.
 * Sources (pulumi/pulumi at 1b59498, August 2026): sdk/go/common/workspace/project.go
 * (ValidateProject), sdk/go/common/tokens/project.go (ValidateProjectName), tokens/stack_name.go
 * (ParseStackName), pkg/engine/project.go (getPwdMain).
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import type { Finding } from "./finding";
import { STACK_NAME_RE } from "../../lib/links/stack-ref";

/** tokens.IsName over the whole string, at most 100 characters. */
const PROJECT_NAME_RE = /^[A-Za-z0-9_.-]{1,100}$/;
/** This program is TypeScript: the CLI runs it with the `pulumi-language-nodejs` plugin. */
const PROGRAM_RUNTIME = "nodejs";

export function checkStackName(file: string, stack: string): Finding[] {
  if (STACK_NAME_RE.test(stack)) return [];
  return [
    {
      kind: "stack-name",
      file,
      key: "file name",
      message:
        `stack name "${stack}" is refused by the Pulumi CLI (a stack name may only ` +
        `contain alphanumeric, hyphens, underscores, or periods, at most 100 characters)`,
      fix: "rename the file to Pulumi.<stack>.yaml with a valid stack name",
    },
  ];
}

export interface ProjectFile {
  readonly name?: string;
  /** Folder the program runs in (getPwdMain: `main` if it is a folder, its parent if a file). */
  readonly programDir: string;
  readonly findings: Finding[];
}

/** Reads a Pulumi.yaml as `pulumi preview` loads it. */
export function loadProjectFile(path: string): ProjectFile {
  const root = dirname(resolve(path));
  const f = (key: string, message: string, fix: string): Finding => ({
    kind: "project",
    file: path,
    key,
    message,
    fix,
  });
  const fail = (finding: Finding): ProjectFile => ({ programDir: root, findings: [finding] });
  if (!existsSync(path))
    return fail(
      f(
        "(file)",
        "there is no Pulumi.yaml: pulumi cannot find the project",
        "run pulumi from the folder holding Pulumi.yaml",
      ),
    );
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(path, "utf8"));
  } catch (e) {
    return fail(f("(file)", `not valid YAML: ${(e as Error).message.split("\n")[0]}`, "fix the YAML syntax"));
  }
  if (!doc || typeof doc !== "object" || Array.isArray(doc))
    return fail(f("(file)", "must be a YAML mapping", "give it name: and runtime:"));
  const p = doc as Record<string, unknown>;
  const findings: Finding[] = [];
  if (typeof p.name !== "string" || p.name === "")
    findings.push(f("name", "project is missing a non-empty string 'name' attribute", "set name: infrasage"));
  else if (!PROJECT_NAME_RE.test(p.name))
    findings.push(
      f(
        "name",
        `"${p.name}": project names may only contain alphanumerics, ` +
          `hyphens, underscores, and periods (at most 100 characters)`,
        "rename the project",
      ),
    );
  const runtime =
    typeof p.runtime === "string"
      ? p.runtime
      : p.runtime && typeof p.runtime === "object"
        ? (p.runtime as Record<string, unknown>).name
        : undefined;
  if (runtime !== PROGRAM_RUNTIME) {
    findings.push(
      f(
        "runtime",
        `runtime ${JSON.stringify(runtime ?? null)}: this program ` +
          `is TypeScript, run by the CLI's nodejs language plugin`,
        "set runtime: nodejs (with options.typescript: true)",
      ),
    );
  }
  let programDir = root;
  if (p.main !== undefined) {
    if (typeof p.main !== "string" || p.main === "") {
      findings.push(f("main", "must be a path", "remove main: or set it to the program's folder or file"));
    } else {
      const target = isAbsolute(p.main) ? p.main : resolve(root, p.main);
      if (!existsSync(target))
        findings.push(
          f(
            "main",
            `project 'main' could not be read: ${target} does not exist`,
            "point main: at the program's folder or file",
          ),
        );
      else programDir = statSync(target).isDirectory() ? target : dirname(target);
    }
  }
  if (
    findings.length === 0 &&
    !existsSync(join(programDir, "index.ts")) &&
    !existsSync(join(programDir, "package.json"))
  ) {
    findings.push(
      f(
        "main",
        `${programDir} has neither index.ts nor package.json: the nodejs language plugin finds no program there`,
        "point main: at the folder holding the program's index.ts",
      ),
    );
  }
  return { ...(typeof p.name === "string" ? { name: p.name } : {}), programDir, findings };
}
