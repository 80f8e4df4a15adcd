/**
 * The Cluster Autoscaler for the managed node groups: an IRSA role limited to this cluster's groups
 * and the chart, whose image minor follows the cluster's version. With it a group's desired size is
 * the autoscaler's (the node group ignores it after creation) and its maxSize is the ceiling.
 * Policy and values come from lib/autoscaling/cluster-autoscaler-plan.ts.
 * Pass `providers: { aws, kubernetes }`: children inherit them through `parent`.
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "../aws/sdk";
import * as k8s from "@pulumi/kubernetes";
import { irsaRole } from "../cluster/irsa-role";
import {
  CLUSTER_AUTOSCALER_CHART,
  CLUSTER_AUTOSCALER_SERVICE_ACCOUNT,
  clusterAutoscalerPolicy,
  clusterAutoscalerValues,
} from "../../lib/autoscaling/cluster-autoscaler-plan";

export interface ClusterAutoscalerArgs {
  readonly clusterName: pulumi.Input<string>;
  /** Kubernetes version of the cluster (picks the autoscaler's image). */
  readonly clusterVersion: string;
  readonly region: string;
  readonly oidcProviderArn: pulumi.Input<string>;
  readonly oidcIssuer: pulumi.Input<string>;
  readonly tags: Readonly<Record<string, string>>;
}

export class ClusterAutoscaler extends pulumi.ComponentResource {
  public readonly roleArn: pulumi.Output<string>;

  constructor(name: string, args: ClusterAutoscalerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("infrasage:autoscaling:ClusterAutoscaler", name, {}, opts);
    const parent = { parent: this };
    const sa = CLUSTER_AUTOSCALER_SERVICE_ACCOUNT;
    const identity = aws.getCallerIdentityOutput({}, parent);
    const role = irsaRole(
      `${name}-role`,
      {
        oidcIssuer: args.oidcIssuer,
        oidcProviderArn: args.oidcProviderArn,
        serviceAccount: sa,
        inlinePolicies: [
          {
            name: "cluster-autoscaler",
            policy: pulumi
              .all([args.clusterName, identity.accountId])
              .apply(([clusterName, accountId]) =>
                JSON.stringify(clusterAutoscalerPolicy({ clusterName, region: args.region, accountId })),
              ),
          },
        ],
        tags: args.tags,
      },
      parent,
    );
    new k8s.helm.v3.Release(
      `${name}-release`,
      {
        name: CLUSTER_AUTOSCALER_CHART.name,
        chart: CLUSTER_AUTOSCALER_CHART.name,
        version: CLUSTER_AUTOSCALER_CHART.version,
        repositoryOpts: { repo: CLUSTER_AUTOSCALER_CHART.repo },
        namespace: sa.namespace,
        values: pulumi
          .all([args.clusterName, role.arn])
          .apply(([clusterName, roleArn]) =>
            clusterAutoscalerValues({ clusterName, region: args.region, roleArn, clusterVersion: args.clusterVersion }),
          ),
      },
      parent,
    );
    this.roleArn = role.arn;
    this.registerOutputs({ roleArn: this.roleArn });
  }
}
