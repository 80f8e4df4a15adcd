/**
 * The `infrasage:*` stack-config schema (docs/configuration.md "Configuration reference") as zod schemas. Strict
 * objects make typos fail; every field says what it is. Defaults that depend on the region or the scale profile
 * are filled in by parse.ts, not here, so "not set" stays distinguishable from "set to the default".
 */
import { z } from "zod";
import { AUTOSCALING_MODES, SCALE_PROFILE_NAMES, SCALE_PROFILES } from "../profiles/profiles";
import { CONNECTION_ARN_RE, GITHUB_REPOSITORY_RE } from "../deploy/deploy-path";
import { ALL_CONTROL_PLANE_LOG_TYPES } from "../../policies/shared/eks";
import { ACCESS_NAMESPACE_RE, ACCESS_POLICY_NAMES, PRINCIPAL_ARN_RE } from "../cluster/access-entries";
import { ENDPOINT_SERVICES, type EndpointService } from "../network/endpoints-plan";
import { AMI_TYPES, CAPACITY_TYPES, TAINT_EFFECTS } from "../nodes/node-groups";

/** A number, or a numeric string (top-level Pulumi config values arrive as strings); `why` explains the maximum. */
const int = (min: number, max = Number.MAX_SAFE_INTEGER, why?: string) =>
  z.preprocess(
    (v) => (typeof v === "string" && /^-?\d+$/.test(v.trim()) ? Number(v) : v),
    z
      .number()
      .int()
      .min(min, `must be at least ${min}`)
      .max(max, `must be at most ${max}${why ? ` (${why})` : ""}`),
  );

/** Largest node group any scale profile runs (large: 12 nodes). */
const MAX_NODES = Math.max(...Object.values(SCALE_PROFILES).map((p) => p.nodeMax));
/**
 * Ingestion Gateway replicas: about 4 per node of the largest node group; beyond that replicas only
 * contend for the same nodes (and a typo such as 300 would leave most pods Pending).
 */
export const MAX_GATEWAY_REPLICAS = 50;
/** Kafka brokers: one per node at most (each holds its own EBS volume and partition leaders). */
export const MAX_KAFKA_BROKERS = MAX_NODES;
/** Keeper voters one stack runs: an ensemble is 3 or 5 voters in all, more only slows every write. */
const MAX_KEEPER_VOTERS = 5;
/** A boolean, or "true"/"false". */
const bool = () => z.preprocess((v) => (v === "true" ? true : v === "false" ? false : v), z.boolean());
/** A list, or a comma-separated string (how `pulumi config set` users often write lists). */
const list = <T extends z.ZodType>(item: T) =>
  z.preprocess(
    (v) =>
      typeof v === "string"
        ? v
            .split(",")
            .map((s) => s.trim())
            .filter((s) => s !== "")
        : v,
    z.array(item),
  );

/** Kubernetes quantity such as `500Gi` (binary units only: EBS sizes are GiB). */
const QUANTITY_RE = /^[1-9]\d*(Mi|Gi|Ti)$/;
/** `org/project/stack` (Pulumi Cloud) or `project/stack` is not enough for cross-org refs: require 3 parts. */
const STACK_REF_RE = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;
/** DNS-1123 label (namespaces, storage class names). */
const DNS_LABEL_RE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const IAM_ROLE_ARN_RE = /^arn:aws:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const IAM_POLICY_ARN_RE = /^arn:aws:iam::\d{12}:policy\/[\w+=,.@/-]{1,512}$/;

const stackRef = z.string().regex(STACK_REF_RE, "must be `org/project/stack`");

const networkSchema = z.strictObject({
  /** VPC CIDR (required unless existingVpc gives it). */
  cidr: z.string().optional(),
  /** AZs used, 2 or 3. */
  availabilityZones: int(2, 3, "InfraSage spreads a region over 2 or 3 AZs").optional(),
  /** `single` or `perAz`. */
  natGateways: z.enum(["single", "perAz"]).optional(),
  /** VPC endpoints: `auto` (those that pay for themselves), `none`, or a list (lib/network/endpoints-plan.ts). */
  endpoints: z
    .union([z.enum(["auto", "none"]), z.array(z.enum(ENDPOINT_SERVICES as [EndpointService, ...EndpointService[]]))])
    .optional(),
  /** Deploy into this VPC: nothing of it is created or changed (lib/network/existing-vpc.ts). */
  existingVpc: z
    .strictObject({
      vpcId: z.string(),
      cidr: z.string(),
      privateSubnetIds: list(z.string()),
      loadBalancerSubnetIds: list(z.string()).optional(),
    })
    .optional(),
});

/**
 * EKS quota "nodes per managed node group" (Amazon EKS service quotas, default 450): a larger
 * maxSize is refused by CreateNodegroup.
 */
const MAX_NODES_PER_GROUP = 450;

