/**
 * Raw Pulumi config (`"<ns>:<key>" -> string`, structured values JSON-encoded, as
 * `pulumi.runtime.allConfig()` returns it) -> typed, fully-defaulted StackConfig, or every problem.
 * Pure: the program, the offline plan and the tests all call this one function.
 */
import { PROGRAM_TAG } from "../aws/program-tag";
import type { z } from "zod";
import {
  findRegion,
  JURISDICTIONS,
  availabilityZonesOf,
  regionsIn,
  type Jurisdiction,
} from "../../policies/shared/regions";
import { SCALE_PROFILES, type ScaleProfile, type ScaleProfileName } from "./profiles";
import { DEFAULT_AMI_TYPE, profileNodeGroup, type NodeGroupConfig } from "../nodes/node-groups";
import { SECRET_PLACEHOLDER, infrasageSchema, type InfrasageInput } from "./schema";
import { publicAccessCidrsProblems, runnerCidrProblem } from "../network/cidr-rules";
import { closest, decodeConfigValue, type ConfigProblem } from "./problems";
import {
  chartProblems,
  closestRegion,
  namespaceProblems,
  padVersion,
  providerTagProblems,
  regionsNamedBy,
  stackIdentityProblems,
  tagProblems,
  volumeSizeProblem,
} from "./input-rules";
import { plainTextSecrets, redact } from "./secrets";
import type { ChartSource, Pattern, StackConfig } from "./types";
import { namespaceScopeProblems } from "../runbooks/runbook-access";
import { stackReferencesOf } from "./references";
import { ENDPOINT_SERVICES } from "../network/endpoints-plan";
import { CONTROL_PLANE_LOG_TYPES, REQUIRED_CONTROL_PLANE_LOG_TYPES } from "../../policies/shared/eks";
import { regionOfRef } from "../links/contract";
import { autoEndpoints, type EndpointService } from "../network/endpoints-plan";
import { clusterCapabilityProblems, networkProblems } from "../cluster/cluster-rules";
import { HOURS_PER_MONTH, pricesFor } from "../cost/prices";

export const NAMESPACE = "infrasage";
/** Pinned EKS version for new clusters (standard support until 2027-03). */
export const DEFAULT_EKS_VERSION = "1.35";
/** Versions EKS supports (standard or extended) at the time of writing. */
export const SUPPORTED_EKS_VERSIONS = ["1.31", "1.32", "1.33", "1.34", "1.35", "1.36"];
export const DEFAULT_CHART_PATH = "./infrasage-chart";
/** User tags allowed in `infrasage:tags` (AWS's 50 per resource minus the program's own). */
export const MAX_USER_TAGS = 40;

export type ParseResult = { ok: true; config: StackConfig } | { ok: false; problems: ConfigProblem[] };

/** What a stack file said beyond the strings Pulumi hands the program. */
export interface ParseOptions {
  /** Keys Pulumi holds encrypted (`secure:`): never judged as plain-text credentials. */
  readonly secretKeys?: readonly string[];
  /**
   * Source text of non-string scalars inside structured values, by dotted key
   * (`infrasage:cluster.version` -> `1.30`): YAML reads `1.30` as 1.3, and a fix must quote what
   * the user wrote.
   */
  readonly sourceText?: Readonly<Record<string, string>>;
}

/** Path segments that would reach an object's prototype. */
const FORBIDDEN_SEGMENTS = new Set(["__proto__", "constructor", "prototype"]);
/** A blank value: `key:` with nothing, `~`, `null`, or only spaces (Pulumi hands the program ""). */
const isBlank = (value: string) => value.trim() === "";

/** Collects `infrasage:*` keys into one object; `infrasage:network.cidr` (flat, dotted) nests too. */
function collectNamespace(
  raw: Readonly<Record<string, string>>,
  problems: ConfigProblem[],
  origins: Map<string, string>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  // `origins`: which raw key set each path (a setting written twice names both spellings; a secret's key).
  for (const [fullKey, value] of Object.entries(raw)) {
    if (!fullKey.startsWith(`${NAMESPACE}:`)) continue;
    const path = fullKey.slice(NAMESPACE.length + 1).split(".");
    if (path.some((p) => FORBIDDEN_SEGMENTS.has(p))) {
      problems.push({ key: fullKey, message: "is not a known InfraSage setting", fix: "remove it" });
      continue;
    }
    if (isBlank(value)) {
      problems.push({ key: fullKey, message: "is empty", fix: `set a value after ${fullKey}:, or remove the line` });
      continue;
    }
    let node = out;
    let conflict = false;
    for (const [i, part] of path.slice(0, -1).entries()) {
      const next = Object.hasOwn(node, part) ? node[part] : undefined;
      if (next === undefined) node[part] = {};
      else if (!isMapping(next)) {
        problems.push({
          key: fullKey,
          message: `conflicts with the value of ${originOf(origins, path.slice(0, i + 1))}`,
          fix: "set the key once, either nested or dotted",
        });
        conflict = true;
        break;
      }
      node = node[part] as Record<string, unknown>;
    }
    if (conflict) continue;
    mergeSetting(node, path, decodeConfigValue(value), fullKey, origins, problems);
  }
  return out;
}

const isMapping = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** The raw key that set `path` (or the nearest map above it). */
function originOf(origins: ReadonlyMap<string, string>, path: readonly string[]): string {
  for (let n = path.length; n > 0; n--) {
    const o = origins.get(path.slice(0, n).join("."));
    if (o !== undefined) return o;
  }
  return `${NAMESPACE}:${path.join(".")}`;
}

