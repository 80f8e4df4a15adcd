/**
 * Active-active (`infrasage:replication`): the group's other members listed once each (never this
 * stack), a stack name that can be a host name, a witness that runs voters, and replication only
 * with that pattern. Pure.
 */
import { namespacedProblems, type ConfigProblem } from "../rules/problems";
import type { RuleContext } from "../rules/rule-context";

/** `replication` against the pattern and the stack's name. */
export function replicationConfigProblems({ input: c, config }: RuleContext): ConfigProblem[] {
  const { problems, add } = namespacedProblems();
  if (config.pattern === "active-active") {
    if (!c.replication?.peers?.length)
      add(
        "replication.peers",
        "is required for pattern active-active",
        "list the org/project/stack of every other member of the replication group",
      );
    const self = c.replication?.peers?.find((p) => p.split("/")[2] === config.stack);
    if (self) add("replication.peers", `lists this stack itself (${self})`, "list only the other members");
    const dupes = (c.replication?.peers ?? []).filter((p, i, all) => all.indexOf(p) !== i);
    if (dupes.length) add("replication.peers", `lists ${dupes.join(", ")} twice`, "list each peer once");
    // Active-active: the stack name is part of every Keeper/ClickHouse host name (keeper-0.<stack>.infrasage.internal).
    if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(config.stack))
      add(
        "replication",
        `stack name "${config.stack}" is not a DNS label`,
        "name active-active stacks with lowercase letters, digits and '-' (e.g. eu-west-1)",
      );
    if (c.replication?.witness === true && config.replication?.keeperVoters === 0)
      add(
        "replication.keeperVoters",
        "is 0 on a witness, which exists only to run Keeper voters",
        "set it to 1 (or more), or remove replication.witness",
      );
  } else if (c.replication !== undefined) {
    add(
      "replication",
      `is set but pattern is ${config.pattern}`,
      "set infrasage:pattern to active-active, or remove replication",
    );
  }
  return problems;
}
