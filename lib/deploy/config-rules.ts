/**
 * The deploy path (`infrasage:deploy`): each kind of runner takes only its own keys, and a
 * self-hosted runner's ranges are private IPv4 networks. Pure.
 */
import { namespacedProblems, type ConfigProblem } from "../rules/problems";
import type { RuleContext } from "../rules/rule-context";
import { runnerCidrProblem } from "../network/cidr-rules";

/** `deploy` keys against `deploy.runner`. */
export function deployConfigProblems({ input: c, config }: RuleContext): ConfigProblem[] {
  const { problems, add } = namespacedProblems();
  const d = c.deploy ?? {};
  const kind = config.deploy.runner;
  const onlyFor: Record<string, readonly string[]> = {
    repository: ["codebuild"],
    connectionArn: ["codebuild"],
    runnerLabel: ["self-hosted"],
    runnerCidrs: ["self-hosted", "operator"],
  };
  for (const [k, runners] of Object.entries(onlyFor)) {
    if ((d as Record<string, unknown>)[k] !== undefined && !runners.includes(kind))
      add(
        `deploy.${k}`,
        `is set but deploy.runner is ${kind}`,
        `remove it, or set deploy.runner to ${runners.join(" or ")}`,
      );
  }
  config.deploy.runnerCidrs.forEach((cidr, i) => {
    const p = runnerCidrProblem(cidr);
    if (p) add(`deploy.runnerCidrs[${i}]`, p.message, p.fix);
  });
  return problems;
}
