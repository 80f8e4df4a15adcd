/**
 * One private EKS cluster per region: control plane (KMS-encrypted secrets, logs with retention,
 * API-only access entries), a managed node group on a hardened launch template, managed add-ons in
 * the order they need, the IRSA plumbing for EBS volumes, and a kubernetes provider for it.
 * Only wiring: names, documents and settings come from lib/cluster/cluster-plan.ts and lib/cluster/kubeconfig.ts.
 * The AWS provider (and so the region) is inherited from the caller's `providers`.
 *
 * Design note: raw @pulumi/aws resources, not @pulumi/eks. Since v3, @pulumi/eks is a multi-language
 * component served by its provider plugin: under the mock runtime its children are never registered,
 * so the offline plan, the tests and the policy pack would see one opaque component instead of the
 * roles, launch templates, node groups and add-ons they check
 * (docs/design.md "Compared with terraform-aws-modules/eks and @pulumi/eks").
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "../aws/sdk";
import * as k8s from "@pulumi/kubernetes";
import type { NodeGroupConfig } from "../../lib/config/types";
import {
  DEFAULT_LOG_RETENTION_DAYS,
  EKS_ADDONS,
  EKS_CLUSTER_NAME_MAX,
  EKS_CLUSTER_NAME_RE,
  MANAGED_POLICIES,
  MAX_COMPONENT_NAME_LENGTH,
  controlPlaneLogGroupName,
  ec2NodeTrustPolicy,
  eksServiceTrustPolicy,
  secretsKeyUsePolicy,
  type AddonSpec,
} from "../../lib/cluster/cluster-plan";
import { createNodeGroups } from "../nodes/node-groups";
import { irsaRole } from "./irsa-role";
import {
  addonConfigurationValues,
  addonVersionFor,
  installedOrNewer,
  type AddonOverride,
  type ManagedAddonName,
} from "../../lib/addons/addon-versions";
import { clusterAccessEntries, type AccessEntryConfig } from "../../lib/cluster/access-entries";
import { CONTROL_PLANE_LOG_TYPES } from "../../policies/shared/eks";
import { buildKubeconfig, contextNameFor } from "../../lib/cluster/kubeconfig";
import { API_SERVER_PORT } from "../../lib/deploy/deploy-path";

export interface EksClusterArgs {
  /** EKS cluster name (see `clusterNameFor`); also names the log group and the KMS alias. */
  readonly clusterName: string;
  /** Kubernetes version, e.g. "1.33". */
  readonly version: string;
  /** VPC of the subnets (informational: EKS derives the VPC from `privateSubnetIds`). */
  readonly vpcId: pulumi.Input<string>;
  /** Private subnets for the control-plane ENIs and the nodes (one per AZ). */
  readonly privateSubnetIds: pulumi.Input<string>[];
  /** CIDRs allowed to reach the public endpoint; empty = private endpoint only. */
  readonly publicAccessCidrs: readonly string[];
  /**
   * IAM role ARNs given cluster-admin through access entries. Not the deploying role itself: EKS
   * already gives it an entry (bootstrapClusterCreatorAdminPermissions) and a second one fails.
   */
  readonly adminRoleArns: readonly string[];
  /** Access entries with an EKS access policy (lib/cluster/access-entries.ts). @default [] */
  readonly accessEntries?: readonly AccessEntryConfig[];
  /** Managed node groups (at least one; see lib/nodes/node-groups.ts). */
  readonly nodeGroups: readonly NodeGroupConfig[];
  /**
   * A Cluster Autoscaler resizes the groups: their desired size is ignored after creation.
   * @default true
   */
  readonly desiredSizeOwnedByAutoscaler?: boolean;
  /** Region of the inherited AWS provider; used for the kubeconfig only, never as a resource input. */
  readonly region: string;
  /**
   * Private CIDRs of an in-network CI runner the team runs itself: each gets the API server port on
   * the cluster security group. @default [] (the stack's own CodeBuild runner opens it for itself)
   */
  readonly apiClientCidrs?: readonly string[];
  /**
   * Read-only identity of pull-request previews: an access entry with the EKS view policy, cluster
   * scope (previews read cluster-scoped objects such as storage classes). @default none
   */
  readonly previewRoleArn?: string;
  /** Control-plane log types shipped. @default CONTROL_PLANE_LOG_TYPES (all) */
  readonly logTypes?: readonly string[];
  /** KMS key the control-plane log group is encrypted with. @default the CloudWatch Logs service key */
  readonly logsKmsKeyArn?: pulumi.Input<string>;
  /** Retention of the control-plane log group, days. @default 90 */
  readonly logRetentionDays?: number;
  /**
   * The control-plane log group already exists outside this stack's state (kept by an earlier
   * `pulumi destroy`: it is retained on delete and EKS fixes its name): import it instead of creating
   * it, which would fail with "already exists". See `controlPlaneLogGroupExists`.
   * @default false
   */
  readonly adoptLogGroup?: boolean;
  /** Per add-on version and configuration values (`cluster.addons`). @default the pinned table */
  readonly addons?: Readonly<Record<string, AddonOverride>>;
  /** Versions of the add-ons the running cluster has (deployedAddonVersions): never taken back. @default none */
  readonly runningAddonVersions?: Readonly<Record<string, string>>;
  /** Tags on every taggable AWS resource. */
  readonly tags: Readonly<Record<string, string>>;
}

