/**
 * VPC address space across the stacks planned together: two stacks whose CIDRs overlap can never be
 * linked later (peering refuses overlapping VPCs) without re-addressing one VPC, i.e. replacing it.
 * Every stack of a plan is checked against every other, linked or not (docs/operations.md "Adding a region").
 */
import { overlapCidr } from "cidr-tools";

export interface StackCidr {
  readonly stack: string;
  readonly file: string;
  /** `network.cidr`, or `network.existingVpc.cidr` (which stands for it). */
  readonly cidr: string;
  readonly key: string;
}

/** One line per overlapping pair, naming both stacks, files and keys. */
export function cidrOverlaps(stacks: readonly StackCidr[]): string[] {
  const lines: string[] = [];
  stacks.forEach((a, i) => {
    for (const b of stacks.slice(i + 1)) {
      if (!a.cidr || !b.cidr || !overlapCidr(a.cidr, b.cidr)) continue;
      lines.push(
        `  - ${a.file}: infrasage:${a.key} ${a.cidr} (stack ${a.stack}) overlaps ` +
          `infrasage:${b.key} ${b.cidr} of stack ${b.stack} (${b.file}). Fix: give ` +
          `one of them a range that overlaps no other stack's (peering between ` +
          `them would be refused, and re-addressing a deployed VPC replaces it).`,
      );
    }
  });
  return lines;
}
