/**
 * Every port InfraSage and its data stores listen on: one table shared by the security groups,
 * the Helm values, the ClickHouse/Keeper XML, the policy pack and the tests.
 */
export const PORTS = {
  /** Ingestion Gateway HTTP (services -> local gateway, seed: INFRASAGE_ENDPOINT). */
  ingestionGateway: 8080,
  /** AIops Engine HTTP; the hub's alert webhook lives here behind the internal LB. */
  aiopsEngine: 8080,
  /**
   * Hub alert webhook as exposed by the hub's internal load balancer (pattern 2): TLS with mutual
   * authentication, passed through to the hub's link tunnel (lib/links/link-tls.ts), never plain HTTP.
   */
  alertWebhook: 8443,
  /** ClickHouse native protocol (remote_servers replicas). */
  clickhouseNative: 9000,
  /** ClickHouse native protocol over TLS. */
  clickhouseNativeTls: 9440,
  /** ClickHouse HTTP interface. */
  clickhouseHttp: 8123,
  /** ClickHouse interserver (replication fetches), plain. */
  clickhouseInterserver: 9009,
  /** ClickHouse interserver over TLS: the only interserver port opened across regions. */
  clickhouseInterserverTls: 9010,
  /** ClickHouse Keeper client port. */
  keeperClient: 9181,
  /** ClickHouse Keeper client port over TLS. */
  keeperClientTls: 9281,
  /** ClickHouse Keeper raft (member <-> member). */
  keeperRaft: 9234,
  /** Kafka broker. */
  kafka: 9092,
  /** Prometheus HTTP API inside the cluster (the chart's Service). */
  prometheus: 9090,
  /**
   * Prometheus as exposed by a shared-Grafana source's internal load balancer: TLS with mutual
   * authentication, passed through to the source's link tunnel (lib/links/link-tls.ts).
   */
  metricsLink: 9443,
  /** Grafana UI. */
  grafana: 3000,
} as const;

/** Ports that carry raw telemetry or replicated data: never open to 0.0.0.0/0. */
export const DATA_PORTS: readonly number[] = [
  PORTS.ingestionGateway,
  PORTS.clickhouseNative,
  PORTS.clickhouseNativeTls,
  PORTS.clickhouseHttp,
  PORTS.clickhouseInterserver,
  PORTS.clickhouseInterserverTls,
  PORTS.keeperClient,
  PORTS.keeperClientTls,
  PORTS.keeperRaft,
  PORTS.kafka,
];

/** Ports a replication peer may open to another member of its group (TLS only across regions). */
export const REPLICATION_PORTS: readonly number[] = [
  PORTS.clickhouseNativeTls,
  PORTS.clickhouseInterserverTls,
  PORTS.keeperClientTls,
  PORTS.keeperRaft,
];

/** Ports opened to and from a Keeper-only witness member: it runs no ClickHouse. */
export const KEEPER_PORTS: readonly number[] = [PORTS.keeperClientTls, PORTS.keeperRaft];

/** Kubernetes namespace of the InfraSage release. */
export const INFRASAGE_NAMESPACE = "infrasage";

/** In-cluster address of the local Ingestion Gateway (seed: service discovery). */
export const INGESTION_ENDPOINT =
  `http://infrasage-gateway.${INFRASAGE_NAMESPACE}` + `.svc.cluster.local:${PORTS.ingestionGateway}`;
