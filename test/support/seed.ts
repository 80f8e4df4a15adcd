/** The seed's values-eu.yaml install (medium profile, acme-eu in eu-west-1), shared by the Helm tests. */
import type { HelmValuesInput } from "../../lib/release/helm-values";

export const SEED_EU: Omit<HelmValuesInput, "apiKeySecretName"> = {
  tenantId: "acme-eu",
  region: "eu-west-1",
  jurisdiction: "EU",
  ingestionGateway: { replicaCount: 3 },
  clickhouse: { storageClass: "gp3-eu-west-1", size: "500Gi" },
  kafka: { replicaCount: 3, size: "200Gi" },
  mlEngine: { enabled: true, replicaCount: 1 },
  grafana: { mode: "local" },
  runbooks: { namespaceScope: [] },
};
