/**
 * Scale profiles: the defaults a region gets from `infrasage:scaleProfile`. Explicit config keys
 * override them. One table, read by the config parser, the cost estimate and docs/configuration.md "Scale profiles".
 */

export type ScaleProfileName = "small" | "medium" | "large";
export type NatStrategy = "single" | "perAz";
/** Who changes the number of nodes: nobody, the Cluster Autoscaler (managed groups) or Karpenter (own nodes). */
export const AUTOSCALING_MODES = ["karpenter", "cluster-autoscaler", "none"] as const;
export type AutoscalingMode = (typeof AUTOSCALING_MODES)[number];

export interface ScaleProfile {
  /** EC2 instance types of the managed node group (first is preferred). */
  readonly nodeInstanceTypes: readonly string[];
  /** Node group minimum size. */
  readonly nodeMin: number;
  /** Node group desired size at creation (ignored afterwards: the autoscaler owns it). */
  readonly nodeDesired: number;
  /** Node group maximum size. */
  readonly nodeMax: number;
  /** Root volume of each node, GiB (gp3, encrypted). */
  readonly nodeDiskGiB: number;
  /**
   * Default `autoscaling`. small: none (two fixed nodes, nothing to gain); medium: the Cluster
   * Autoscaler within the group's min..max; large: Karpenter beyond the managed group, up to the
   * profile's node ceiling.
   */
  readonly autoscaling: AutoscalingMode;
  /** NAT gateways: one shared, or one per AZ (survives an AZ loss). */
  readonly natGateways: NatStrategy;
  /** Ingestion Gateway replicas. */
  readonly gatewayReplicas: number;
  /** Kafka brokers and their volume size. */
  readonly kafkaReplicas: number;
  readonly kafkaSize: string;
  /** ClickHouse volume size (seed: 500Gi for a full region). */
  readonly clickhouseSize: string;
  /** ML Engine replicas when enabled, and whether it is enabled by default. */
  readonly mlEngineReplicas: number;
  readonly mlEngineEnabled: boolean;
}

export const SCALE_PROFILES: Readonly<Record<ScaleProfileName, ScaleProfile>> = {
  small: {
    nodeInstanceTypes: ["m6i.large"],
    nodeMin: 2,
    nodeDesired: 2,
    nodeMax: 4,
    nodeDiskGiB: 50,
    autoscaling: "none",
    natGateways: "single",
    gatewayReplicas: 2,
    kafkaReplicas: 1,
    kafkaSize: "50Gi",
    clickhouseSize: "100Gi",
    mlEngineReplicas: 1,
    mlEngineEnabled: false,
  },
  medium: {
    nodeInstanceTypes: ["m6i.xlarge"],
    nodeMin: 3,
    nodeDesired: 3,
    nodeMax: 6,
    nodeDiskGiB: 50,
    autoscaling: "cluster-autoscaler",
    natGateways: "perAz",
    gatewayReplicas: 3,
    kafkaReplicas: 3,
    kafkaSize: "200Gi",
    clickhouseSize: "500Gi",
    mlEngineReplicas: 1,
    mlEngineEnabled: true,
  },
  large: {
    nodeInstanceTypes: ["m6i.2xlarge"],
    nodeMin: 6,
    nodeDesired: 6,
    nodeMax: 12,
    nodeDiskGiB: 100,
    autoscaling: "karpenter",
    natGateways: "perAz",
    gatewayReplicas: 6,
    kafkaReplicas: 3,
    kafkaSize: "1000Gi",
    clickhouseSize: "2000Gi",
    mlEngineReplicas: 2,
    mlEngineEnabled: true,
  },
};

export const SCALE_PROFILE_NAMES = Object.keys(SCALE_PROFILES) as ScaleProfileName[];
