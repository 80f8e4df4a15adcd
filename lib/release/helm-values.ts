/**
 * Helm values of the InfraSage chart and the StorageClass its volumes use, as plain data.
 * Pure: no Pulumi import. `components/release/infrasage-release.ts` only turns these into resources.
 * Where the seed (values-eu.yaml) names a key, the key and its value are reproduced exactly.
 */
import type { StackConfig } from "../config/types";
import type { AlertmanagerReceiver, FederationValues, SecretEnvVar } from "../federation/federation";
import { CLICKHOUSE_CLUSTER, CLICKHOUSE_TLS_DIR, INTERSERVER_PASSWORD_ENV } from "../replication/clickhouse-xml";
import type { RunbookAccessValues } from "../runbooks/runbook-access";
import { grafanaValues, type GrafanaDatasource, type GrafanaValues } from "../grafana/grafana";
import { HOST_REGIONS_VALUES_KEY } from "../../policies/shared/host-regions";

/**
 * Helm release name (lib/charts/chart-contract.ts). The gateway Service `<release>-gateway` is what INGESTION_ENDPOINT
 * points at.
 */
export { INFRASAGE_RELEASE_NAME } from "../charts/chart-contract";

/** Key, inside the API key Secret, that holds the key (chart's `apiKey.existingSecretKey`). */
export const API_KEY_SECRET_KEY = "api-key";

/** Environment variables of one chart component. */
type EnvVars = Readonly<Record<string, string>>;

/** What the values are computed from: a slice of StackConfig plus wiring the component supplies. */
export interface HelmValuesInput
  extends Pick<
    StackConfig,
    | "tenantId"
    | "region"
    | "jurisdiction"
    | "ingestionGateway"
    | "clickhouse"
    | "kafka"
    | "mlEngine"
    | "grafana"
    | "runbooks"
  > {
  /** Name of the Kubernetes Secret holding the API key (the key itself never enters the values). */
  readonly apiKeySecretName: string;
  /**
   * Additional AIops Engine env (ALERT_FORWARD_*, CLICKHOUSE_* from the other patterns).
   * May not redefine a variable this module sets.
   * @default {}
   */
  readonly extraAiopsEnv?: EnvVars;
  /**
   * Pattern 2 (hub-and-spoke alert federation, lib/federation/federation.ts hubValues / spokeValues). Not named
   * `federation`: StackConfig has that key (the config), and configs are spread into this input.
   * @default none (no forwarding, no receiver)
   */
  readonly alertFederation?: FederationValues;
  /**
   * Pattern 3 (active-active ClickHouse replication, lib/replication/clickhouse-xml.ts). Only once the whole
   * replication group is known; until then the release runs as in pattern 1.
   * @default none (no replication)
   */
  readonly clickhouseReplication?: ClickHouseReplicationInput;
  /**
   * Runbook identity (lib/runbooks/runbook-access.ts runbookAccessValues): KUBERNETES_KUBECONFIG, the
   * ServiceAccount and the kubeconfig mount. Only with a non-empty runbooks.namespaceScope.
   * @default none (no runbook access: neither env nor mount)
   */
  readonly runbookAccess?: RunbookAccessValues;
  /**
   * Host of a shared Grafana (lib/grafana/grafana.ts grafanaDatasources): one Prometheus datasource per
   * ready source region. Only with grafana.mode local.
   * @default none (Grafana shows this region only)
   */
  readonly grafanaDatasources?: readonly GrafanaDatasource[];
}

/** Pattern 3 inputs of the values: the generated XML and the Secrets it needs (names only). */
interface ClickHouseReplicationInput {
  /** config.d fragment from buildClickHouseReplicationXml. */
  readonly configXml: string;
  /** Secret (and key) holding the group's interserver password. */
  readonly interserverSecret: { readonly name: string; readonly key: string };
  /** Operator-provided Secret with tls.crt, tls.key and ca.crt of the group's CA (cert-manager format). */
  readonly tlsSecretName: string;
  /**
   * Region of every replication host (replicationHostRegions), for the policy pack; the chart ignores it.
   * @default none (then every host name must carry its region code)
   */
  readonly hostRegions?: Readonly<Record<string, string>>;
}

/** Env InfraSage gets in pattern 3 (seed: "Set in InfraSage"). */
interface ReplicationEnv {
  readonly CLICKHOUSE_CLUSTER: string;
  readonly CLICKHOUSE_REPLICATION_ENABLED: "true";
}

/** `clickhouse.replication` values: what the chart mounts into ClickHouse for pattern 3. */
interface ClickHouseReplicationValues {
  readonly enabled: true;
  readonly cluster: string;
  /** Files the chart writes to ClickHouse's config.d (file name -> XML). */
  readonly configOverrides: Readonly<Record<string, string>>;
  /** ClickHouse env read from Secrets (the interserver password the XML reads with from_env). */
  readonly extraEnv: readonly SecretEnvVar[];
  /** TLS Secret and where the chart mounts it (the XML's openSSL paths). */
  readonly tls: { readonly existingSecret: string; readonly mountPath: string };
  /**
   * host -> region of the hosts the XML names, read by the policy pack (HOST_REGIONS_VALUES_KEY); omitted when not
   * given.
   */
  readonly hostRegions?: Readonly<Record<string, string>>;
}

