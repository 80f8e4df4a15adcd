/**
 * Links between stacks (`infrasage:links`): a contract read through SSM is read in the other stack's
 * region, so that region must be known, and a region given for a linked stack must be real and
 * agree with the stack's name. Pure.
 */
import { findRegion } from "../../policies/shared/regions";
import { regionsNamedBy } from "../config/identity-rules";
import { namespacedProblems, type ConfigProblem } from "../rules/problems";
import { stackReferencesOf } from "./references";
import type { RuleContext } from "../rules/rule-context";
import { regionOfRef } from "./contract";

/** `links.regions` against the stacks this one references. */
export function linksConfigProblems({ config }: RuleContext): ConfigProblem[] {
  const { problems, add } = namespacedProblems();
  // Links through published contracts are read in the other stack's region: it must be known.
  if (config.links.via === "ssm") {
    for (const ref of stackReferencesOf(config).filter((r) => !r.key.startsWith("replication."))) {
      if (!regionOfRef(ref.ref, config.links)) {
        add(
          `links.regions.${ref.stack}`,
          `is needed: ${ref.key} names ${ref.ref}, whose link contract ` +
            `is read in its region, and "${ref.stack}" is not a region name`,
          `set infrasage:links.regions.${ref.stack} to the region that stack is deployed in`,
        );
      }
    }
  }
  // Links: a region named for a linked stack must be one we know.
  for (const [stack, region] of Object.entries(config.links.regions)) {
    if (!findRegion(region))
      add(
        `links.regions.${stack}`,
        `"${region}" is not a commercial AWS region known to InfraSage`,
        "give the region the linked stack is deployed in, e.g. eu-west-1",
      );
    // A linked stack named for a region is deployed there (the rule each stack's own aws:region obeys).
    const named = regionsNamedBy(stack);
    if (findRegion(region) && named.length === 1 && named[0] !== region) {
      add(
        `links.regions.${stack}`,
        `says ${region}, but stack "${stack}" is named for ${named[0]} and so deploys there`,
        `set it to ${named[0]}, or remove it (a stack named for its region needs no entry)`,
      );
    }
  }
  return problems;
}
