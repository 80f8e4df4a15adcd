/**
 * Shared Grafana (`infrasage:grafana`, lib/grafana/grafana.ts): the host (mode local) lists its
 * sources, a shared stack names its host, and neither names this stack itself. Pure.
 */
import { namespacedProblems, type ConfigProblem } from "../rules/problems";
import type { RuleContext } from "../rules/rule-context";

/** `grafana` keys against its mode. */
export function grafanaConfigProblems({ config }: RuleContext): ConfigProblem[] {
  const { problems, add } = namespacedProblems();
  const g = config.grafana;
  if (g.mode === "shared" && !g.hostStack)
    add(
      "grafana.hostStack",
      "is required when grafana.mode is shared",
      "set it to the org/project/stack whose Grafana reads this stack's Prometheus",
    );
  if (g.hostStack && g.mode !== "shared")
    add(
      "grafana.hostStack",
      `is set but grafana.mode is ${g.mode}`,
      "set grafana.mode to shared, or remove grafana.hostStack",
    );
  if (g.sources && g.mode !== "local")
    add(
      "grafana.sources",
      `is set but grafana.mode is ${g.mode} (no Grafana runs here)`,
      "list sources on the stack that runs Grafana (mode local)",
    );
  const grafanaRefs = [...(g.sources ?? []), ...(g.hostStack ? [g.hostStack] : [])];
  if (grafanaRefs.some((r) => r.split("/")[2] === config.stack))
    add(
      g.hostStack ? "grafana.hostStack" : "grafana.sources",
      `names this stack itself (${config.stack})`,
      "name only other stacks",
    );
  const twiceG = (g.sources ?? []).filter((r, i, all) => all.indexOf(r) !== i);
  if (twiceG.length) add("grafana.sources", `lists ${twiceG.join(", ")} twice`, "list each source once");
  return problems;
}
