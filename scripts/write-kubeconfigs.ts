/**
 * `npm run kubeconfigs [-- STACK...]`: writes each stack's kubeconfig output to ~/.kube/<stack>
 * (mode 0600) for `KUBECONFIG=~/.kube/eu-west-1:~/.kube/ap-south-1 kubectl config get-contexts`.
 * The secret goes from `pulumi stack output --show-secrets` straight into the file: nothing is
 * printed but paths and reasons. Default: every Pulumi.<stack>.yaml of the project.
 *
 * One failing stack does not stop the others: each stack gets one line (the path written, or why it
 * failed and the fix), then a summary `N written, M failed`. Exit status: the number of failed stacks
 * (capped at 125), 0 when all were written. A missing Pulumi CLI is reported once and fails every stack.
 * The CLI's stdout is never printed (it may be a kubeconfig); of a failed call only stderr is shown.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { findProject, listStackFiles, stackNameOf, StackFileError } from "../offline/stack-file";
import { mergeKubeconfigs } from "../lib/cluster/kubeconfig";
import { STACK_NAME_RE } from "../lib/links/stack-ref";
import { OutputFileError, writeOutputFile, type RunInput } from "../offline/output-file";

const INSTALL_URL = "https://www.pulumi.com/docs/install/";
/** Exit statuses above 125 mean "command not found"/"killed by a signal" to shells. */
const MAX_EXIT = 125;

/** Why one stack failed, and what to do about it. Neither ever contains the CLI's stdout. */
interface Failure {
  readonly reason: string;
  readonly fix: string;
}

type Fetched =
  | { readonly kind: "ok"; readonly text: string }
  | { readonly kind: "failed"; readonly failure: Failure }
  /** The CLI cannot be started at all: the same for every stack, so reported once. */
  | { readonly kind: "no-cli"; readonly message: string };

/** Known Pulumi CLI errors (matched on stderr) and their fix. First match wins. */
const CLI_HINTS: readonly (readonly [RegExp, (stack: string) => string])[] = [
  [
    /no stack named|stack .*(not found|does not exist)/i,
    () => "check the name with `pulumi stack ls`, or `pulumi login` to the backend that holds the stack",
  ],
  [
    /passphrase/i,
    () => "set PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE for the stack's secrets provider",
  ],
  [
    /does not have output property|output propert(y|ies).*not found/i,
    (s) => `deploy the stack (\`pulumi up -s ${s}\`) so that it exports \`kubeconfig\``,
  ],
  [
    /PULUMI_ACCESS_TOKEN|not logged in|pulumi login|unauthori[sz]ed|forbidden|\b40[13]\b|credential/i,
    () => "log in to the state backend with `pulumi login` (or set PULUMI_ACCESS_TOKEN) and rerun",
  ],
];

/** The CLI's error line: ANSI colours stripped, the first `error:` line (else the first line), bounded. */
function errorLine(stderr: string): string {
  const lines = stderr
    .replace(/\x1b\[[0-9;]*[A-Za-z]/g, "")
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  const line = lines.find((l) => /^error:/i.test(l)) ?? lines[0] ?? "";
  const text = line.replace(/^error:\s*/i, "");
  return text.length > 300 ? `${text.slice(0, 300)}...` : text;
}

function fetchKubeconfig(stack: string, root: string): Fetched {
  const r = spawnSync("pulumi", ["stack", "output", "kubeconfig", "--show-secrets", "--stack", stack], {
    cwd: root,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") {
      return {
        kind: "no-cli",
        message:
          `the Pulumi CLI (\`pulumi\`) was not found on PATH: install ` +
          `it (${INSTALL_URL}) or put its directory on PATH, then rerun`,
      };
    }
    if (code === "EACCES") {
      return {
        kind: "no-cli",
        message:
          `the \`pulumi\` found on PATH is not executable: reinstall ` +
          `the Pulumi CLI (${INSTALL_URL}) or fix PATH, then rerun`,
      };
    }
    if (code === "ENOBUFS") {
      return {
        kind: "failed",
        failure: {
          reason: "the kubeconfig output is larger than 64 MiB (not shown: it may hold secrets)",
          fix: "check the stack's `kubeconfig` output",
        },
      };
    }
    return {
      kind: "failed",
      failure: {
        reason: `could not run pulumi (${code ?? r.error.name})`,
        fix: `check the Pulumi CLI installation (${INSTALL_URL})`,
      },
    };
  }
  if (r.status !== 0) {
    const line = errorLine(r.stderr ?? "");
    const how = r.signal ? `pulumi was killed by ${r.signal}` : `pulumi exited with status ${r.status}`;
    const hint = CLI_HINTS.find(([re]) => re.test(line));
    return {
      kind: "failed",
      failure: {
        reason: line ? `${how}: ${line}` : `${how} and printed no error`,
        fix: hint
          ? hint[1](stack)
          : `run \`pulumi stack output kubeconfig -s ${stack}\` (without --show-secrets) to see the full error`,
      },
    };
  }
  const text = r.stdout ?? "";
  const deploy = `deploy the stack (\`pulumi up -s ${stack}\`) so that it exports \`kubeconfig\``;
  if (text.trim() === "")
    return {
      kind: "failed",
      failure: { reason: "the stack has no kubeconfig output (pulumi printed nothing)", fix: deploy },
    };
  // Never show the parse error: its message quotes the text, which may hold secrets.
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch {
    doc = undefined;
  }
  const clusters =
    doc && typeof doc === "object" && !Array.isArray(doc) ? (doc as Record<string, unknown>).clusters : undefined;
  if (!Array.isArray(clusters) || clusters.length === 0) {
    return {
      kind: "failed",
      failure: {
        reason: "the `kubeconfig` output is not a kubeconfig with a cluster (content not shown: it may hold secrets)",
        fix: deploy,
      },
    };
  }
  return { kind: "ok", text };
}

/**
 * Writes the file so that it is 0600 before the secret is in it, also when it already existed with
 * another mode; through the plan's one writer (offline/output-file.ts): atomically, and never over a
 * file of the project (`~/.kube/<stack>` a link to a stack file).
 */
function writeSecretFile(dir: string, path: string, text: string, inputs: readonly RunInput[]): Failure | undefined {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeOutputFile("kubeconfig", path, text, inputs, 0o600);
    return undefined;
  } catch (e) {
    if (e instanceof OutputFileError) {
      return /: is a directory\./.test(e.message)
        ? { reason: `${path} is a directory`, fix: "move it out of the way" }
        : {
            reason: e.message.replace(/ Fix: .*$/, ""),
            fix: `remove or move ${path} (it leads to a file of the project)`,
          };
    }
    const err = e as NodeJS.ErrnoException;
    // The temporary file beside the target is an implementation detail: name the target.
    const at = err.path && !err.path.endsWith(".tmp") ? err.path : path;
    switch (err.code) {
      case "EACCES":
      case "EPERM":
        return {
          reason: `no permission to write ${at} (${err.code})`,
          fix: `make it writable by you (e.g. \`chmod u+w ${at}\`) or remove it`,
        };
      case "EISDIR":
        return { reason: `${at} is a directory`, fix: "move it out of the way" };
      case "ENOTDIR":
      case "EEXIST":
        return {
          reason: `cannot create ${path}: a part of ${at} is not a directory (${err.code})`,
          fix: `move ${dir} out of the way`,
        };
      case "EROFS":
      case "ENOSPC":
      case "EDQUOT":
        return { reason: `cannot write ${at} (${err.code})`, fix: "free space or use a writable HOME" };
      default:
        return { reason: `cannot write ${at} (${err.code ?? err.name})`, fix: `check ${dir} and its permissions` };
    }
  }
}

