/**
 * StackReferences as the engine resolves them, for a set of stacks planned together. A reference
 * reads the last deployment of a stack of the same backend: a stack with no deployment yet has no
 * outputs; a stack that does not exist (another org, another project, never created) fails the real
 * run (pulumi/pulumi sdk/go/common/resource/stack reference provider: "unknown stack"), so offline it
 * reads as empty and is reported as a preflight finding instead of passing silently.
 */
import { parseStackRef, stackReferencesOf } from "../lib/links/references";
import { regionOfRef } from "../lib/links/contract";
import { jurisdictionOf } from "../policies/shared/regions";
import type { StackConfig } from "../lib/config/types";
import type { Finding } from "./preflight/finding";
import { asDiyReference, backendKindOf, DIY_ORGANIZATION, diyReferenceProblem } from "./preflight/backend";

export interface ReferencingStack {
  readonly stack: string;
  readonly project: string;
  /** Its stack file. */
  readonly file: string;
  /** Its configuration (the references it makes). */
  readonly references: StackConfig;
}

export class StackReferences {
  /** The one organization every reference of the set names (undefined when none is named). */
  readonly organization: string | undefined;
  private readonly stacks: ReadonlyMap<string, ReferencingStack>;
  private readonly deployed = new Map<string, Record<string, unknown>>();
  private readonly problems = new Map<string, Finding>();

  /** `external`: outputs of deployed stacks outside the plan (known to exist). */
  constructor(
    stacks: readonly ReferencingStack[],
    private readonly external?: (ref: string) => Record<string, unknown> | undefined,
  ) {
    this.stacks = new Map(stacks.map((s) => [s.stack, s]));
    for (const s of stacks) this.crossBackendReferences(s);
    for (const s of stacks) this.selfManagedReferences(s);
    // A self-managed backend has one organization; its references were checked against it above.
    const selfManaged = stacks.length > 0 && stacks.every((s) => isSelfManaged(s));
    const all = stacks
      .filter((s) => !isSelfManaged(s))
      .flatMap((s) => stackReferencesOf(s.references).map((r) => ({ ...r, from: s })));
    const orgs = [...new Set(all.map((r) => r.org))].sort();
    this.organization = selfManaged ? DIY_ORGANIZATION : orgs[0];
    if (orgs.length > 1) {
      this.add("organization", {
        file: all.find((r) => r.org !== orgs[0])!.from.file,
        key: all
          .filter((r) => r.org !== orgs[0])
          .map((r) => `${r.from.stack}: ${r.key}`)
          .join(", "),
        message:
          `the stacks reference stacks in ${orgs.length} organizations (${orgs.join(", ")}); ` +
          `a StackReference reads stacks of its own backend and organization only`,
        fix: "use one organization in every org/project/stack reference of the group",
      });
    }
  }

  /**
   * With state kept per jurisdiction, a StackReference to a stack of another jurisdiction reads
   * another backend: it cannot resolve (pulumi/pulumi pkg/backend/backend.go GetStackOutputs: the
   * stack is looked up in the current backend only, "unknown stack").
   */
  private crossBackendReferences(s: ReferencingStack): void {
    const c = s.references;
    if (c.stateBackend !== "per-jurisdiction") return;
    for (const r of stackReferencesOf(c)) {
      const viaReference = c.links.via === "stack-reference" || r.key.startsWith("replication.");
      const target =
        this.stacks.get(r.stack)?.references.jurisdiction ?? jurisdictionOf(regionOfRef(r.ref, c.links) ?? "");
      if (!viaReference || target === undefined || target === c.jurisdiction) continue;
      this.add(`backend:${s.stack}->${r.ref}`, {
        file: s.file,
        key: `infrasage:${r.key}`,
        message:
          `StackReference ${r.ref} crosses from ${c.jurisdiction} to ${target}, but ` +
          `state is kept per jurisdiction (infrasage:stateBackend per-jurisdiction): ` +
          `a StackReference reads only stacks of its own backend, so it cannot resolve`,
        fix:
          "set infrasage:links.via: ssm on both stacks (each reads the other's published " +
          "link contract in its region), or keep both stacks' state in one backend",
      });
    }
  }

