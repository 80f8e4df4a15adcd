/**
 * The one writer of every file the plan CLI writes (`--out`): it never overwrites an input of the run
 * (a stack file, `--base`, `--previous`, `--policy-pack-config`, a Pulumi.yaml, a file of the chart
 * folder), judged by real paths (symlinks followed), and writes atomically (a temporary file in the
 * same folder, renamed over the target), so a failed or interrupted run leaves the old file whole.
 */
import {
  closeSync,
  constants,
  fchmodSync,
  fsyncSync,
  openSync,
  realpathSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
  type Stats,
} from "node:fs";
import { randomBytes } from "node:crypto";
import { basename, dirname, join, resolve, sep } from "node:path";

/** A file the CLI refuses to write (exit 2): the message names the option, the file and the fix. */
export class OutputFileError extends Error {}

/** An input of the run: what it is (for the message) and its path (a file, or a folder for a chart). */
export interface RunInput {
  readonly what: string;
  readonly path: string;
}

/** The real path of `path`: symlinks followed; for a file not there yet, its folder's real path. */
function realTarget(path: string): string {
  const abs = resolve(path);
  try {
    return realpathSync.native(abs);
  } catch {
    try {
      return join(realpathSync.native(dirname(abs)), basename(abs));
    } catch {
      return abs;
    }
  }
}

const within = (path: string, dir: string) => path === dir || path.startsWith(dir.endsWith(sep) ? dir : dir + sep);

/** The input `path` would overwrite, if any (a folder input covers every file inside it). */
function inputAt(path: string, inputs: readonly RunInput[]): RunInput | undefined {
  const target = realTarget(path);
  return inputs.find((i) => {
    const real = realTarget(i.path);
    let dir = false;
    try {
      dir = statSync(real).isDirectory();
    } catch {
      dir = false;
    }
    return dir ? within(target, real) : target === real;
  });
}

/**
 * Refuses `path` for `option` (named in errors) before anything is planned: an input of the run, a
 * file named like a Pulumi project or stack file (a new one would become part of the project), a
 * folder, a path in no folder. Returns what is there now (undefined: nothing).
 */
export function checkOutputFile(option: string, path: string, inputs: readonly RunInput[]): Stats | undefined {
  const target = realTarget(path);
  const hit = inputAt(path, inputs);
  if (hit) {
    const via = target === resolve(path) ? "" : ` (it resolves to ${target})`;
    throw new OutputFileError(
      `${option} ${path}: is ${hit.what} ${hit.path}${via}, an input of this run: ` +
        `writing there would destroy it. Fix: give another file, e.g. ${option} plan.json`,
    );
  }
  if (/^Pulumi(\..*)?\.ya?ml$/.test(basename(target))) {
    throw new OutputFileError(
      `${option} ${path}: is named like a Pulumi project or stack file, which the plan's ` +
        `JSON must never replace or become. Fix: give another file, e.g. ${option} plan.json`,
    );
  }
  let folder: Stats | undefined;
  try {
    folder = statSync(dirname(target));
  } catch (e) {
    throw new OutputFileError(
      `${option} ${path}: cannot be written (${(e as NodeJS.ErrnoException).code ?? "error"}); ` +
        `give a path in an existing, writable directory`,
    );
  }
  if (!folder.isDirectory())
    throw new OutputFileError(
      `${option} ${path}: cannot be written (ENOTDIR); give a path in an existing, writable directory`,
    );
  let existing: Stats | undefined;
  try {
    existing = statSync(target);
  } catch {
    existing = undefined;
  }
  if (existing?.isDirectory())
    throw new OutputFileError(
      `${option} ${path}: is a directory. Fix: give a file path, e.g. ${join(path, "plan.json")}`,
    );
  return existing;
}

/**
 * Writes `content` to `path` for `option`, after checkOutputFile's refusals, atomically. `mode`: the
 * file's permissions (default: those of the file it replaces, else 0666 less the umask); the temporary
 * file has them from its creation, so a secret is never readable by others, not even for a moment.
 */
export function writeOutputFile(
  option: string,
  path: string,
  content: string,
  inputs: readonly RunInput[],
  mode?: number,
): void {
  const existing = checkOutputFile(option, path, inputs);
  const target = realTarget(path);
  if (existing && !existing.isFile()) {
    // A terminal, /dev/null or a pipe (/dev/stdout): nothing to replace, written as it is.
    writeFileSync(target, content);
    return;
  }
  const tmp = join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  const fd = openSync(
    tmp,
    constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL,
    mode ?? (existing ? existing.mode & 0o777 : 0o666),
  );
  try {
    try {
      if (mode !== undefined) fchmodSync(fd, mode); // exactly `mode`, whatever the umask
      writeFileSync(fd, content);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    // Checked again right before the rename: the target may have been swapped for a link since.
    if (inputAt(path, inputs))
      throw new OutputFileError(`${option} ${path}: became an input of this plan while it ran; nothing written`);
    renameSync(tmp, target);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      /* already renamed or never created */
    }
    throw e;
  }
}
