/**
 * Raw Pulumi config (`"<ns>:<key>" -> string`, structured values JSON-encoded, as
 * `pulumi.runtime.allConfig()` returns it) -> typed, fully-defaulted StackConfig, or every problem.
 * Pure: the program, the offline plan and the tests all call this one function.
 */
import type { z } from "zod";
import { findRegion, JURISDICTIONS, availabilityZonesOf } from "../../policies/shared/regions";
import { SCALE_PROFILES, type ScaleProfileName } from "../profiles";
import { infrasageSchema, type InfrasageInput } from "./schema";
import { publicAccessCidrProblem, runnerCidrProblem, vpcCidrProblem } from "./cidr-rules";
import { closest, type ConfigProblem } from "./problems";
import type { ChartSource, Pattern, StackConfig } from "./types";
import { namespaceScopeProblems } from "../runbook-access";
import { stackReferencesOf } from "./references";
import { regionOfRef } from "../links/contract";

export const NAMESPACE = "infrasage";
/** Pinned EKS version for new clusters (standard support until 2027-03). */
export const DEFAULT_EKS_VERSION = "1.35";
/** Versions EKS supports (standard or extended) at the time of writing. */
export const SUPPORTED_EKS_VERSIONS = ["1.31", "1.32", "1.33", "1.34", "1.35", "1.36"];
export const DEFAULT_CHART_PATH = "./infrasage-chart";
/** User tags allowed in `infrasage:tags` (AWS's 50 per resource minus the program's own). */
export const MAX_USER_TAGS = 40;

export type ParseResult = { ok: true; config: StackConfig } | { ok: false; problems: ConfigProblem[] };

/** Decodes one raw value: JSON objects/arrays are structured config, everything else a string. */
function decode(value: string): unknown {
  const t = value.trim();
  if (t.startsWith("{") || t.startsWith("[")) {
    try {
      return JSON.parse(t);
    } catch {
      return value;
    }
  }
  return value;
}

/** Collects `infrasage:*` keys into one object; `infrasage:network.cidr` (flat, dotted) nests too. */
function collectNamespace(raw: Readonly<Record<string, string>>, problems: ConfigProblem[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [fullKey, value] of Object.entries(raw)) {
    if (!fullKey.startsWith(`${NAMESPACE}:`)) continue;
    const path = fullKey.slice(NAMESPACE.length + 1).split(".");
    let node = out;
    for (const part of path.slice(0, -1)) {
      const next = node[part];
      if (next === undefined) node[part] = {};
      else if (typeof next !== "object" || next === null || Array.isArray(next)) {
        problems.push({ key: fullKey, message: `conflicts with the value of ${NAMESPACE}:${part}`, fix: "set the key once, either nested or dotted" });
        break;
      }
      node = node[part] as Record<string, unknown>;
    }
    const leaf = path[path.length - 1]!;
    const decoded = decode(value);
    const existing = node[leaf];
    if (existing !== undefined && typeof existing === "object" && typeof decoded === "object" && decoded !== null && !Array.isArray(decoded)) {
      node[leaf] = { ...(existing as object), ...(decoded as object) };
    } else if (existing !== undefined) {
      problems.push({ key: fullKey, message: "is set twice (nested and dotted)", fix: "keep only one of the two" });
    } else {
      node[leaf] = decoded;
    }
  }
  return out;
}

function typeName(v: unknown): string {
  return Array.isArray(v) ? "list" : v === null ? "null" : typeof v;
}

