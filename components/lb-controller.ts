/**
 * The AWS Load Balancer Controller in one cluster, reduced to binding Pulumi-managed target groups
 * to Services (TargetGroupBinding): an IRSA role limited to those target groups and the eks-charts
 * Helm release. Policy, values and chart pin come from lib/lb-controller-plan.ts.
 * Pass `providers: { aws, kubernetes }`: children inherit them through `parent`.
 */
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { irsaTrustPolicy, oidcIssuerHost } from "../lib/cluster-plan";
import { LB_CONTROLLER_CHART, LB_CONTROLLER_SERVICE_ACCOUNT, lbControllerPolicy, lbControllerValues } from "../lib/lb-controller-plan";

export interface LoadBalancerControllerArgs {
  /** EKS cluster name (the controller's `clusterName`). */
  readonly clusterName: pulumi.Input<string>;
  /** Region of the cluster. */
  readonly region: string;
  /** VPC of the cluster. */
  readonly vpcId: pulumi.Input<string>;
  /** The cluster's IAM OIDC provider ARN (IRSA). */
  readonly oidcProviderArn: pulumi.Input<string>;
  /** The cluster's OIDC issuer URL. */
  readonly oidcIssuer: pulumi.Input<string>;
  /** Target groups the controller may (de)register targets in. */
  readonly targetGroupArns: readonly pulumi.Input<string>[];
  /** Tags on the IAM role. */
  readonly tags: Readonly<Record<string, string>>;
}

export class LoadBalancerController extends pulumi.ComponentResource {
  /** The Helm release: TargetGroupBindings must wait for it (CRD and admission webhook). */
  public readonly release: k8s.helm.v3.Release;
  /** ARN of the controller's IRSA role. */
  public readonly roleArn: pulumi.Output<string>;

  constructor(name: string, args: LoadBalancerControllerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("infrasage:federation:LoadBalancerController", name, {}, opts);
    const parent = { parent: this };
    const sa = LB_CONTROLLER_SERVICE_ACCOUNT;
    const role = new aws.iam.Role(`${name}-role`, {
      assumeRolePolicy: pulumi.all([args.oidcIssuer, args.oidcProviderArn]).apply(([issuer, providerArn]) => JSON.stringify(irsaTrustPolicy({
        issuerHost: oidcIssuerHost(issuer), providerArn, namespace: sa.namespace, serviceAccount: sa.name,
      }))),
      // Inline: the role's ARN (and so the release) exists only once the role may act.
      inlinePolicies: [{
        name: "target-group-binding",
        policy: pulumi.all([...args.targetGroupArns]).apply((arns) => JSON.stringify(lbControllerPolicy(arns))),
      }],
      tags: { ...args.tags },
    }, parent);

    this.roleArn = role.arn;
    this.release = new k8s.helm.v3.Release(`${name}-release`, {
      name: LB_CONTROLLER_CHART.name,
      chart: LB_CONTROLLER_CHART.name,
      version: LB_CONTROLLER_CHART.version,
      repositoryOpts: { repo: LB_CONTROLLER_CHART.repo },
      namespace: sa.namespace,
      values: pulumi.all([args.clusterName, args.vpcId, role.arn]).apply(([clusterName, vpcId, roleArn]) =>
        lbControllerValues({ clusterName, region: args.region, vpcId, roleArn })),
    }, parent);
    this.registerOutputs({ roleArn: this.roleArn });
  }
}