interface PersistenceValues {
  readonly storageClass: string;
  readonly size: string;
}

/** The values passed to the chart. Only keys the chart reads; nothing secret. */
export interface InfraSageValues {
  readonly global: { readonly labels: EnvVars };
  readonly ingestionGateway: {
    readonly replicaCount: number;
    readonly env: { readonly TENANT_ID: string; readonly REGION: string } & Partial<ReplicationEnv>;
  };
  readonly aiopsEngine: {
    readonly env: EnvVars;
    /** Env read from Secrets (pattern 2 credentials); omitted when empty. */
    readonly extraEnv?: readonly SecretEnvVar[];
    /** Runbooks: run as the runbook ServiceAccount (created outside the chart); omitted without runbooks. */
    readonly serviceAccount?: RunbookAccessValues["serviceAccount"];
    /** Runbooks: the kubeconfig Secret the chart mounts; omitted without runbooks. */
    readonly kubeconfig?: RunbookAccessValues["kubeconfig"];
  };
  /** Alertmanager receivers (pattern 2 hub); omitted when there are none. */
  readonly alertmanager?: { readonly config: { readonly receivers: readonly AlertmanagerReceiver[] } };
  readonly apiKey: { readonly existingSecret: string; readonly existingSecretKey: string };
  readonly clickhouse: { readonly persistence: PersistenceValues; readonly replication?: ClickHouseReplicationValues };
  readonly kafka: { readonly replicaCount: number; readonly persistence: PersistenceValues };
  readonly mlEngine: { readonly replicaCount: number };
  readonly grafana: GrafanaValues;
}

/** AIops Engine env this module owns; `extraAiopsEnv` may not override them. */
const OWNED_AIOPS_ENV = ["KUBERNETES_NAMESPACE_SCOPE", "KUBERNETES_KUBECONFIG"] as const;

/** Pattern 3: the replication values and env, or nothing. */
function replicationValues(input: ClickHouseReplicationInput | undefined): {
  env: Partial<ReplicationEnv>;
  values?: ClickHouseReplicationValues;
} {
  if (!input) return { env: {} };
  return {
    env: { CLICKHOUSE_CLUSTER, CLICKHOUSE_REPLICATION_ENABLED: "true" },
    values: {
      enabled: true,
      cluster: CLICKHOUSE_CLUSTER,
      configOverrides: { "infrasage-replication.xml": input.configXml },
      extraEnv: [
        {
          name: INTERSERVER_PASSWORD_ENV,
          valueFrom: { secretKeyRef: { name: input.interserverSecret.name, key: input.interserverSecret.key } },
        },
      ],
      tls: { existingSecret: input.tlsSecretName, mountPath: CLICKHOUSE_TLS_DIR },
      ...(input.hostRegions ? { [HOST_REGIONS_VALUES_KEY]: { ...input.hostRegions } } : {}),
    },
  };
}