/**
 * The first earlier stack whose kubeconfig shares a cluster/context/user name with `text` (names only in the message).
 */
function clashWith(
  written: readonly { stack: string; text: string }[],
  text: string,
): { stack: string; message: string } | undefined {
  for (const w of written) {
    try {
      mergeKubeconfigs([w.text, text]);
    } catch (e) {
      return {
        stack: w.stack,
        message: (e as Error).message
          .replace(/^cannot merge kubeconfigs: /, "")
          .replace(/ is in kubeconfig #1 and #2/g, ""),
      };
    }
  }
  return undefined;
}

function main(argv: readonly string[]): number {
  const root = findProject(process.cwd()).root;
  const stacks = argv.length > 0 ? [...argv] : listStackFiles(root).map((f) => stackNameOf(f)!);
  if (stacks.length === 0) {
    process.stderr.write(
      `error: no Pulumi.<stack>.yaml in ${root}: pass stack names (npm run kubeconfigs -- STACK...)\n`,
    );
    return 1;
  }
  const dir = join(homedir(), ".kube");
  // The project's own files, which a kubeconfig must never replace.
  const inputs: RunInput[] = [
    { what: "the project file", path: join(root, "Pulumi.yaml") },
    ...listStackFiles(root).map((f) => ({ what: "the stack file", path: f })),
  ];
  const written: { stack: string; path: string; text: string }[] = [];
  let failed = 0;
  const fail = (stack: string, f: Failure): void => {
    failed++;
    process.stderr.write(`${stack}: failed: ${f.reason}; fix: ${f.fix}\n`);
  };
  for (const [i, stack] of stacks.entries()) {
    // `org/project/stack` is a valid --stack; its file is named after the last segment.
    const name = stack.split("/").pop() ?? "";
    if (!STACK_NAME_RE.test(name) || name === "." || name === "..") {
      fail(stack, {
        reason: "not a valid stack name",
        fix: "pass names as `pulumi stack ls` lists them (letters, digits, `-`, `_`, `.`)",
      });
      continue;
    }
    const path = join(dir, name);
    const twin = written.find((w) => w.path === path);
    if (twin) {
      fail(stack, {
        reason: `${path} was already written for stack ${twin.stack} in this run`,
        fix: "pass only one of them per run",
      });
      continue;
    }
    const fetched = fetchKubeconfig(stack, root);
    if (fetched.kind === "no-cli") {
      process.stderr.write(`error: ${fetched.message}\n`);
      failed += stacks.length - i;
      break;
    }
    if (fetched.kind === "failed") {
      fail(stack, fetched.failure);
      continue;
    }
    // Refuse a kubeconfig whose cluster/context/user names shadow an earlier stack's once merged (names only in the
    // message).
    const clash = clashWith(written, fetched.text);
    if (clash) {
      fail(stack, {
        reason: `not written: its kubeconfig clashes with stack ${clash.stack}'s (same ${clash.message})`,
        fix: "give each stack's cluster a distinct name (the context name includes the region)",
      });
      continue;
    }
    const writeFailure = writeSecretFile(dir, path, fetched.text, inputs);
    if (writeFailure) {
      fail(stack, writeFailure);
      continue;
    }
    written.push({ stack, path, text: fetched.text });
    process.stdout.write(`${stack}: wrote ${path}\n`);
  }
  if (written.length > 0) process.stdout.write(`export KUBECONFIG=${written.map((w) => w.path).join(":")}\n`);
  process.stdout.write(`${written.length} written, ${failed} failed\n`);
  return Math.min(failed, MAX_EXIT);
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (e) {
  if (!(e instanceof StackFileError)) throw e;
  process.stderr.write(`error: ${e.message}\n`);
  process.exitCode = 1;
}
