/**
 * The subnet plan of a regional VPC (pure data, no Pulumi): which CIDR each subnet gets, which AZs
 * get a NAT gateway and which NAT each private subnet routes through. components/network/network.ts only
 * turns this plan into resources.
 *
 * Layout: the VPC is cut into 4 equal quarters. Private subnet i is quarter i: EKS pods take VPC
 * IPs (VPC CNI), so the private tier gets nearly all the space. The 4th quarter is cut into 4 and
 * public subnet i is piece i: public subnets only hold NAT gateways and load balancers. The 4th
 * piece is cut into 4 again and load-balancer subnet i is piece i: internal load balancers live
 * there, so a cross-region link that only needs a load balancer (the hub's alert webhook) routes
 * to these small subnets, never to the pods' subnets. The spare quarter (2 AZs) and spare pieces
 * stay free for later tiers without renumbering anything.
 */
import { normalizeCidr, parseCidr } from "cidr-tools";
import { stringifyIp } from "ip-bigint";
import type { NatStrategy } from "../profiles/profiles";
import { MIN_VPC_PREFIX } from "../../policies/shared/network";

export type { NatStrategy } from "../profiles/profiles";

type SubnetTier = "public" | "private" | "lb";

export interface SubnetSpec {
  /** Public (NAT gateways, internet-facing LBs), private (nodes, pods) or lb (internal LBs). */
  readonly tier: SubnetTier;
  /** Full AZ name, e.g. `eu-west-1a`. */
  readonly az: string;
  /** IPv4 CIDR, network-aligned, inside the VPC CIDR. */
  readonly cidr: string;
  /** Short role name from the AZ suffix, e.g. `private-a`: unique within one VPC. */
  readonly name: string;
}

const MIN_AZS = 2;
/** Three private quarters plus the public quarter fill the VPC. */
const MAX_AZS = 3;
/** Load-balancer subnets are a quarter of the spare public piece: 6 bits smaller than the VPC. */
const LB_EXTRA_BITS = 6;
/** AWS's smallest subnet is a /28. */
export const AWS_MAX_SUBNET_PREFIX = 28;
/** Largest VPC prefix whose load-balancer subnets are still valid AWS subnets. */
const MAX_VPC_PREFIX = AWS_MAX_SUBNET_PREFIX - LB_EXTRA_BITS;

/** `a` from `eu-west-1a`; undefined when the name does not end in digit + letters. */
function suffixOf(az: string): string | undefined {
  return /^[a-z]{2}(?:-[a-z0-9]+)+?-\d+([a-z]+)$/.exec(az)?.[1];
}

/** The AZ's letter suffix (`a` for `eu-west-1a`): short, unique resource names per AZ. */
export function azSuffix(az: string): string {
  const suffix = suffixOf(az);
  if (suffix === undefined) throw new Error(`"${az}" is not a full AZ name such as eu-west-1a`);
  return suffix;
}

function problemsOf(vpcCidr: string, azs: readonly string[]): string[] {
  const problems: string[] = [];
  let parsed: ReturnType<typeof parseCidr> | undefined;
  try {
    parsed = vpcCidr.includes("/") ? parseCidr(vpcCidr) : undefined;
  } catch {
    parsed = undefined;
  }
  if (parsed?.version !== 4) {
    problems.push(`VPC CIDR "${vpcCidr}" is not an IPv4 CIDR (expected e.g. 10.20.0.0/16)`);
  } else {
    const prefix = Number(parsed.prefix);
    if (prefix < MIN_VPC_PREFIX || prefix > MAX_VPC_PREFIX) {
      problems.push(
        `VPC CIDR "${vpcCidr}" has prefix /${prefix}; the subnet plan needs ` +
          `/${MIN_VPC_PREFIX}../${MAX_VPC_PREFIX} (AWS allows /16 at most, and load-balancer ` +
          `subnets are the VPC prefix + ${LB_EXTRA_BITS}, at most /${AWS_MAX_SUBNET_PREFIX})`,
      );
    }
    const normalized = normalizeCidr(vpcCidr);
    if (normalized !== vpcCidr) problems.push(`VPC CIDR "${vpcCidr}" has host bits set; use ${normalized}`);
  }
  if (azs.length < MIN_AZS || azs.length > MAX_AZS) {
    problems.push(`got ${azs.length} availability zone(s); the subnet plan needs ${MIN_AZS} or ${MAX_AZS}`);
  }
  for (const az of azs) {
    if (suffixOf(az) === undefined) problems.push(`"${az}" is not a full AZ name such as eu-west-1a`);
  }
  // Subnet names come from the suffix, so `eu-west-1a` twice (or two `...a` zones) would collide.
  const suffixes = azs.map(suffixOf).filter((x) => x !== undefined);
  const repeated = suffixes.filter((x, i) => suffixes.indexOf(x) !== i);
  if (repeated.length > 0)
    problems.push(`availability zone suffixes repeat: ${[...new Set(repeated)].join(", ")} (in ${azs.join(", ")})`);
  return problems;
}

