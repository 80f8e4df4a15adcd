/**
 * Reads `Pulumi.yaml` and `Pulumi.<stack>.yaml` files the way the Pulumi CLI hands them to a
 * program: every config value becomes a string, structured values JSON-encoded.
 */
import {
  closeSync,
  constants,
  existsSync,
  fstatSync,
  lstatSync,
  openSync,
  readSync,
  readdirSync,
  statSync,
  type Stats,
} from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { isAlias, isMap, isScalar, isSeq, parseDocument, type Document, type Node } from "yaml";
import type { ParseOptions } from "../lib/config/parse";
import { STACK_NAME_RE } from "../lib/links/stack-ref";
import { jsonDepth } from "./json-input";
import { yamlNestingBound } from "./yaml-nesting";

/** A user error about a file: the CLI prints it and exits 2, without a stack trace. */
export class StackFileError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
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
  /** What the parser needs beyond the strings (pass it to parseStackConfig): secret keys, YAML numbers' source text. */
  readonly parseOptions: ParseOptions;
}

/** `Pulumi.<stack>.yaml` or `.yml` (the stack part may be empty or invalid: readStackFile says so). */
const STACK_FILE_RE = /^Pulumi\.(.*)\.ya?ml$/;

export function stackNameOf(path: string): string | undefined {
  return STACK_FILE_RE.exec(basename(path))?.[1];
}

/** A stack file is a few KB; anything over 1 MiB is not one (and is refused before it is parsed). */
const MAX_STACK_FILE_BYTES = 1024 * 1024;
/** Aliases a stack file may expand (YAML "billion laughs" bombs exceed it at once). */
const MAX_YAML_ALIASES = 100;
/** Nesting a config value may have (the schema's deepest is 3). */
const MAX_NESTING = 32;
/**
 * Nesting the parser is given at all: deeper text is refused from its tokens, before the recursive
 * parse (seconds, then a stack overflow). Above MAX_NESTING so that a file a little too deep is
 * parsed and its message names the key.
 */
const MAX_PARSED_NESTING = 256;
const TOO_DEEP =
  `nests values too deeply to parse; no InfraSage setting is deeper than 3 levels ` + `(at most ${MAX_NESTING})`;
/** Top-level keys of a Pulumi stack file (workspace.ProjectStack). */
const STACK_FILE_KEYS = ["config", "secretsprovider", "encryptedkey", "encryptionsalt", "environment"];

function kindOf(st: Stats): string {
  return st.isDirectory()
    ? "a directory"
    : st.isFIFO()
      ? "a FIFO (named pipe)"
      : st.isSocket()
        ? "a socket"
        : st.isCharacterDevice()
          ? "a character device"
          : st.isBlockDevice()
            ? "a block device"
            : "not a regular file";
}

/**
 * Reads a small text file without ever blocking: the type is checked before opening (a FIFO would
 * block the open or the read until a writer comes), the file is opened non-blocking and checked
 * again on the descriptor, and at most `maxBytes` are read.
 */
export function readTextFile(path: string, what = "file", maxBytes = MAX_STACK_FILE_BYTES): string {
  let link: Stats;
  try {
    link = lstatSync(path);
  } catch {
    throw new StackFileError(path, "does not exist");
  }
  let st: Stats;
  try {
    st = statSync(path);
  } catch {
    throw new StackFileError(
      path,
      link.isSymbolicLink() ? "is a broken symbolic link (its target does not exist)" : "cannot be read",
    );
  }
  if (!st.isFile()) throw new StackFileError(path, `is ${kindOf(st)}, not a ${what}`);
  if (st.size > maxBytes)
    throw new StackFileError(path, `is ${st.size} bytes; a ${what} is at most ${maxBytes} bytes (1 MiB)`);
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new StackFileError(
      path,
      code === "EACCES" || code === "EPERM"
        ? "cannot be read (permission denied)"
        : `cannot be read (${code ?? "error"})`,
    );
  }
  try {
    const fst = fstatSync(fd);
    if (!fst.isFile()) throw new StackFileError(path, `is ${kindOf(fst)}, not a ${what}`);
    const buf = Buffer.alloc(maxBytes + 1);
    let n = 0;
    for (;;) {
      let got: number;
      try {
        got = readSync(fd, buf, n, buf.length - n, null);
      } catch (e) {
        throw new StackFileError(path, `cannot be read (${(e as NodeJS.ErrnoException).code ?? "error"})`);
      }
      if (got === 0) break;
      n += got;
      if (n > maxBytes) throw new StackFileError(path, `is over ${maxBytes} bytes; a ${what} is at most 1 MiB`);
    }
    return buf
      .subarray(0, n)
      .toString("utf8")
      .replace(/^\uFEFF/, "");
  } finally {
    closeSync(fd);
  }
}

/** Parsed documents by text: a process that plans the same files again (`--base`, tests) parses them once. */
const parsed = new Map<string, Document.Parsed>();
const MAX_PARSED = 128;

