/**
 * Pattern 3 objects beside the InfraSage chart (pure): the Secret name of the group's interserver
 * password and the headless Service that publishes this region's ClickHouse replica as
 * `clickhouse.<stack>.infrasage.internal` (ExternalDNS -> pod IP, routable over the peering; it
 * resolves to the pod's own address locally too, so ClickHouse finds itself in remote_servers).
 */
import { EXTERNAL_DNS_HOSTNAME_ANNOTATION, EXTERNAL_DNS_TTL_ANNOTATION, MEMBER_RECORD_TTL } from "./keeper-manifests";
import { clickhouseHostname } from "./keeper-plan";
import { CLICKHOUSE_POD_LABELS } from "../charts/chart-contract";
import { PORTS } from "../../policies/shared/ports";

/** Secret (in the release namespace) holding the interserver password under INTERSERVER_SECRET_KEY. */
export const INTERSERVER_SECRET_NAME = "clickhouse-interserver";
export const INTERSERVER_SECRET_KEY = "password";
/** Operator-provided TLS Secret of ClickHouse (tls.crt, tls.key, ca.crt), in the release namespace. */
export const CLICKHOUSE_TLS_SECRET = "clickhouse-tls";

/** Headless Service publishing the replica's pod IP under its stable cross-region name. */
export function clickhouseReplicaService(stack: string, namespace: string) {
  return {
    metadata: {
      name: "clickhouse-replica",
      namespace,
      labels: { "app.kubernetes.io/part-of": "infrasage", "app.kubernetes.io/managed-by": "pulumi" },
      annotations: {
        "infrasage.io/stack": stack,
        [EXTERNAL_DNS_HOSTNAME_ANNOTATION]: clickhouseHostname(stack),
        [EXTERNAL_DNS_TTL_ANNOTATION]: MEMBER_RECORD_TTL,
      },
    },
    spec: {
      clusterIP: "None",
      publishNotReadyAddresses: true,
      selector: { ...CLICKHOUSE_POD_LABELS },
      ports: [
        { name: "native-tls", port: PORTS.clickhouseNativeTls, targetPort: PORTS.clickhouseNativeTls, protocol: "TCP" },
        {
          name: "interserver-tls",
          port: PORTS.clickhouseInterserverTls,
          targetPort: PORTS.clickhouseInterserverTls,
          protocol: "TCP",
        },
      ],
    },
  };
}