/** Splits `cidr` into 4 equal, consecutive CIDRs (prefix + 2). */
function quarters(cidr: string): string[] {
  const { start, end, prefix } = parseCidr(cidr);
  const size = (end - start + 1n) / 4n;
  return [0n, 1n, 2n, 3n].map((i) => `${stringifyIp({ number: start + i * size, version: 4 })}/${Number(prefix) + 2}`);
}

/**
 * One private, one public and one load-balancer subnet per AZ (in `azs` order: private, then
 * public, then lb).
 * Throws one Error listing every problem when the CIDR or the AZ list is unusable.
 */
export function planSubnets(vpcCidr: string, azs: readonly string[]): SubnetSpec[] {
  const problems = problemsOf(vpcCidr, azs);
  if (problems.length > 0) throw new Error(`invalid subnet plan input:\n  - ${problems.join("\n  - ")}`);
  const privateCidrs = quarters(vpcCidr);
  const publicCidrs = quarters(privateCidrs[3]!);
  const lbCidrs = quarters(publicCidrs[3]!);
  const spec = (tier: SubnetTier, az: string, cidr: string): SubnetSpec => ({
    tier,
    az,
    cidr,
    name: `${tier}-${azSuffix(az)}`,
  });
  return [
    ...azs.map((az, i) => spec("private", az, privateCidrs[i]!)),
    ...azs.map((az, i) => spec("public", az, publicCidrs[i]!)),
    ...azs.map((az, i) => spec("lb", az, lbCidrs[i]!)),
  ];
}

/** AZs that get a NAT gateway: the first AZ only (`single`) or every AZ (`perAz`). */
export function natGatewayAzs(azs: readonly string[], strategy: NatStrategy): string[] {
  if (azs.length === 0) throw new Error("natGatewayAzs: no availability zones");
  return strategy === "single" ? [azs[0]!] : [...azs];
}

/** AZ of the NAT gateway the private subnet in `az` routes through (its own AZ with `perAz`). */
export function natFor(az: string, azs: readonly string[], strategy: NatStrategy): string {
  if (!azs.includes(az)) throw new Error(`natFor: "${az}" is not one of ${azs.join(", ")}`);
  return strategy === "single" ? azs[0]! : az;
}

/**
 * Tags EKS and the AWS Load Balancer Controller use to discover subnets of a cluster: internet-facing
 * LBs go to public subnets, internal ones to the lb subnets (not among the pods).
 */
export function subnetTags(spec: SubnetSpec, clusterName: string, karpenterDiscovery = false): Record<string, string> {
  const role: Record<string, string> =
    spec.tier === "public"
      ? { "kubernetes.io/role/elb": "1" }
      : spec.tier === "lb"
        ? { "kubernetes.io/role/internal-elb": "1" }
        : {};
  // Karpenter's discovery tag on the node subnets only (its EC2NodeClass also selects them by id).
  const discovery: Record<string, string> =
    karpenterDiscovery && spec.tier === "private" ? { "karpenter.sh/discovery": clusterName } : {};
  return { ...role, ...discovery, [`kubernetes.io/cluster/${clusterName}`]: "shared" };
}