function parseYamlText(path: string, text: string): Document.Parsed {
  const known = parsed.get(text);
  if (known) return known;
  const doc = parseNew(path, text);
  if (parsed.size >= MAX_PARSED) parsed.clear();
  parsed.set(text, doc);
  return doc;
}

/** Only a document without errors is kept: an error names the file it was read from. */
function parseNew(path: string, text: string): Document.Parsed {
  if (yamlNestingBound(text, MAX_PARSED_NESTING) > MAX_PARSED_NESTING) throw new StackFileError(path, TOO_DEEP);
  let doc: Document.Parsed;
  try {
    // logLevel error: yaml's own warnings go to stderr and quote the file (a key, maybe a credential).
    doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false, logLevel: "error" });
  } catch (e) {
    if (e instanceof RangeError) throw new StackFileError(path, TOO_DEEP);
    throw new StackFileError(path, `is not valid YAML: ${(e as Error).message.split("\n")[0]}`);
  }
  const first = doc.errors[0]?.message.split("\n")[0];
  if (first !== undefined && /call stack/i.test(first)) throw new StackFileError(path, TOO_DEEP);
  if (first !== undefined) throw new StackFileError(path, `is not valid YAML: ${first}`);
  return doc;
}

function toJS(path: string, doc: Document.Parsed): unknown {
  try {
    return doc.toJS({ maxAliasCount: MAX_YAML_ALIASES });
  } catch (e) {
    const message = (e as Error).message;
    if (/alias count/i.test(message))
      throw new StackFileError(
        path,
        `expands YAML aliases more than ${MAX_YAML_ALIASES} times (a "billion laughs" bomb?); write the values out`,
      );
    if (e instanceof RangeError) throw new StackFileError(path, TOO_DEEP);
    throw new StackFileError(path, `is not valid YAML: ${message.split("\n")[0]}`);
  }
}

function readYaml(path: string, what = "YAML file"): unknown {
  return toJS(path, parseYamlText(path, readTextFile(path, what)));
}

function depthOf(v: unknown, depth = 0): number {
  if (depth > MAX_NESTING) return depth;
  if (Array.isArray(v)) return Math.max(depth, ...v.map((x) => depthOf(x, depth + 1)));
  if (v && typeof v === "object") return Math.max(depth, ...Object.values(v).map((x) => depthOf(x, depth + 1)));
  return depth;
}

/**
 * Source text of every non-string scalar inside a structured value (`1.30`, `.inf`, `0x1F`), by
 * dotted key: YAML reads `1.30` as 1.3, and the parser's fix must quote what was written.
 */
function collectSourceText(node: Node | null | undefined, key: string, out: Record<string, string>, depth = 0): void {
  if (!node || depth > MAX_NESTING || isAlias(node)) return;
  if (isScalar(node)) {
    if (typeof node.value !== "string" && typeof node.source === "string") out[key] = node.source;
  } else if (isMap(node)) {
    for (const pair of node.items) {
      const k = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      collectSourceText(pair.value as Node | null, `${key}.${k}`, out, depth + 1);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => collectSourceText(item as Node | null, `${key}.${i}`, out, depth + 1));
  }
}

/** A non-finite number cannot be JSON: keep it visible (as the YAML wrote it) for the parser's message. */
function encodeStructured(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === "number" && !Number.isFinite(v) ? null : v));
}

/**
 * A top-level value as the Pulumi CLI hands it to the program (yaml.v3 into a string): a string as
 * is, a number or boolean as written (`1.30` stays "1.30"), nothing/`~`/null as "", structured values
 * as JSON.
 */
function encodeTop(node: Node | null | undefined, value: unknown, doc: Document.Parsed): string {
  const target = node && isAlias(node) ? node.resolve(doc) : node;
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  if (target && isScalar(target) && typeof target.source === "string" && target.source !== "") return target.source;
  return typeof value === "object" ? encodeStructured(value) : String(value);
}

/** Fails when another file in the same folder names the same stack (`Pulumi.x.yaml` and `Pulumi.x.yml`). */
function assertOnlyFileOfStack(path: string, stack: string): void {
  const other = join(dirname(path), `Pulumi.${stack}.${path.endsWith(".yml") ? "yaml" : "yml"}`);
  let exists = false;
  try {
    lstatSync(other);
    exists = true;
  } catch {
    exists = false;
  }
  if (exists)
    throw new StackFileError(
      path,
      `defines stack "${stack}", and so does ${other}; the Pulumi CLI would read ` +
        `only one of them. Fix: keep one file per stack (delete or merge the other)`,
    );
}

