/**
 * Versioned on-demand price table (USD) used by the offline cost estimate. No network at run time.
 * Source: AWS public on-demand pricing pages (Linux, shared tenancy), transcribed 2026-11-01.
 * Treat as an estimate: check the AWS Pricing Calculator before budgeting. Regions missing here
 * fall back to us-east-1 prices and the estimate says so.
 */
export const PRICE_TABLE_VERSION = "2026-11-01";
export const HOURS_PER_MONTH = 730;

export interface RegionPrices {
  /** EC2 on-demand $/hour by instance type. */
  readonly ec2: Readonly<Record<string, number>>;
  /** EBS gp3 $/GB-month. */
  readonly gp3GbMonth: number;
  /** NAT gateway $/hour (data processing not estimated). */
  readonly natHour: number;
  /** Load balancer (NLB/ALB) $/hour (LCUs not estimated). */
  readonly lbHour: number;
  /** NAT gateway data processing $/GB (equal to the hourly rate in every region AWS lists). */
  readonly natGb: number;
  /** Interface VPC endpoint (PrivateLink) $/hour per AZ. */
  readonly endpointHour: number;
  /** Interface VPC endpoint data processing $/GB (first PB). */
  readonly endpointGb: number;
}

/** Same in every commercial region. */
export const GLOBAL_PRICES = {
  /** EKS control plane, standard support, $/hour. */
  eksClusterHour: 0.10,
  /** Public IPv4 address (EIP) $/hour. */
  publicIpv4Hour: 0.005,
  /** Customer-managed KMS key $/month. */
  kmsKeyMonth: 1.0,
} as const;

const ec2 = (large: number, small: number) => ({
  "t3.small": small, "m6i.large": large, "m6i.xlarge": large * 2, "m6i.2xlarge": large * 4,
});

export const REGION_PRICES: Readonly<Record<string, RegionPrices>> = {
  "us-east-1": { ec2: ec2(0.096, 0.0208), gp3GbMonth: 0.08, natHour: 0.045, lbHour: 0.0225, natGb: 0.045, endpointHour: 0.01, endpointGb: 0.01 },
  "eu-west-1": { ec2: ec2(0.107, 0.0228), gp3GbMonth: 0.088, natHour: 0.048, lbHour: 0.0252, natGb: 0.048, endpointHour: 0.011, endpointGb: 0.01 },
  "eu-west-3": { ec2: ec2(0.112, 0.0236), gp3GbMonth: 0.0928, natHour: 0.048, lbHour: 0.0252, natGb: 0.048, endpointHour: 0.011, endpointGb: 0.01 },
  "eu-central-1": { ec2: ec2(0.115, 0.024), gp3GbMonth: 0.0952, natHour: 0.052, lbHour: 0.027, natGb: 0.052, endpointHour: 0.012, endpointGb: 0.01 },
  "eu-north-1": { ec2: ec2(0.102, 0.0216), gp3GbMonth: 0.0836, natHour: 0.046, lbHour: 0.0243, natGb: 0.046, endpointHour: 0.011, endpointGb: 0.01 },
  "ap-south-1": { ec2: ec2(0.101, 0.0224), gp3GbMonth: 0.0912, natHour: 0.056, lbHour: 0.0239, natGb: 0.056, endpointHour: 0.011, endpointGb: 0.01 },
};

export function pricesFor(region: string): { prices: RegionPrices; approximate: boolean } {
  const own = REGION_PRICES[region];
  return own ? { prices: own, approximate: false } : { prices: REGION_PRICES["us-east-1"]!, approximate: true };
}
