/**
 * Preflight: what the Pulumi CLI, the engine and the providers check before anything is created,
 * and the mock runtime does not: the project file, the stack name, the chart the Release loads in
 * its Check step. (StackReference targets: offline/stack-references.ts.) Each finding names the
 * file and key and the fix; the plan prints them first, and `--strict` fails on any.
 */
import { dirname } from "node:path";
import type { StackConfig } from "../../lib/config/types";
import { UNKNOWN_SENTINEL, type ProgramRecord } from "../run-program";
import { findProject, PROGRAM_ROOT } from "../stack-file";
import type { StackFile } from "../stack-file";
import { checkLocalChart } from "./chart";
import { checkStackName, loadProjectFile, type ProjectFile } from "./project";
import { checkDeployPath } from "./deploy-path";
import { checkPlaceholders } from "./placeholders";
import type { Finding } from "./finding";

export type { Finding } from "./finding";

const RELEASE_TYPE = "kubernetes:helm.sh/v3:Release";

export interface PreflightStack {
  readonly file: StackFile;
  readonly config: StackConfig;
  readonly record: ProgramRecord;
}

/** The project `pulumi up` would use for a stack file: its nearest Pulumi.yaml, or this program's own. */
function projectFileOf(stackFile: string): string {
  try {
    return `${findProject(dirname(stackFile)).root}/Pulumi.yaml`;
  } catch {
    return `${PROGRAM_ROOT}/Pulumi.yaml`;
  }
}

export function preflight(stacks: readonly PreflightStack[]): Finding[] {
  const out: Finding[] = [];
  const projects = new Map<string, ProjectFile>();
  for (const s of stacks) {
    out.push(...checkStackName(s.file.path, s.file.stack));
    out.push(...checkDeployPath(s.file.path, s.config, s.record.resources));
    out.push(...checkPlaceholders(s.file.path, s.file.config));
    const projectFile = projectFileOf(s.file.path);
    let project = projects.get(projectFile);
    if (!project) {
      project = loadProjectFile(projectFile);
      projects.set(projectFile, project);
      out.push(...project.findings);
    }
    // Relative chart paths resolve against the folder the program runs in (getPwdMain).
    const programDir = project.programDir;
    // Every Release whose chart is local (the InfraSage chart unless chart.repo is set; a witness has
    // none): charts from a repository (repositoryOpts, oci://) cannot be fetched offline.
    const local = s.record.resources.filter(
      (r) =>
        r.type === RELEASE_TYPE &&
        r.rawInputs.repositoryOpts === undefined &&
        typeof r.rawInputs.chart === "string" &&
        !r.rawInputs.chart.startsWith("oci://"),
    );
    for (const release of local) {
      const values = release.rawInputs.values;
      const knownValues =
        release.wire.inputs.values !== undefined &&
        !JSON.stringify(release.wire.inputs.values).includes(UNKNOWN_SENTINEL);
      out.push(
        ...checkLocalChart({
          file: s.file.path,
          key: "chart.path",
          chartPath: String(release.rawInputs.chart),
          programDir,
          ...(knownValues && values && typeof values === "object" ? { values: values as Record<string, unknown> } : {}),
        }),
      );
    }
  }
  return dedupe(out);
}

/** One finding per file, key and message (several stacks share one chart and one project). */
function dedupe(findings: readonly Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const id = `${f.kind}|${f.file}|${f.key ?? ""}|${f.message}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}
