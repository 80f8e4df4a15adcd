/**
 * Versioned on-demand price table (USD) used by the offline cost estimate. No network at run time.
 * Sources: the AWS public price lists, Linux, shared tenancy, on-demand: EC2 (aws.amazon.com/ec2/
 * pricing/on-demand), EBS gp3 (/ebs/pricing), NAT gateway and PrivateLink (/vpc/pricing,
 * /privatelink/pricing), Network Load Balancer (/elasticloadbalancing/pricing), EKS (/eks/pricing).
 * Per-region figures: the six first regions transcribed 2026-11-01; the rest added 2026-12-05 from
 * the published list prices as known then, without re-reading the price pages (no network where this
 * was written): a maintainer re-checks them against the pages above when bumping PRICE_TABLE_VERSION.
 * Derived, and said so below: sizes of one instance family from its `large` price (AWS prices a
 * family's sizes linearly); t3 and Graviton types from their ratio to m6i in us-east-1; regions with
 * no transcribed list (launched 2025 or later) use the nearest region's figures and the estimate
 * names it. Treat as an estimate: check the AWS Pricing Calculator before budgeting.
 */
export const PRICE_TABLE_VERSION = "2026-12-05";
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
  eksClusterHour: 0.1,
  /** Public IPv4 address (EIP) $/hour. */
  publicIpv4Hour: 0.005,
  /** Customer-managed KMS key $/month. */
  kmsKeyMonth: 1.0,
} as const;

/**
 * Price ratio to m6i.large in us-east-1 (0.096/h): t3.small 0.0208, m6g.large 0.077, m7g.large
 * 0.0816, m6a.large 0.0864, m5.large 0.096, c6i.large 0.085, r6i.large 0.126. Applied to a region's
 * own m6i.large price for the types the estimate may meet (profiles, witnesses, examples).
 */
const FAMILY_RATIO: Readonly<Record<string, number>> = {
  t3: 0.0208 / 0.096,
  m6i: 1,
  m5: 1,
  m6a: 0.0864 / 0.096,
  m6g: 0.077 / 0.096,
  m7g: 0.0816 / 0.096,
  c6i: 0.085 / 0.096,
  r6i: 0.126 / 0.096,
};
/** Size multipliers of `large` (linear within a family); t3 sizes are priced from small. */
const SIZE: Readonly<Record<string, number>> = { large: 1, xlarge: 2, "2xlarge": 4, "4xlarge": 8, "8xlarge": 16 };

/** The EC2 price list of a region from its own m6i.large price (t3.small as listed where transcribed). */
function ec2(m6iLarge: number, t3Small?: number): Record<string, number> {
  const out: Record<string, number> = { "t3.small": t3Small ?? round4(m6iLarge * FAMILY_RATIO.t3!) };
  for (const [family, ratio] of Object.entries(FAMILY_RATIO)) {
    if (family === "t3") continue;
    for (const [size, mult] of Object.entries(SIZE)) out[`${family}.${size}`] = round4(m6iLarge * ratio * mult);
  }
  return out;
}
const round4 = (n: number) => Math.round(n * 10000) / 10000;