/**
 * Sets `path` (the last segment in `node`) to `value`, merging maps key by key: a setting both
 * spellings give (`nodeGroups: {spot: {desiredSize}}` and `nodeGroups.spot.desiredSize`) is an error
 * naming both, whichever comes first; settings only one of them gives are kept.
 */
function mergeSetting(
  node: Record<string, unknown>,
  path: readonly string[],
  value: unknown,
  fullKey: string,
  origins: Map<string, string>,
  problems: ConfigProblem[],
): void {
  const leaf = path[path.length - 1]!;
  const existing = Object.hasOwn(node, leaf) ? node[leaf] : undefined;
  if (existing === undefined) {
    // defineProperty: a `__proto__` key inside a JSON value stays a plain key (zod then reports it).
    Object.defineProperty(node, leaf, { value, enumerable: true, writable: true, configurable: true });
    origins.set(path.join("."), fullKey);
  } else if (isMapping(existing) && isMapping(value)) {
    for (const [k, v] of Object.entries(value)) {
      mergeSetting(existing, [...path, k], v, fullKey, origins, problems);
    }
  } else {
    const first = originOf(origins, path);
    problems.push({
      key: `${NAMESPACE}:${path.join(".")}`,
      message: `is set twice (nested and dotted): by ${first} and by ${fullKey}`,
      fix: "keep it in one of the two spellings, the nested map or the dotted key",
    });
  }
}

function typeName(v: unknown): string {
  return Array.isArray(v) ? "list" : v === null ? "null" : typeof v === "object" ? "mapping" : typeof v;
}

/** A value for a message: short, JSON-quoted strings, non-finite numbers by name. */
function show(v: unknown): string {
  if (typeof v === "number" && !Number.isFinite(v)) return String(v);
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 80 ? `${text.slice(0, 60)}...` : text;
}

// Every number the schema takes is a whole number (schema.ts int()).
const EXPECTED: Record<string, string> = {
  int: "whole number",
  number: "whole number",
  string: "string",
  boolean: "boolean (true or false)",
  array: "list",
  object: "mapping",
  record: "mapping",
};
const NON_FINITE_RE = /^[-+]?(\.inf|\.nan|inf|infinity|nan)$/i;

/** Fixes for values of the right type in the wrong shape, by key (numbers in list paths as `N`). */
const FORMAT_FIXES: readonly [RegExp, string][] = [
  [/^tenantId$/, "use a lowercase DNS label (a-z, 0-9, -, at most 63 characters), e.g. acme-eu"],
  [/^cluster\.version$/, `quote a supported version, e.g. "${DEFAULT_EKS_VERSION}"`],
  [/^(cluster\.adminRoleArns\.N|deploy\.previewRoleArn)$/, "use arn:aws:iam::<12-digit account>:role/<name>"],
  [/^clickhouse\.storageClass$/, "use a DNS label such as gp3-<region>"],
  [/^(clickhouse|kafka)\.size$/, "use a whole number of Gi or Ti, e.g. 500Gi"],
  [
    /^(federation\.hubStack|federation\.spokes\.N|replication\.peers\.N|grafana\.sources\.N|grafana\.hostStack)$/,
    "write it as org/project/stack, e.g. acme/infrasage/eu-west-1",
  ],
  [
    /^deploy\.permissionsBoundaryArn$/,
    "use the bootstrap's boundary: arn:aws:iam::<account>:policy/infrasage-bootstrap/infrasage-boundary-<jurisdiction> (bootstrap output permissionsBoundaryArn)",
  ],
  [/^deploy\.repository$/, "use the GitHub owner/repo, e.g. acme/infrasage"],
  [
    /^deploy\.connectionArn$/,
    "copy the connection's ARN from the CodeConnections console: arn:aws:codeconnections:<region>:<account>:connection/<id>",
  ],
  [/^deploy\.runnerLabel$/, "use letters, digits and . _ - (at most 100 characters)"],
  [/^runbooks\.namespaceScope\.N$/, "list Kubernetes namespace names (lowercase DNS labels)"],
  [/^network\.endpoints(\.N)?$/, `use auto, none, or a list of ${ENDPOINT_SERVICES.join(", ")}`],
  [
    /^replication\.acceptRegionLossRisk$/,
    "write why the group accepts losing quorum with one region, in at least 10 characters",
  ],
];

function formatFix(path: readonly string[], key: string): string {
  const pattern = path.map((p) => (/^\d+$/.test(p) ? "N" : p)).join(".");
  return FORMAT_FIXES.find(([re]) => re.test(pattern))?.[1] ?? `correct ${key}`;
}

/** The fix for a YAML number where a string belongs: quote what was written (`1.30`, not 1.3). */
function quoteFix(path: readonly string[], value: number, literal: string | undefined): string {
  const joined = path.join(".");
  if (joined === "cluster.version") {
    const text = literal ?? value.toFixed(2); // 1.3 can only have been 1.30 (versions are 1.NN)
    return `quote it in the stack file: version: "${text}" (unquoted, YAML reads ${text} as the number ${value})`;
  }
  if (joined === "chart.version") {
    const text = literal ?? String(value);
    return `quote it as a full SemVer version: version: "${padVersion(text) ?? text}"`;
  }
  if (/^(clickhouse|kafka)\.size$/.test(joined)) return `give it a unit: size: ${literal ?? value}Gi`;
  const text = literal ?? String(value);
  return `quote it in the stack file, e.g. "${text}"${literal && literal !== String(value) ? ` (unquoted, YAML reads ${literal} as the number ${value})` : ""}`;
}

