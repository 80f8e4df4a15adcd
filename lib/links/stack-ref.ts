/** A StackReference name, split: a module of its own so lib/links can use it without the config types. */

/** Splits `org/project/stack` (the parser guarantees three parts). */
export function parseStackRef(ref: string): { org: string; project: string; stack: string } {
  const [org = "", project = "", stack = ""] = ref.split("/");
  return { org, project, stack };
}
