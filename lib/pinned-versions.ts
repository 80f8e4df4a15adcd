/**
 * Every third-party chart and image version the program installs, in one place that the update bot
 * reads (renovate.json: the `renovate:` comment above each entry names its datasource). Bump here;
 * the components and the offline plan read these constants.
 */

/** Helm charts installed from their upstream repositories. */
export const ADDON_CHARTS = {
  // renovate: datasource=helm registryUrl=https://aws.github.io/eks-charts depName=aws-load-balancer-controller
  lbController: { repo: "https://aws.github.io/eks-charts", name: "aws-load-balancer-controller", version: "1.13.0" },
  // renovate: datasource=helm registryUrl=https://kubernetes-sigs.github.io/external-dns/ depName=external-dns
  externalDns: { repo: "https://kubernetes-sigs.github.io/external-dns/", name: "external-dns", version: "1.21.1" },
  // Karpenter, an OCI chart (karpenter.sh docs v1.15, released 2026-10-10); CRDs ship in the chart.
  // renovate: datasource=docker packageName=public.ecr.aws/karpenter/karpenter depName=karpenter
  karpenter: { repo: "oci://public.ecr.aws/karpenter", name: "karpenter", version: "1.15.0" },
  // renovate: datasource=helm registryUrl=https://kubernetes.github.io/autoscaler depName=cluster-autoscaler
  clusterAutoscaler: { repo: "https://kubernetes.github.io/autoscaler", name: "cluster-autoscaler", version: "9.38.0" },
} as const;

/**
 * Cluster Autoscaler image per Kubernetes minor (the autoscaler's minor must equal the cluster's).
 * The first release of each minor; a maintainer or the update bot raises the patch.
 */
export const CLUSTER_AUTOSCALER_IMAGE_TAGS: Readonly<Record<string, string>> = {
  "1.31": "v1.31.0", "1.32": "v1.32.0", "1.33": "v1.33.0", "1.34": "v1.34.0", "1.35": "v1.35.0", "1.36": "v1.36.0",
};

/** Container images the program runs itself (not through a chart). */
export const IMAGES = {
  // renovate: datasource=docker depName=clickhouse/clickhouse-keeper
  keeper: "clickhouse/clickhouse-keeper:25.8.30.16",
  // renovate: datasource=docker depName=ghostunnel/ghostunnel versioning=regex:^v(?<major>\d+)\.(?<minor>\d+)\.(?<patch>\d+)-distroless$
  ghostunnel: "ghostunnel/ghostunnel:v1.11.1-distroless",
} as const;