function zodProblems(error: z.ZodError, input: Record<string, unknown>): ConfigProblem[] {
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
          fix: guess ? `did you mean ${NAMESPACE}:${[...path, guess].join(".")}?` : `remove it; known keys here: ${known.join(", ")}`,
        });
      }
      continue;
    }
    let value: unknown = input;
    for (const p of path) value = value && typeof value === "object" ? (value as Record<string, unknown>)[p] : undefined;
    if (issue.code === "invalid_type" && value === undefined) {
      problems.push({ key, message: "is required", fix: `set ${key} in the stack file` });
    } else if (issue.code === "invalid_type") {
      // YAML reads `version: 1.30` as the number 1.3: say to quote it.
      const fix = issue.expected === "string" && typeof value === "number" ? `quote it in the stack file, e.g. "${String(value)}"` : `set ${key} to a ${issue.expected}`;
      problems.push({ key, message: `must be a ${issue.expected}, got ${typeName(value)} ${JSON.stringify(value)}`, fix });
    } else if (issue.code === "invalid_value") {
      const allowed = issue.values.map((v) => String(v)).join(" | ");
      problems.push({ key, message: `${JSON.stringify(value)} is not allowed`, fix: `use one of: ${allowed}` });
    } else {
      problems.push({ key, message: `${JSON.stringify(value)} ${issue.message.replace(/^Invalid input: /, "")}`, fix: `correct ${key}` });
    }
  }
  return problems;
}

/** Keys the schema knows at a path (for "did you mean"). */
function knownKeysAt(path: readonly string[]): string[] {
  let schema: unknown = infrasageSchema;
  for (const p of path) {
    const shape = unwrapShape(schema);
    schema = shape?.[p];
  }
  return Object.keys(unwrapShape(schema) ?? {});
}

function unwrapShape(schema: unknown): Record<string, unknown> | undefined {
  let s = schema as { shape?: Record<string, unknown>; unwrap?: () => unknown } | undefined;
  while (s && !s.shape && typeof s.unwrap === "function") s = s.unwrap() as typeof s;
  return s?.shape;
}

/** Parses a stack's raw config. `stack` is the Pulumi stack name. */
export function parseStackConfig(raw: Readonly<Record<string, string>>, stack: string): ParseResult {
  const problems: ConfigProblem[] = [];
  const region = raw["aws:region"];
  const regionInfo = region ? findRegion(region) : undefined;
  if (!region) {
    const typo = Object.keys(raw).find((k) => k.startsWith("aws:") && closest(k.slice(4), ["region"]) === "region");
    problems.push({ key: "aws:region", message: `is required${typo ? ` (${typo} is set: a typo?)` : ""}`, fix: "set aws:region to the stack's region, e.g. eu-west-1" });
  } else if (!regionInfo) {
    problems.push({
      key: "aws:region",
      message: `"${region}" is not a commercial AWS region known to InfraSage`,
      fix: "use a region from policies/shared/regions.ts (e.g. eu-west-1, ap-south-1), or add it there with its jurisdiction",
    });
  }

  const input = collectNamespace(raw, problems);
  const parsed = infrasageSchema.safeParse(input);
  if (!parsed.success) problems.push(...zodProblems(parsed.error, input));
  // Semantic checks still run on the keys that did parse, so one run reports every problem.
  const checkable = parsed.success ? parsed.data : parseWithoutBadKeys(input, parsed.error);
  if (!checkable) return { ok: false, problems };
  const config = resolve(checkable, regionInfo?.code ?? "us-east-1", regionInfo?.jurisdiction ?? "US", stack);
  const semantic = semanticProblems(checkable, config, regionInfo !== undefined);
  problems.push(...semantic.filter((p) => !problems.some((q) => q.key === p.key)));
  return problems.length > 0 || !parsed.success || !regionInfo ? { ok: false, problems } : { ok: true, config };
}

/** Drops every path zod rejected (filling required keys with neutral values) and parses again. */
function parseWithoutBadKeys(input: Record<string, unknown>, error: z.ZodError): InfrasageInput | undefined {
  const copy = structuredClone(input);
  for (const issue of error.issues) {
    const path = issue.path.map(String);
    const [objectPath, keys] = issue.code === "unrecognized_keys" ? [path, issue.keys] : [path.slice(0, -1), path.slice(-1)];
    const target = objectPath.reduce<unknown>((node, p) => (node && typeof node === "object" ? (node as Record<string, unknown>)[p] : undefined), copy);
    if (target && typeof target === "object") for (const k of keys) delete (target as Record<string, unknown>)[k];
  }
  if (typeof copy.tenantId !== "string") copy.tenantId = "placeholder";
  if (!copy.network || typeof copy.network !== "object") copy.network = {};
  const network = copy.network as Record<string, unknown>;
  if (typeof network.cidr !== "string") network.cidr = "10.0.0.0/16";
  const again = infrasageSchema.safeParse(copy);
  return again.success ? again.data : undefined;
}

