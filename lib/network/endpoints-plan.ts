/**
 * VPC endpoints for private nodes (pure): the catalogue, which ones `auto` turns on (those that pay
 * for themselves against NAT data processing), and the monthly figures the cost estimate shows.
 *
 * The money: an interface endpoint costs an hourly fee per AZ plus a per-GB fee; the traffic it
 * carries would otherwise pay NAT data processing. A gateway endpoint (S3) is free and saves all of
 * its traffic's NAT processing, so it always pays. Prices per region in lib/cost/prices.ts.
 */
import type { ScaleProfileName } from "../profiles/profiles";

export type EndpointService = "s3" | "ecr.api" | "ecr.dkr" | "sts" | "logs" | "ec2";
export const ENDPOINT_SERVICES: readonly EndpointService[] = ["s3", "ecr.api", "ecr.dkr", "sts", "logs", "ec2"];
/** S3 is a gateway endpoint (route-table entries); the rest are interface endpoints (ENIs per AZ). */
export const GATEWAY_SERVICES: readonly EndpointService[] = ["s3"];

/** AWS APIs behind interface endpoints answer on HTTPS only. */
export const HTTPS_PORT = 443;

/** `com.amazonaws.<region>.<service>`: the endpoint service name in every commercial region. */
export function endpointServiceName(region: string, service: EndpointService): string {
  return `com.amazonaws.${region}.${service}`;
}

/**
 * Traffic each service carries per month and profile, GiB: an assumption, stated so it can be
 * challenged. S3 carries the image layers ECR serves from S3 (node churn and rollouts) and the EBS
 * CSI/chart downloads; the ECR APIs only manifests and tokens; STS one token per pod identity per
 * hour; EC2 the CNI's and the autoscaler's describe calls; CloudWatch Logs nothing of the program's
 * (control-plane and flow logs never cross the VPC; the chart's own log shipping is not known).
 */
const ASSUMED_MONTHLY_GB: Readonly<Record<ScaleProfileName, Readonly<Record<EndpointService, number>>>> = {
  small: { s3: 60, "ecr.api": 1, "ecr.dkr": 2, sts: 1, logs: 0, ec2: 1 },
  medium: { s3: 200, "ecr.api": 2, "ecr.dkr": 5, sts: 2, logs: 0, ec2: 3 },
  large: { s3: 600, "ecr.api": 4, "ecr.dkr": 10, sts: 4, logs: 0, ec2: 6 },
};

export interface EndpointPrices {
  /** Interface endpoint $/hour per AZ. */
  readonly interfaceHour: number;
  /** Interface endpoint $/GB processed. */
  readonly interfaceGb: number;
  /** NAT gateway $/GB processed. */
  readonly natGb: number;
}

export interface EndpointEconomics {
  readonly service: EndpointService;
  /** Endpoint's own monthly price (0 for a gateway). */
  readonly monthlyCost: number;
  /** NAT data processing it avoids per month. */
  readonly monthlyNatSaved: number;
  /** Assumed traffic, GB/month. */
  readonly gb: number;
}

export function endpointEconomics(
  service: EndpointService,
  profile: ScaleProfileName,
  azs: number,
  prices: EndpointPrices,
  hoursPerMonth: number,
): EndpointEconomics {
  const gb = ASSUMED_MONTHLY_GB[profile][service];
  const gateway = GATEWAY_SERVICES.includes(service);
  const monthlyCost = gateway ? 0 : prices.interfaceHour * hoursPerMonth * azs + prices.interfaceGb * gb;
  return { service, monthlyCost, monthlyNatSaved: prices.natGb * gb, gb };
}

/** `auto`: the endpoints whose NAT savings cover their own price (with the assumptions above: S3). */
export function autoEndpoints(
  profile: ScaleProfileName,
  azs: number,
  prices: EndpointPrices,
  hoursPerMonth: number,
): EndpointService[] {
  return ENDPOINT_SERVICES.filter((s) => {
    const e = endpointEconomics(s, profile, azs, prices, hoursPerMonth);
    return e.monthlyNatSaved >= e.monthlyCost;
  });
}
