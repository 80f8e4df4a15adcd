/**
 * Evaluates the policy pack's rules on an offline plan record. Rules arrive with the policy pack
 * (policies/); until then no violations are reported but the shape is fixed.
 */
import type { StackConfig } from "../lib/config/types";
import type { ProgramRecord } from "./run-program";

export type EnforcementLevel = "mandatory" | "advisory";

export interface Violation {
  readonly policy: string;
  readonly level: EnforcementLevel;
  readonly message: string;
  readonly urn?: string;
}

export interface CrossStackReport {
  readonly violations: Violation[];
}

export function evaluateStack(_config: StackConfig, _record: ProgramRecord): Violation[] {
  return [];
}

export function evaluateCrossStack(_stacks: readonly { config: StackConfig; record: ProgramRecord }[]): CrossStackReport {
  return { violations: [] };
}