export class EksCluster extends pulumi.ComponentResource {
  public readonly clusterName: pulumi.Output<string>;
  public readonly endpoint: pulumi.Output<string>;
  public readonly certificateAuthorityData: pulumi.Output<string>;
  public readonly oidcProviderArn: pulumi.Output<string>;
  /** Issuer URL, `https://oidc.eks.<region>.amazonaws.com/id/<ID>`. */
  public readonly oidcIssuer: pulumi.Output<string>;
  /** Kubeconfig (exec auth, no token), marked secret because it locates a private API server. */
  public readonly kubeconfig: pulumi.Output<string>;
  public readonly provider: k8s.Provider;
  public readonly clusterSecurityGroupId: pulumi.Output<string>;
  public readonly nodeRoleArn: pulumi.Output<string>;
  /** `{ <add-on>: <version> }` as planned: the stack output the next deployment's reader compares with. */
  public readonly addonVersions: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: EksClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("infrasage:cluster:EksCluster", name, {}, opts);
    validate(name, args, this);
    const parent = { parent: this };
    const tags = { ...args.tags };

    // --- Control-plane prerequisites -------------------------------------------------------------
    const clusterRole = new aws.iam.Role(
      `${name}-cluster-role`,
      {
        assumeRolePolicy: JSON.stringify(eksServiceTrustPolicy()),
        tags,
      },
      parent,
    );
    const clusterPolicies = MANAGED_POLICIES.cluster.map(
      (policyArn) =>
        new aws.iam.RolePolicyAttachment(
          `${name}-cluster-${policyName(policyArn)}`,
          { role: clusterRole.name, policyArn },
          parent,
        ),
    );

    const secretsKey = new aws.kms.Key(
      `${name}-secrets-key`,
      {
        description: `EKS secrets encryption for ${args.clusterName}`,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        tags,
      },
      parent,
    );
    new aws.kms.Alias(
      `${name}-secrets-alias`,
      { name: `alias/eks/${args.clusterName}`, targetKeyId: secretsKey.keyId },
      parent,
    );
    const keyUse = new aws.iam.RolePolicy(
      `${name}-cluster-kms`,
      {
        role: clusterRole.id,
        policy: secretsKey.arn.apply((arn) => JSON.stringify(secretsKeyUsePolicy(arn))),
      },
      parent,
    );

