/**
 * Karpenter in one cluster: its node role with an EC2_LINUX access entry, the controller's EKS Pod
 * Identity (agent add-on, role, association), the interruption queue with its EventBridge rules, the
 * discovery tag on the cluster security group, the chart, and the default EC2NodeClass and NodePool.
 * Only wiring: policies, specs and values come from lib/autoscaling/karpenter-plan.ts.
 * Pass `providers: { aws, kubernetes }`: children inherit them through `parent`.
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "../aws/sdk";
import * as k8s from "@pulumi/kubernetes";
import { MANAGED_POLICIES, ec2NodeTrustPolicy } from "../../lib/cluster/cluster-plan";
import {
  DEFAULT_POOL,
  DISCOVERY_TAG,
  INTERRUPTION_MESSAGE_RETENTION_SECONDS,
  INTERRUPTION_RULES,
  KARPENTER_CHART,
  KARPENTER_SERVICE_ACCOUNT,
  ec2NodeClassSpec,
  interruptionQueuePolicy,
  karpenterControllerPolicy,
  karpenterValues,
  nodePoolSpec,
  podIdentityTrustPolicy,
} from "../../lib/autoscaling/karpenter-plan";
import type { AmiType } from "../../lib/nodes/node-groups";
import { addonConfigurationValues, type AddonOverride } from "../../lib/addons/addon-versions";
import { addonVersionInput } from "../cluster/cluster";

export interface KarpenterArgs {
  /** EKS cluster name. */
  readonly clusterName: pulumi.Input<string>;
  /** Region of the cluster (policy scope and NodePool zones). */
  readonly region: string;
  /** The cluster's security group: tagged for discovery, the nodes' only group. */
  readonly clusterSecurityGroupId: pulumi.Input<string>;
  /** The stack's private subnets (one per AZ): the only ones Karpenter launches into. */
  readonly privateSubnetIds: pulumi.Input<string>[];
  /** Full AZ names of those subnets. */
  readonly availabilityZones: readonly string[];
  /** AMI family and architecture of Karpenter's nodes. @default AL2023 x86_64 */
  readonly amiType: AmiType;
  /** Data/root volume of Karpenter's nodes, GiB. */
  readonly diskSizeGiB: number;
  /** NodePool limits (lib/autoscaling/karpenter-plan.ts karpenterLimits). */
  readonly limits: { readonly cpu: string; readonly memory: string };
  /** Capacity types the NodePool may launch. */
  readonly capacityTypes: readonly ("on-demand" | "spot")[];
  /** Kubernetes version of the cluster (the Pod Identity agent's version follows it). */
  readonly clusterVersion: string;
  /** `cluster.addons.eks-pod-identity-agent`. @default the pinned table */
  readonly agentAddon?: AddonOverride;
  /** The agent's version on the running cluster (never taken back). @default not installed */
  readonly runningAgentVersion?: string;
  readonly tags: Readonly<Record<string, string>>;
}

export class Karpenter extends pulumi.ComponentResource {
  public readonly nodeRoleArn: pulumi.Output<string>;
  public readonly queueName: pulumi.Output<string>;
  /** The Pod Identity agent's planned version (part of the stack output addonVersions). */
  public readonly agentVersion: pulumi.Output<string>;

