/**
 * The schema's output -> a fully-defaulted StackConfig: what a stack file leaves out comes from its
 * scale profile, its region and the program's pins (the EKS version, the local chart, the program's
 * tags). Pure; the capabilities' rules then judge the result.
 */
import { availabilityZonesOf, type Jurisdiction } from "../../policies/shared/regions";
import { CONTROL_PLANE_LOG_TYPES } from "../../policies/shared/eks";
import { PROGRAM_TAG } from "../aws/program-tag";
import { DEFAULT_EKS_VERSION } from "../cluster/eks-versions";
import { HOURS_PER_MONTH, pricesFor } from "../cost/prices";
import { autoEndpoints, type EndpointService } from "../network/endpoints-plan";
import { DEFAULT_AMI_TYPE, profileNodeGroup, type NodeGroupConfig } from "../nodes/node-groups";
import { SCALE_PROFILES, type ScaleProfile, type ScaleProfileName } from "../profiles/profiles";
import type { InfrasageInput } from "./schema";
import type { ChartSource, Pattern, StackConfig } from "./types";

const DEFAULT_CHART_PATH = "./infrasage-chart";

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

/**
 * `network.endpoints`: a list as given, `auto` priced for the region and profile; none in an existing VPC by default.
 */
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

/** `c` with every default filled in, for `stack` in `region` (of `jurisdiction`). */
export function applyDefaults(
  c: InfrasageInput,
  region: string,
  jurisdiction: Jurisdiction,
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