    const logGroupName = controlPlaneLogGroupName(args.clusterName);
    // Audit logs outlive the stack (retention expires them); the next life of the stack adopts them.
    // `import` when already in state is a no-op (pulumi/pulumi pkg/resource/deploy/step_generator.go:
    // an import only when there is no old state or its import id differs), and since v3.174 differing
    // inputs are applied as an update after the import instead of failing it.
    const logGroup = new aws.cloudwatch.LogGroup(
      `${name}-logs`,
      {
        name: logGroupName,
        retentionInDays: args.logRetentionDays ?? DEFAULT_LOG_RETENTION_DAYS,
        ...(args.logsKmsKeyArn ? { kmsKeyId: args.logsKmsKeyArn } : {}),
        tags,
      },
      { ...parent, retainOnDelete: true, ...(args.adoptLogGroup ? { import: logGroupName } : {}) },
    );

    // --- Control plane ---------------------------------------------------------------------------
    const isPublic = args.publicAccessCidrs.length > 0;
    const cluster = new aws.eks.Cluster(
      `${name}-cluster`,
      {
        name: args.clusterName,
        version: args.version,
        roleArn: clusterRole.arn,
        vpcConfig: {
          subnetIds: args.privateSubnetIds,
          endpointPrivateAccess: true,
          endpointPublicAccess: isPublic,
          ...(isPublic ? { publicAccessCidrs: [...args.publicAccessCidrs] } : {}),
        },
        enabledClusterLogTypes: [...(args.logTypes ?? CONTROL_PLANE_LOG_TYPES)],
        encryptionConfig: { resources: ["secrets"], provider: { keyArn: secretsKey.arn } },
        accessConfig: {
          authenticationMode: "API",
          // true: the deploying identity keeps cluster-admin, which the kubernetes provider below needs
          // to install anything; with false a deployer not listed in adminRoleArns locks itself out.
          // (Changing it later replaces the cluster, so it is fixed here, not configurable.)
          bootstrapClusterCreatorAdminPermissions: true,
        },
        tags,
      },
      {
        ...parent,
        // Log group first, or EKS creates it with no retention; role permissions first, or creation
        // fails and deletion strands ENIs (the documented Terraform/Pulumi EKS ordering).
        dependsOn: [logGroup, keyUse, ...clusterPolicies],
        // The cluster holds every Kubernetes object (etcd): a planned replacement must stop `pulumi up`
        // instead of silently recreating it. Decommissioning: `pulumi state unprotect` first (docs/deploying.md
        // "Deploying for real").
        protect: true,
      },
    );
    const clusterName = cluster.name;

    // Admin roles, `cluster.accessEntries`, the preview role: one entry per principal, its policy
    // cluster-wide or per namespace (lib/cluster/access-entries.ts).
    for (const e of clusterAccessEntries(args)) {
      const entry = new aws.eks.AccessEntry(
        `${name}-${e.name}`,
        { clusterName, principalArn: e.principalArn, type: "STANDARD", tags },
        parent,
      );
      new aws.eks.AccessPolicyAssociation(
        `${name}-${e.name}-policy`,
        {
          clusterName,
          principalArn: entry.principalArn,
          policyArn: e.policyArn,
          accessScope:
            e.accessScope.type === "cluster"
              ? { type: "cluster" }
              : { type: "namespace", namespaces: [...e.accessScope.namespaces] },
        },
        parent,
      );
    }
    (args.apiClientCidrs ?? []).forEach(
      (cidr, i) =>
        new aws.vpc.SecurityGroupIngressRule(
          `${name}-api-client-${i}`,
          {
            securityGroupId: cluster.vpcConfig.clusterSecurityGroupId,
            cidrIpv4: cidr,
            ipProtocol: "tcp",
            fromPort: API_SERVER_PORT,
            toPort: API_SERVER_PORT,
            description: `Kubernetes API from the in-network CI runner (${cidr})`,
            tags,
          },
          parent,
        ),
    );

