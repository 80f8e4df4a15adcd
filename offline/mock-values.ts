/**
 * Values the offline plan makes up that a reader could take for real ones: the mock cloud's resource
 * ids (`vpc-<17 hex>`, the shape of AWS ids) and its stand-in for EKS's default add-on build. The text
 * view and the PR comment print what they are instead; the JSON keeps them (they are stable, and
 * diffs compare them). No imports: scripts/pr-comment.ts loads this without the program.
 */
/** The version the mock cloud answers for EKS's default add-on build (offline/mock-cloud.ts): never real. */
export const MOCK_ADDON_VERSION = "v1.0.0-eksbuild.1";

export const ASSIGNED_BY_AWS = "(assigned by AWS)";
export const EKS_DEFAULT_BUILD = "(EKS's default build, resolved at deploy)";
const MOCK_ID_RE = /^[a-z0-9]+(-[a-z0-9]+)?-[0-9a-f]{17}$|^vpc-mock$/;

const MOCK_ID_IN_TEXT_RE = /\b[a-z0-9]+(?:-[a-z0-9]+)?-[0-9a-f]{17}\b|\bvpc-mock\b/g;

/** Free text (diff lines, findings) with the same substitutions; `real` ids stay. */
export function maskMockText(text: string, real: ReadonlySet<string> = new Set()): string {
  return text
    .split(MOCK_ADDON_VERSION)
    .join(EKS_DEFAULT_BUILD)
    .replace(MOCK_ID_IN_TEXT_RE, (id) => (real.has(id) ? id : ASSIGNED_BY_AWS));
}

/**
 * The value as the text view prints it: mock ids and placeholder versions named for what they are.
 * `real`: ids the stack file itself gives (an existing VPC and its subnets), printed as they are.
 */
export function shownForHumans(value: unknown, real: ReadonlySet<string> = new Set()): unknown {
  if (typeof value === "string")
    return real.has(value)
      ? value
      : value === MOCK_ADDON_VERSION
        ? EKS_DEFAULT_BUILD
        : MOCK_ID_RE.test(value)
          ? ASSIGNED_BY_AWS
          : value;
  if (Array.isArray(value)) return value.map((v) => shownForHumans(v, real));
  if (value && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shownForHumans(v, real)]));
  return value;
}
