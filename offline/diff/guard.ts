/**
 * The replacement guard: a replace or delete of a resource that holds state or carries the stack
 * (network, cluster, nodes, keys, logs, volumes, replication links) or that is protected is a
 * mandatory finding naming the resource, the property that caused it and the way out, unless the
 * stack file declares it intended in `infrasage:allowReplace` with a reason.
 */
import type { AllowedReplacement } from "../../lib/config/types";
import type { BaseResource, ResourceDiff } from "./stack-diff";
import { INFRASAGE_RELEASE_NAME } from "../../lib/release/helm-values";

/** Pseudo-policy name of the guard's findings in plan output. */
const REPLACEMENT_GUARD = "replacement-guard";

/** Types that are stateful or carry everything else, and why replacing them hurts. */
const GUARDED: Readonly<Record<string, string>> = {
  "aws:ec2/vpc:Vpc": "everything of the stack runs in it",
  "aws:eks/cluster:Cluster": "replacing the cluster recreates every workload and volume claim",
  "aws:eks/nodeGroup:NodeGroup": "replacing a node group drains every node it runs",
  "aws:kms/key:Key": "a replaced key can no longer decrypt what the old one encrypted (and is scheduled for deletion)",
  "aws:cloudwatch/logGroup:LogGroup": "a replaced log group loses its logs (audit trail)",
  "kubernetes:storage.k8s.io/v1:StorageClass":
    "volumes provisioned from it keep its old parameters; claims that name it fail",
  "kubernetes:storage.k8s.io/v1:StorageClassPatch":
    "volumes provisioned from it keep its old parameters; claims that name it fail",
  "kubernetes:apps/v1:StatefulSet": "its pods hold volumes (Keeper, ClickHouse): a replace deletes and recreates them",
  "kubernetes:core/v1:PersistentVolumeClaim": "it holds a volume",
  "kubernetes:helm.sh/v3:Release":
    "the InfraSage release holds the ClickHouse and Kafka volumes: a replace uninstalls it",
};

/** How to get out of an unintended replacement, per type (docs/plan.md "Replacing stateful resources"). */
const WAY_OUT: Readonly<Record<string, string>> = {
  "aws:ec2/vpc:Vpc":
    "keep network.cidr as deployed (add address space with a secondary CIDR instead), " +
    'or migrate to a new stack as docs/plan.md "Replacing stateful resources" describes',
  "aws:ec2/subnet:Subnet":
    "keep the subnet plan (network.cidr, network.availabilityZones) as deployed, or move the " +
    'nodes to a new node group on new subnets first (docs/plan.md "Replacing stateful resources")',
  "aws:eks/nodeGroup:NodeGroup":
    "add a second node group with the new settings, move the workloads, " +
    'then remove the old one (docs/plan.md "Replacing stateful resources")',
  "aws:kms/key:Key": "keep the key (its arguments as deployed); to rotate, rely on enableKeyRotation",
};

export interface GuardFinding {
  readonly policy: typeof REPLACEMENT_GUARD;
  readonly level: "mandatory" | "advisory";
  readonly message: string;
  readonly urn: string;
}

/** Why this resource is guarded, or undefined. `base` gives context (node subnets, replication links). */
function guardReason(d: ResourceDiff, base: readonly BaseResource[], protectedInBase: boolean): string | undefined {
  if (protectedInBase || d.protect) return "it is protected";
  // Only the InfraSage release holds volumes; the autoscaler and controller releases hold none.
  if (d.type === HELM_RELEASE && releaseName(d, base) !== INFRASAGE_RELEASE_NAME) return undefined;
  const own = GUARDED[d.type];
  if (own) return own;
  const deps = (type: string) => indexOf(base).deps.get(type) ?? new Set<string>();
  const urns = [d.urn, d.aliasedFrom].filter((u): u is string => u !== undefined);
  if (
    d.type === "aws:ec2/subnet:Subnet" &&
    urns.some((u) => deps("aws:eks/nodeGroup:NodeGroup").has(u) || deps("aws:eks/cluster:Cluster").has(u))
  ) {
    return "it carries the cluster's nodes";
  }
  if (
    d.type.startsWith("aws:ec2/vpcPeeringConnection") &&
    ancestorTypes(d, base).some((t) => t.startsWith("infrasage:replication:"))
  ) {
    return "it carries ClickHouse replication between the members";
  }
  return undefined;
}

/** Per base, built once: the dependencies of each type, resources by URN (per resource it was quadratic). */
const indexes = new WeakMap<
  readonly BaseResource[],
  { deps: Map<string, Set<string>>; byUrn: Map<string, BaseResource> }