function zodProblems(
  error: z.ZodError,
  input: Record<string, unknown>,
  sourceText: Readonly<Record<string, string>>,
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const issue of error.issues) {
    const path = issue.path.map(String);
    const key = `${NAMESPACE}:${path.join(".")}`;
    if (issue.code === "unrecognized_keys") {
      const known = knownKeysAt(path);
      for (const k of issue.keys) {
        const full = `${NAMESPACE}:${[...path, k].join(".")}`;
        const guess = closest(k, known);
        problems.push({
          key: full,
          message: "is not a known InfraSage setting",
          fix: guess
            ? `did you mean ${NAMESPACE}:${[...path, guess].join(".")}?`
            : `remove it; known keys here: ${known.join(", ")}`,
        });
      }
      continue;
    }
    let value: unknown = input;
    for (const p of path)
      value =
        value && typeof value === "object" && Object.hasOwn(value, p)
          ? (value as Record<string, unknown>)[p]
          : undefined;
    const literal = sourceText[key];
    const expected = issue.code === "invalid_type" ? (EXPECTED[issue.expected] ?? issue.expected) : "";
    const nonFinite =
      (typeof value === "number" && !Number.isFinite(value)) ||
      (typeof value === "string" && NON_FINITE_RE.test(value.trim())) ||
      (value === null && literal !== undefined && NON_FINITE_RE.test(literal));
    if (issue.code === "invalid_type" && value === undefined) {
      problems.push({ key, message: "is required", fix: `set ${key} in the stack file` });
    } else if (nonFinite) {
      problems.push({
        key,
        message: `is ${literal ?? (typeof value === "string" ? value.trim() : show(value))}, not a finite number`,
        fix:
          expected === "string"
            ? `set ${key} to a string value`
            : `set ${key} to a whole number${numberBoundsAt(path)}`,
      });
    } else if (value === null || (typeof value === "string" && isBlank(value) && issue.code !== "invalid_value")) {
      problems.push({ key, message: "is empty", fix: `set ${key} to a ${expected || "value"}, or remove it` });
    } else if (issue.code === "invalid_type") {
      const got =
        typeof value === "number" && literal !== undefined
          ? `the number ${literal}`
          : `${typeName(value)} ${show(value)}`;
      let fix: string;
      if (issue.expected === "string" && typeof value === "number") fix = quoteFix(path, value, literal);
      else if (issue.expected === "boolean") fix = `set ${key} to true or false`;
      else if (issue.expected === "int" && typeof value === "number")
        fix = `set ${key} to a whole number${numberBoundsAt(path)}`;
      else if (issue.expected === "number" || issue.expected === "int")
        fix = `set ${key} to a whole number${numberBoundsAt(path)}, unquoted`;
      else if (issue.expected === "array") fix = `write ${key} as a list, e.g. [a, b] (or a comma-separated string)`;
      else if (issue.expected === "object")
        fix = `write ${key} as a mapping of its settings (${knownKeysAt(path).join(", ")})`;
      else if (issue.expected === "record") fix = `write ${key} as a mapping of name: value`;
      else fix = `set ${key} to a ${expected}`;
      problems.push({ key, message: `must be a ${expected}, got ${got}`, fix });
    } else if (issue.code === "invalid_value") {
      const allowed = issue.values.map((v) => String(v));
      const guess = typeof value === "string" ? closest(value, allowed) : undefined;
      problems.push({
        key,
        message: `${show(value)} is not allowed`,
        fix: `use one of: ${allowed.join(" | ")}${guess ? ` (did you mean ${guess}?)` : ""}`,
      });
    } else if (issue.code === "too_small" || issue.code === "too_big") {
      const bound = issue.code === "too_small" ? issue.minimum : issue.maximum;
      const range = numberBoundsAt(path);
      problems.push({
        key,
        message: `${show(value)} ${issue.message}`,
        fix:
          typeof value === "number"
            ? range
              ? `set it to a whole number${range}`
              : `set it to ${String(bound)} or ${issue.code === "too_small" ? "more" : "less"}`
            : formatFix(path, key),
      });
    } else {
      // A union's own message is zod's bare "Invalid input": say what was given; the fix says what fits.
      const message =
        issue.code === "invalid_union" ? "is not a valid value" : issue.message.replace(/^Invalid input: /, "");
      problems.push({ key, message: `${show(value)} ${message}`, fix: formatFix(path, key) });
    }
  }
  return problems;
}

/** Bounds of the number the schema takes at a path (for "set it to a whole number from 1 to 50"). */
function numberBoundsAt(path: readonly string[]): string {
  let schema: unknown = infrasageSchema;
  for (const p of path) schema = unwrapShape(schema)?.[p];
  type Def = {
    _zod?: { def?: { type?: string; innerType?: unknown; in?: unknown; out?: unknown } };
    minValue?: number | null;
    maxValue?: number | null;
  };
  let s = schema as Def | undefined;
  for (let i = 0; i < 8 && s && s._zod?.def?.type !== "number"; i++)
    s = (s._zod?.def?.innerType ?? s._zod?.def?.out) as Def | undefined;
  const min = s?.minValue;
  const max = s?.maxValue;
  return typeof min === "number" && typeof max === "number" && Number.isFinite(min) && max < Number.MAX_SAFE_INTEGER
    ? ` from ${min} to ${max}`
    : typeof min === "number" && Number.isFinite(min)
      ? ` of at least ${min}`
      : "";
}

