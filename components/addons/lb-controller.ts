/**
 * The AWS Load Balancer Controller in one cluster, reduced to binding Pulumi-managed target groups
 * to Services (TargetGroupBinding): an IRSA role limited to those target groups, the eks-charts
 * Helm release, and one TargetGroupBinding per binding asked for. One per stack: the federation hub
 * and the shared-Grafana link hand it their bindings (stack.ts), so a stack that is both runs one.
 * Policy, values and chart pin come from lib/addons/lb-controller-plan.ts.
 * Pass `providers: { aws, kubernetes }`: children inherit them through `parent`.
 */
import * as aws from "../aws/sdk";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { irsaTrustPolicy, oidcIssuerHost } from "../../lib/cluster/cluster-plan";
import {
  LB_CONTROLLER_CHART,
  LB_CONTROLLER_SERVICE_ACCOUNT,
  lbControllerPolicy,
  lbControllerValues,
  targetGroupBindingSpec,
} from "../../lib/addons/lb-controller-plan";

/** A Pulumi-managed target group to keep filled with a Service's pod IPs. */
export interface TargetGroupBindingRequest {
  /** Name of the TargetGroupBinding object (also its Pulumi name's role). */
  readonly name: string;
  /** Namespace of the Service (and of the binding). */
  readonly namespace: pulumi.Input<string>;
  /** The target group (type ip). */
  readonly targetGroupArn: pulumi.Input<string>;
  /** Kubernetes Service whose endpoints are registered. */
  readonly serviceName: string;
  /** The Service port. */
  readonly servicePort: number;
}

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
  /** Target groups to bind to Services: the only ones the controller may (de)register targets in. */
  readonly bindings: readonly TargetGroupBindingRequest[];
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
    const role = new aws.iam.Role(
      `${name}-role`,
      {
        assumeRolePolicy: pulumi.all([args.oidcIssuer, args.oidcProviderArn]).apply(([issuer, providerArn]) =>
          JSON.stringify(
            irsaTrustPolicy({
              issuerHost: oidcIssuerHost(issuer),
              providerArn,
              namespace: sa.namespace,
              serviceAccount: sa.name,
            }),
          ),
        ),
        // Inline: the role's ARN (and so the release) exists only once the role may act.
        inlinePolicies: [
          {
            name: "target-group-binding",
            policy: pulumi
              .all(args.bindings.map((b) => b.targetGroupArn))
              .apply((arns) => JSON.stringify(lbControllerPolicy(arns))),
          },
        ],
        tags: { ...args.tags },
      },
      parent,
    );

    this.roleArn = role.arn;
    this.release = new k8s.helm.v3.Release(
      `${name}-release`,
      {
        name: LB_CONTROLLER_CHART.name,
        chart: LB_CONTROLLER_CHART.name,
        version: LB_CONTROLLER_CHART.version,
        repositoryOpts: { repo: LB_CONTROLLER_CHART.repo },
        namespace: sa.namespace,
        values: pulumi
          .all([args.clusterName, args.vpcId, role.arn])
          .apply(([clusterName, vpcId, roleArn]) =>
            lbControllerValues({ clusterName, region: args.region, vpcId, roleArn }),
          ),
      },
      parent,
    );

    for (const b of args.bindings) {
      new k8s.apiextensions.CustomResource(
        `${name}-${b.name}`,
        {
          apiVersion: "elbv2.k8s.aws/v1beta1",
          kind: "TargetGroupBinding",
          metadata: { name: b.name, namespace: b.namespace },
          spec: pulumi
            .output(b.targetGroupArn)
            .apply((targetGroupArn) =>
              targetGroupBindingSpec({ targetGroupArn, serviceName: b.serviceName, servicePort: b.servicePort }),
            ),
        },
        {
          ...parent,
          // The chart brings the CRD and the admission webhook; on destroy the binding goes first.
          dependsOn: [this.release],
        },
      );
    }
    this.registerOutputs({ roleArn: this.roleArn });
  }
}
