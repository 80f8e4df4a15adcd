/**
 * An IAM role one Kubernetes service account assumes through the cluster's OIDC provider (IRSA): the
 * trust document is lib/cluster/cluster-plan.ts irsaTrustPolicy, so every IRSA role of the program
 * trusts exactly one service account, for STS, and nothing else.
 * A plain function, not a component: the role keeps the name and parent its caller gives it.
 */
import type { types } from "@pulumi/aws"; // types only: erased, the index is never loaded
import * as aws from "../aws/sdk";
import * as pulumi from "@pulumi/pulumi";
import { irsaTrustPolicy, oidcIssuerHost } from "../../lib/cluster/cluster-plan";

export interface IrsaRoleArgs {
  /** The cluster's OIDC issuer URL. */
  readonly oidcIssuer: pulumi.Input<string>;
  /** The cluster's IAM OIDC provider ARN. */
  readonly oidcProviderArn: pulumi.Input<string>;
  /** The only service account that may assume the role. */
  readonly serviceAccount: { readonly namespace: string; readonly name: string };
  /** Inline policies: the role's ARN then exists only once the role may act. */
  readonly inlinePolicies?: types.input.iam.RoleInlinePolicy[];
  readonly tags: Readonly<Record<string, string>>;
}

export function irsaRole(name: string, args: IrsaRoleArgs, opts: pulumi.CustomResourceOptions): aws.iam.Role {
  const { namespace, name: serviceAccount } = args.serviceAccount;
  return new aws.iam.Role(
    name,
    {
      assumeRolePolicy: pulumi
        .all([args.oidcIssuer, args.oidcProviderArn])
        .apply(([issuer, providerArn]) =>
          JSON.stringify(
            irsaTrustPolicy({ issuerHost: oidcIssuerHost(issuer), providerArn, namespace, serviceAccount }),
          ),
        ),
      ...(args.inlinePolicies ? { inlinePolicies: args.inlinePolicies } : {}),
      tags: { ...args.tags },
    },
    opts,
  );
}