export function readStackFile(path: string): StackFile {
  const stack = stackNameOf(path);
  if (stack === undefined) throw new StackFileError(path, "is not named Pulumi.<stack>.yaml");
  if (!STACK_NAME_RE.test(stack)) {
    throw new StackFileError(
      path,
      `${stack === "" ? "has an empty stack name" : `names stack "${stack}", which the Pulumi CLI refuses`} ` +
        `(a stack name is 1 to 100 letters, digits, -, _ or .). Fix: ` +
        `rename the file to Pulumi.<stack>.yaml with a valid stack name`,
    );
  }
  assertOnlyFileOfStack(path, stack);
  const docNode = parseYamlText(path, readTextFile(path, "stack file"));
  const doc = toJS(path, docNode) ?? {};
  if (typeof doc !== "object" || Array.isArray(doc))
    throw new StackFileError(path, "must be a YAML mapping with a `config:` key");
  const unknown = Object.keys(doc as object).filter((k) => !STACK_FILE_KEYS.includes(k));
  if (unknown.length) {
    const guess = unknown.map((k) =>
      k
        .toLowerCase()
        .replace(/[^a-z]/g, "")
        .startsWith("conf") || k.toLowerCase() === "configs"
        ? `${k} (did you mean config?)`
        : k,
    );
    throw new StackFileError(
      path,
      `has ${unknown.length === 1 ? "a key" : "keys"} a stack file does not have: ${guess.join(", ")}; ` +
        `the Pulumi CLI reads only ${STACK_FILE_KEYS.join(", ")}, so these settings would be ignored`,
    );
  }
  const raw = (doc as Record<string, unknown>).config ?? {};
  if (typeof raw !== "object" || raw === null || Array.isArray(raw))
    throw new StackFileError(path, "`config:` must be a mapping of `<namespace>:<key>: value`");
  if (depthOf(raw) > MAX_NESTING)
    throw new StackFileError(
      path,
      `nests config values more than ${MAX_NESTING} levels deep; no InfraSage setting is deeper than 3`,
    );
  const configNode = docNode.get("config", true) as Node | undefined;
  const nodes = new Map<string, Node | null>();
  if (configNode && isMap(configNode)) {
    for (const pair of configNode.items) {
      if (!isScalar(pair.key))
        throw new StackFileError(path, `has a config key that is not a plain name (${String(pair.key).slice(0, 40)})`);
      nodes.set(String(pair.key.value), pair.value as Node | null);
    }
  }
  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  const sourceText: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    const fullKey = key.includes(":") ? key : `infrasage:${key}`;
    // `network` is the project's `infrasage:network`: one setting written twice, whichever is read last would win.
    if (Object.hasOwn(config, fullKey))
      throw new StackFileError(
        path,
        `sets ${fullKey} twice, as "${key}" and as ` +
          `"${key === fullKey ? fullKey.slice(fullKey.indexOf(":") + 1) : fullKey}" ` +
          `(a key without a namespace is the project's). Fix: keep one of the two`,
      );
    if (value && typeof value === "object" && !Array.isArray(value) && "secure" in value) {
      secretKeys.push(fullKey);
      config[fullKey] = "[secret]";
      continue;
    }
    // A JSON text in a string is decoded as structured config: bounded like the YAML around it.
    if (typeof value === "string" && /^\s*[[{]/.test(value) && jsonDepth(value, MAX_NESTING) > MAX_NESTING) {
      throw new StackFileError(
        path,
        `${fullKey} holds JSON nested more than ${MAX_NESTING} levels deep; no ` +
          `InfraSage setting is deeper than 3. Fix: write the value out as YAML`,
      );
    }
    const node = nodes.get(key);
    config[fullKey] = encodeTop(node, value, docNode);
    if (value !== null && typeof value === "object")
      collectSourceText(node && isAlias(node) ? (node.resolve(docNode) as Node) : node, fullKey, sourceText);
  }
  return { stack, path: resolve(path), config, secretKeys, parseOptions: { secretKeys, sourceText } };
}

/** The project (name) of the Pulumi.yaml in `dir`, or of the nearest parent directory that has one. */
export function findProject(dir: string): { name: string; root: string } {
  let cur = resolve(dir);
  for (;;) {
    const file = join(cur, "Pulumi.yaml");
    if (existsSync(file)) {
      const doc = readYaml(file, "project file") as Record<string, unknown> | null;
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
  const files = names.filter((n) => STACK_FILE_RE.test(n)).sort();
  // Two files naming one stack (`Pulumi.x.yaml` and `Pulumi.x.yml`): the CLI would read only one.
  const byStack = new Map<string, string[]>();
  for (const n of files) byStack.set(stackNameOf(n)!, [...(byStack.get(stackNameOf(n)!) ?? []), n]);
  for (const [stack, both] of byStack) {
    if (both.length > 1)
      throw new StackFileError(
        join(dir, both[0]!),
        `defines stack "${stack}", and so does ${both
          .slice(1)
          .map((n) => join(dir, n))
          .join(
            ", ",
          )}; the Pulumi CLI would read only one of them. Fix: keep one file per stack (delete or merge the other)`,
      );
  }
  return files.map((n) => join(dir, n));
}
