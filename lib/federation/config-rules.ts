/**
 * Hub-and-spoke (`infrasage:federation`): only alert metadata leaves a region, a spoke names its hub,
 * only the hub lists its spokes (each once, never itself), and federation only with that pattern. Pure.
 */
import { namespacedProblems, type ConfigProblem } from "../rules/problems";
import type { RuleContext } from "../rules/rule-context";

/** `federation` against the pattern and the stack's role. */
export function federationConfigProblems({ input: c, config }: RuleContext): ConfigProblem[] {
  const { problems, add } = namespacedProblems();
  if (c.federation?.includeRawTelemetry === true) {
    add(
      "federation.includeRawTelemetry",
      "true would forward raw telemetry out of the region (ALERT_FORWARD_INCLUDE_RAW_TELEMETRY)",
      "remove it or set it to false: only alert metadata may leave a region",
    );
  }
  if (config.pattern === "hub-spoke") {
    if (!c.federation?.role) add("federation.role", "is required for pattern hub-spoke", "set it to hub or spoke");
    if (c.federation?.role === "spoke" && !c.federation.hubStack)
      add("federation.hubStack", "is required for a spoke", "set it to the hub's org/project/stack");
    if (c.federation?.role === "hub" && c.federation.hubStack)
      add("federation.hubStack", "is set on the hub itself", "remove it: only spokes point at a hub");
    // Pattern 2 allowlist: only the hub lists spokes; each spoke's credential is named by its stack name.
    const spokes = c.federation?.spokes ?? [];
    if (c.federation?.role !== "hub" && spokes.length > 0)
      add("federation.spokes", "is set on a spoke", "remove it: only the hub lists its spokes");
    const spokeStacks = spokes.map((s) => s.split("/")[2]);
    const twice = spokes.filter((_, i) => spokeStacks.indexOf(spokeStacks[i]) !== i);
    if (twice.length)
      add(
        "federation.spokes",
        `lists stack name(s) ${twice.join(", ")} more than once (credentials are named by stack)`,
        "list each spoke stack once",
      );
    if (c.federation?.role === "hub" && spokeStacks.includes(config.stack))
      add("federation.spokes", `lists the hub itself (${config.stack})`, "remove it: the hub's own alerts stay local");
  } else if (c.federation !== undefined && c.federation.includeRawTelemetry !== true) {
    add(
      "federation",
      `is set but pattern is ${config.pattern}`,
      "set infrasage:pattern to hub-spoke, or remove federation",
    );
  }
  return problems;
}
