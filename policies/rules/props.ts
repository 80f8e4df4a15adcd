/**
 * Reading resource properties without `any`, and mapping names and ARNs to regions.
 * Props arrive wrapped in @pulumi/policy's unknown-checking proxy during `pulumi preview`: any read
 * below may throw UnknownValueError, which the policy wrappers (framework.ts) turn into violations.
 */
import { REGIONS, jurisdictionOf } from "../shared/regions";

export type Props = Readonly<Record<string, unknown>>;

export const isObject = (v: unknown): v is Props => typeof v === "object" && v !== null && !Array.isArray(v);
export const asObject = (v: unknown): Props => (isObject(v) ? v : {});
export const asArray = (v: unknown): readonly unknown[] => (Array.isArray(v) ? v : []);
export const asString = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
export const asStrings = (v: unknown): string[] => asArray(v).filter((x): x is string => typeof x === "string");

/** `get(props, "vpcConfig", "publicAccessCidrs")`: undefined as soon as a step is missing. */
export function get(value: unknown, ...path: readonly string[]): unknown {
  let cur = value;
  for (const key of path) {
    if (!isObject(cur)) return undefined;
    cur = cur[key];
  }
  return cur;
}

/** True for `true` and `"true"` (aws v7 types some booleans, e.g. launch template EBS `encrypted`, as strings). */
export const isTrue = (v: unknown): boolean => v === true || v === "true";
export const isFalse = (v: unknown): boolean => v === false || v === "false";

/** Every (key, value, parent) in a nested value, depth first. */
export function* walk(value: unknown, depth = 0): Generator<{ key: string; value: unknown; parent: Props }> {
  if (depth > 40) return;
  if (Array.isArray(value)) {
    for (const item of value) yield* walk(item, depth + 1);
  } else if (isObject(value)) {
    for (const key of Object.keys(value)) {
      const child = value[key];
      yield { key, value: child, parent: value };
      yield* walk(child, depth + 1);
    }
  }
}

// Longest first, so a code never matches as the prefix of a longer one.
const CODES = REGIONS.map((r) => r.code).sort((a, b) => b.length - a.length);
const CODE_RES = CODES.map((code) => ({ code, re: new RegExp(`(^|[^a-z0-9])${code}[a-z]?(?=[^a-z0-9]|$)`) }));

/**
 * Region codes a name mentions as a whole token (`gp3-eu-west-1`, `ch-0.ap-south-1.internal`,
 * AZ names such as `eu-west-1a` count for their region). Case-insensitive.
 */
export function regionsInName(name: string): string[] {
  const lower = name.toLowerCase();
  return [...new Set(CODE_RES.filter((c) => c.re.test(lower)).map((c) => c.code))];
}

/** Region of an ARN (`arn:aws:kms:eu-west-1:...`); undefined for global ARNs (S3, IAM) or non-ARNs. */
export function regionOfArn(arn: string): string | undefined {
  const parts = arn.split(":");
  return parts[0] === "arn" && parts.length >= 6 && parts[3] ? parts[3] : undefined;
}

/** Region -> jurisdiction with optional policy-config overrides (`{ "eu-west-2": "EU" }`). */
export type JurisdictionOf = (region: string) => string | undefined;

export function jurisdictionLookup(overrides: Readonly<Record<string, string>> | undefined): JurisdictionOf {
  return (region) => overrides?.[region] ?? jurisdictionOf(region);
}

/** Why `region` may not hold this stack's data, or undefined when it may. */
export function outsideJurisdiction(region: string | undefined, home: string, j: JurisdictionOf): string | undefined {
  if (region === undefined) return "its region is not set";
  const there = j(region);
  const here = j(home);
  if (there === undefined) return `region ${region} is not in the region -> jurisdiction table`;
  if (here === undefined) return `home region ${home} is not in the region -> jurisdiction table`;
  return there === here ? undefined : `${region} is in jurisdiction ${there}, the stack's home ${home} in ${here}`;
}

/** Host name of a URL (`http://x.y:8080/p` -> `x.y`), or the value itself when it is a bare host. */
export function hostOf(value: string): string {
  try {
    return new URL(value.includes("://") ? value : `tcp://${value}`).hostname;
  } catch {
    return value;
  }
}

/** In-cluster Kubernetes service DNS names never leave the cluster (and so the region). */
export const isClusterLocal = (host: string): boolean => /\.svc(\.cluster\.local)?\.?$/.test(host);