/** Keys the schema knows at a path (for "did you mean"). */
export function knownKeysAt(path: readonly string[]): string[] {
  let schema: unknown = infrasageSchema;
  for (const p of path) {
    if (/^\d+$/.test(p)) continue; // a list item: unwrapShape reaches the item's object through the list
    const shape = unwrapShape(schema);
    // A named map (nodeGroups.<name>, cluster.addons.<name>): every name takes the map's value schema.
    schema = shape ? shape[p] : recordValue(schema);
  }
  return Object.keys(unwrapShape(schema) ?? {});
}

/** The value schema of a `z.record` (through optional wrappers), or undefined. */
function recordValue(schema: unknown): unknown {
  let s = schema as { valueType?: unknown; unwrap?: () => unknown } | undefined;
  while (s && s.valueType === undefined && typeof s.unwrap === "function") s = s.unwrap() as typeof s;
  return s?.valueType;
}

function unwrapShape(schema: unknown): Record<string, unknown> | undefined {
  let s = schema as { shape?: Record<string, unknown>; unwrap?: () => unknown } | undefined;
  while (s && !s.shape && typeof s.unwrap === "function") s = s.unwrap() as typeof s;
  return s?.shape;
}

/**
 * Parses a stack's raw config. `stack` is the Pulumi stack name; `options` what the stack file said
 * beyond the strings (offline/stack-file.ts reads them as StackFile.parseOptions; the program passes
 * the keys Pulumi decrypted).
 */
export function parseStackConfig(
  raw: Readonly<Record<string, string>>,
  stack: string,
  options: ParseOptions = {},
): ParseResult {
  const problems: ConfigProblem[] = [];
  const sourceText = options.sourceText ?? {};
  // Keys nobody reads (misspelt namespaces, unknown aws: settings) would be dropped silently.
  problems.push(...namespaceProblems(raw));
  const region = raw["aws:region"];
  const regionInfo = region ? findRegion(region) : undefined;
  if (region === undefined) {
    const typo = Object.keys(raw).find((k) => k.startsWith("aws:") && closest(k.slice(4), ["region"]) === "region");
    problems.push({
      key: "aws:region",
      message: `is required${typo ? ` (${typo} is set: a typo?)` : ""}`,
      fix: "set aws:region to the stack's region, e.g. eu-west-1",
    });
  } else if (isBlank(region)) {
    problems.push({
      key: "aws:region",
      message: "is empty",
      fix: "set aws:region to the stack's region, e.g. eu-west-1",
    });
  } else if (!regionInfo) {
    const guess = closestRegion(region);
    problems.push({
      key: "aws:region",
      message: `${show(region)} is not a commercial AWS region known to InfraSage`,
      fix: guess
        ? `did you mean ${guess}?`
        : "use a region from policies/shared/regions.ts (e.g. eu-west-1, ap-south-1), or add it there with its jurisdiction",
    });
  }

  const origins = new Map<string, string>();
  const input = collectNamespace(raw, problems, origins);
  // A stack named after a region deploys there; any other stack states its jurisdiction.
  const jurisdictionSet = typeof input.jurisdiction === "string" && input.jurisdiction.trim() !== "";
  problems.push(...stackIdentityProblems(stack, region && !isBlank(region) ? region : undefined, jurisdictionSet));
  const parsed = infrasageSchema.safeParse(input);
  if (!parsed.success)
    problems.push(
      ...zodProblems(parsed.error, input, sourceText).filter(
        (p) => !problems.some((q) => q.key === p.key && q.message === "is empty"),
      ),
    );
  // Semantic checks still run on the keys that did parse, so one run reports every problem.
  const checkable = parsed.success ? parsed.data : parseWithoutBadKeys(input, parsed.error);
  if (checkable) {
    const config = resolve(checkable, regionInfo?.code ?? "us-east-1", regionInfo?.jurisdiction ?? "US", stack);
    const semantic = [
      ...semanticProblems(checkable, config, regionInfo !== undefined, regionsNamedBy(stack).length > 0),
      ...chartCredentialProblems(checkable, originOf(origins, ["chart", "password"]), options.secretKeys ?? []),
    ];
    problems.push(...semantic.filter((p) => !problems.some((q) => q.key === p.key)));
    if (problems.length === 0 && parsed.success && regionInfo) return finish(raw, options, problems, config);
  }
  return finish(raw, options, problems, undefined);
}

/** Adds plain-text credentials (any namespace), then removes every secret value from what is printed. */
function finish(
  raw: Readonly<Record<string, string>>,
  options: ParseOptions,
  problems: ConfigProblem[],
  config: StackConfig | undefined,
): ParseResult {
  const secrets = plainTextSecrets(raw, options.secretKeys);
  // A key whose own rule already said "(not shown)" (chart.repo credentials) keeps that fix.
  problems.push(
    ...secrets.problems.filter((p) => !problems.some((q) => q.key === p.key && q.message.includes("(not shown)"))),
  );
  // Provider tags (aws:defaultTags, aws:ignoreTags) that would rewrite or hide the program's own.
  problems.push(...providerTagProblems(raw));
  if (problems.length === 0 && config) return { ok: true, config };
  const clean = (t: string) => redact(t, secrets.tokens);
  return {
    ok: false,
    problems: problems.map((p) => ({ key: clean(p.key), message: clean(p.message), fix: clean(p.fix) })),
  };
}