type Base = [
  m6iLarge: number,
  gp3GbMonth: number,
  natHour: number,
  lbHour: number,
  endpointHour: number,
  t3Small?: number,
];
/** Per region: m6i.large $/h, gp3 $/GB-month, NAT $/h (= $/GB processed), NLB $/h, PrivateLink $/h per AZ. */
const BASE: Readonly<Record<string, Base>> = {
  "us-east-1": [0.096, 0.08, 0.045, 0.0225, 0.01, 0.0208],
  "us-east-2": [0.096, 0.08, 0.045, 0.0225, 0.01],
  "us-west-1": [0.112, 0.096, 0.048, 0.0252, 0.011],
  "us-west-2": [0.096, 0.08, 0.045, 0.0225, 0.01],
  "ca-central-1": [0.107, 0.088, 0.05, 0.02475, 0.011],
  "ca-west-1": [0.107, 0.088, 0.05, 0.02475, 0.011],
  "sa-east-1": [0.153, 0.152, 0.093, 0.034, 0.0155],
  "eu-west-1": [0.107, 0.088, 0.048, 0.0252, 0.011, 0.0228],
  "eu-west-2": [0.111, 0.0928, 0.05, 0.02646, 0.011],
  "eu-west-3": [0.112, 0.0928, 0.048, 0.0252, 0.011, 0.0236],
  "eu-central-1": [0.115, 0.0952, 0.052, 0.027, 0.012, 0.024],
  "eu-central-2": [0.1265, 0.1047, 0.0572, 0.0297, 0.0132],
  "eu-north-1": [0.102, 0.0836, 0.046, 0.0243, 0.011, 0.0216],
  "eu-south-1": [0.112, 0.0928, 0.048, 0.0265, 0.011],
  "eu-south-2": [0.107, 0.088, 0.048, 0.0252, 0.011],
  "il-central-1": [0.1176, 0.0968, 0.0528, 0.0277, 0.0121],
  "me-south-1": [0.1176, 0.0968, 0.0528, 0.0277, 0.0121],
  "me-central-1": [0.1176, 0.0968, 0.0528, 0.0277, 0.0121],
  "af-south-1": [0.1272, 0.1047, 0.06, 0.0286, 0.013],
  "ap-south-1": [0.101, 0.0912, 0.056, 0.0239, 0.011, 0.0224],
  "ap-south-2": [0.101, 0.0912, 0.056, 0.0239, 0.011],
  "ap-southeast-1": [0.12, 0.096, 0.059, 0.0252, 0.011],
  "ap-southeast-2": [0.12, 0.096, 0.059, 0.0252, 0.011],
  "ap-southeast-3": [0.12, 0.096, 0.059, 0.0252, 0.011],
  "ap-southeast-4": [0.12, 0.096, 0.059, 0.0252, 0.011],
  "ap-northeast-1": [0.124, 0.096, 0.062, 0.0243, 0.01],
  "ap-northeast-2": [0.118, 0.0912, 0.059, 0.0225, 0.01],
  "ap-northeast-3": [0.124, 0.096, 0.062, 0.0243, 0.01],
  "ap-east-1": [0.132, 0.1056, 0.065, 0.0277, 0.012],
};

/** Regions without a transcribed list, priced as their nearest listed neighbour (named in the estimate). */
export const PRICE_PROXIES: Readonly<Record<string, string>> = {
  "ap-southeast-5": "ap-southeast-1",
  "ap-southeast-6": "ap-southeast-2",
  "ap-southeast-7": "ap-southeast-1",
  "ap-east-2": "ap-east-1",
  "mx-central-1": "us-east-2",
};

/**
 * Spot price as a share of on-demand: an assumption (AWS advertises "up to 90%" off; 60% off is typical for m-family
 * pools).
 */
export const SPOT_DISCOUNT = 0.6;

const fromBase = ([large, gp3, nat, lb, endpoint, t3Small]: Base): RegionPrices => ({
  ec2: ec2(large, t3Small),
  gp3GbMonth: gp3,
  natHour: nat,
  lbHour: lb,
  natGb: nat,
  endpointHour: endpoint,
  endpointGb: 0.01,
});

export const REGION_PRICES: Readonly<Record<string, RegionPrices>> = Object.fromEntries(
  Object.entries(BASE).map(([r, b]) => [r, fromBase(b)]),
);

/**
 * A region's prices; `proxy` names the region whose figures stand in for it; `approximate`: none known at all
 * (us-east-1 used).
 */
export function pricesFor(region: string): { prices: RegionPrices; approximate: boolean; proxy?: string } {
  const own = REGION_PRICES[region];
  if (own) return { prices: own, approximate: false };
  const proxy = PRICE_PROXIES[region];
  if (proxy) return { prices: REGION_PRICES[proxy]!, approximate: false, proxy };
  return { prices: REGION_PRICES["us-east-1"]!, approximate: true };
}
