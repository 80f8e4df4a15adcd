/**
 * Values the offline plan makes up that a reader could take for real ones: the mock cloud's resource
 * ids (`vpc-<17 hex>`, the shape of AWS ids) and its stand-in for EKS's default add-on build. The text
 * view prints what they are instead; the JSON keeps them (they are stable, and diffs compare them).
 */
import { MOCK_ADDON_VERSION } from "./mock-cloud";

export const ASSIGNED_BY_AWS = "(assigned by AWS)";
export const EKS_DEFAULT_BUILD = "(EKS's default build, resolved at deploy)";
const MOCK_ID_RE = /^[a-z0-9]+(-[a-z0-9]+)?-[0-9a-f]{17}$|^vpc-mock$/;

/**
 * The value as the text view prints it: mock ids and placeholder versions named for what they are.
 * `real`: ids the stack file itself gives (an existing VPC and its subnets), printed as they are.
 */
export function shownForHumans(value: unknown, real: ReadonlySet<string> = new Set()): unknown {
  if (typeof value === "string") return real.has(value) ? value : value === MOCK_ADDON_VERSION ? EKS_DEFAULT_BUILD : MOCK_ID_RE.test(value) ? ASSIGNED_BY_AWS : value;
  if (Array.isArray(value)) return value.map((v) => shownForHumans(v, real));
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shownForHumans(v, real)]));
  return value;
}