/** Drops every path zod rejected (filling required keys with neutral values) and parses again. */
function parseWithoutBadKeys(input: Record<string, unknown>, error: z.ZodError): InfrasageInput | undefined {
  const copy = structuredClone(input);
  for (const issue of error.issues) {
    const path = issue.path.map(String);
    const [objectPath, keys] =
      issue.code === "unrecognized_keys" ? [path, issue.keys] : [path.slice(0, -1), path.slice(-1)];
    const target = objectPath.reduce<unknown>(
      (node, p) => (node && typeof node === "object" ? (node as Record<string, unknown>)[p] : undefined),
      copy,
    );
    if (target && typeof target === "object") for (const k of keys) delete (target as Record<string, unknown>)[k];
  }
  if (typeof copy.tenantId !== "string") copy.tenantId = "placeholder";
  if (!copy.network || typeof copy.network !== "object") copy.network = {};
  const network = copy.network as Record<string, unknown>;
  if (typeof network.cidr !== "string") network.cidr = "10.0.0.0/16";
  const again = infrasageSchema.safeParse(copy);
  return again.success ? again.data : undefined;
}

/**
 * A private chart repository's credentials (Helm Release `repositoryOpts.username`/`password`): only
 * with chart.repo, both or neither, and the password only as a Pulumi secret (`secure:`), judged by
 * the raw key it came from (`infrasage:chart.password`, or the whole `infrasage:chart` map). Never echoed.
 */
function chartCredentialProblems(
  c: InfrasageInput,
  passwordKey: string,
  secretKeys: readonly string[],
): ConfigProblem[] {
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
      `remove it, rotate that password (it has been readable by anyone with the file), and store the new one encrypted: ${setSecret}`,
    );
  }
  return problems;
}

function resolveChart(c: InfrasageInput): ChartSource {
  const chart = c.chart;
  if (chart?.repo !== undefined || chart?.name !== undefined || chart?.version !== undefined) {
    return {
      kind: "repo",
      repo: chart.repo ?? "",
      name: chart.name ?? "",
      version: chart.version ?? "",
      ...(chart.username !== undefined ? { username: chart.username } : {}),
      ...(chart.password !== undefined ? { password: chart.password } : {}),
    };
  }
  return { kind: "path", path: chart?.path ?? DEFAULT_CHART_PATH };
}

/** `network.endpoints`: a list as given, `auto` priced for the region and profile; none in an existing VPC by default. */
function resolveEndpoints(c: InfrasageInput, region: string, profile: ScaleProfileName): EndpointService[] {
  const e = c.network.endpoints ?? (c.network.existingVpc ? "none" : "auto");
  if (e === "none") return [];
  if (e !== "auto") return [...new Set(e)];
  const { prices } = pricesFor(region);
  const azs = c.network.availabilityZones ?? Math.min(3, Math.max(2, availabilityZonesOf(region).length));
  return autoEndpoints(
    profile,
    azs,
    { interfaceHour: prices.endpointHour, interfaceGb: prices.endpointGb, natGb: prices.natGb },
    HOURS_PER_MONTH,
  );
}

/** `nodeGroups` with the profile's values for what a group leaves out; absent = the profile's one group. */
function resolveNodeGroups(groups: InfrasageInput["nodeGroups"], profile: ScaleProfile): NodeGroupConfig[] {
  if (groups === undefined) return [profileNodeGroup(profile)];
  const base = profileNodeGroup(profile);
  return Object.entries(groups).map(([name, g]) => {
    const minSize = g.minSize ?? Math.min(base.minSize, g.maxSize ?? base.minSize);
    const maxSize = g.maxSize ?? Math.max(base.maxSize, minSize);
    return {
      name,
      instanceTypes: g.instanceTypes ?? base.instanceTypes,
      capacityType: g.capacityType ?? "ON_DEMAND",
      amiType: g.amiType ?? DEFAULT_AMI_TYPE,
      minSize,
      maxSize,
      desiredSize: g.desiredSize ?? Math.min(Math.max(base.desiredSize, minSize), maxSize),
      diskSizeGiB: g.diskSize ?? base.diskSizeGiB,
      labels: g.labels ?? {},
      taints: (g.taints ?? []).map((t) => ({
        key: t.key,
        ...(t.value !== undefined ? { value: t.value } : {}),
        effect: t.effect,
      })),
      fromProfile: false,
    };
  });
}

