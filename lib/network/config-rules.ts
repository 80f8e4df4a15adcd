/**
 * The VPC (`infrasage:network`): the program's own (a private CIDR of the right size, as many AZs as
 * the region has) or an existing one (lib/network/existing-vpc.ts), whose layout the program's
 * own keys (CIDR, NAT, AZs, endpoints) would contradict. Pure.
 */
import { availabilityZonesOf } from "../../policies/shared/regions";
import { namespacedProblems, qualified, type ConfigProblem } from "../rules/problems";
import type { RuleContext } from "../rules/rule-context";
import type { InfrasageInput } from "../config/schema";
import { vpcCidrProblem } from "./cidr-rules";
import { existingVpcProblems } from "./existing-vpc";

/** `network`, then the AZ count against the region's. */
export function networkConfigProblems({ input: c, config, regionKnown }: RuleContext): ConfigProblem[] {
  const { problems, add } = namespacedProblems();
  problems.push(...networkProblems(c.network));
  const azs = availabilityZonesOf(config.region).length;
  if (regionKnown && config.network.availabilityZones > azs) {
    add("network.availabilityZones", `${config.region} offers only ${azs} availability zones`, `set it to ${azs}`);
  }
  return problems;
}

/**
 * `network`: an existing VPC takes its own checks; the program's layout (CIDR size, NAT, endpoints) does not apply to
 * it.
 */
function networkProblems(n: InfrasageInput["network"]): ConfigProblem[] {
  const { problems, add } = namespacedProblems();
  const ev = n.existingVpc;
  if (!ev) {
    if (n.cidr === undefined)
      add(
        "network.cidr",
        "is required",
        "set infrasage:network.cidr to a private range that overlaps no " +
          "other stack's, e.g. 10.20.0.0/16, or set network.existingVpc",
      );
    else {
      const vpc = vpcCidrProblem(n.cidr);
      if (vpc) add("network.cidr", vpc.message, vpc.fix);
    }
    return problems;
  }
  problems.push(...existingVpcProblems(ev).map(qualified));
  if (n.cidr !== undefined && n.cidr !== ev.cidr)
    add(
      "network.cidr",
      `is ${n.cidr} but network.existingVpc.cidr is ${ev.cidr}`,
      "remove network.cidr: an existing VPC's CIDR is network.existingVpc.cidr",
    );
  if (n.natGateways !== undefined)
    add(
      "network.natGateways",
      "is set with network.existingVpc, whose egress is its own (no NAT gateway is created)",
      "remove network.natGateways",
    );
  if (n.availabilityZones !== undefined && n.availabilityZones !== ev.privateSubnetIds.length)
    add(
      "network.availabilityZones",
      `is ${n.availabilityZones} but network.existingVpc ` +
        `lists ${ev.privateSubnetIds.length} private subnets (one per AZ)`,
      "remove network.availabilityZones",
    );
  if (n.endpoints !== undefined && n.endpoints !== "none") {
    add(
      "network.endpoints",
      "is set with network.existingVpc: endpoints would change that VPC " +
        "(interface endpoints with private DNS answer for the whole VPC)",
      "remove it; the VPC's owner manages its endpoints",
    );
  }
  return problems;
}
