/**
 * Where the chart comes from (`infrasage:chart`): a local path inside the project, or an https/oci
 * repository with no credentials in the URL, an exact SemVer version and a Helm chart name; a
 * private repository's credentials only as a Pulumi secret. Pure (a local path is judged by its
 * real path on disk).
 */
import { realpathSync } from "node:fs";
import { basename, dirname, join, resolve, sep } from "node:path";
import { NAMESPACE, namespacedProblems, type ConfigProblem } from "../rules/problems";
import type { RuleContext } from "../rules/rule-context";
import { SECRET_PLACEHOLDER } from "../config/schema";

/** This program's folder: `pulumi up` runs it here (Pulumi.yaml, and examples' `main: ../../`). */
const PROJECT_ROOT = resolve(__dirname, "..", "..");

/** SemVer 2.0.0 (semver.org's pattern), exactly one version: major.minor.patch, -pre-release, +build. */
const SEMVER_RE = new RegExp(
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)/.source +
    /(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?/.source +
    /(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/.source,
);
/** Helm chart names: lowercase letters and digits, words separated by dashes (Helm best practices). */
const CHART_NAME_RE = /^[a-z0-9]+(-[a-z0-9]+)*$/;
// eslint-disable-next-line no-control-regex
const CONTROL_RE = /[\u0000-\u001f\u007f-\u009f]/;

export interface ChartInput {
  readonly path?: string;
  readonly repo?: string;
  readonly name?: string;
  readonly version?: string;
  readonly allowOutsideRepository?: boolean;
}

/** A version written as a SemVer version with the parts it lacks filled with 0 (`1.30` -> `1.30.0`). */
export function padVersion(v: string): string | undefined {
  const m = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(v.trim());
  return m ? `${Number(m[1])}.${Number(m[2] ?? 0)}.${Number(m[3] ?? 0)}` : undefined;
}

function repoProblems(repo: string): { message: string; fix: string }[] {
  const fixUrl =
    "use the https:// or oci:// address of the chart repository, e.g. " +
    "https://charts.example.com or oci://registry.example.com/charts";
  if (CONTROL_RE.test(repo) || /\s/.test(repo))
    return [{ message: "contains whitespace or control characters (not shown)", fix: fixUrl }];
  let url: URL;
  try {
    url = new URL(repo);
  } catch {
    return [{ message: "is not a URL (not shown)", fix: fixUrl }];
  }
  const out: { message: string; fix: string }[] = [];
  if (url.username !== "" || url.password !== "") {
    out.push({
      message: "contains credentials in the URL (not shown)",
      fix:
        "remove user:password@ from the URL and rotate that password (it was in the stack " +
        "file in plain text); a private repository's credentials never go in the stack file",
    });
  }
  const scheme = url.protocol;
  if (scheme !== "https:" && scheme !== "oci:") {
    // Name the scheme only when it is one (`user:pass@host` parses with scheme "user:").
    const named =
      /^[a-z][a-z0-9+.-]*:\/\//i.test(repo) ||
      ["javascript:", "data:", "file:", "vbscript:", "mailto:"].includes(scheme);
    const why =
      scheme === "http:"
        ? "plain http: lets anyone on the path swap the chart"
        : `${named ? scheme : "that"} is not a chart repository`;
    out.push({
      message: named
        ? `uses ${scheme} (${why}); only https:// and oci:// repositories are allowed`
        : "is not an https:// or oci:// URL (not shown)",
      fix: fixUrl,
    });
    return out;
  }
  if (url.search !== "" || url.hash !== "")
    out.push({
      message:
        "has a query string or fragment (not shown), which can carry tokens and is no part of a repository address",
      fix: "remove everything from ? or # on",
    });
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, "");
  if (
    host === "" ||
    host === "localhost" ||
    host.endsWith(".localhost") ||
    /^(127\.|0\.|169\.254\.)/.test(host) ||
    host === "::1" ||
    host === "::" ||
    /^fe[89ab][0-9a-f]:/.test(host)
  ) {
    out.push({
      message:
        `points at a loopback or link-local host (${host || "none"}), not a ` +
        `chart repository (169.254.169.254 is the instance metadata service)`,
      fix: fixUrl,
    });
  }
  return out;
}

/** The real path of `path` (symlinks followed); for a path not there yet, its nearest existing folder's. */
export function realPathOf(path: string): string {
  let head = resolve(path);
  let tail = "";
  for (;;) {
    try {
      return join(realpathSync.native(head), tail);
    } catch {
      const parent = dirname(head);
      if (parent === head) return resolve(path);
      tail = join(basename(head), tail);
      head = parent;
    }
  }
}

function pathProblems(path: string, allowOutside: boolean, root: string): { message: string; fix: string } | undefined {
  const fix = "use a path inside the project folder, such as ./infrasage-chart";
  if (CONTROL_RE.test(path)) return { message: "contains a control character (such as NUL)", fix };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(path))
    return {
      message: "is a URL, not a path",
      fix: "for a chart from a repository use chart.repo + chart.name + chart.version",
    };
  if (path.includes("\\"))
    return {
      message: "uses \\ separators, which Linux (where pulumi up runs) reads as part of a name",
      fix: "separate folders with /",
    };
  if (path === "~" || path.startsWith("~/"))
    return { message: "starts with ~, which Helm does not expand (it would look for a folder named ~)", fix };
  // Judged by real paths: a symlink inside the project may point anywhere.
  const resolved = realPathOf(resolve(root, path));
  const realRoot = realPathOf(root);
  const inside = resolved === realRoot || resolved.startsWith(realRoot + sep);
  if (!inside && !allowOutside) {
    const via = resolved === resolve(root, path) ? "" : ` (through a symbolic link: ${resolve(root, path)})`;
    return {
      message:
        `resolves to ${resolved}${via}, outside the project folder ${realRoot}: ` +
        `a chart there is neither reviewed nor versioned with this program`,
      fix:
        "move the chart into the project folder (e.g. ./infrasage-chart), or " +
        "set infrasage:chart.allowOutsideRepository: true to use it on purpose",
    };
  }
  return undefined;
}