>();
function indexOf(base: readonly BaseResource[]) {
  let index = indexes.get(base);
  if (!index) {
    const deps = new Map<string, Set<string>>();
    for (const b of base)
      for (const u of b.dependencies ?? []) deps.set(b.type, (deps.get(b.type) ?? new Set()).add(u));
    index = { deps, byUrn: new Map(base.map((b) => [b.urn, b])) };
    indexes.set(base, index);
  }
  return index;
}

const HELM_RELEASE = "kubernetes:helm.sh/v3:Release";

/** The Helm release name (inputs.name) the deployed resource had. */
function releaseName(d: ResourceDiff, base: readonly BaseResource[]): unknown {
  const b = indexOf(base).byUrn.get(d.aliasedFrom ?? d.urn);
  return b?.inputs.name;
}

function ancestorTypes(d: ResourceDiff, base: readonly BaseResource[]): string[] {
  const byUrn = indexOf(base).byUrn;
  const types: string[] = [];
  let parent = d.parent ?? undefined;
  for (let i = 0; parent && i < 50; i++) {
    types.push(parent.split("::")[2]?.split("$").pop() ?? "");
    parent = byUrn.get(parent)?.parent ?? undefined;
  }
  return types;
}

const allows = (a: AllowedReplacement, d: ResourceDiff) =>
  a.resource === d.urn || a.resource === d.aliasedFrom || a.resource === d.name;

/** What caused the replacement, in words. */
function replaceCause(d: ResourceDiff): string {
  if (d.op === "delete") return "it is no longer in the program (or its URN changed without an alias)";
  if (d.cause) return d.cause;
  const forcing = d.changes.filter((c) => c.effect === "replace");
  const shown = forcing.length > 0 ? forcing : d.changes.filter((c) => c.effect === "may-replace");
  const rules = [...new Set(shown.map((c) => c.source))].join("; ");
  return (
    `${shown.map((c) => c.path).join(", ")} ${shown.length === 1 ? "changes" : "change"} ` +
    `(${shown[0]?.effect === "replace" ? "forces replacement" : "may force replacement"}: ${rules})`
  );
}

function wayOut(d: ResourceDiff): string {
  if (d.op === "delete") {
    return (
      `if it was renamed or moved to another component, add aliases: [{ name: ` +
      `"${d.name}" }] (or the parent it had) to the new resource so the engine keeps ` +
      `the deployed one; otherwise see docs/plan.md "Replacing stateful resources"`
    );
  }
  return WAY_OUT[d.type] ?? 'revert the change that forces it, or see docs/plan.md "Replacing stateful resources"';
}

/**
 * The guard's findings for one stack: one per guarded resource replaced, maybe replaced or deleted.
 * Allowed ones are advisory and quote the reason; an allowReplace entry that matches nothing is
 * advisory too (a stale entry would silently allow a later replacement).
 */
export function guardFindings(
  diffs: readonly ResourceDiff[],
  base: readonly BaseResource[],
  allowed: readonly AllowedReplacement[],
): GuardFinding[] {
  const protectedUrns = new Set(base.filter((b) => b.protect).map((b) => b.urn));
  const findings: GuardFinding[] = [];
  const used = new Set<AllowedReplacement>();
  for (const d of diffs) {
    if (d.op !== "replace" && d.op !== "may-replace" && d.op !== "delete") continue;
    const why = guardReason(d, base, protectedUrns.has(d.aliasedFrom ?? d.urn));
    if (!why) continue;
    const verb = d.op === "delete" ? "deleted" : d.op === "replace" ? "replaced" : "maybe replaced";
    const what = `${d.type.split(":").pop()} ${d.name}${d.region ? ` (${d.region})` : ""} would be ${verb}`;
    const allow = allowed.find((a) => allows(a, d));
    if (allow) {
      used.add(allow);
      findings.push({
        policy: REPLACEMENT_GUARD,
        level: "advisory",
        message: `${what}, allowed by infrasage:allowReplace: ${allow.reason}`,
        urn: d.urn,
      });
      continue;
    }
    findings.push({
      policy: REPLACEMENT_GUARD,
      level: "mandatory",
      urn: d.urn,
      message:
        `${what}: ${why}. Cause: ${replaceCause(d)}. Way out: ${wayOut(d)}; if it is intended, declare ` +
        `it in the stack file: infrasage:allowReplace: [{ resource: "${d.name}", reason: "..." }]`,
    });
  }
  for (const a of allowed.filter((x) => !used.has(x))) {
    findings.push({
      policy: REPLACEMENT_GUARD,
      level: "advisory",
      message:
        `infrasage:allowReplace entry "${a.resource}" matches no guarded resource ` +
        `replaced or deleted by this change: remove it once the change is deployed`,
      urn: "",
    });
  }
  return findings;
}
