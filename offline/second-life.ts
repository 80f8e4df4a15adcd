/**
 * A second life of a stack: what `pulumi destroy` leaves in the cloud, so the plan can run the next
 * `pulumi up` against it. Two ways to destroy a stack whose cluster is protected:
 * - `all`: `pulumi state unprotect` then `pulumi destroy`: everything goes except resources with
 *   retainOnDelete; Kubernetes objects go with their cluster.
 * - `exclude-protected`: `pulumi destroy --exclude-protected`: protected resources and everything they
 *   depend on stay (in state and in the cloud: pulumi/pulumi pkg/cmd/pulumi/operations/destroy.go
 *   getProtectedExcludes); retained objects inside a cluster that stays are left behind too.
 * Only objects with a fixed physical name can collide with the next `up`; auto-named ones cannot.
 */
import { fixedPhysicalName, type ExistingObject } from "./mock-cloud";
import type { RecordedResource } from "./run-program";

export type DestroyMode = "all" | "exclude-protected";

const CLUSTER_TYPE = "aws:eks/cluster:Cluster";

/** Protected resources with everything they depend on (dependencies, parent, provider), by URN. */
export function keptByExcludeProtected(resources: readonly RecordedResource[]): Set<string> {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const kept = new Set<string>();
  const visit = (urn: string | undefined): void => {
    if (!urn || kept.has(urn)) return;
    kept.add(urn);
    const r = byUrn.get(urn);
    if (!r) return;
    [...r.dependencies, ...Object.values(r.propertyDependencies).flat(), r.parent, r.provider].forEach(visit);
  };
  for (const r of resources) if (r.protect) visit(r.urn);
  return kept;
}

/** What exists after the destroy without being in the stack's state any more. */
export function leftoversAfterDestroy(resources: readonly RecordedResource[], mode: DestroyMode): ExistingObject[] {
  const kept = mode === "exclude-protected" ? keptByExcludeProtected(resources) : new Set<string>();
  const clusterStays = resources.some((r) => r.type === CLUSTER_TYPE && kept.has(r.urn));
  return resources.flatMap((r) => {
    if (!r.retainOnDelete || kept.has(r.urn)) return [];
    if (r.type.startsWith("kubernetes:") && !clusterStays) return []; // gone with the cluster
    const physicalName = fixedPhysicalName(r.type, r.rawInputs);
    return physicalName === undefined ? [] : [{ type: r.type, physicalName }];
  });
}
