/**
 * Kubernetes objects of one stack's ClickHouse Keeper voters, as plain data (pure): namespace,
 * ConfigMap, headless Service, StatefulSet and PodDisruptionBudget. components/replication/keeper.ts only
 * turns them into resources; tests validate each one with kubernetes-models.
 *
 * Stable cross-region address per member: the pod IP (VPC CNI: pods have VPC addresses, routed
 * over the peering) published as `keeper-<ordinal>.<stack>.infrasage.internal` in the stack's
 * Route 53 private zone by ExternalDNS from the headless Service. The Service publishes not-ready
 * addresses, so every member's name resolves before it is ready (raft bootstrap needs that).
 */
import { IMAGES } from "../charts/pinned-versions";
import { NAMESPACE_POD_SECURITY, podSecurityLabels } from "../isolation/isolation";
import { KEEPER_DATA_DIR, KEEPER_SERVER_ID_ENV, KEEPER_TLS_DIR } from "./clickhouse-xml";
import { KEEPER_STATEFULSET_NAME, keeperBaseId, zoneNameFor } from "./keeper-plan";
import { PORTS } from "../../policies/shared/ports";

/** Pinned Keeper image (25.8 LTS). */
export const KEEPER_IMAGE = IMAGES.keeper;
export const KEEPER_NAMESPACE = "clickhouse-keeper";
const KEEPER_CONFIG_DIR = "/etc/clickhouse-keeper";
/** Operator-provided Secret (tls.crt, tls.key, ca.crt), e.g. a cert-manager Certificate. */
export const KEEPER_TLS_SECRET = "keeper-tls";
/** uid/gid the official image runs Keeper as. */
const CLICKHOUSE_UID = 101;
const ZONE_KEY = "topology.kubernetes.io/zone";
/** Pod label the StatefulSet controller sets to the pod's ordinal (Kubernetes >= 1.28). */
export const POD_INDEX_LABEL = "apps.kubernetes.io/pod-index";
export const EXTERNAL_DNS_HOSTNAME_ANNOTATION = "external-dns.alpha.kubernetes.io/hostname";
export const EXTERNAL_DNS_TTL_ANNOTATION = "external-dns.alpha.kubernetes.io/ttl";
/** Seconds resolvers cache a member's record: a rescheduled pod's new IP is seen quickly. */
export const MEMBER_RECORD_TTL = "10";

export interface KeeperManifestInput {
  /** Stack name: names the Route 53 zone and the server-id base. */
  readonly stack: string;
  /** Voters of this stack (StatefulSet replicas once the group is complete). */
  readonly voters: number;
  /** Number of AZs the voters are spread over. */
  readonly availabilityZoneCount: number;
  /** StorageClass of the PVCs (a Retain class). */
  readonly storageClassName: string;
  /** keeper_config.xml (buildKeeperXml). */
  readonly configXml: string;
  /**
   * Voters running now (StatefulSet replicas): 0 until the group first completed, so no member ever
   * starts with a partial raft_configuration; then the voters the raft_configuration holds.
   * @default voters
   */
  readonly runningVoters?: number;
  /** Volume size. @default "10Gi" */
  readonly volumeSize?: string;
  /** Namespace. @default KEEPER_NAMESPACE */
  readonly namespace?: string;
  /** TLS Secret name. @default KEEPER_TLS_SECRET */
  readonly tlsSecretName?: string;
}

/**
 * Kubernetes' recommended labels only (pulumi/compliance-policies configure-recommended-labels); the stack is an
 * annotation.
 */
const labelsOf = () => ({
  "app.kubernetes.io/name": "clickhouse-keeper",
  "app.kubernetes.io/instance": KEEPER_STATEFULSET_NAME,
  "app.kubernetes.io/part-of": "infrasage",
  "app.kubernetes.io/managed-by": "pulumi",
});
/** Which stack's voters these are (an annotation, not a label: nothing selects on it). */
const STACK_ANNOTATION = "infrasage.io/stack";