/** Problems of `infrasage:chart` (keys relative to `infrasage:`). */
export function chartProblems(chart: ChartInput | undefined, root = PROJECT_ROOT): ConfigProblem[] {
  if (!chart) return [];
  const problems: ConfigProblem[] = [];
  const add = (k: string, p: { message: string; fix: string } | undefined) => {
    if (p) problems.push({ key: `infrasage:chart.${k}`, ...p });
  };
  if (chart.repo !== undefined && chart.repo.trim() !== "") for (const p of repoProblems(chart.repo)) add("repo", p);
  if (chart.version !== undefined && chart.version.trim() !== "" && !SEMVER_RE.test(chart.version)) {
    const v = chart.version;
    const padded = padVersion(v);
    if (/[\^~<>=*|,\s]|(^|\.)[xX](\.|$)/.test(v)) {
      add("version", {
        message:
          `"${v}" is a version range; the Helm release installs one exact ` +
          `version, so every deploy of this stack gets the same chart`,
        fix: `pin an exact SemVer version, e.g. ${padVersion(/\d+(\.\d+){0,2}/.exec(v)?.[0] ?? "") ?? "1.4.2"}`,
      });
    } else if (/^v/.test(v) && SEMVER_RE.test(v.slice(1))) {
      add("version", {
        message: `"${v}" has a leading v; chart versions are plain SemVer`,
        fix: `use "${v.slice(1)}"`,
      });
    } else if (padded) {
      add("version", {
        message:
          v.split(".").length === 3
            ? `"${v}" has a leading zero, which SemVer forbids`
            : `"${v}" is not a full SemVer version (MAJOR.MINOR.PATCH)`,
        fix: `use "${padded}"`,
      });
    } else {
      add("version", { message: `"${v}" is not a SemVer version`, fix: "use the exact chart version, e.g. 1.4.2" });
    }
  }
  if (
    chart.name !== undefined &&
    chart.name.trim() !== "" &&
    (!CHART_NAME_RE.test(chart.name) || chart.name.length > 63)
  ) {
    add("name", {
      message: `"${chart.name}" is not a Helm chart name`,
      fix: "use the chart's name as published: lowercase letters and digits, words separated by -, e.g. infrasage",
    });
  }
  if (chart.path !== undefined && chart.path.trim() !== "")
    add("path", pathProblems(chart.path, chart.allowOutsideRepository === true, root));
  if (chart.allowOutsideRepository !== undefined && chart.path === undefined) {
    add("allowOutsideRepository", {
      message: "applies only to a local chart (chart.path)",
      fix: "remove it, or set chart.path",
    });
  }
  return problems;
}

/** `chart`: either a path or a repository with its name and version, and each of them well-formed. */
export function chartConfigProblems({ input: c, config }: RuleContext): ConfigProblem[] {
  const { problems, add } = namespacedProblems();
  if (c.chart?.path !== undefined && config.chart.kind === "repo") {
    add(
      "chart",
      "sets both chart.path and chart.repo/name/version",
      "use either chart.path, or chart.repo + chart.name + chart.version",
    );
  }
  if (config.chart.kind === "repo") {
    for (const k of ["repo", "name", "version"] as const) {
      if (!config.chart[k])
        add(
          `chart.${k}`,
          "is required when the chart comes from a repository",
          `set chart.${k}, or use chart.path for a local chart`,
        );
    }
  }
  // Where the chart comes from: https/oci only, no credentials, an exact version, a path inside the project.
  problems.push(...chartProblems(c.chart));
  return problems;
}

/**
 * A private chart repository's credentials (Helm Release `repositoryOpts.username`/`password`): only
 * with chart.repo, both or neither, and the password only as a Pulumi secret (`secure:`), judged by
 * the raw key it came from (`infrasage:chart.password`, or the whole `infrasage:chart` map). Never echoed.
 */
export function chartCredentialProblems({ input: c, options, originOf }: RuleContext): ConfigProblem[] {
  const passwordKey = originOf(["chart", "password"]);
  const secretKeys = options.secretKeys ?? [];
  const ch = c.chart;
  if (ch?.username === undefined && ch?.password === undefined) return [];
  const problems: ConfigProblem[] = [];
  const add = (k: string, message: string, fix: string) =>
    problems.push({ key: `${NAMESPACE}:chart.${k}`, message, fix });
  const setSecret = `pulumi config set --secret ${NAMESPACE}:chart.password <password>`;
  if (ch.repo === undefined)
    add(
      ch.password !== undefined ? "password" : "username",
      "is set without chart.repo: credentials apply only to a chart from a repository or registry",
      "set chart.repo (with chart.name and chart.version), or remove chart.username and chart.password",
    );
  if (ch.password !== undefined && ch.username === undefined)
    add(
      "username",
      "is required with chart.password (HTTP basic authentication sends both)",
      "set infrasage:chart.username",
    );
  if (ch.username !== undefined && ch.password === undefined)
    add("password", "is required with chart.username", `set it encrypted: ${setSecret}`);
  if (ch.password !== undefined && ch.password !== SECRET_PLACEHOLDER && !secretKeys.includes(passwordKey)) {
    add(
      "password",
      "is in plain text in the stack file (not shown)",
      `remove it, rotate that password (it has been readable by anyone ` +
        `with the file), and store the new one encrypted: ${setSecret}`,
    );
  }
  return problems;
}