  /**
   * A self-managed (DIY) backend accepts only `organization` as the org of a stack name or reference
   * (offline/preflight/backend.ts): `acme/infrasage/eu-west-1` fails the first real preview there.
   * Only references the program reads through a StackReference (links over SSM name no backend).
   */
  private selfManagedReferences(s: ReferencingStack): void {
    if (!isSelfManaged(s)) return;
    for (const r of stackReferencesOf(s.references)) {
      if (s.references.links.via !== "stack-reference" && !r.key.startsWith("replication.")) continue;
      this.diyProblem(s, r.ref, r.key);
    }
  }

  private diyProblem(s: ReferencingStack, ref: string, key: string): boolean {
    const problem = diyReferenceProblem(ref);
    if (problem === undefined) return false;
    this.add(`diy:${s.stack}->${ref}`, {
      file: s.file,
      key: `infrasage:${key}`,
      message:
        `StackReference ${ref}: ${problem}: this stack's state is in a self-managed ` +
        `backend (infrasage:stateBackend ${s.references.stateBackend}), where every ` +
        `stack is ${DIY_ORGANIZATION}/<project>/<stack>, so the first real preview fails`,
      fix: `write ${asDiyReference(ref)}`,
    });
    return true;
  }

  /** Records a stack's outputs after its (offline) deployment. */
  deploy(stack: string, outputs: Record<string, unknown>): void {
    this.deployed.set(stack, outputs);
  }

  deployedOutputs(stack: string): Record<string, unknown> | undefined {
    return this.deployed.get(stack);
  }

  /** How many references were read so far (a rollout needs another round only if any was). */
  reads = 0;

  /** Outputs `from` reads through its reference `ref`; undefined = no deployment (or a reference that would fail). */
  resolve(from: string, ref: string): Record<string, unknown> | undefined {
    this.reads++;
    const target = parseStackRef(ref);
    const source = this.stacks.get(from);
    if (source && isSelfManaged(source) && this.diyProblem(source, ref, keyOf(source, ref))) return undefined;
    const planned = this.stacks.get(target.stack);
    const why = !planned
      ? `stack ${target.stack} is not planned alongside, so the plan ` +
        `can neither declare it deployed (--deployed) nor know it exists`
      : source && target.project !== planned.project
        ? `project ${target.project} is not this program's project ${planned.project}`
        : this.organization !== undefined && target.org !== this.organization
          ? `organization ${target.org} is not the group's ${this.organization}`
          : undefined;
    if (why !== undefined && target.stack !== from) {
      const known = this.external?.(ref);
      if (known !== undefined) return known;
      this.add(`${from}->${ref}`, {
        file: source?.file ?? from,
        key: keyOf(source, ref),
        message: `StackReference ${ref}: ${why}. A real preview fails unless ${ref} exists in the same backend`,
        fix: !planned
          ? `plan the group together (npm run plan -- --all --dir ` +
            `<dir>), or create the stack first (pulumi stack init ${ref})`
          : "correct the org/project/stack reference",
      });
      return undefined;
    }
    return this.deployed.get(target.stack);
  }

  /** Every reference problem seen, once each. */
  findings(): Finding[] {
    return [...this.problems.values()];
  }

  private add(id: string, f: Omit<Finding, "kind">): void {
    if (!this.problems.has(id)) this.problems.set(id, { kind: "stack-reference", ...f });
  }
}

function isSelfManaged(s: ReferencingStack): boolean {
  return backendKindOf(s.references.stateBackend) === "self-managed";
}

function keyOf(source: ReferencingStack | undefined, ref: string): string {
  return (
    (source ? stackReferencesOf(source.references).find((r) => r.ref === ref)?.key : undefined) ?? "StackReference"
  );
}
