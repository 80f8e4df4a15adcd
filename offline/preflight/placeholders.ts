/**
 * Example values copied from the docs or the shipped files that would deploy wrongly or fail late:
 * AWS's documentation account `123456789012` (an ARN of it names nothing of yours) and the example
 * organization `acme` (StackReferences `acme/<project>/<stack>` and `deploy.repository acme/<repo>`).
 */
import type { Finding } from "./finding";

const PLACEHOLDER_ACCOUNT = "123456789012";
const PLACEHOLDER_ORG = "acme";

function leaves(value: unknown, path: string): [string, string][] {
  if (typeof value === "string") return [[path, value]];
  if (Array.isArray(value)) return value.flatMap((v, i) => leaves(v, `${path}[${i}]`));
  if (value && typeof value === "object") return Object.entries(value).flatMap(([k, v]) => leaves(v, `${path}.${k}`));
  return [];
}

function parsed(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/** One finding per config key holding a placeholder account or organization. */
export function checkPlaceholders(file: string, config: Readonly<Record<string, string>>): Finding[] {
  const out: Finding[] = [];
  for (const [key, raw] of Object.entries(config)) {
    for (const [path, value] of leaves(parsed(raw), key)) {
      if (value.includes(`:${PLACEHOLDER_ACCOUNT}:`)) {
        out.push({
          kind: "placeholder",
          file,
          key: path,
          message: `names the AWS documentation account ${PLACEHOLDER_ACCOUNT} (the shipped example's), not yours`,
          fix: "put your account's ARN here (aws sts get-caller-identity shows the account)",
        });
      }
      const owner = /^([^/\s]+)\/[^/\s]+(\/[^/\s]+)?$/.exec(value)?.[1];
      if (owner === PLACEHOLDER_ORG && (path.endsWith("deploy.repository") || /^[^/]+\/[^/]+\/[^/]+$/.test(value))) {
        out.push({
          kind: "placeholder",
          file,
          key: path,
          message: `names the example organization ${PLACEHOLDER_ORG} (${value})`,
          fix: path.endsWith("deploy.repository")
            ? "set your GitHub owner/repo"
            : "use your Pulumi organization (PULUMI_ORG; self-managed backends use organization)",
        });
      }
    }
  }
  return out;
}
