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
} as const;

/** Container images the program runs itself (not through a chart). */
export const IMAGES = {
  // renovate: datasource=docker depName=clickhouse/clickhouse-keeper
  keeper: "clickhouse/clickhouse-keeper:25.8.30.16",
  // renovate: datasource=docker depName=ghostunnel/ghostunnel versioning=regex:^v(?<major>\d+)\.(?<minor>\d+)\.(?<patch>\d+)-distroless$
  ghostunnel: "ghostunnel/ghostunnel:v1.11.1-distroless",
} as const;