function resolveChart(c: InfrasageInput): ChartSource {
  const chart = c.chart;
  if (chart?.repo !== undefined || chart?.name !== undefined || chart?.version !== undefined) {
    return { kind: "repo", repo: chart.repo ?? "", name: chart.name ?? "", version: chart.version ?? "" };
  }
  return { kind: "path", path: chart?.path ?? DEFAULT_CHART_PATH };
}

function resolve(c: InfrasageInput, region: string, jurisdiction: StackConfig["jurisdiction"], stack: string): StackConfig {
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
      cidr: c.network.cidr,
      // Default 3, or all of a 2-AZ region's (us-west-1): only an explicit 3 there is an error.
      availabilityZones: (c.network.availabilityZones ?? Math.min(3, Math.max(2, availabilityZonesOf(region).length))) as 2 | 3,
      natGateways: c.network.natGateways ?? profile.natGateways,
    },
    cluster: {
      version: c.cluster?.version ?? DEFAULT_EKS_VERSION,
      publicAccessCidrs: c.cluster?.publicAccessCidrs ?? [],
      adminRoleArns: c.cluster?.adminRoleArns ?? [],
      nodes: {
        instanceTypes: profile.nodeInstanceTypes,
        minSize: profile.nodeMin,
        desiredSize: profile.nodeDesired,
        maxSize: profile.nodeMax,
        diskSizeGiB: profile.nodeDiskGiB,
      },
    },
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
    federation: c.federation && pattern === "hub-spoke"
      ? {
          role: c.federation.role ?? "spoke",
          ...(c.federation.hubStack !== undefined ? { hubStack: c.federation.hubStack } : {}),
          spokes: c.federation.spokes ?? [],
          includeMetadata: c.federation.includeMetadata ?? true,
          includeRawTelemetry: false,
        }
      : undefined,
    replication: pattern === "active-active"
      ? {
          peers: c.replication?.peers ?? [], keeperVoters: c.replication?.keeperVoters ?? 1, witness: c.replication?.witness ?? false,
          ...(c.replication?.acceptRegionLossRisk !== undefined ? { acceptRegionLossRisk: c.replication.acceptRegionLossRisk } : {}),
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
    },
    stateBackend: c.stateBackend ?? "shared",
    links: { via: c.links?.via ?? "stack-reference", regions: c.links?.regions ?? {} },
    tags: {
      Project: "infrasage",
      Tenant: c.tenantId,
      Jurisdiction: jurisdiction,
      Stack: stack,
      ManagedBy: "pulumi",
      ...(c.tags ?? {}),
    },
  };
}

