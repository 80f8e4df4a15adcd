/**
 * Links between stacks whose state lives in different backends (one per jurisdiction, as residency of
 * state asks), where a StackReference cannot reach (it reads stacks of its own backend only). The side
 * a link needs publishes its small, non-sensitive link contract (the same objects it exports as stack
 * outputs: `network`, `federation`, `grafanaSource`) as SSM parameters in its own region; the other
 * side reads them with a data source, at preview too. Secrets never travel that way: a spoke's
 * credential is a Secrets Manager secret in the hub's region that the spoke reads once. Pure.
 */
import { findRegion } from "../../policies/shared/regions";
import { parseStackRef } from "./stack-ref";

/** How a stack reads the stacks it links to. */
type LinkTransport = "stack-reference" | "ssm";
/**
 * Where stack state lives: one Pulumi Cloud organization for every stack (`shared`), one self-managed
 * backend for every stack (`self-managed`, e.g. one S3 bucket), or one self-managed backend per
 * jurisdiction.
 */
export type StateLayout = "shared" | "self-managed" | "per-jurisdiction";

export interface LinksConfig {
  readonly via: LinkTransport;
  /** Region of each referenced stack whose name is not its region (`stack` -> region). */
  readonly regions: Readonly<Record<string, string>>;
}

/** Stack outputs a peer reads, published as the link contract. Never secrets. */
export const CONTRACT_KEYS = ["network", "federation", "grafanaSource"] as const;
export type ContractKey = (typeof CONTRACT_KEYS)[number];

/** SSM path of a stack's contract: `/infrasage/<project>/<stack>/`. */
export function contractPath(project: string, stack: string): string {
  return `/infrasage/${project}/${stack}/`;
}

/** SSM parameter of one contract key. */
export const contractParameterName = (project: string, stack: string, key: ContractKey): string =>
  `${contractPath(project, stack)}${key}`;

/** SSM Standard parameters hold 4 KB; larger values need the Advanced tier. */
export const parameterTier = (value: string): "Standard" | "Advanced" =>
  Buffer.byteLength(value, "utf8") <= 4096 ? "Standard" : "Advanced";

/** Secrets Manager name of a spoke's credential, in the hub's region. */
export function spokeCredentialSecretName(project: string, hubStack: string, spokeStack: string): string {
  return `infrasage/${project}/${hubStack}/spoke-credentials/${spokeStack}`;
}

/** The region of a referenced stack: `links.regions`, else its name when that is a region. */
export function regionOfRef(ref: string, links: LinksConfig): string | undefined {
  const { stack } = parseStackRef(ref);
  return links.regions[stack] ?? (findRegion(stack) ? stack : undefined);
}

/** Outputs of a stack as read from its published parameters (getParametersByPath names/values). */
export function readContract(
  path: string,
  names: readonly string[],
  values: readonly string[],
): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  names.forEach((name, i) => {
    const key = name.startsWith(path) ? name.slice(path.length) : undefined;
    if (!key || !(CONTRACT_KEYS as readonly string[]).includes(key)) return;
    try {
      out[key] = JSON.parse(values[i] ?? "");
    } catch {
      // A parameter someone else wrote: ignored, the reader reports the key as missing.
    }
  });
  return Object.keys(out).length > 0 ? out : undefined;
}
