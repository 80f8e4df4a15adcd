/**
 * Which kind of backend keeps a stack's state (`infrasage:stateBackend`), and the stack names and
 * references a self-managed (DIY) backend accepts. Source: pulumi/pulumi at 1b59498 (August 2026),
 * pkg/backend/diy/store.go, projectReferenceStore.ParseReference: `<stack>`, `<org>/<stack>` or
 * `<org>/<project>/<stack>`, and the org, when given, "must always be 'organization'"; otherwise
 * "organization name must be 'organization'". StackReferences are parsed the same way
 * (pkg/backend/backend.go GetStackOutputs calls the backend's ParseStackReference). Pulumi Cloud
 * (pkg/backend/httpstate) takes any organization the token may use.
 */
import type { StateLayout } from "../../lib/links/contract";

/** The one organization name of a self-managed backend. */
export const DIY_ORGANIZATION = "organization";

export type BackendKind = "pulumi-cloud" | "self-managed";

/** `shared`: one Pulumi Cloud organization; `self-managed` and `per-jurisdiction`: DIY backends (S3 buckets). */
export function backendKindOf(layout: StateLayout): BackendKind {
  return layout === "shared" ? "pulumi-cloud" : "self-managed";
}

/**
 * Why a self-managed backend refuses `ref` as a stack name or StackReference, or undefined when it
 * accepts it. Only the organization part is checked here: the stack and project names follow the
 * CLI's rules for every backend (preflight/project.ts).
 */
export function diyReferenceProblem(ref: string): string | undefined {
  const parts = ref.split("/");
  if (parts.length > 3)
    return (
      `"${ref}" has ${parts.length} parts; a self-managed backend accepts ` +
      `<stack>, organization/<stack> or organization/<project>/<stack>`
    );
  // Two parts are organization/stack, never project/stack.
  const org = parts.length === 1 ? DIY_ORGANIZATION : parts[0];
  if (org !== DIY_ORGANIZATION) return `organization name must be '${DIY_ORGANIZATION}', not "${org}"`;
  return undefined;
}

/** `ref` with its organization replaced by the one a self-managed backend accepts (the fix to print). */
export function asDiyReference(ref: string): string {
  const parts = ref.split("/");
  return parts.length === 1 ? ref : [DIY_ORGANIZATION, ...parts.slice(1)].join("/");
}
