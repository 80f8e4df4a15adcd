/**
 * The schema's (zod's) issues as user messages: each names the key, what was given and the fix,
 * with the bounds and the known keys read from the schema itself. And the input without the keys
 * zod rejected, so the capabilities' rules still judge everything else in the same run. Pure.
 */
import type { z } from "zod";
import { DEFAULT_EKS_VERSION } from "../cluster/eks-versions";
import { padVersion } from "../charts/config-rules";
import { ENDPOINT_SERVICES } from "../network/endpoints-plan";
import { isBlank } from "./collect";
import { closest, NAMESPACE, show, type ConfigProblem } from "../rules/problems";
import { infrasageSchema, type InfrasageInput } from "./schema";

function typeName(v: unknown): string {
  return Array.isArray(v) ? "list" : v === null ? "null" : typeof v === "object" ? "mapping" : typeof v;
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
    "use the bootstrap's boundary: arn:aws:iam::<account>:policy/infrasage-bootstrap/" +
      "infrasage-boundary-<jurisdiction> (bootstrap output permissionsBoundaryArn)",
  ],
  [/^deploy\.repository$/, "use the GitHub owner/repo, e.g. acme/infrasage"],
  [
    /^deploy\.connectionArn$/,
    "copy the connection's ARN from the CodeConnections console: " +
      "arn:aws:codeconnections:<region>:<account>:connection/<id>",
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
  return (
    `quote it in the stack file, e.g. ` +
    `"${text}"` +
    `${literal && literal !== String(value) ? ` (unquoted, YAML reads ${literal} as the number ${value})` : ""}`
  );
}

export function schemaIssueProblems(
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
function knownKeysAt(path: readonly string[]): string[] {
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

/** Drops every path zod rejected (filling required keys with neutral values) and parses again. */
export function parseWithoutBadKeys(input: Record<string, unknown>, error: z.ZodError): InfrasageInput | undefined {
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