/** One managed node group; every field defaults from the scale profile (lib/nodes/node-groups.ts). */
const nodeGroupSchema = z.strictObject({
  /** EC2 instance types, all of the AMI's architecture (several for SPOT). */
  instanceTypes: list(z.string()).optional(),
  capacityType: z.enum(CAPACITY_TYPES).optional(),
  amiType: z.enum(AMI_TYPES).optional(),
  minSize: int(0, MAX_NODES_PER_GROUP, "EKS's nodes-per-managed-node-group quota").optional(),
  maxSize: int(1, MAX_NODES_PER_GROUP, "EKS's nodes-per-managed-node-group quota").optional(),
  desiredSize: int(0, MAX_NODES_PER_GROUP, "EKS's nodes-per-managed-node-group quota").optional(),
  /** Root (AL2023) or data (Bottlerocket) volume, GiB: at least the AMI's 20 GiB snapshot, at most gp3's 16 TiB. */
  diskSize: int(20, 16384, "the largest gp3 volume").optional(),
  labels: z.record(z.string(), z.string()).optional(),
  taints: z
    .array(
      z.strictObject({
        key: z.string().min(1),
        value: z.string().optional(),
        effect: z.enum(Object.keys(TAINT_EFFECTS) as [keyof typeof TAINT_EFFECTS, ...(keyof typeof TAINT_EFFECTS)[]]),
      }),
    )
    .optional(),
});

const clusterSchema = z.strictObject({
  /** Control-plane log types shipped to CloudWatch (audit always). */
  logTypes: list(z.enum(ALL_CONTROL_PLANE_LOG_TYPES as [string, ...string[]])).optional(),
  /** Encrypt the stack's log groups with a KMS key of the stack. */
  encryptLogs: bool().optional(),
  version: z
    .string()
    .regex(/^1\.\d{2}$/, "must look like 1.35")
    .optional(),
  publicAccessCidrs: list(z.string()).optional(),
  adminRoleArns: list(
    z.string().regex(IAM_ROLE_ARN_RE, "must be an IAM role ARN (arn:aws:iam::<account>:role/<name>)"),
  ).optional(),
  /** The account's EKS quota "Managed node groups per cluster" once raised through Service Quotas (default 30). */
  managedNodeGroupQuota: int(1, 10_000).optional(),
  /** Per managed add-on: a version (`v1.2.3-eksbuild.1`) and configuration values over the program's. */
  addons: z
    .record(
      z.string(),
      z.strictObject({
        version: z.string().optional(),
        configurationValues: z.record(z.string(), z.unknown()).optional(),
      }),
    )
    .optional(),
  /** EKS access entries with an access policy, cluster-wide or in the listed namespaces. */
  accessEntries: z
    .array(
      z.strictObject({
        principalArn: z
          .string()
          .regex(PRINCIPAL_ARN_RE, "must be an IAM role or user ARN (arn:aws:iam::<account>:role/<name>)"),
        policy: z.enum(ACCESS_POLICY_NAMES),
        namespaces: list(
          z.string().regex(ACCESS_NAMESPACE_RE, "must be namespace names (a trailing * matches a prefix)"),
        ).optional(),
      }),
    )
    .optional(),
});

const chartSchema = z.strictObject({
  path: z.string().min(1).optional(),
  /**
   * https:// or oci:// (checked in lib/charts/config-rules.ts, which never prints the URL: it may hold credentials).
   */
  repo: z.string().optional(),
  name: z.string().min(1).optional(),
  version: z.string().min(1).optional(),
  /** Opt-in for a chart.path outside the project folder (absolute, or ../ out of it). */
  allowOutsideRepository: bool().optional(),
  /** Private repository or OCI registry (chart.repo): basic-auth user name. */
  username: z.string().trim().min(1).optional(),
  /**
   * Its password: only as a Pulumi secret (parse.ts refuses it in plain text). Offline, an encrypted
   * value inside the `chart` map arrives as `{ secure: ... }`: it stands for the secret it holds.
   */
  password: z.preprocess((v) => (isEncrypted(v) ? SECRET_PLACEHOLDER : v), z.string().min(1)).optional(),
});

/** What the offline plan holds for a value Pulumi keeps encrypted (offline/stack-file.ts). */
export const SECRET_PLACEHOLDER = "[secret]";
/** `{ secure: "v1:..." }`: an encrypted value inside a structured key, as the stack file holds it. */
function isEncrypted(v: unknown): boolean {
  return (
    typeof v === "object" &&
    v !== null &&
    !Array.isArray(v) &&
    Object.keys(v).length === 1 &&
    typeof (v as { secure?: unknown }).secure === "string"
  );
}

const federationSchema = z.strictObject({
  role: z.enum(["hub", "spoke"]).optional(),
  hubStack: stackRef.optional(),
  /** Hub only: `org/project/stack` of every spoke allowed to forward alerts to it. */
  spokes: list(stackRef).optional(),
  includeMetadata: bool().optional(),
  includeRawTelemetry: bool().optional(),
});

const replicationSchema = z.strictObject({
  peers: list(stackRef).optional(),
  keeperVoters: int(
    0,
    MAX_KEEPER_VOTERS,
    "a Keeper ensemble is 3 or 5 voters in all; more only slows every write",
  ).optional(),
  witness: bool().optional(),
  acceptRegionLossRisk: z.string().trim().min(10, "must give a reason (at least 10 characters)").optional(),
});

