/**
 * Kubeconfig text for an EKS cluster, and merging of several of them. Pure: no Pulumi import.
 *
 * Authentication is `aws eks get-token` (exec plugin), so the file holds no credential and works for
 * whoever runs kubectl with AWS credentials that have an access entry. Cluster, context and user all
 * share one name that includes the region, so `KUBECONFIG=eu.yaml:ap.yaml kubectl config get-contexts`
 * shows one distinct context per regional stack instead of one overwriting the other.
 */
import { parse, stringify } from "yaml";

export interface KubeconfigInput {
  /** EKS cluster name (passed to `aws eks get-token`). */
  readonly clusterName: string;
  /** API server URL, `https://...`. */
  readonly endpoint: string;
  /** Base64 PEM of the cluster CA, as EKS returns it. */
  readonly certificateAuthorityData: string;
  /** AWS region of the cluster (passed to `aws eks get-token`). */
  readonly region: string;
  /** Name of the cluster, user and context entries; unique across the kubeconfigs you merge. */
  readonly contextName: string;
}

/** A `clusters`/`contexts`/`users` entry: a name plus its payload. */
interface NamedEntry {
  readonly name: string;
  readonly [key: string]: unknown;
}

/** The subset of the kubeconfig schema we produce and merge. */
interface KubeconfigDoc {
  apiVersion: "v1";
  kind: "Config";
  clusters: NamedEntry[];
  contexts: NamedEntry[];
  users: NamedEntry[];
  "current-context"?: string;
  preferences?: Record<string, unknown>;
}

/**
 * Context name of a cluster: the cluster name when it already names the region (`infrasage-eu-west-1`),
 * otherwise `<cluster>-<region>`, so that equal cluster names in two regions never collide.
 */
export function contextNameFor(clusterName: string, region: string): string {
  return clusterName.includes(region) ? clusterName : `${clusterName}-${region}`;
}

/** Exec arguments of the credential plugin (exported for tests and docs). */
function getTokenArgs(clusterName: string, region: string): string[] {
  return ["eks", "get-token", "--cluster-name", clusterName, "--region", region, "--output", "json"];
}

/** A single-cluster kubeconfig as YAML text. */
export function buildKubeconfig(input: KubeconfigInput): string {
  const { clusterName, endpoint, certificateAuthorityData, region, contextName } = input;
  const doc: KubeconfigDoc = {
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      { name: contextName, cluster: { server: endpoint, "certificate-authority-data": certificateAuthorityData } },
    ],
    contexts: [{ name: contextName, context: { cluster: contextName, user: contextName } }],
    users: [
      {
        name: contextName,
        user: {
          exec: {
            apiVersion: "client.authentication.k8s.io/v1beta1",
            command: "aws",
            args: getTokenArgs(clusterName, region),
            // Never prompt: the Pulumi kubernetes provider and CI run without a TTY.
            interactiveMode: "Never",
          },
        },
      },
    ],
    "current-context": contextName,
    preferences: {},
  };
  return stringify(doc);
}

const SECTIONS = ["clusters", "contexts", "users"] as const;

function parseDoc(text: string, index: number): KubeconfigDoc {
  const doc: unknown = parse(text);
  if (!doc || typeof doc !== "object" || Array.isArray(doc))
    throw new Error(`kubeconfig #${index + 1} is not a YAML mapping`);
  const o = doc as Record<string, unknown>;
  for (const section of SECTIONS) {
    const list = o[section] ?? [];
    if (
      !Array.isArray(list) ||
      !list.every((e) => e && typeof e === "object" && typeof (e as { name?: unknown }).name === "string")
    ) {
      throw new Error(`kubeconfig #${index + 1}: \`${section}\` must be a list of entries with a name`);
    }
  }
  return o as unknown as KubeconfigDoc;
}

/**
 * Merges kubeconfigs into one (like `KUBECONFIG=a:b kubectl config view --flatten`), except that a
 * name appearing twice in any section is an error rather than silently taking the first one.
 * The current context is the first input's.
 */
export function mergeKubeconfigs(texts: readonly string[]): string {
  const docs = texts.map(parseDoc);
  const merged: KubeconfigDoc = { apiVersion: "v1", kind: "Config", clusters: [], contexts: [], users: [] };
  const problems: string[] = [];
  for (const section of SECTIONS) {
    const seen = new Map<string, number>();
    docs.forEach((doc, i) => {
      for (const entry of doc[section] ?? []) {
        const first = seen.get(entry.name);
        if (first !== undefined)
          problems.push(`${section} name "${entry.name}" is in kubeconfig #${first + 1} and #${i + 1}`);
        else seen.set(entry.name, i);
        merged[section].push(entry);
      }
    });
  }
  if (problems.length > 0) throw new Error(`cannot merge kubeconfigs: ${problems.join("; ")}`);
  const current = docs.find((d) => d["current-context"])?.["current-context"];
  if (current) merged["current-context"] = current;
  merged.preferences = {};
  return stringify(merged);
}
