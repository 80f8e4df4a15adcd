/**
 * The runbooks' namespace scope (`infrasage:runbooks.namespaceScope`): no system namespace, not
 * InfraSage's own, each once (lib/runbooks/runbook-access.ts). Pure.
 */
import { namespacedProblems, type ConfigProblem } from "../rules/problems";
import type { RuleContext } from "../rules/rule-context";
import { namespaceScopeProblems } from "./runbook-access";

/** `runbooks.namespaceScope`. */
export function runbookConfigProblems({ config }: RuleContext): ConfigProblem[] {
  const { problems, add } = namespacedProblems();
  for (const p of namespaceScopeProblems(config.runbooks.namespaceScope))
    add("runbooks.namespaceScope", p.message, p.fix);
  return problems;
}
