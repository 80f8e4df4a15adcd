/** The Kubernetes versions a cluster may run: the default for new clusters and what EKS supports. */

/** Pinned EKS version for new clusters (standard support until 2027-03). */
export const DEFAULT_EKS_VERSION = "1.35";
/** Versions EKS supports (standard or extended) at the time of writing. */
export const SUPPORTED_EKS_VERSIONS = ["1.31", "1.32", "1.33", "1.34", "1.35", "1.36"];
