/**
 * The typed, fully-defaulted stack configuration every component is built from.
 * Produced only by `parseStackConfig` (lib/config/parse.ts) from `aws:region` + `infrasage:*`.
 */
import type { Jurisdiction } from "../../policies/shared/regions";
import type { AutoscalingMode, NatStrategy, ScaleProfileName } from "../profiles/profiles";
import type { DeployConfig } from "../deploy/deploy-path";
import type { LinksConfig, StateLayout } from "../links/contract";
import type { NodeGroupConfig } from "../nodes/node-groups";
import type { AccessEntryConfig } from "../cluster/access-entries";
import type { AddonOverride } from "../addons/addon-versions";
import type { ExistingVpcConfig } from "../network/existing-vpc";
import type { EndpointService } from "../network/endpoints-plan";

export type Pattern = "independent" | "hub-spoke" | "active-active";
export type GrafanaMode = "local" | "shared" | "disabled";

interface NetworkConfig {
  /** VPC CIDR (IPv4, private, /16../20, network-aligned). */
  readonly cidr: string;
  /** Number of AZs used (2 or 3). */
  readonly availabilityZones: 2 | 3;
  /** NAT gateways: one shared or one per AZ (none created in an existing VPC). */
  readonly natGateways: NatStrategy;
  /** VPC endpoints created (`network.endpoints` resolved: `auto` -> those that pay for themselves). */
  readonly endpoints: readonly EndpointService[];
  /** An existing VPC to deploy into; `cidr` is then its CIDR. */
  readonly existingVpc?: ExistingVpcConfig;
}

export type { NodeGroupConfig } from "../nodes/node-groups";

interface ClusterConfig {
  /** EKS Kubernetes version, e.g. "1.33". */
  readonly version: string;
  /** CIDRs allowed to reach the public endpoint; empty = private endpoint only. */
  readonly publicAccessCidrs: readonly string[];
  /** IAM role ARNs granted cluster-admin through EKS access entries. */
  readonly adminRoleArns: readonly string[];
  /** Per add-on version and configuration values (`cluster.addons`; lib/addons/addon-versions.ts). */
  readonly addons: Readonly<Record<string, AddonOverride>>;
  /** Access entries with an EKS access policy (`cluster.accessEntries`). */
  readonly accessEntries: readonly AccessEntryConfig[];
  /** Control-plane log types shipped (always including audit). */
  readonly logTypes: readonly string[];
  /** The stack's log groups are encrypted with a KMS key of the stack. */
  readonly encryptLogs: boolean;
}

export type ChartSource =
  | { readonly kind: "path"; readonly path: string }
  | {
      readonly kind: "repo";
      readonly repo: string;
      readonly name: string;
      readonly version: string;
      /** Private repository or registry: basic-auth user (`chart.username`). */
      readonly username?: string;
      /** Its password, a Pulumi secret in the stack file (`chart.password`); the component keeps it secret. */
      readonly password?: string;
    };

interface FederationConfig {
  readonly role: "hub" | "spoke";
  /** `org/project/stack` of the hub (spokes only). */
  readonly hubStack?: string;
  /** `org/project/stack` of the spokes allowed to forward to this hub (hub only; empty on a spoke). */
  readonly spokes: readonly string[];
  readonly includeMetadata: boolean;
  /** Always false: true is rejected by the parser. */
  readonly includeRawTelemetry: false;
}

interface ReplicationConfig {
  /** `org/project/stack` of every other member of the replication group. */
  readonly peers: readonly string[];
  /** Keeper voters this stack runs. */
  readonly keeperVoters: number;
  /** Keeper-only witness member: network, a minimal cluster and Keeper voters, no InfraSage release. */
  readonly witness: boolean;
  /** Reason the group accepts losing Keeper quorum with one region (unset = such a group is rejected). */
  readonly acceptRegionLossRisk?: string;
}

interface GrafanaConfig {
  readonly mode: GrafanaMode;
  /** Host of a shared Grafana: `org/project/stack` of the sources it reads (absent = none). */
  readonly sources?: readonly string[];
  /** Shared stack: `org/project/stack` of its Grafana host (required in mode shared). */
  readonly hostStack?: string;
}

export interface StackConfig {
  /** Stack name (`pulumi stack`), e.g. `eu-west-1`. */
  readonly stack: string;
  /** AWS region from `aws:region`. */
  readonly region: string;
  /** Jurisdiction derived from the region (and asserted by `infrasage:jurisdiction` if set). */
  readonly jurisdiction: Jurisdiction;
  readonly tenantId: string;
  readonly pattern: Pattern;
  readonly scaleProfile: ScaleProfileName;
  readonly network: NetworkConfig;
  readonly cluster: ClusterConfig;
  /** Managed node groups (`nodeGroups`, or one `default` group from the scale profile). */
  readonly nodeGroups: readonly NodeGroupConfig[];
  /** Who scales the nodes (`autoscaling`, default per profile). */
  readonly autoscaling: AutoscalingMode;
  readonly ingestionGateway: { readonly replicaCount: number };
  readonly clickhouse: { readonly storageClass: string; readonly size: string };
  readonly kafka: { readonly replicaCount: number; readonly size: string };
  readonly chart: ChartSource;
  readonly federation?: FederationConfig;
  readonly replication?: ReplicationConfig;
  readonly runbooks: { readonly namespaceScope: readonly string[] };
  readonly mlEngine: { readonly enabled: boolean; readonly replicaCount: number };
  readonly grafana: GrafanaConfig;
  /** How CI reaches the cluster (the in-network runner). */
  readonly deploy: DeployConfig;
  /** Where stack state lives: one backend, or one per jurisdiction (StackReferences stay inside one). */
  readonly stateBackend: StateLayout;
  /** How this stack reads the stacks it links to. */
  readonly links: LinksConfig;
  /** Tags put on every AWS resource (merged with `infrasage:tags`). */
  readonly tags: Readonly<Record<string, string>>;
  /** Replacements and deletes of guarded resources the stack declares intended, with the reason. */
  readonly allowReplace: readonly AllowedReplacement[];
  /** `apiKeyRotation`: the API key's generation; a new value generates a new key. */
  readonly apiKeyRotation?: string;
}

/** An `infrasage:allowReplace` entry: a resource by URN or logical name, and why it may be replaced. */
export interface AllowedReplacement {
  readonly resource: string;
  readonly reason: string;
}