export function keeperManifests(input: KeeperManifestInput) {
  const namespace = input.namespace ?? KEEPER_NAMESPACE;
  const name = KEEPER_STATEFULSET_NAME;
  const labels = labelsOf();
  const annotations = { [STACK_ANNOTATION]: input.stack };
  const selector = {
    matchLabels: { "app.kubernetes.io/name": labels["app.kubernetes.io/name"], "app.kubernetes.io/instance": name },
  };
  const azs = Math.max(1, input.availabilityZoneCount);
  const zoneTerm = { labelSelector: selector, topologyKey: ZONE_KEY };
  const ports = [
    { name: "client-tls", port: PORTS.keeperClientTls },
    { name: "raft", port: PORTS.keeperRaft },
  ];
  return {
    namespace: {
      metadata: { name: namespace, labels: { ...labels, ...podSecurityLabels(NAMESPACE_POD_SECURITY.keeper) } },
    },
    configMap: {
      metadata: { name: `${name}-config`, namespace, labels, annotations },
      // Mounted as a directory (not subPath), so membership changes reach running members.
      data: { "keeper_config.xml": input.configXml },
    },
    service: {
      metadata: {
        name,
        namespace,
        labels,
        annotations: {
          ...annotations,
          [EXTERNAL_DNS_HOSTNAME_ANNOTATION]: zoneNameFor(input.stack),
          [EXTERNAL_DNS_TTL_ANNOTATION]: MEMBER_RECORD_TTL,
        },
      },
      spec: {
        clusterIP: "None",
        // Peers must resolve before they are ready, else raft bootstrap deadlocks.
        publishNotReadyAddresses: true,
        selector: selector.matchLabels,
        ports: ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.name, protocol: "TCP" })),
      },
    },
    statefulSet: {
      metadata: { name, namespace, labels, annotations },
      spec: {
        serviceName: name,
        replicas: input.runningVoters ?? input.voters,
        // All voters start together: OrderedReady would wait for keeper-0's readiness, which needs quorum.
        podManagementPolicy: "Parallel",
        updateStrategy: { type: "RollingUpdate" },
        persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
        selector,
        template: {
          metadata: { labels, annotations },
          spec: {
            // Keeper never calls the Kubernetes API (CIS EKS 4.1.6).
            automountServiceAccountToken: false,
            securityContext: {
              runAsNonRoot: true,
              runAsUser: CLICKHOUSE_UID,
              runAsGroup: CLICKHOUSE_UID,
              fsGroup: CLICKHOUSE_UID,
              seccompProfile: { type: "RuntimeDefault" },
            },
            terminationGracePeriodSeconds: 60,
            affinity: {
              podAntiAffinity:
                input.voters <= azs
                  ? { requiredDuringSchedulingIgnoredDuringExecution: [zoneTerm] }
                  : { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: zoneTerm }] },
            },
            // Round-robin over the AZs (what lib/replication/quorum.ts assumes), even while an AZ has no node.
            topologySpreadConstraints: [
              {
                maxSkew: 1,
                minDomains: azs,
                topologyKey: ZONE_KEY,
                whenUnsatisfiable: "DoNotSchedule",
                labelSelector: selector,
              },
            ],
            containers: [
              {
                name: "keeper",
                image: KEEPER_IMAGE,
                command: ["clickhouse-keeper", `--config-file=${KEEPER_CONFIG_DIR}/keeper_config.xml`],
                env: [
                  {
                    name: "KEEPER_POD_INDEX",
                    valueFrom: { fieldRef: { fieldPath: `metadata.labels['${POD_INDEX_LABEL}']` } },
                  },
                  // id = base * 10 + ordinal (lib/replication/keeper-plan.ts keeperServerId), composed without
                  // arithmetic.
                  { name: KEEPER_SERVER_ID_ENV, value: `${keeperBaseId(input.stack)}$(KEEPER_POD_INDEX)` },
                ],
                ports: ports.map((p) => ({ name: p.name, containerPort: p.port, protocol: "TCP" })),
                readinessProbe: { tcpSocket: { port: "client-tls" }, periodSeconds: 10, failureThreshold: 3 },
                livenessProbe: {
                  tcpSocket: { port: "raft" },
                  initialDelaySeconds: 30,
                  periodSeconds: 20,
                  failureThreshold: 6,
                },
                resources: { requests: { cpu: "250m", memory: "512Mi" }, limits: { memory: "1Gi" } },
                securityContext: {
                  allowPrivilegeEscalation: false,
                  readOnlyRootFilesystem: true,
                  capabilities: { drop: ["ALL"] },
                },
                volumeMounts: [
                  { name: "data", mountPath: KEEPER_DATA_DIR },
                  // The only other place Keeper writes (logs go to the console, lib/replication/clickhouse-xml.ts).
                  { name: "tmp", mountPath: "/tmp" },
                  { name: "config", mountPath: KEEPER_CONFIG_DIR, readOnly: true },
                  { name: "tls", mountPath: KEEPER_TLS_DIR, readOnly: true },
                ],
              },
            ],
            volumes: [
              { name: "tmp", emptyDir: { sizeLimit: "64Mi" } },
              { name: "config", configMap: { name: `${name}-config` } },
              { name: "tls", secret: { secretName: input.tlsSecretName ?? KEEPER_TLS_SECRET } },
            ],
          },
        },
        volumeClaimTemplates: [
          {
            metadata: { name: "data", labels },
            spec: {
              accessModes: ["ReadWriteOnce"],
              storageClassName: input.storageClassName,
              resources: { requests: { storage: input.volumeSize ?? "10Gi" } },
            },
          },
        ],
      },
    },
    podDisruptionBudget: {
      metadata: { name, namespace, labels, annotations },
      spec: { maxUnavailable: 1, selector },
    },
  };
}

export type KeeperManifests = ReturnType<typeof keeperManifests>;