/** How CI reaches the cluster (lib/deploy/deploy-path.ts). */
const deploySchema = z.strictObject({
  runner: z.enum(["codebuild", "self-hosted", "github-hosted", "operator"]).optional(),
  repository: z.string().regex(GITHUB_REPOSITORY_RE, "must be a GitHub owner/repo such as acme/infrasage").optional(),
  connectionArn: z
    .string()
    .regex(
      CONNECTION_ARN_RE,
      "must be an AWS CodeConnections connection ARN (arn:aws:codeconnections:<region>:<account>:connection/<id>)",
    )
    .optional(),
  runnerLabel: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,100}$/, "must be a runner label (letters, digits, . _ -)")
    .optional(),
  runnerCidrs: list(z.string()).optional(),
  previewRoleArn: z
    .string()
    .regex(IAM_ROLE_ARN_RE, "must be an IAM role ARN (arn:aws:iam::<account>:role/<name>)")
    .optional(),
  permissionsBoundaryArn: z
    .string()
    .regex(IAM_POLICY_ARN_RE, "must be an IAM policy ARN (arn:aws:iam::<account>:policy/<path><name>)")
    .optional(),
});

/** How this stack reads the stacks it links to (lib/links/contract.ts). */
const linksSchema = z.strictObject({
  via: z.enum(["stack-reference", "ssm"]).optional(),
  regions: z.record(z.string(), z.string()).optional(),
});

/**
 * A replacement or delete the stack declares intended (offline/diff/guard.ts): the resource by URN or
 * logical name, and why (the replacement guard then reports it as allowed, not mandatory).
 */
const allowReplaceSchema = z.strictObject({
  resource: z.string().trim().min(1, "must name the resource: its URN or its logical name"),
  reason: z.string().trim().min(10, "must give a reason (at least 10 characters)"),
});

/** Every key of the `infrasage` namespace. Unknown keys are typos and fail. */
export const infrasageSchema = z.strictObject({
  tenantId: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, "must be a lowercase DNS label (a-z, 0-9, -), e.g. acme-eu"),
  pattern: z.enum(["independent", "hub-spoke", "active-active"]).optional(),
  scaleProfile: z.enum(SCALE_PROFILE_NAMES as [string, ...string[]]).optional(),
  jurisdiction: z.string().optional(),
  network: networkSchema,
  cluster: clusterSchema.optional(),
  /** Managed node groups by name; absent = one `default` group from the scale profile. */
  nodeGroups: z.record(z.string(), nodeGroupSchema).optional(),
  /** `karpenter`, `cluster-autoscaler` or `none`; default per scale profile. */
  autoscaling: z.enum(AUTOSCALING_MODES).optional(),
  ingestionGateway: z
    .strictObject({
      replicaCount: int(
        1,
        MAX_GATEWAY_REPLICAS,
        `about 4 per node of the largest node group, ${MAX_NODES} nodes`,
      ).optional(),
    })
    .optional(),
  clickhouse: z
    .strictObject({
      storageClass: z.string().regex(DNS_LABEL_RE, "must be a DNS label such as gp3-eu-west-1").optional(),
      size: z.string().regex(QUANTITY_RE, "must be a size such as 500Gi").optional(),
    })
    .optional(),
  kafka: z
    .strictObject({
      replicaCount: int(
        1,
        MAX_KAFKA_BROKERS,
        `one broker per node, and the largest node group has ${MAX_NODES} nodes`,
      ).optional(),
      size: z.string().regex(QUANTITY_RE, "must be a size such as 200Gi").optional(),
    })
    .optional(),
  chart: chartSchema.optional(),
  federation: federationSchema.optional(),
  replication: replicationSchema.optional(),
  runbooks: z
    .strictObject({
      namespaceScope: list(z.string().regex(DNS_LABEL_RE, "must be Kubernetes namespace names")).optional(),
    })
    .optional(),
  mlEngine: z.strictObject({ enabled: bool().optional() }).optional(),
  grafana: z
    .strictObject({
      mode: z.enum(["local", "shared", "disabled"]).optional(),
      /** Host of a shared Grafana (mode local): `org/project/stack` of each stack whose Prometheus it reads. */
      sources: list(stackRef).optional(),
      /** Shared stack (mode shared): `org/project/stack` of the stack whose Grafana reads this one. */
      hostStack: stackRef.optional(),
    })
    .optional(),
  deploy: deploySchema.optional(),
  stateBackend: z.enum(["shared", "self-managed", "per-jurisdiction"]).optional(),
  /** Any new value rotates the API key (docs/operations.md "Rotating the API key"). */
  apiKeyRotation: z
    .string()
    .trim()
    .min(1, "must not be empty")
    .max(64, "must be at most 64 characters, e.g. 2026-12")
    .optional(),
  links: linksSchema.optional(),
  tags: z.record(z.string(), z.string()).optional(),
  allowReplace: z.array(allowReplaceSchema).optional(),
});

export type InfrasageInput = z.infer<typeof infrasageSchema>;