export function buildHelmValues(input: HelmValuesInput): InfraSageValues {
  const extra = input.extraAiopsEnv ?? {};
  const clashes = OWNED_AIOPS_ENV.filter((k) => k in extra);
  if (clashes.length > 0) {
    throw new Error(`extraAiopsEnv may not set ${clashes.join(", ")}: it is derived from the stack config`);
  }
  // --- Pattern 2: hub-and-spoke alert federation -------------------------------------------------
  const federationEnv = input.alertFederation?.aiopsEnv ?? {};
  const federationClashes = Object.keys(federationEnv).filter(
    (k) => k in extra || (OWNED_AIOPS_ENV as readonly string[]).includes(k),
  );
  if (federationClashes.length > 0) {
    throw new Error(
      `federation env ${federationClashes.join(", ")} is also set elsewhere: each variable has one source`,
    );
  }
  const secretEnv = input.alertFederation?.aiopsSecretEnv ?? [];
  const receivers = input.alertFederation?.alertmanagerReceivers ?? [];
  const aiopsEnv: Record<string, string> = {};
  // Seed: KUBERNETES_NAMESPACE_SCOPE=infra,payments,auth. Omitted when empty so the chart's own
  // default (no runbook access) applies rather than an empty, ambiguous scope.
  if (input.runbooks.namespaceScope.length > 0) {
    aiopsEnv.KUBERNETES_NAMESPACE_SCOPE = input.runbooks.namespaceScope.join(",");
  }
  // --- Runbooks: seed KUBERNETES_KUBECONFIG=/etc/kubeconfig/<cluster>.yaml (lib/runbooks/runbook-access.ts) ---
  const runbook = input.runbookAccess;
  if (runbook && input.runbooks.namespaceScope.length === 0) {
    throw new Error("runbookAccess is set but runbooks.namespaceScope is empty: no scope means no runbook identity");
  }
  if (runbook) aiopsEnv.KUBERNETES_KUBECONFIG = runbook.kubeconfigPath;
  // --- Pattern 3: active-active ClickHouse replication --------------------------------------------
  const replication = replicationValues(input.clickhouseReplication);
  const replicationClashes = Object.keys(replication.env).filter((k) => k in extra || k in federationEnv);
  if (replicationClashes.length > 0) {
    throw new Error(
      `${replicationClashes.join(", ")} set in extra env too: with ` +
        `clickhouseReplication they come from the replication config only`,
    );
  }
  Object.assign(aiopsEnv, replication.env);
  const storageClass = input.clickhouse.storageClass;
  return {
    // Labels let the policy pack and operators see where a pod's data belongs.
    global: {
      labels: {
        "infrasage.io/tenant": input.tenantId,
        "infrasage.io/region": input.region,
        "infrasage.io/jurisdiction": input.jurisdiction,
      },
    },
    ingestionGateway: {
      replicaCount: input.ingestionGateway.replicaCount,
      env: { TENANT_ID: input.tenantId, REGION: input.region, ...replication.env },
    },
    aiopsEngine: {
      env: { ...aiopsEnv, ...extra, ...federationEnv },
      ...(secretEnv.length > 0 ? { extraEnv: secretEnv } : {}),
      ...(runbook ? { serviceAccount: runbook.serviceAccount, kubeconfig: runbook.kubeconfig } : {}),
    },
    ...(receivers.length > 0 ? { alertmanager: { config: { receivers } } } : {}),
    apiKey: { existingSecret: input.apiKeySecretName, existingSecretKey: API_KEY_SECRET_KEY },
    clickhouse: {
      persistence: { storageClass, size: input.clickhouse.size },
      ...(replication.values ? { replication: replication.values } : {}),
    },
    // Kafka shares the class: one encrypted, region-pinned gp3 class for every volume.
    kafka: {
      replicaCount: input.kafka.replicaCount,
      persistence: { storageClass, size: input.kafka.size },
    },
    // Seed cost advice: "disable ML Engine replicas" -> scale to 0 rather than drop the component.
    mlEngine: { replicaCount: input.mlEngine.enabled ? input.mlEngine.replicaCount : 0 },
    // Shared Grafana (lib/grafana/grafana.ts): on only in local mode, admin from a Secret, extra datasources.
    grafana: grafanaValues(input.grafana.mode, input.grafanaDatasources),
  };
}

/** One `matchLabelExpressions` entry of a StorageClass topology term. */
interface TopologyRequirement {
  readonly key: string;
  readonly values: readonly string[];
}

/** A `storage.k8s.io/v1` StorageClass without apiVersion/kind, as plain data. */
export interface StorageClassSpec {
  readonly metadata: { readonly name: string };
  readonly provisioner: "ebs.csi.aws.com";
  readonly parameters: { readonly type: "gp3"; readonly encrypted: "true" };
  readonly volumeBindingMode: "WaitForFirstConsumer";
  readonly reclaimPolicy: "Retain";
  readonly allowVolumeExpansion: true;
  readonly allowedTopologies: readonly { readonly matchLabelExpressions: readonly TopologyRequirement[] }[];
}

/**
 * Topology key used to pin volumes. The EBS CSI node plugin reports only zone segments
 * (`topology.ebs.csi.aws.com/zone` and, since v1.x, the well-known `topology.kubernetes.io/zone`,
 * plus `kubernetes.io/os`), never a region: a `topology.kubernetes.io/region` term is not a CSI
 * segment and makes the external-provisioner fail ("error generating accessibility requirements").
 * Listing the region's AZs under the well-known zone key restricts volumes to the region.
 */
export const EBS_TOPOLOGY_ZONE_KEY = "topology.kubernetes.io/zone";

/**
 * StorageClass for ClickHouse and Kafka volumes: gp3, encrypted, created in the consuming pod's AZ,
 * kept on release deletion (telemetry is the product), and only in AZs of `region`.
 * Throws when `azs` is empty or names an AZ outside `region`.
 */
export function buildStorageClassSpec(region: string, name: string, azs: readonly string[]): StorageClassSpec {
  if (azs.length === 0) throw new Error(`storage class ${name}: no availability zones given for ${region}`);
  // Syntax, not the regions table: accounts may see AZ letters the table does not list.
  const foreign = azs.filter((az) => !(az.startsWith(region) && /^[a-z]$/.test(az.slice(region.length))));
  if (foreign.length > 0) {
    throw new Error(
      `storage class ${name}: ${foreign.join(", ")} not AZ(s) of ${region} (expected ${region}a, ${region}b, ...)`,
    );
  }
  return {
    metadata: { name },
    provisioner: "ebs.csi.aws.com",
    parameters: { type: "gp3", encrypted: "true" },
    // The volume is created in the AZ the scheduler picked for the pod, never a random one.
    volumeBindingMode: "WaitForFirstConsumer",
    reclaimPolicy: "Retain",
    allowVolumeExpansion: true,
    allowedTopologies: [{ matchLabelExpressions: [{ key: EBS_TOPOLOGY_ZONE_KEY, values: [...new Set(azs)] }] }],
  };
}
