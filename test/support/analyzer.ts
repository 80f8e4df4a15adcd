/** One policy pack analyzer for the whole test run (started on first use, stopped when mocha exits). */
import { PolicyAnalyzer } from "../../offline/analyzer";

let shared: Promise<PolicyAnalyzer> | undefined;

export function sharedAnalyzer(): Promise<PolicyAnalyzer> {
  shared ??= PolicyAnalyzer.start();
  return shared;
}