function resolve(
  c: InfrasageInput,
  region: string,
  jurisdiction: StackConfig["jurisdiction"],
  stack: string,
): StackConfig {
  const profileName = (c.scaleProfile ?? "medium") as ScaleProfileName;
  const profile = SCALE_PROFILES[profileName];
  const pattern = (c.pattern ?? "independent") as Pattern;
  return {
    stack,
    region,
    jurisdiction,
    tenantId: c.tenantId,
    pattern,
    scaleProfile: profileName,
    network: {
      cidr: c.network.cidr ?? c.network.existingVpc?.cidr ?? "",
      // Default 3, or all of a 2-AZ region's (us-west-1): only an explicit 3 there is an error.
      // An existing VPC has as many AZs as private subnets.
      availabilityZones: (c.network.availabilityZones ??
        (c.network.existingVpc
          ? Math.min(3, Math.max(2, c.network.existingVpc.privateSubnetIds.length))
          : Math.min(3, Math.max(2, availabilityZonesOf(region).length)))) as 2 | 3,
      natGateways: c.network.natGateways ?? profile.natGateways,
      endpoints: resolveEndpoints(c, region, profileName),
      ...(c.network.existingVpc ? { existingVpc: { ...c.network.existingVpc } } : {}),
    },
    cluster: {
      version: c.cluster?.version ?? DEFAULT_EKS_VERSION,
      publicAccessCidrs: c.cluster?.publicAccessCidrs ?? [],
      adminRoleArns: c.cluster?.adminRoleArns ?? [],
      addons: c.cluster?.addons ?? {},
      accessEntries: (c.cluster?.accessEntries ?? []).map((e) => ({
        principalArn: e.principalArn,
        policy: e.policy,
        ...(e.namespaces !== undefined ? { namespaces: e.namespaces } : {}),
      })),
      logTypes: [...new Set(c.cluster?.logTypes ?? CONTROL_PLANE_LOG_TYPES)],
      encryptLogs: c.cluster?.encryptLogs ?? true,
    },
    nodeGroups: resolveNodeGroups(c.nodeGroups, profile),
    // A witness runs Keeper on fixed nodes: nothing to scale.
    autoscaling: c.autoscaling ?? (c.replication?.witness === true ? "none" : profile.autoscaling),
    ingestionGateway: { replicaCount: c.ingestionGateway?.replicaCount ?? profile.gatewayReplicas },
    clickhouse: {
      storageClass: c.clickhouse?.storageClass ?? `gp3-${region}`,
      size: c.clickhouse?.size ?? profile.clickhouseSize,
    },
    kafka: {
      replicaCount: c.kafka?.replicaCount ?? profile.kafkaReplicas,
      size: c.kafka?.size ?? profile.kafkaSize,
    },
    chart: resolveChart(c),
    federation:
      c.federation && pattern === "hub-spoke"
        ? {
            role: c.federation.role ?? "spoke",
            ...(c.federation.hubStack !== undefined ? { hubStack: c.federation.hubStack } : {}),
            spokes: c.federation.spokes ?? [],
            includeMetadata: c.federation.includeMetadata ?? true,
            includeRawTelemetry: false,
          }
        : undefined,
    replication:
      pattern === "active-active"
        ? {
            peers: c.replication?.peers ?? [],
            keeperVoters: c.replication?.keeperVoters ?? 1,
            witness: c.replication?.witness ?? false,
            ...(c.replication?.acceptRegionLossRisk !== undefined
              ? { acceptRegionLossRisk: c.replication.acceptRegionLossRisk }
              : {}),
          }
        : undefined,
    runbooks: { namespaceScope: c.runbooks?.namespaceScope ?? [] },
    mlEngine: { enabled: c.mlEngine?.enabled ?? profile.mlEngineEnabled, replicaCount: profile.mlEngineReplicas },
    grafana: {
      mode: c.grafana?.mode ?? "local",
      ...(c.grafana?.sources?.length ? { sources: c.grafana.sources } : {}),
      ...(c.grafana?.hostStack !== undefined ? { hostStack: c.grafana.hostStack } : {}),
    },
    deploy: {
      runner: c.deploy?.runner ?? "codebuild",
      ...(c.deploy?.repository !== undefined ? { repository: c.deploy.repository } : {}),
      ...(c.deploy?.connectionArn !== undefined ? { connectionArn: c.deploy.connectionArn } : {}),
      ...(c.deploy?.runnerLabel !== undefined ? { runnerLabel: c.deploy.runnerLabel } : {}),
      runnerCidrs: c.deploy?.runnerCidrs ?? [],
      ...(c.deploy?.previewRoleArn !== undefined ? { previewRoleArn: c.deploy.previewRoleArn } : {}),
      ...(c.deploy?.permissionsBoundaryArn !== undefined
        ? { permissionsBoundaryArn: c.deploy.permissionsBoundaryArn }
        : {}),
    },
    stateBackend: c.stateBackend ?? "shared",
    links: { via: c.links?.via ?? "stack-reference", regions: c.links?.regions ?? {} },
    tags: {
      ...(c.tags ?? {}),
      [PROGRAM_TAG.key]: PROGRAM_TAG.value,
      Tenant: c.tenantId,
      Jurisdiction: jurisdiction,
      Stack: stack,
      ManagedBy: "pulumi",
    },
    allowReplace: c.allowReplace ?? [],
    ...(c.apiKeyRotation !== undefined ? { apiKeyRotation: c.apiKeyRotation } : {}),
  };
}

