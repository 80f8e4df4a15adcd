/**
 * `infrasage:allowReplace`: each URN names a resource of this stack (a URN copied from another
 * stack's plan allows nothing here). Pure.
 */
import { namespacedProblems, type ConfigProblem } from "../rules/problems";
import type { RuleContext } from "../rules/rule-context";

/** Entries of `allowReplace` whose resource is not this stack's. */
export function allowReplaceProblems({ config }: RuleContext): ConfigProblem[] {
  const { problems, add } = namespacedProblems();
  config.allowReplace.forEach((a, i) => {
    const urnStack = /^urn:pulumi:([^:]*)::/.exec(a.resource)?.[1];
    if (a.resource.startsWith("urn:") && urnStack === undefined)
      add(
        `allowReplace.${i}.resource`,
        `"${a.resource}" is not a Pulumi URN`,
        "give the URN from the plan's diff " +
          "(urn:pulumi:<stack>::<project>::<type>::<name>) or the resource's logical name",
      );
    else if (urnStack !== undefined && urnStack !== config.stack)
      add(
        `allowReplace.${i}.resource`,
        `names a resource of stack ${urnStack}, not of this stack (${config.stack})`,
        "copy the URN from this stack's plan, or move the entry to that stack's file",
      );
  });
  return problems;
}
