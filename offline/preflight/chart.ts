/**
 * A local chart as the Kubernetes provider loads it in the Release's Check step, before anything is
 * created, whenever the Release's inputs are known (pulumi-kubernetes 4.x provider/pkg/provider/
 * helm_release.go: Check, locateChart), and as Helm installs it (helm v3.21 pkg/chart/metadata.go
 * Validate; cmd/helm/install.go checkIfInstallable; pkg/chartutil/jsonschema.go: values validated
 * against values.schema.json with santhosh-tekuri/jsonschema v6, JSON Schema 2020-12 unless the
 * schema names its draft).
 */
import { existsSync, statSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import Ajv, { type AnySchema } from "ajv";
import Ajv2020 from "ajv/dist/2020";
import type { Finding } from "./finding";
import { realPathOf } from "../../lib/charts/config-rules";
import { readTextFile } from "../stack-file";

/** A chart file, read bounded and never blocking (a FIFO, a device); errors say which file and why. */
const readChartFile = (file: string): string => readTextFile(file, "chart file", 8 * 1024 * 1024);

/** Helm parses a chart version with Masterminds/semver v3 NewVersion (its loose SemVer pattern). */
const HELM_VERSION_RE = new RegExp(
  /^v?(0|[1-9]\d*)(\.(0|[1-9]\d*))?(\.(0|[1-9]\d*))?/.source +
    /(-([0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*))?/.source +
    /(\+([0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*))?$/.source,
);

export interface ChartCheck {
  /** Stack file (named in findings). */
  readonly file: string;
  /** Config key that sets the chart path. */
  readonly key: string;
  /** `chart` input of the Release: a path relative to the program's working directory. */
  readonly chartPath: string;
  /** Directory `pulumi up` runs the program in (the project folder). */
  readonly programDir: string;
  /** The Release's values, when known (skipped at preview when they are not). */
  readonly values?: Record<string, unknown>;
}

const finding = (c: ChartCheck, message: string, fix: string): Finding => ({
  kind: "chart",
  file: c.file,
  key: c.key,
  message,
  fix,
});

/** Loads and checks one local chart; an empty list means a real Check and install would accept it. */
export function checkLocalChart(c: ChartCheck): Finding[] {
  // Judged by its real path (symlinks followed), as Helm loads it and as the config's rule judges it.
  const dir = realPathOf(isAbsolute(c.chartPath) ? c.chartPath : resolve(c.programDir, c.chartPath));
  const getIt =
    'put the InfraSage chart there (docs/deploying.md "The InfraSage chart"), or ' +
    "set chart.path to where it is, or chart.repo + chart.name + chart.version";
  if (!existsSync(dir)) {
    // locateChart: a name starting with "." or "/" is a path; anything else is downloaded from a repository.
    const why =
      c.chartPath.startsWith(".") || isAbsolute(c.chartPath)
        ? `path "${c.chartPath}" not found`
        : `"${c.chartPath}" is not a local path, so the provider tries to download it from a repository and fails`;
    return [
      finding(
        c,
        `${why} (looked in ${dir}); pulumi preview and up fail on the Release's "chart" input before creating anything`,
        getIt,
      ),
    ];
  }
  if (!statSync(dir).isDirectory()) {
    return dir.endsWith(".tgz")
      ? []
      : [
          finding(
            c,
            `chart ${c.chartPath} is neither a chart directory nor a .tgz archive`,
            "point chart.path at the unpacked chart directory",
          ),
        ];
  }
  const chartYaml = join(dir, "Chart.yaml");
  if (!existsSync(chartYaml))
    return [
      finding(
        c,
        `${chartYaml} is missing: ${dir} is not a Helm chart`,
        "point chart.path at the directory that holds Chart.yaml",
      ),
    ];
  let meta: Record<string, unknown>;
  try {
    const doc = parseYaml(readChartFile(chartYaml)) as unknown;
    meta = doc && typeof doc === "object" && !Array.isArray(doc) ? (doc as Record<string, unknown>) : {};
  } catch (e) {
    return [finding(c, `${chartYaml} is not valid YAML: ${(e as Error).message.split("\n")[0]}`, "fix Chart.yaml")];
  }
  const out: Finding[] = [];
  // The loader defaults an empty apiVersion to v1; helm lint accepts only v1 and v2.
  if (meta.apiVersion !== undefined && meta.apiVersion !== "v2" && meta.apiVersion !== "v1") {
    out.push(
      finding(
        c,
        `${chartYaml}: apiVersion '${String(meta.apiVersion)}' is not valid. The value must be either "v1" or "v2"`,
        "use the vendor's chart unchanged (Helm 3 charts are apiVersion v2)",
      ),
    );
  }
  const name = meta.name;
  if (typeof name !== "string" || name === "")
    out.push(finding(c, `${chartYaml}: chart.metadata.name is required`, "use the vendor's chart unchanged"));
  else if (name === "." || name === ".." || name.includes("/") || name.includes("\\"))
    out.push(
      finding(
        c,
        `${chartYaml}: chart.metadata.name "${name}" is not a valid chart name`,
        "use the vendor's chart unchanged",
      ),
    );
  const version = typeof meta.version === "number" ? String(meta.version) : meta.version;
  if (typeof version !== "string" || version === "")
    out.push(finding(c, `${chartYaml}: chart.metadata.version is required`, "use the vendor's chart unchanged"));
  else if (!HELM_VERSION_RE.test(version))
    out.push(
      finding(
        c,
        `${chartYaml}: chart.metadata.version "${version}" is invalid (not SemVer)`,
        "use the vendor's chart unchanged",
      ),
    );
  if (meta.type === "library")
    out.push(
      finding(
        c,
        `${chartYaml}: library charts are not installable`,
        "point chart.path at the InfraSage application chart",
      ),
    );
  else if (meta.type !== undefined && meta.type !== "" && meta.type !== "application")
    out.push(
      finding(
        c,
        `${chartYaml}: chart.metadata.type must be application or library`,
        "use the vendor's chart unchanged",
      ),
    );
  const schemaFile = join(dir, "values.schema.json");
  if (out.length === 0 && c.values && existsSync(schemaFile)) out.push(...checkValues(c, schemaFile, c.values));
  return out;
}

/** Helm merges the chart's values.yaml with ours and validates the result against the schema. */
type Validate = ReturnType<Ajv["compile"]>;
/**
 * Validators by schema text: compiling one generates its code (most of a plan's preflight), and every
 * stack of a chart, in every plan of a process, validates against the same schema.
 */
const validators = new Map<string, Validate | { readonly invalid: string }>();
const MAX_VALIDATORS = 32;

function validatorOf(text: string): Validate | { readonly invalid: string } {
  const known = validators.get(text);
  if (known) return known;
  const schema = JSON.parse(text) as Record<string, unknown>;
  // Helm's validator defaults to the latest draft (2020-12) unless the schema names an older one.
  const older = typeof schema.$schema === "string" && /draft-0[4-7]/.test(schema.$schema);
  const ajv = older ? new Ajv({ allErrors: true, strict: false }) : new Ajv2020({ allErrors: true, strict: false });
  let made: Validate | { readonly invalid: string };
  try {
    made = ajv.compile((older ? { ...schema, $schema: undefined } : schema) as AnySchema);
  } catch (e) {
    made = { invalid: (e as Error).message };
  }
  if (validators.size >= MAX_VALIDATORS) validators.clear();
  validators.set(text, made);
  return made;
}

function checkValues(c: ChartCheck, schemaFile: string, values: Record<string, unknown>): Finding[] {
  let validate: Validate | { readonly invalid: string };
  try {
    validate = validatorOf(readChartFile(schemaFile));
  } catch (e) {
    return [
      finding(c, `${schemaFile} is not valid JSON: ${(e as Error).message}`, "fix the chart's values.schema.json"),
    ];
  }
  if ("invalid" in validate)
    return [
      finding(c, `${schemaFile} is not a valid JSON schema: ${validate.invalid}`, "fix the chart's values.schema.json"),
    ];
  const chartDefaults = readChartValues(join(schemaFile, "..", "values.yaml"));
  const merged = mergeValues(chartDefaults, values);
  if (validate(merged)) return [];
  return (validate.errors ?? []).map((e) =>
    finding(
      c,
      `values do not match the chart's values.schema.json: ${e.instancePath || "(root)"} ${e.message ?? "is invalid"}`,
      "align the InfraSage values (lib/release/helm-values.ts) with " +
        "this chart version, or use the chart version the program supports",
    ),
  );
}

function readChartValues(file: string): Record<string, unknown> {
  if (!existsSync(file)) return {};
  try {
    const doc = parseYaml(readChartFile(file)) as unknown;
    return doc && typeof doc === "object" && !Array.isArray(doc) ? (doc as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** Helm's coalescing: maps merge key by key, anything else from `over` replaces `base`. */
function mergeValues(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = isMap(b) && isMap(v) ? mergeValues(b, v) : v;
  }
  return out;
}

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