  constructor(name: string, args: KarpenterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("infrasage:autoscaling:Karpenter", name, {}, opts);
    const parent = { parent: this };
    const tags = { ...args.tags };
    const identity = aws.getCallerIdentityOutput({}, parent);

    // Nodes: their own role (the managed groups' role already has the entry EKS made for it).
    const nodeRole = new aws.iam.Role(
      `${name}-node-role`,
      { assumeRolePolicy: JSON.stringify(ec2NodeTrustPolicy()), tags },
      parent,
    );
    MANAGED_POLICIES.node.forEach(
      (policyArn) =>
        new aws.iam.RolePolicyAttachment(
          `${name}-node-${policyArn.split("/").pop()!.toLowerCase()}`,
          { role: nodeRole.name, policyArn },
          parent,
        ),
    );
    // EC2_LINUX entries carry no access policy: EKS maps them to system:nodes (EKS user guide, "Access entries").
    new aws.eks.AccessEntry(
      `${name}-node-entry`,
      { clusterName: args.clusterName, principalArn: nodeRole.arn, type: "EC2_LINUX", tags },
      parent,
    );

    // Interruptions: spot warnings, rebalance, health and state changes drain a node before it goes.
    const queue = new aws.sqs.Queue(
      `${name}-interruption`,
      {
        messageRetentionSeconds: INTERRUPTION_MESSAGE_RETENTION_SECONDS,
        sqsManagedSseEnabled: true,
        tags,
      },
      parent,
    );
    new aws.sqs.QueuePolicy(
      `${name}-interruption`,
      { queueUrl: queue.url, policy: queue.arn.apply((arn) => JSON.stringify(interruptionQueuePolicy(arn))) },
      parent,
    );
    for (const rule of INTERRUPTION_RULES) {
      const r = new aws.cloudwatch.EventRule(
        `${name}-${rule.key}`,
        {
          description: `Karpenter interruption: ${rule.pattern["detail-type"][0]}`,
          eventPattern: JSON.stringify(rule.pattern),
          tags,
        },
        parent,
      );
      new aws.cloudwatch.EventTarget(`${name}-${rule.key}`, { rule: r.name, arn: queue.arn }, parent);
    }

    // Controller identity: EKS Pod Identity (no OIDC trust to maintain per service account).
    const agentValues = addonConfigurationValues(undefined, args.agentAddon);
    const agent = new aws.eks.Addon(
      `${name}-pod-identity-agent`,
      {
        clusterName: args.clusterName,
        addonName: "eks-pod-identity-agent",
        addonVersion: addonVersionInput(
          "eks-pod-identity-agent",
          args.clusterVersion,
          args.agentAddon,
          args.runningAgentVersion,
          () =>
            aws.eks.getAddonVersionOutput(
              { addonName: "eks-pod-identity-agent", kubernetesVersion: args.clusterVersion },
              parent,
            ).version,
        ),
        ...(agentValues ? { configurationValues: JSON.stringify(agentValues) } : {}),
        resolveConflictsOnCreate: "OVERWRITE",
        resolveConflictsOnUpdate: "OVERWRITE",
        tags,
      },
      parent,
    );
    const controllerRole = new aws.iam.Role(
      `${name}-controller-role`,
      {
        assumeRolePolicy: pulumi.all([args.clusterName, identity.accountId]).apply(([clusterName, accountId]) =>
          JSON.stringify(
            podIdentityTrustPolicy({
              accountId,
              region: args.region,
              clusterName,
              namespace: KARPENTER_SERVICE_ACCOUNT.namespace,
              serviceAccount: KARPENTER_SERVICE_ACCOUNT.name,
            }),
          ),
        ),
        // Inline: the role's ARN (and so the association) exists only once the role may act.
        inlinePolicies: [
          {
            name: "karpenter-controller",
            policy: pulumi
              .all([args.clusterName, identity.accountId, nodeRole.arn, queue.arn])
              .apply(([clusterName, accountId, nodeRoleArn, queueArn]) =>
                JSON.stringify(
                  karpenterControllerPolicy({ clusterName, region: args.region, accountId, nodeRoleArn, queueArn }),
                ),
              ),
          },
        ],
        tags,
      },
      parent,
    );
    const association = new aws.eks.PodIdentityAssociation(
      `${name}-controller`,
      {
        clusterName: args.clusterName,
        namespace: KARPENTER_SERVICE_ACCOUNT.namespace,
        serviceAccount: KARPENTER_SERVICE_ACCOUNT.name,
        roleArn: controllerRole.arn,
        tags,
      },
      parent,
    );

    // Discovery: the EKS-created cluster security group (not a VPC resource of ours) gets the tag.
    new aws.ec2.Tag(
      `${name}-sg-discovery`,
      { resourceId: args.clusterSecurityGroupId, key: DISCOVERY_TAG, value: args.clusterName },
      parent,
    );

    const release = new k8s.helm.v3.Release(
      `${name}-release`,
      {
        name: KARPENTER_CHART.name,
        chart: `${KARPENTER_CHART.repo}/${KARPENTER_CHART.name}`,
        version: KARPENTER_CHART.version,
        namespace: KARPENTER_SERVICE_ACCOUNT.namespace,
        values: pulumi
          .all([args.clusterName, queue.name])
          .apply(([clusterName, queueName]) => karpenterValues({ clusterName, queueName })),
      },
      {
        ...parent,
        // The controller reads its credentials at start: the agent and the association must exist.
        dependsOn: [agent, association],
      },
    );

    new k8s.apiextensions.CustomResource(
      `${name}-nodeclass`,
      {
        apiVersion: "karpenter.k8s.aws/v1",
        kind: "EC2NodeClass",
        metadata: { name: DEFAULT_POOL },
        spec: pulumi
          .all([args.clusterName, nodeRole.name, pulumi.all(args.privateSubnetIds)])
          .apply(([clusterName, nodeRoleName, subnetIds]) =>
            ec2NodeClassSpec({
              clusterName,
              nodeRoleName,
              subnetIds,
              amiType: args.amiType,
              diskSizeGiB: args.diskSizeGiB,
              tags,
            }),
          ),
      },
      { ...parent, dependsOn: [release] },
    ); // the chart brings the CRDs
    new k8s.apiextensions.CustomResource(
      `${name}-nodepool`,
      {
        apiVersion: "karpenter.sh/v1",
        kind: "NodePool",
        metadata: { name: DEFAULT_POOL },
        spec: nodePoolSpec({
          availabilityZones: args.availabilityZones,
          amiType: args.amiType,
          capacityTypes: args.capacityTypes,
          limits: args.limits,
        }),
      },
      { ...parent, dependsOn: [release] },
    );

    this.nodeRoleArn = nodeRole.arn;
    this.queueName = queue.name;
    this.agentVersion = agent.addonVersion;
    this.registerOutputs({ nodeRoleArn: this.nodeRoleArn, queueName: this.queueName });
  }
}
