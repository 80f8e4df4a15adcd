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
  // Karpenter, an OCI chart; CRDs ship in the chart. 1.15.0: karpenter.sh/v1.15/upgrading/ ("chore:
  // Release v1.15.0 (#9719) (6d1426c)", 2026-10-10); aws/karpenter-provider-aws@d77d1a3
  // website/content/en/v1.15/getting-started/getting-started-with-karpenter/_index.md installs
  // KARPENTER_VERSION="1.15.0" and cosign-verifies public.ecr.aws/karpenter/karpenter:1.15.0 (tag v1.15.0).
  // Kubernetes: same commit, website/content/en/v1.15/upgrading/compatibility.md: 1.31 >= 1.0.5,
  // 1.32 >= 1.2, 1.33 >= 1.5, 1.34 >= 1.6, 1.35 >= 1.9, 1.36 >= 1.13 (1.37: 1.15.x), so 1.15 covers 1.31-1.36.
  // renovate: datasource=docker packageName=public.ecr.aws/karpenter/karpenter depName=karpenter
  karpenter: { repo: "oci://public.ecr.aws/karpenter", name: "karpenter", version: "1.15.0" },
  // Chart 9.59.0: kubernetes/autoscaler tag cluster-autoscaler-chart-9.59.0 (5a0b98e, 2026-07-21; the
  // newest chart tag read), cluster-autoscaler/charts/cluster-autoscaler/Chart.yaml version 9.59.0. Not
  // 9.38.0 (tag cluster-autoscaler-chart-9.38.0, appVersion 1.31.0): cluster-autoscaler/README.md
  // "Releases" asks 9.45.0+ for 1.32, 9.47.0+ for 1.33, 9.51.0+ for 1.34, and 9.38.0's ClusterRole lacks
  // what newer autoscalers read (resource.k8s.io resourceslices/deviceclasses/resourceclaims,
  // podtemplates, volumeattachments, provisioningrequests, capacitybuffers/capacityquotas).
  // renovate: datasource=helm registryUrl=https://kubernetes.github.io/autoscaler depName=cluster-autoscaler
  clusterAutoscaler: { repo: "https://kubernetes.github.io/autoscaler", name: "cluster-autoscaler", version: "9.59.0" },
} as const;

/**
 * Cluster Autoscaler image (registry.k8s.io/autoscaling/cluster-autoscaler, the chart's image.repository)
 * per Kubernetes minor: the autoscaler's minor must equal the cluster's (cluster-autoscaler/README.md,
 * "Releases"). Each tag is the newest release tag `cluster-autoscaler-<version>` of that minor in
 * kubernetes/autoscaler as read (snapshot of 2026-08-22), with version/version.go
 * `ClusterAutoscalerVersion` equal to it; the image tag is `v<version>` (chart values.yaml: `tag: v1.35.0`).
 * The update bot proposes patch bumps only (renovate.json keeps each entry on its minor).
 */
export const CLUSTER_AUTOSCALER_IMAGE_TAGS: Readonly<Record<string, string>> = {
  // renovate: datasource=docker depName=registry.k8s.io/autoscaling/cluster-autoscaler
  "1.31": "v1.31.5", // tag cluster-autoscaler-1.31.5 (f0fb6c4, 2025-10-08)
  // renovate: datasource=docker depName=registry.k8s.io/autoscaling/cluster-autoscaler
  "1.32": "v1.32.7", // tag cluster-autoscaler-1.32.7 (f645beb, 2026-02-13)
  // renovate: datasource=docker depName=registry.k8s.io/autoscaling/cluster-autoscaler
  "1.33": "v1.33.6", // tag cluster-autoscaler-1.33.6 (be4b5a1, 2026-07-22)
  // renovate: datasource=docker depName=registry.k8s.io/autoscaling/cluster-autoscaler
  "1.34": "v1.34.5", // tag cluster-autoscaler-1.34.5 (cb2123e, 2026-07-22)
  // renovate: datasource=docker depName=registry.k8s.io/autoscaling/cluster-autoscaler
  "1.35": "v1.35.2", // tag cluster-autoscaler-1.35.2 (2d42588, 2026-07-22)
  // renovate: datasource=docker depName=registry.k8s.io/autoscaling/cluster-autoscaler
  "1.36": "v1.36.1", // tag cluster-autoscaler-1.36.1 (35e8a28, 2026-07-22)
};

/** Container images the program runs itself (not through a chart). */
export const IMAGES = {
  // renovate: datasource=docker depName=clickhouse/clickhouse-keeper
  keeper: "clickhouse/clickhouse-keeper:25.8.30.16",
  // renovate: datasource=docker depName=ghostunnel/ghostunnel versioning=regex:^v(?<major>\d+)\.(?<minor>\d+)\.(?<patch>\d+)-distroless$
  ghostunnel: "ghostunnel/ghostunnel:v1.11.1-distroless",
} as const;