function semanticProblems(c: InfrasageInput, config: StackConfig, regionKnown: boolean): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const add = (key: string, message: string, fix: string) => problems.push({ key: `${NAMESPACE}:${key}`, message, fix });

  if (regionKnown && c.jurisdiction !== undefined && c.jurisdiction.toUpperCase() !== config.jurisdiction) {
    const known = (JURISDICTIONS as readonly string[]).includes(c.jurisdiction.toUpperCase());
    add("jurisdiction", `"${c.jurisdiction}" does not match ${config.region}, which is in ${config.jurisdiction}${known ? "" : ` ("${c.jurisdiction}" is not a known jurisdiction)`}`,
      `set it to ${config.jurisdiction}, remove it, or deploy to a region of ${c.jurisdiction}`);
  }

  const vpc = vpcCidrProblem(c.network.cidr);
  if (vpc) add("network.cidr", vpc.message, vpc.fix);
  const azs = availabilityZonesOf(config.region).length;
  if (regionKnown && config.network.availabilityZones > azs) {
    add("network.availabilityZones", `${config.region} offers only ${azs} availability zones`, `set it to ${azs}`);
  }

  if (!SUPPORTED_EKS_VERSIONS.includes(config.cluster.version)) {
    add("cluster.version", `EKS does not support Kubernetes ${config.cluster.version}`, `use one of ${SUPPORTED_EKS_VERSIONS.join(", ")} (default ${DEFAULT_EKS_VERSION})`);
  }
  config.cluster.publicAccessCidrs.forEach((cidr, i) => {
    const p = publicAccessCidrProblem(cidr);
    if (p) add(`cluster.publicAccessCidrs[${i}]`, p.message, p.fix);
  });

  if (c.chart?.path !== undefined && config.chart.kind === "repo") {
    add("chart", "sets both chart.path and chart.repo/name/version", "use either chart.path, or chart.repo + chart.name + chart.version");
  }
  if (config.chart.kind === "repo") {
    for (const k of ["repo", "name", "version"] as const) {
      if (!config.chart[k]) add(`chart.${k}`, "is required when the chart comes from a repository", `set chart.${k}, or use chart.path for a local chart`);
    }
  }

  if (c.federation?.includeRawTelemetry === true) {
    add("federation.includeRawTelemetry", "true would forward raw telemetry out of the region (ALERT_FORWARD_INCLUDE_RAW_TELEMETRY)",
      "remove it or set it to false: only alert metadata may leave a region");
  }
  if (config.pattern === "hub-spoke") {
    if (!c.federation?.role) add("federation.role", "is required for pattern hub-spoke", "set it to hub or spoke");
    if (c.federation?.role === "spoke" && !c.federation.hubStack) add("federation.hubStack", "is required for a spoke", "set it to the hub's org/project/stack");
    if (c.federation?.role === "hub" && c.federation.hubStack) add("federation.hubStack", "is set on the hub itself", "remove it: only spokes point at a hub");
    // Pattern 2 allowlist: only the hub lists spokes; each spoke's credential is named by its stack name.
    const spokes = c.federation?.spokes ?? [];
    if (c.federation?.role !== "hub" && spokes.length > 0) add("federation.spokes", "is set on a spoke", "remove it: only the hub lists its spokes");
    const spokeStacks = spokes.map((s) => s.split("/")[2]);
    const twice = spokes.filter((_, i) => spokeStacks.indexOf(spokeStacks[i]) !== i);
    if (twice.length) add("federation.spokes", `lists stack name(s) ${twice.join(", ")} more than once (credentials are named by stack)`, "list each spoke stack once");
    if (c.federation?.role === "hub" && spokeStacks.includes(config.stack)) add("federation.spokes", `lists the hub itself (${config.stack})`, "remove it: the hub's own alerts stay local");
  } else if (c.federation !== undefined && c.federation.includeRawTelemetry !== true) {
    add("federation", `is set but pattern is ${config.pattern}`, "set infrasage:pattern to hub-spoke, or remove federation");
  }

  if (config.pattern === "active-active") {
    if (!c.replication?.peers?.length) add("replication.peers", "is required for pattern active-active", "list the org/project/stack of every other member of the replication group");
    const self = c.replication?.peers?.find((p) => p.split("/")[2] === config.stack);
    if (self) add("replication.peers", `lists this stack itself (${self})`, "list only the other members");
    const dupes = (c.replication?.peers ?? []).filter((p, i, all) => all.indexOf(p) !== i);
    if (dupes.length) add("replication.peers", `lists ${dupes.join(", ")} twice`, "list each peer once");
    // Active-active: the stack name is part of every Keeper/ClickHouse host name (keeper-0.<stack>.infrasage.internal).
    if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(config.stack)) add("replication", `stack name "${config.stack}" is not a DNS label`, "name active-active stacks with lowercase letters, digits and '-' (e.g. eu-west-1)");
    if (c.replication?.witness === true && config.replication?.keeperVoters === 0) add("replication.keeperVoters", "is 0 on a witness, which exists only to run Keeper voters", "set it to 1 (or more), or remove replication.witness");
  } else if (c.replication !== undefined) {
    add("replication", `is set but pattern is ${config.pattern}`, "set infrasage:pattern to active-active, or remove replication");
  }

  // Shared Grafana (lib/grafana.ts): the host (mode local) lists sources; a shared stack names its host.
  const g = config.grafana;
  if (g.mode === "shared" && !g.hostStack) add("grafana.hostStack", "is required when grafana.mode is shared", "set it to the org/project/stack whose Grafana reads this stack's Prometheus");
  if (g.hostStack && g.mode !== "shared") add("grafana.hostStack", `is set but grafana.mode is ${g.mode}`, "set grafana.mode to shared, or remove grafana.hostStack");
  if (g.sources && g.mode !== "local") add("grafana.sources", `is set but grafana.mode is ${g.mode} (no Grafana runs here)`, "list sources on the stack that runs Grafana (mode local)");
  const grafanaRefs = [...(g.sources ?? []), ...(g.hostStack ? [g.hostStack] : [])];
  if (grafanaRefs.some((r) => r.split("/")[2] === config.stack)) add(g.hostStack ? "grafana.hostStack" : "grafana.sources", `names this stack itself (${config.stack})`, "name only other stacks");
  const twiceG = (g.sources ?? []).filter((r, i, all) => all.indexOf(r) !== i);
  if (twiceG.length) add("grafana.sources", `lists ${twiceG.join(", ")} twice`, "list each source once");

  // Deploy path: each kind of runner takes only its own keys; a self-hosted runner's ranges are private.
  const d = c.deploy ?? {};
  const kind = config.deploy.runner;
  const onlyFor: Record<string, string> = { repository: "codebuild", connectionArn: "codebuild", runnerLabel: "self-hosted", runnerCidrs: "self-hosted" };
  for (const [k, runner] of Object.entries(onlyFor)) {
    if ((d as Record<string, unknown>)[k] !== undefined && kind !== runner) add(`deploy.${k}`, `is set but deploy.runner is ${kind}`, `remove it, or set deploy.runner to ${runner}`);
  }
  config.deploy.runnerCidrs.forEach((cidr, i) => {
    const p = runnerCidrProblem(cidr);
    if (p) add(`deploy.runnerCidrs[${i}]`, p.message, p.fix);
  });

  // Links through published contracts are read in the other stack's region: it must be known.
  if (config.links.via === "ssm") {
    for (const ref of stackReferencesOf(config).filter((r) => !r.key.startsWith("replication."))) {
      if (!regionOfRef(ref.ref, config.links)) {
        add(`links.regions.${ref.stack}`, `is needed: ${ref.key} names ${ref.ref}, whose link contract is read in its region, and "${ref.stack}" is not a region name`, `set infrasage:links.regions.${ref.stack} to the region that stack is deployed in`);
      }
    }
  }
  // Links: a region named for a linked stack must be one we know.
  for (const [stack, region] of Object.entries(config.links.regions)) {
    if (!findRegion(region)) add(`links.regions.${stack}`, `"${region}" is not a commercial AWS region known to InfraSage`, "give the region the linked stack is deployed in, e.g. eu-west-1");
  }

  // Runbook scope (lib/runbook-access.ts): no system namespaces, not InfraSage's own, no duplicates.
  for (const p of namespaceScopeProblems(config.runbooks.namespaceScope)) add("runbooks.namespaceScope", p.message, p.fix);

  // AWS allows 50 tags per resource; the program adds 5 defaults and up to 5 of its own (Name,
  // subnet discovery, link purpose/flow). Rejected here, not half-way through `pulumi up`.
  const tagCount = Object.keys(c.tags ?? {}).length;
  if (tagCount > MAX_USER_TAGS) add("tags", `has ${tagCount} tags; with the program's own, resources would exceed AWS's 50`, `keep at most ${MAX_USER_TAGS}`);
  for (const [k, v] of Object.entries(c.tags ?? {})) {
    if (k.length > 128 || k.toLowerCase().startsWith("aws:")) add(`tags.${k}`, "is not a valid AWS tag key (max 128 chars, no aws: prefix)", "rename the tag");
    if (v.length > 256) add(`tags.${k}`, "value is longer than 256 characters (AWS tag limit)", "shorten the value");
  }
  return problems;
}