    const oidcIssuer = cluster.identities.apply((ids) => {
      const issuer = ids?.[0]?.oidcs?.[0]?.issuer;
      if (!issuer) throw new pulumi.ResourceError(`cluster ${args.clusterName} reported no OIDC issuer`, this);
      return issuer;
    });
    // No thumbprint: optional in aws v7; IAM trusts the EKS issuer's certificate authority itself.
    const oidcProvider = new aws.iam.OpenIdConnectProvider(
      `${name}-oidc`,
      {
        url: oidcIssuer,
        clientIdLists: ["sts.amazonaws.com"],
        tags,
      },
      parent,
    );

    // --- Nodes -----------------------------------------------------------------------------------
    const nodeRole = new aws.iam.Role(
      `${name}-node-role`,
      { assumeRolePolicy: JSON.stringify(ec2NodeTrustPolicy()), tags },
      parent,
    );
    const nodePolicies = MANAGED_POLICIES.node.map(
      (policyArn) =>
        new aws.iam.RolePolicyAttachment(
          `${name}-node-${policyName(policyArn)}`,
          { role: nodeRole.name, policyArn },
          parent,
        ),
    );

    const addonVersion = (addonName: string) =>
      aws.eks.getAddonVersionOutput({ addonName, kubernetesVersion: cluster.version }, parent).version;
    /** An add-on, with its own IRSA role when it calls AWS (never the node role's credentials). */
    const addon = (spec: AddonSpec, dependsOn: pulumi.Resource[]) => {
      const irsa = spec.irsa;
      let roleArn: pulumi.Output<string> | undefined;
      const attachments: pulumi.Resource[] = [];
      if (irsa) {
        const role = irsaRole(
          `${name}-${irsa.roleSuffix}`,
          {
            oidcIssuer,
            oidcProviderArn: oidcProvider.arn,
            serviceAccount: { namespace: irsa.namespace, name: irsa.serviceAccount },
            tags,
          },
          parent,
        );
        attachments.push(
          ...irsa.policyArns.map(
            (policyArn) =>
              new aws.iam.RolePolicyAttachment(
                `${name}-${irsa.roleSuffix}-${policyName(policyArn)}`,
                { role: role.name, policyArn },
                parent,
              ),
          ),
        );
        roleArn = role.arn;
      }
      const override = args.addons?.[spec.name];
      const values = addonConfigurationValues(spec.configurationValues, override);
      return new aws.eks.Addon(
        `${name}-${spec.name}`,
        {
          clusterName,
          addonName: spec.name,
          addonVersion: addonVersionInput(
            spec.name as ManagedAddonName,
            args.version,
            override,
            args.runningAddonVersions?.[spec.name],
            () => addonVersion(spec.name),
          ),
          serviceAccountRoleArn: roleArn,
          ...(values ? { configurationValues: JSON.stringify(values) } : {}),
          resolveConflictsOnCreate: "OVERWRITE",
          resolveConflictsOnUpdate: "OVERWRITE",
          tags,
        },
        { ...parent, dependsOn: [...dependsOn, ...attachments] },
      );
    };

    const beforeNodes = EKS_ADDONS.filter((a) => a.phase === "beforeNodes").map((spec) => addon(spec, []));

    const nodeGroups = createNodeGroups(
      name,
      {
        clusterName,
        clusterLabel: args.clusterName,
        nodeRoleArn: nodeRole.arn,
        subnetIds: args.privateSubnetIds,
        groups: args.nodeGroups,
        tags,
        version: cluster.version,
        desiredSizeOwnedByAutoscaler: args.desiredSizeOwnedByAutoscaler ?? true,
        // Node permissions and networking add-ons must exist before nodes try to join and go Ready.
        dependsOn: [...nodePolicies, ...beforeNodes],
      },
      this,
    );

