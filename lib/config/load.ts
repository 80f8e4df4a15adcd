/**
 * Loads the running stack's config through the Pulumi SDK and parses it. The only config entry
 * point of the program: it fails with every problem, before any resource is registered.
 */
import * as pulumi from "@pulumi/pulumi";
import { parseStackConfig } from "./parse";
import { formatProblems } from "../rules/problems";
import type { StackConfig } from "./types";

export function loadStackConfig(): StackConfig {
  const stack = pulumi.getStack();
  const raw = pulumi.runtime.allConfig();
  // Keys Pulumi decrypted for us (`secure:`) are secrets by construction, not plain-text leaks.
  const isSecret = (pulumi.runtime as unknown as { isConfigSecret?: (k: string) => boolean }).isConfigSecret;
  const secretKeys = isSecret ? Object.keys(raw).filter((k) => isSecret(k)) : [];
  const result = parseStackConfig(raw, stack, { secretKeys });
  if (!result.ok) {
    // RunError: the CLI prints the message without a stack trace.
    throw new pulumi.RunError(formatProblems(result.problems, `Pulumi.${stack}.yaml`));
  }
  return result.config;
}
