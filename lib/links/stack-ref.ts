/** Stack names and StackReference names: a module of its own so lib/links can use it without the config types. */

/**
 * A stack name (the last segment of `org/project/stack`), as pulumi/pulumi tokens.ParseStackName
 * accepts it: not empty, at most 100 characters, alphanumerics, '-', '_', '.'. One rule for the plan,
 * the bootstrap and the scripts.
 */
export const STACK_NAME_RE = /^[A-Za-z0-9_.-]{1,100}$/;

/** Splits `org/project/stack` (the parser guarantees three parts). */
export function parseStackRef(ref: string): { org: string; project: string; stack: string } {
  const [org = "", project = "", stack = ""] = ref.split("/");
  return { org, project, stack };
}