    // Deployments: created before any node exists they stay DEGRADED and the create times out.
    const afterNodes = EKS_ADDONS.filter((a) => a.phase === "afterNodes").map((spec) => addon(spec, nodeGroups));

    // --- Kubernetes access -----------------------------------------------------------------------
    this.kubeconfig = pulumi.secret(
      pulumi.all([clusterName, cluster.endpoint, cluster.certificateAuthority.data]).apply(([n, endpoint, ca]) =>
        buildKubeconfig({
          clusterName: n,
          endpoint,
          certificateAuthorityData: ca,
          region: args.region,
          contextName: contextNameFor(n, args.region),
        }),
      ),
    );
    // enableConfigMapMutable: a ConfigMap's data is updated in place instead of replacing it
    // (pulumi-kubernetes provider.go Configure, default false; diff.go then forces .data to replace).
    // Keeper's membership lives in a ConfigMap mounted as a directory: a new peer must reach running
    // members as an update, not as a replaced ConfigMap and a replaced StatefulSet.
    // enableSecretMutable likewise for a Secret's data (diff.go forceNewProperties keeps only .type):
    // adding a spoke updates the hub's credentials Secret instead of replacing it.
    this.provider = new k8s.Provider(
      `${name}-k8s`,
      {
        kubeconfig: this.kubeconfig,
        enableServerSideApply: true,
        enableConfigMapMutable: true,
        enableSecretMutable: true,
      },
      {
        ...parent,
        // Workloads deployed through this provider need nodes, DNS and the EBS driver for their PVCs.
        dependsOn: [...nodeGroups, ...afterNodes],
      },
    );

    this.clusterName = clusterName;
    const specs = [
      ...EKS_ADDONS.filter((a) => a.phase === "beforeNodes"),
      ...EKS_ADDONS.filter((a) => a.phase === "afterNodes"),
    ];
    this.addonVersions = pulumi.all(
      Object.fromEntries([...beforeNodes, ...afterNodes].map((a, i) => [specs[i]!.name, a.addonVersion])),
    ) as pulumi.Output<Record<string, string>>;
    this.endpoint = cluster.endpoint;
    this.certificateAuthorityData = cluster.certificateAuthority.data;
    this.oidcProviderArn = oidcProvider.arn;
    this.oidcIssuer = oidcIssuer;
    this.clusterSecurityGroupId = cluster.vpcConfig.clusterSecurityGroupId;
    this.nodeRoleArn = nodeRole.arn;
    this.registerOutputs({
      clusterName: this.clusterName,
      endpoint: this.endpoint,
      certificateAuthorityData: this.certificateAuthorityData,
      oidcProviderArn: this.oidcProviderArn,
      oidcIssuer: this.oidcIssuer,
      kubeconfig: this.kubeconfig,
      clusterSecurityGroupId: this.clusterSecurityGroupId,
      nodeRoleArn: this.nodeRoleArn,
    });
  }
}

/**
 * Whether the control-plane log group of `clusterName` exists in the provider's region (a data source:
 * read at preview too). Await it before constructing EksCluster and pass it as `adoptLogGroup`.
 */
export async function controlPlaneLogGroupExists(clusterName: string, opts: pulumi.InvokeOptions): Promise<boolean> {
  const name = controlPlaneLogGroupName(clusterName);
  const found = await aws.cloudwatch.getLogGroups({ logGroupNamePrefix: name }, opts);
  return (found.logGroupNames ?? []).includes(name);
}

/**
 * The Kubernetes version the cluster runs now (a data source: read at preview too), or undefined
 * before its first deployment. Await it before constructing EksCluster (lib/cluster/upgrade-plan.ts).
 */
export async function deployedClusterVersion(
  clusterName: string,
  opts: pulumi.InvokeOptions,
): Promise<string | undefined> {
  // List first: the single-cluster data source fails for a cluster that does not exist yet.
  const { names } = await aws.eks.getClusters({}, opts);
  return names.includes(clusterName) ? (await aws.eks.getCluster({ name: clusterName }, opts)).version : undefined;
}

