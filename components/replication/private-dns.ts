/**
 * The stack's Route 53 private zone `<stack>.infrasage.internal` (associated with its own VPC;
 * peers associate it with theirs) and ExternalDNS, which keeps the members' records pointing at
 * their pods' VPC addresses. Policy and values come from lib/replication/private-dns-plan.ts.
 * Pass `providers: { aws, kubernetes }`: children inherit them through `parent`.
 */
import * as aws from "../aws/sdk";
import * as k8s from "@pulumi/kubernetes";
import { networkPolicies } from "../isolation/network-policies";
import {
  NAMESPACE_POD_SECURITY,
  denyIngressByDefault,
  externalDnsEgress,
  podSecurityLabels,
} from "../../lib/isolation/isolation";
import * as pulumi from "@pulumi/pulumi";
import { irsaRole } from "../cluster/irsa-role";
import {
  EXTERNAL_DNS_CHART,
  EXTERNAL_DNS_NAMESPACE,
  EXTERNAL_DNS_SERVICE_ACCOUNT,
  externalDnsPolicy,
  externalDnsValues,
} from "../../lib/replication/private-dns-plan";

export interface PrivateDnsArgs {
  /** Zone name, `<stack>.infrasage.internal` (lib/replication/keeper-plan.ts zoneNameFor). */
  readonly zoneName: string;
  /** This stack's VPC (the zone's first association). */
  readonly vpcId: pulumi.Input<string>;
  /** This stack's region (the VPC's region). */
  readonly region: string;
  /** The cluster's IAM OIDC provider ARN (IRSA). */
  readonly oidcProviderArn: pulumi.Input<string>;
  /** The cluster's OIDC issuer URL. */
  readonly oidcIssuer: pulumi.Input<string>;
  /** Owner id of the records ExternalDNS writes (the stack name). */
  readonly ownerId: string;
  /** Tags on the zone and the IAM role. */
  readonly tags: Readonly<Record<string, string>>;
}

export class PrivateDns extends pulumi.ComponentResource {
  /** Hosted zone id (peers associate it with their VPCs). */
  public readonly zoneId: pulumi.Output<string>;

  constructor(name: string, args: PrivateDnsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("infrasage:replication:PrivateDns", name, {}, opts);
    const parent = { parent: this };
    const zone = new aws.route53.Zone(
      `${name}-zone`,
      {
        name: args.zoneName,
        comment: "InfraSage active-active: Keeper members and the ClickHouse replica of this stack",
        vpcs: [{ vpcId: args.vpcId, vpcRegion: args.region }],
        tags: { ...args.tags },
      },
      {
        ...parent,
        // Peers add their VPCs with ZoneAssociation resources; without this, the next `up` here
        // would remove those associations again (the documented pattern for ZoneAssociation).
        ignoreChanges: ["vpcs"],
      },
    );

    const sa = { namespace: EXTERNAL_DNS_NAMESPACE, name: EXTERNAL_DNS_SERVICE_ACCOUNT };
    const role = irsaRole(
      `${name}-external-dns`,
      {
        oidcIssuer: args.oidcIssuer,
        oidcProviderArn: args.oidcProviderArn,
        serviceAccount: sa,
        inlinePolicies: [
          { name: "private-zone-records", policy: zone.zoneId.apply((id) => JSON.stringify(externalDnsPolicy(id))) },
        ],
        tags: args.tags,
      },
      parent,
    );

    // The namespace with its pod security level, applied (server-side apply: upserts whether Helm or
    // this patch comes first, and never fails on an existing namespace); no ingress at all.
    const ns = new k8s.core.v1.NamespacePatch(
      `${name}-external-dns-namespace`,
      {
        metadata: { name: sa.namespace, labels: podSecurityLabels(NAMESPACE_POD_SECURITY.externalDns) },
      },
      parent,
    );
    // No ingress at all; egress only DNS and HTTPS (Route 53, STS, the API server).
    // The namespace by the patch's output: the policies follow it through data, no dependsOn.
    networkPolicies(
      `${name}-external-dns-netpol`,
      [denyIngressByDefault(sa.namespace), ...externalDnsEgress(sa.namespace)],
      parent,
      ns.metadata.name,
    );

    new k8s.helm.v3.Release(
      `${name}-external-dns`,
      {
        name: EXTERNAL_DNS_CHART.name,
        chart: EXTERNAL_DNS_CHART.name,
        version: EXTERNAL_DNS_CHART.version,
        repositoryOpts: { repo: EXTERNAL_DNS_CHART.repo },
        namespace: sa.namespace,
        createNamespace: true,
        values: pulumi.all([zone.zoneId, role.arn, ns.metadata]).apply(([zoneId, roleArn]) =>
          externalDnsValues({
            region: args.region,
            zoneName: args.zoneName,
            zoneId,
            roleArn,
            ownerId: args.ownerId,
          }),
        ),
      },
      parent,
    );

    this.zoneId = zone.zoneId;
    this.registerOutputs({ zoneId: this.zoneId });
  }
}