function semanticProblems(
  c: InfrasageInput,
  config: StackConfig,
  regionKnown: boolean,
  stackNamesRegion: boolean,
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const add = (key: string, message: string, fix: string) =>
    problems.push({ key: `${NAMESPACE}:${key}`, message, fix });

  const asserted = c.jurisdiction?.trim().toUpperCase();
  if (regionKnown && asserted !== undefined && asserted !== "" && asserted !== config.jurisdiction) {
    const known = (JURISDICTIONS as readonly string[]).includes(asserted);
    add(
      "jurisdiction",
      `${show(c.jurisdiction)} does not match ${config.region}, which is in ${config.jurisdiction}${known ? "" : ` (${show(c.jurisdiction)} is not a known jurisdiction: ${JURISDICTIONS.join(", ")})`}`,
      known
        ? `set it to ${config.jurisdiction}${stackNamesRegion ? ", remove it" : ""}, or deploy to a region of ${asserted} (${regionsIn(asserted as Jurisdiction).join(", ")})`
        : `set it to ${config.jurisdiction}, the jurisdiction of ${config.region}`,
    );
  }

  // The VPC: the program's own (CIDR rules), or an existing one (lib/network/existing-vpc.ts).
  for (const p of networkProblems(c.network)) add(p.key, p.message, p.fix);
  const azs = availabilityZonesOf(config.region).length;
  if (regionKnown && config.network.availabilityZones > azs) {
    add("network.availabilityZones", `${config.region} offers only ${azs} availability zones`, `set it to ${azs}`);
  }

  if (!SUPPORTED_EKS_VERSIONS.includes(config.cluster.version)) {
    add(
      "cluster.version",
      `EKS does not support Kubernetes ${config.cluster.version}`,
      `use one of ${SUPPORTED_EKS_VERSIONS.join(", ")} (default ${DEFAULT_EKS_VERSION})`,
    );
  }
  const missingLogs = REQUIRED_CONTROL_PLANE_LOG_TYPES.filter((t) => !config.cluster.logTypes.includes(t));
  if (missingLogs.length > 0)
    add(
      "cluster.logTypes",
      `leaves out ${missingLogs.join(", ")}: the audit trail is never switched off`,
      `add ${missingLogs.join(", ")} (or remove the key: every type is shipped by default)`,
    );
  // Each entry, then the list as a whole (count, union size and widest merged block).
  for (const p of publicAccessCidrsProblems(config.cluster.publicAccessCidrs)) {
    add(
      p.index === undefined ? "cluster.publicAccessCidrs" : `cluster.publicAccessCidrs[${p.index}]`,
      p.message,
      p.fix,
    );
  }
  // A file copied from another region ("Adding a region") keeps that region's storage class: name the key.
  const otherRegions =
    c.clickhouse?.storageClass === undefined || !regionKnown
      ? []
      : regionsNamedBy(c.clickhouse.storageClass).filter((r) => r !== config.region && findRegion(r));
  if (otherRegions.length > 0) {
    add(
      "clickhouse.storageClass",
      `"${c.clickhouse!.storageClass}" is a storage class of ${otherRegions.join(", ")}, not of ${config.region} (the program creates gp3-${config.region}; the residency policies refuse another region's)`,
      `remove the key (it defaults to gp3-${config.region})`,
    );
  }
  for (const k of ["clickhouse", "kafka"] as const) {
    const size = c[k]?.size;
    const p = size === undefined ? undefined : volumeSizeProblem(size);
    if (p) add(`${k}.size`, p.message, p.fix);
  }

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

  if (c.federation?.includeRawTelemetry === true) {
    add(
      "federation.includeRawTelemetry",
      "true would forward raw telemetry out of the region (ALERT_FORWARD_INCLUDE_RAW_TELEMETRY)",
      "remove it or set it to false: only alert metadata may leave a region",
    );
  }
  if (config.pattern === "hub-spoke") {
    if (!c.federation?.role) add("federation.role", "is required for pattern hub-spoke", "set it to hub or spoke");
    if (c.federation?.role === "spoke" && !c.federation.hubStack)
      add("federation.hubStack", "is required for a spoke", "set it to the hub's org/project/stack");
    if (c.federation?.role === "hub" && c.federation.hubStack)
      add("federation.hubStack", "is set on the hub itself", "remove it: only spokes point at a hub");
    // Pattern 2 allowlist: only the hub lists spokes; each spoke's credential is named by its stack name.
    const spokes = c.federation?.spokes ?? [];
    if (c.federation?.role !== "hub" && spokes.length > 0)
      add("federation.spokes", "is set on a spoke", "remove it: only the hub lists its spokes");
    const spokeStacks = spokes.map((s) => s.split("/")[2]);
    const twice = spokes.filter((_, i) => spokeStacks.indexOf(spokeStacks[i]) !== i);
    if (twice.length)
      add(
        "federation.spokes",
        `lists stack name(s) ${twice.join(", ")} more than once (credentials are named by stack)`,
        "list each spoke stack once",
      );
    if (c.federation?.role === "hub" && spokeStacks.includes(config.stack))
      add("federation.spokes", `lists the hub itself (${config.stack})`, "remove it: the hub's own alerts stay local");
  } else if (c.federation !== undefined && c.federation.includeRawTelemetry !== true) {
    add(
      "federation",
      `is set but pattern is ${config.pattern}`,
      "set infrasage:pattern to hub-spoke, or remove federation",
    );
  }

  if (config.pattern === "active-active") {
    if (!c.replication?.peers?.length)
      add(
        "replication.peers",
        "is required for pattern active-active",
        "list the org/project/stack of every other member of the replication group",
      );
    const self = c.replication?.peers?.find((p) => p.split("/")[2] === config.stack);
    if (self) add("replication.peers", `lists this stack itself (${self})`, "list only the other members");
    const dupes = (c.replication?.peers ?? []).filter((p, i, all) => all.indexOf(p) !== i);
    if (dupes.length) add("replication.peers", `lists ${dupes.join(", ")} twice`, "list each peer once");
    // Active-active: the stack name is part of every Keeper/ClickHouse host name (keeper-0.<stack>.infrasage.internal).
    if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(config.stack))
      add(
        "replication",
        `stack name "${config.stack}" is not a DNS label`,
        "name active-active stacks with lowercase letters, digits and '-' (e.g. eu-west-1)",
      );
    if (c.replication?.witness === true && config.replication?.keeperVoters === 0)
      add(
        "replication.keeperVoters",
        "is 0 on a witness, which exists only to run Keeper voters",
        "set it to 1 (or more), or remove replication.witness",
      );
  } else if (c.replication !== undefined) {
    add(
      "replication",
      `is set but pattern is ${config.pattern}`,
      "set infrasage:pattern to active-active, or remove replication",
    );
  }

  // Shared Grafana (lib/grafana/grafana.ts): the host (mode local) lists sources; a shared stack names its host.
  const g = config.grafana;
  if (g.mode === "shared" && !g.hostStack)
    add(
      "grafana.hostStack",
      "is required when grafana.mode is shared",
      "set it to the org/project/stack whose Grafana reads this stack's Prometheus",
    );
  if (g.hostStack && g.mode !== "shared")
    add(
      "grafana.hostStack",
      `is set but grafana.mode is ${g.mode}`,
      "set grafana.mode to shared, or remove grafana.hostStack",
    );
  if (g.sources && g.mode !== "local")
    add(
      "grafana.sources",
      `is set but grafana.mode is ${g.mode} (no Grafana runs here)`,
      "list sources on the stack that runs Grafana (mode local)",
    );
  const grafanaRefs = [...(g.sources ?? []), ...(g.hostStack ? [g.hostStack] : [])];
  if (grafanaRefs.some((r) => r.split("/")[2] === config.stack))
    add(
      g.hostStack ? "grafana.hostStack" : "grafana.sources",
      `names this stack itself (${config.stack})`,
      "name only other stacks",
    );
  const twiceG = (g.sources ?? []).filter((r, i, all) => all.indexOf(r) !== i);
  if (twiceG.length) add("grafana.sources", `lists ${twiceG.join(", ")} twice`, "list each source once");

  // Deploy path: each kind of runner takes only its own keys; a self-hosted runner's ranges are private.
  const d = c.deploy ?? {};
  const kind = config.deploy.runner;
  const onlyFor: Record<string, readonly string[]> = {
    repository: ["codebuild"],
    connectionArn: ["codebuild"],
    runnerLabel: ["self-hosted"],
    runnerCidrs: ["self-hosted", "operator"],
  };
  for (const [k, runners] of Object.entries(onlyFor)) {
    if ((d as Record<string, unknown>)[k] !== undefined && !runners.includes(kind))
      add(
        `deploy.${k}`,
        `is set but deploy.runner is ${kind}`,
        `remove it, or set deploy.runner to ${runners.join(" or ")}`,
      );
  }
  config.deploy.runnerCidrs.forEach((cidr, i) => {
    const p = runnerCidrProblem(cidr);
    if (p) add(`deploy.runnerCidrs[${i}]`, p.message, p.fix);
  });

  // Links through published contracts are read in the other stack's region: it must be known.
  if (config.links.via === "ssm") {
    for (const ref of stackReferencesOf(config).filter((r) => !r.key.startsWith("replication."))) {
      if (!regionOfRef(ref.ref, config.links)) {
        add(
          `links.regions.${ref.stack}`,
          `is needed: ${ref.key} names ${ref.ref}, whose link contract is read in its region, and "${ref.stack}" is not a region name`,
          `set infrasage:links.regions.${ref.stack} to the region that stack is deployed in`,
        );
      }
    }
  }
  // Links: a region named for a linked stack must be one we know.
  for (const [stack, region] of Object.entries(config.links.regions)) {
    if (!findRegion(region))
      add(
        `links.regions.${stack}`,
        `"${region}" is not a commercial AWS region known to InfraSage`,
        "give the region the linked stack is deployed in, e.g. eu-west-1",
      );
    // A linked stack named for a region is deployed there (the rule each stack's own aws:region obeys).
    const named = regionsNamedBy(stack);
    if (findRegion(region) && named.length === 1 && named[0] !== region) {
      add(
        `links.regions.${stack}`,
        `says ${region}, but stack "${stack}" is named for ${named[0]} and so deploys there`,
        `set it to ${named[0]}, or remove it (a stack named for its region needs no entry)`,
      );
    }
  }

  // allowReplace: a URN names this stack (a URN copied from another stack's plan allows nothing here).
  config.allowReplace.forEach((a, i) => {
    const urnStack = /^urn:pulumi:([^:]*)::/.exec(a.resource)?.[1];
    if (a.resource.startsWith("urn:") && urnStack === undefined)
      add(
        `allowReplace.${i}.resource`,
        `"${a.resource}" is not a Pulumi URN`,
        "give the URN from the plan's diff (urn:pulumi:<stack>::<project>::<type>::<name>) or the resource's logical name",
      );
    else if (urnStack !== undefined && urnStack !== config.stack)
      add(
        `allowReplace.${i}.resource`,
        `names a resource of stack ${urnStack}, not of this stack (${config.stack})`,
        "copy the URN from this stack's plan, or move the entry to that stack's file",
      );
  });
  // Node groups, autoscaling add-ons, access entries (lib/cluster/cluster-rules.ts).
  for (const p of clusterCapabilityProblems(c, config)) add(p.key, p.message, p.fix);

  // Runbook scope (lib/runbooks/runbook-access.ts): no system namespaces, not InfraSage's own, no duplicates.
  for (const p of namespaceScopeProblems(config.runbooks.namespaceScope))
    add("runbooks.namespaceScope", p.message, p.fix);

  // AWS allows 50 tags per resource; the program adds 5 defaults and up to 5 of its own (Name,
  // subnet discovery, link purpose/flow). Rejected here, not half-way through `pulumi up`.
  const tagCount = Object.keys(c.tags ?? {}).length;
  if (tagCount > MAX_USER_TAGS)
    add(
      "tags",
      `has ${tagCount} tags; with the program's own, resources would exceed AWS's 50`,
      `keep at most ${MAX_USER_TAGS}`,
    );
  // No tag the program or the policy pack gives meaning to, and only what AWS accepts.
  problems.push(...tagProblems(c.tags ?? {}, `${NAMESPACE}:tags`));
  return problems;
}
