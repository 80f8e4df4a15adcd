/**
 * Reads `Pulumi.yaml` and `Pulumi.<stack>.yaml` files the way the Pulumi CLI hands them to a
 * program: every config value becomes a string, structured values JSON-encoded.
 */
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { parse as parseYaml } from "yaml";

/** A user error about a file: the CLI prints it and exits 2, without a stack trace. */
export class StackFileError extends Error {
  constructor(readonly file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = "StackFileError";
  }
}

export interface StackFile {
  /** Stack name, from the file name `Pulumi.<stack>.yaml`. */
  readonly stack: string;
  readonly path: string;
  /** `"<ns>:<key>" -> string`, as Pulumi passes config to the program. */
  readonly config: Record<string, string>;
  /** Keys whose values are `secure:` (encrypted; unreadable offline). */
  readonly secretKeys: string[];
}

const STACK_FILE_RE = /^Pulumi\.(.+)\.ya?ml$/;

export function stackNameOf(path: string): string | undefined {
  return STACK_FILE_RE.exec(basename(path))?.[1];
}

function encode(value: unknown): string {
  return typeof value === "string" ? value : typeof value === "object" && value !== null ? JSON.stringify(value) : String(value);
}

function readYaml(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    throw new StackFileError(path, "cannot be read (does it exist?)");
  }
  try {
    return parseYaml(text);
  } catch (e) {
    throw new StackFileError(path, `is not valid YAML: ${(e as Error).message.split("\n")[0]}`);
  }
}

export function readStackFile(path: string): StackFile {
  const stack = stackNameOf(path);
  if (!stack) throw new StackFileError(path, "is not named Pulumi.<stack>.yaml");
  const doc = readYaml(path) ?? {};
  if (typeof doc !== "object" || Array.isArray(doc)) throw new StackFileError(path, "must be a YAML mapping with a `config:` key");
  const raw = (doc as Record<string, unknown>).config ?? {};
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new StackFileError(path, "`config:` must be a mapping of `<namespace>:<key>: value`");
  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    const fullKey = key.includes(":") ? key : `infrasage:${key}`;
    if (value && typeof value === "object" && !Array.isArray(value) && "secure" in value) {
      secretKeys.push(fullKey);
      config[fullKey] = "[secret]";
      continue;
    }
    config[fullKey] = encode(value);
  }
  return { stack, path: resolve(path), config, secretKeys };
}

/** The project (name) of the Pulumi.yaml in `dir`, or of the nearest parent directory that has one. */
export function findProject(dir: string): { name: string; root: string } {
  let cur = resolve(dir);
  for (;;) {
    const file = join(cur, "Pulumi.yaml");
    if (existsSync(file)) {
      const doc = readYaml(file) as Record<string, unknown> | null;
      const name = doc?.name;
      if (typeof name !== "string") throw new StackFileError(file, "has no `name:`");
      return { name, root: cur };
    }
    const parent = dirname(cur);
    if (parent === cur) throw new StackFileError(resolve(dir), "no Pulumi.yaml here or in any parent directory");
    cur = parent;
  }
}

/** This program's own project (the repo's Pulumi.yaml). */
export const PROGRAM_ROOT = resolve(__dirname, "..");

/**
 * Project name a stack file belongs to: the nearest Pulumi.yaml above it, or this program's own
 * when the file lives outside any project (a scenario directory): the program planned is ours.
 */
export function projectOf(stackFilePath: string): string {
  try {
    return findProject(dirname(resolve(stackFilePath))).name;
  } catch (e) {
    if (e instanceof StackFileError && /no Pulumi\.yaml/.test(e.message)) return findProject(PROGRAM_ROOT).name;
    throw e;
  }
}

/** Every `Pulumi.<stack>.yaml` in a directory, sorted by name. */
export function listStackFiles(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    throw new StackFileError(resolve(dir), "is not a readable directory");
  }
  return names.filter((n) => STACK_FILE_RE.test(n)).sort().map((n) => join(dir, n));
}
