/**
 * The stack tags the engine hands the policy pack in ConfigureStack, per backend
 * (pulumi/pulumi, v3.270 line):
 * - a self-managed (DIY) backend: the tags stored beside the stack's state (`pulumi stack tag set`,
 *   `<stack>.pulumi-tags`; pkg/backend/diy/state.go getTarget, stack_tags.go). Nothing from the
 *   project or the stack file.
 * - Pulumi Cloud: the stored tags merged with fresh ones on every update (pkg/backend/stack.go
 *   GetMergedStackTags, sent with StartUpdate by pkg/backend/httpstate/backend.go and read back as the
 *   target's tags): `pulumi:project`, `pulumi:runtime`, `pulumi:description` from Pulumi.yaml, then the
 *   `pulumi:tags` config object (Pulumi.yaml's project config and the stack file, the stack file
 *   winning), then `vcs:*` from the checkout's git remote. **The fresh tags win over stored ones**
 *   (`maps.Copy(tags, envTags)`): a pull request that sets `pulumi:tags` overrides a stored tag.
 * The offline plan leaves out `vcs:*` (they depend on the runner's checkout; no rule reads them).
 */
import { dirname, join } from "node:path";
import { parse } from "yaml";
import type { StackConfig } from "../lib/config/types";
import { findProject, PROGRAM_ROOT, readTextFile, type StackFile } from "./stack-file";
import { backendKindOf as backendOf } from "./preflight/backend";

/**
 * Both self-managed layouts (`self-managed`, `per-jurisdiction`) are DIY backends; `shared` is Pulumi Cloud
 * (offline/preflight/backend.ts).
 */
export type BackendKind = "diy" | "cloud";
export const backendKindOf = (config: Pick<StackConfig, "stateBackend">): BackendKind =>
  backendOf(config.stateBackend) === "self-managed" ? "diy" : "cloud";

/** The config key whose object Pulumi Cloud merges into the stack's tags (apitype.PulumiTagsConfigKey). */
const PULUMI_TAGS_KEY = "pulumi:tags";

/** What the project file contributes to Pulumi Cloud's tags. */
export interface ProjectTags {
  readonly file: string;
  readonly name?: string;
  readonly runtime?: string;
  readonly description?: string;
  /** Pulumi.yaml `config: { pulumi:tags: { value: {...} } }`. */
  readonly configTags?: unknown;
}

/** A `pulumi:tags` value that is not an object of strings (the CLI refuses it on Pulumi Cloud). */
export class StackTagsError extends Error {}

function tagObject(value: unknown, where: string): Record<string, string> {
  if (value === undefined) return {};
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new StackTagsError(
      `${where}: ${PULUMI_TAGS_KEY} must be an object of strings (pulumi/pulumi pkg/backend/stack.go)`,
    );
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== "string") throw new StackTagsError(`${where}: ${PULUMI_TAGS_KEY}[${k}] must be a string`);
    out[k] = v;
  }
  return out;
}

/** Reads the tag sources of the Pulumi.yaml a stack file runs with (the nearest above it, else the program's). */
export function readProjectTags(stackFilePath: string): ProjectTags {
  let root: string;
  try {
    root = findProject(dirname(stackFilePath)).root;
  } catch {
    root = PROGRAM_ROOT;
  }
  const file = join(root, "Pulumi.yaml");
  let doc: Record<string, unknown>;
  try {
    doc = (parse(readTextFile(file, "project file")) ?? {}) as Record<string, unknown>;
  } catch {
    return { file }; // an unreadable Pulumi.yaml is the preflight's finding (offline/preflight/project.ts)
  }
  const runtime = typeof doc.runtime === "string" ? doc.runtime : (doc.runtime as { name?: unknown } | undefined)?.name;
  const entry = (doc.config as Record<string, unknown> | undefined)?.[PULUMI_TAGS_KEY];
  // Project config is `key: value` or `key: { value: ..., type: ... }` (pkg/workspace project.go).
  const configTags =
    entry && typeof entry === "object" && !Array.isArray(entry) && "value" in entry
      ? (entry as { value: unknown }).value
      : entry;
  return {
    file,
    ...(typeof doc.name === "string" ? { name: doc.name } : {}),
    ...(typeof runtime === "string" ? { runtime } : {}),
    ...(typeof doc.description === "string" ? { description: doc.description } : {}),
    ...(configTags !== undefined ? { configTags } : {}),
  };
}

/**
 * The tags ConfigureStack carries for one stack. `stored`: what `pulumi stack tag set` stored for it
 * (the offline plan knows none unless told: PlanOptions.storedTags).
 */
export function stackTags(
  kind: BackendKind,
  stored: Readonly<Record<string, string>>,
  project: ProjectTags,
  file: Pick<StackFile, "path" | "config">,
): Record<string, string> {
  if (kind === "diy") return { ...stored };
  const fresh: Record<string, string> = {};
  if (project.name !== undefined) fresh["pulumi:project"] = project.name;
  if (project.runtime !== undefined) fresh["pulumi:runtime"] = project.runtime;
  if (project.description !== undefined) fresh["pulumi:description"] = project.description;
  // The stack's config: project config overlaid by the stack file's (the stack file wins).
  const fromStackFile = file.config[PULUMI_TAGS_KEY];
  let stackFileTags: unknown;
  if (fromStackFile !== undefined) {
    try {
      stackFileTags = JSON.parse(fromStackFile);
    } catch {
      stackFileTags = fromStackFile;
    }
  }
  Object.assign(
    fresh,
    stackFileTags !== undefined
      ? tagObject(stackFileTags, `${file.path}: config`)
      : tagObject(project.configTags, `${project.file}: config`),
  );
  return { ...stored, ...fresh };
}