/**
 * The version an add-on is installed at: `cluster.addons`, else the pin of lib/addons/addon-versions.ts,
 * else EKS's default for the cluster's version (`eksDefault`, read only then). Each follows
 * `cluster.version`, but a running add-on is never taken back to an older build (EKS refuses downgrades).
 */
export function addonVersionInput(
  addon: ManagedAddonName,
  clusterVersion: string,
  override: AddonOverride | undefined,
  running: string | undefined,
  eksDefault: () => pulumi.Output<string>,
): pulumi.Output<string> {
  const pinned = addonVersionFor(addon, clusterVersion, override);
  return (pinned === undefined ? eksDefault() : pulumi.output(pinned)).apply(
    (planned) => installedOrNewer(planned, running) ?? planned,
  );
}

/**
 * The add-on versions the running cluster has (data sources: read at preview too); empty before its
 * first deployment. An add-on not installed (yet) is absent: the data source fails for it.
 */
export async function deployedAddonVersions(
  clusterName: string,
  addonNames: readonly string[],
  opts: pulumi.InvokeOptions,
): Promise<Record<string, string>> {
  const found = await Promise.all(
    addonNames.map(async (addonName) => {
      try {
        return [addonName, (await aws.eks.getAddon({ clusterName, addonName }, opts)).addonVersion] as const;
      } catch {
        // Not installed (yet): EKS has no list of a cluster's add-ons to ask first, so a failed read
        // counts as absent; the cost of a wrong "absent" is the table's pin, which EKS checks itself.
        return undefined;
      }
    }),
  );
  return Object.fromEntries(
    found.filter((x): x is readonly [string, string] => x !== undefined && typeof x[1] === "string"),
  );
}

/** `AmazonEKSClusterPolicy` -> `amazoneksclusterpolicy`: a stable child-name part per policy. */
function policyName(policyArn: string): string {
  return (policyArn.split("/").pop() ?? policyArn).toLowerCase().replace(/[^a-z0-9]+/g, "-");
}

/** Wiring errors the cloud would only report mid-deploy; all of them at once. */
function validate(name: string, args: EksClusterArgs, self: pulumi.Resource): void {
  const problems: string[] = [];
  if (!EKS_CLUSTER_NAME_RE.test(args.clusterName) || args.clusterName.length > EKS_CLUSTER_NAME_MAX) {
    problems.push(
      `clusterName "${args.clusterName}" must match ${EKS_CLUSTER_NAME_RE} ` +
        `and be at most ${EKS_CLUSTER_NAME_MAX} characters`,
    );
  }
  if (name.length > MAX_COMPONENT_NAME_LENGTH) {
    problems.push(
      `component name "${name}" is longer than ${MAX_COMPONENT_NAME_LENGTH} ` +
        `characters: its auto-named IAM roles would exceed 64`,
    );
  }
  if (args.privateSubnetIds.length < 2) problems.push("privateSubnetIds: EKS needs subnets in at least 2 AZs");
  if (args.publicAccessCidrs.includes("0.0.0.0/0")) problems.push("publicAccessCidrs must not contain 0.0.0.0/0");
  if (args.nodeGroups.length === 0) problems.push("nodeGroups: at least one group");
  for (const n of args.nodeGroups) {
    if (!(n.minSize >= 0 && n.minSize <= n.desiredSize && n.desiredSize <= n.maxSize) || n.maxSize < 1) {
      problems.push(
        `nodeGroups ${n.name}: need 0 <= minSize (${n.minSize}) <= ` +
          `desiredSize (${n.desiredSize}) <= maxSize (${n.maxSize}), maxSize >= 1`,
      );
    }
  }
  if (problems.length > 0) throw new pulumi.ResourceError(`EksCluster ${name}: ${problems.join("; ")}`, self);
}
