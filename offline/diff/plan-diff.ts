/**
 * One stack's diff against its base, with the replacement guard's findings: what `--base` adds to a
 * stack's plan (`stacks[].diff` in `--json`).
 */
import type { AllowedReplacement } from "../../lib/config/types";
import type { BaseStack } from "./base-file";
import { guardFindings, type GuardFinding } from "./guard";
import { countOps, diffResources, type DiffCounts, type HeadResource, type ResourceDiff } from "./stack-diff";

export interface StackDiff {
  /** The base file the stack was diffed against. */
  readonly base: string;
  /** The base does not hold this stack: everything is created. */
  readonly newStack: boolean;
  /** Monthly cost of the base, when it has one. */
  readonly monthlyTotalBefore?: number;
  /** That cost was partial (cost.partial in the base). */
  readonly monthlyTotalBeforePartial?: boolean;
  readonly counts: DiffCounts;
  /** Every resource of head and base, unchanged ones included. */
  readonly resources: ResourceDiff[];
  readonly guard: GuardFinding[];
}

export function diffStack(
  baseFile: string,
  base: BaseStack | undefined,
  head: readonly HeadResource[],
  allowed: readonly AllowedReplacement[],
): StackDiff {
  const baseResources = base?.resources ?? [];
  const resources = diffResources(baseResources, head);
  return {
    base: baseFile,
    newStack: base === undefined,
    ...(base?.monthlyTotal !== undefined ? { monthlyTotalBefore: base.monthlyTotal } : {}),
    ...(base?.costPartial === true ? { monthlyTotalBeforePartial: true } : {}),
    counts: countOps(resources),
    resources,
    guard: guardFindings(resources, baseResources, allowed),
  };
}
