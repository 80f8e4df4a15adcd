/**
 * The stack's private DNS for pattern 3 (pure): ExternalDNS's least-privilege IAM policy and its
 * Helm values. ExternalDNS writes the members' records (`keeper-<n>.<stack>.infrasage.internal`,
 * `clickhouse.<stack>.infrasage.internal`) into the stack's private zone, following pod IPs.
 */
import type { PolicyDocument } from "../aws/policy-document";
import { ADDON_CHARTS } from "../charts/pinned-versions";

/** The ExternalDNS chart, pinned in lib/charts/pinned-versions.ts. */
export const EXTERNAL_DNS_CHART = ADDON_CHARTS.externalDns;
export const EXTERNAL_DNS_NAMESPACE = "external-dns";
export const EXTERNAL_DNS_SERVICE_ACCOUNT = "external-dns";

/** Change records in this zone only; listing zones cannot be scoped (IAM requires "*"). */
export function externalDnsPolicy(zoneId: string): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Action: ["route53:ChangeResourceRecordSets", "route53:ListResourceRecordSets"],
        Resource: [`arn:aws:route53:::hostedzone/${zoneId}`],
      },
      { Effect: "Allow", Action: ["route53:ListHostedZones", "route53:ListTagsForResource"], Resource: ["*"] },
    ],
  };
}

export interface ExternalDnsValuesInput {
  readonly region: string;
  readonly zoneName: string;
  readonly zoneId: string;
  readonly roleArn: string;
  /** TXT registry owner (the stack name): ExternalDNS never touches records it does not own. */
  readonly ownerId: string;
}

export function externalDnsValues(i: ExternalDnsValuesInput) {
  return {
    provider: { name: "aws" },
    env: [{ name: "AWS_DEFAULT_REGION", value: i.region }],
    serviceAccount: {
      create: true,
      name: EXTERNAL_DNS_SERVICE_ACCOUNT,
      annotations: { "eks.amazonaws.com/role-arn": i.roleArn },
    },
    // Headless Services only (Keeper members, the ClickHouse replica): not Ingresses, not LBs.
    sources: ["service"],
    domainFilters: [i.zoneName],
    policy: "sync",
    registry: "txt",
    txtOwnerId: i.ownerId,
    interval: "30s",
    extraArgs: ["--aws-zone-type=private", `--zone-id-filter=${i.zoneId}`],
  };
}
