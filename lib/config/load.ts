/**
 * Loads the running stack's config through the Pulumi SDK and parses it. The only config entry
 * point of the program: it fails with every problem, before any resource is registered.
 */
import * as pulumi from "@pulumi/pulumi";
import { parseStackConfig } from "./parse";
import { formatProblems } from "./problems";
import type { StackConfig } from "./types";

export function loadStackConfig(): StackConfig {
  const stack = pulumi.getStack();
  const result = parseStackConfig(pulumi.runtime.allConfig(), stack);
  if (!result.ok) {
    // RunError: the CLI prints the message without a stack trace.
    throw new pulumi.RunError(formatProblems(result.problems, `Pulumi.${stack}.yaml`));
  }
  return result.config;
}
