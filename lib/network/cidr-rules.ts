/**
 * CIDR checks for config values (pure, cidr-tools for the math). Each returns a problem text or
 * undefined; the parser attaches the key and the fix.
 */
import { containsCidr, mergeCidr, normalizeCidr, overlapCidr, parseCidr } from "cidr-tools";
import { MIN_VPC_PREFIX, PRIVATE_RANGES } from "../../policies/shared/network";

/** VPC prefix bounds: AWS accepts /16../28; EKS pods take VPC IPs (VPC CNI), so we stop at /20. */
const VPC_MIN_PREFIX = MIN_VPC_PREFIX;
const VPC_MAX_PREFIX = 20;

/** Parses an IPv4 or IPv6 CIDR with an explicit prefix, or returns undefined. */
export function tryParseCidr(value: string): ReturnType<typeof parseCidr> | undefined {
  if (!value.includes("/")) return undefined;
  try {
    return parseCidr(value);
  } catch {
    return undefined;
  }
}

export function vpcCidrProblem(value: string): { message: string; fix: string } | undefined {
  const parsed = tryParseCidr(value);
  if (parsed?.version !== 4 || !IPV4_CIDR_RE.test(value)) {
    return { message: `"${value}" is not an IPv4 CIDR`, fix: "use a private IPv4 range such as 10.20.0.0/16" };
  }
  const prefix = Number(parsed.prefix);
  if (prefix < VPC_MIN_PREFIX || prefix > VPC_MAX_PREFIX) {
    return {
      message:
        `"${value}" has prefix /${prefix}; AWS allows at most a /16 ` +
        `VPC and EKS needs at least a /${VPC_MAX_PREFIX} for pod IPs`,
      fix: `use a prefix between /${VPC_MIN_PREFIX} and /${VPC_MAX_PREFIX}, e.g. 10.20.0.0/16`,
    };
  }
  const normalized = normalizeCidr(value);
  if (normalized !== value) {
    return { message: `"${value}" has host bits set`, fix: `use the network address: ${normalized}` };
  }
  if (!PRIVATE_RANGES.some((range) => containsCidr(range, value))) {
    return { message: `"${value}" is not a private range`, fix: `use a range inside ${PRIVATE_RANGES.join(", ")}` };
  }
  return undefined;
}

/**
 * Bounds on what may reach the public EKS endpoint (cluster.publicAccessCidrs).
 * - At most 40 entries: EKS's quota "Public endpoint access CIDR ranges per cluster" is 40 and not
 *   adjustable (EKS User Guide, service quotas); more fails `pulumi up` half-way.
 * - No IPv4 entry wider than /16 (65,536 addresses): an office, VPN or NAT egress is a /32../24,
 *   a whole enterprise a /20 at most; a wider block is an ISP's or a cloud provider's range, i.e.
 *   everyone on that network. /16 is the widest a VPC can be, so nothing we own needs more.
 * - The union at most 2^18 IPv4 addresses (four /16s), counted after merging overlapping and
 *   adjacent entries, and no merged block wider than /16: the per-entry bound cannot be dodged by
 *   splitting a /8 into 40 pieces or by listing neighbours.
 * - IPv6 the same way, one /48 (an end site's allocation, RFC 6177) in place of the /16: no entry
 *   wider than /48, the union at most four /48s. IPv6 entries need an IPv6 cluster (EKS rejects
 *   them on IPv4 clusters, and InfraSage's clusters are IPv4).
 * - Only public (global unicast) space: private, shared (CGN), loopback, link-local, multicast and
 *   reserved ranges never reach a public endpoint, and EKS refuses blocks with reserved addresses.
 */
const MAX_PUBLIC_ACCESS_CIDRS = 40;
const PUBLIC_ACCESS_MIN_PREFIX = { 4: 16, 6: 48 } as const;
const PUBLIC_ACCESS_MAX_UNION = { 4: 2n ** 18n, 6: 2n ** 82n } as const;
/** Never on the public internet (RFC 6890 special-purpose IPv4 ranges, documentation ranges aside). */
const NON_PUBLIC_V4 = [
  "0.0.0.0/8",
  "10.0.0.0/8",
  "100.64.0.0/10",
  "127.0.0.0/8",
  "169.254.0.0/16",
  "172.16.0.0/12",
  "192.0.0.0/24",
  "192.168.0.0/16",
  "198.18.0.0/15",
  "224.0.0.0/4",
  "240.0.0.0/4",
];
/** IPv6 global unicast; everything else (ULA fc00::/7, link-local, multicast, mapped) is not public. */
const GLOBAL_UNICAST_V6 = "2000::/3";

export type IpFamily = "ipv4" | "ipv6";

/** Strict IPv4 CIDR text (no leading zeros, prefix 0..32), so the parser never guesses. */
const IPV4_CIDR_RE = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}\/(3[0-2]|[12]?\d)$/;

function addressCount(prefix: number, version: 4 | 6): bigint {
  return 2n ** BigInt((version === 4 ? 32 : 128) - prefix);
}

function formatCount(n: bigint): string {
  return n < 1_000_000n
    ? n.toLocaleString("en-US")
    : `2^${n.toString(2).length - 1}${(n & (n - 1n)) === 0n ? "" : "+"}`;
}

/** One entry of cluster.publicAccessCidrs: a valid, network-aligned, public, narrow enough block. */
function publicAccessCidrProblem(
  value: string,
  ipFamily: IpFamily = "ipv4",
): { message: string; fix: string } | undefined {
  const parsed = tryParseCidr(value);
  if (
    !parsed ||
    (parsed.version === 4 && !IPV4_CIDR_RE.test(value)) ||
    Number(parsed.prefix) > (parsed.version === 4 ? 32 : 128)
  ) {
    return {
      message: `"${value}" is not a CIDR`,
      fix: "use an address range with its prefix, such as 203.0.113.0/24 (a single address is /32)",
    };
  }
  const prefix = Number(parsed.prefix);
  const version = parsed.version;
  const min = PUBLIC_ACCESS_MIN_PREFIX[version];
  if (prefix < min) {
    return {
      message:
        `"${value}" opens the cluster endpoint ` +
        "to " +
        (prefix === 0
          ? "the whole internet"
          : `a huge part of the internet (${formatCount(addressCount(prefix, version))} ` +
            `addresses; the widest allowed is a /${min})`),
      fix:
        `list only your office/VPN egress ranges (each /${min} or narrower), ` +
        `or leave cluster.publicAccessCidrs empty for a private endpoint`,
    };
  }
  const nonPublic = version === 4 ? NON_PUBLIC_V4.find((r) => overlapCidr(r, value)) : undefined;
  if (nonPublic || (version === 6 && !containsCidr(GLOBAL_UNICAST_V6, value))) {
    return {
      message:
        `"${value}" is not public address space ` +
        `(${nonPublic ? `it overlaps ${nonPublic}` : `it is outside the global unicast ${GLOBAL_UNICAST_V6}`}): ` +
        `it never reaches the public endpoint, and EKS refuses reserved ranges`,
      fix: "list the public egress addresses of your office/VPN; clients inside the VPC use the private endpoint",
    };
  }
  const normalized = normalizeCidr(value);
  if (parseCidr(parsed.ip).start !== parsed.start)
    return { message: `"${value}" has host bits set`, fix: `use ${normalized}` };
  if (version === 6 && ipFamily === "ipv4") {
    return {
      message:
        `"${value}" is IPv6, and EKS accepts IPv6 public access ` +
        `CIDRs only on IPv6 clusters (InfraSage's are IPv4)`,
      fix: "list the IPv4 egress ranges of your office/VPN",
    };
  }
  return undefined;
}

/**
 * Every problem of cluster.publicAccessCidrs: each entry (`key[i]`), then the list as a whole
 * (`key`): the entry count, and the union after merging overlaps, by size and by widest block.
 */
export function publicAccessCidrsProblems(
  list: readonly string[],
  ipFamily: IpFamily = "ipv4",
): { index?: number; message: string; fix: string }[] {
  const out: { index?: number; message: string; fix: string }[] = [];
  const valid: string[] = [];
  list.forEach((cidr, index) => {
    const p = publicAccessCidrProblem(cidr, ipFamily);
    if (p) out.push({ index, ...p });
    else valid.push(cidr);
  });
  if (list.length > MAX_PUBLIC_ACCESS_CIDRS) {
    out.push({
      message:
        `lists ${list.length} ranges; EKS allows at most ${MAX_PUBLIC_ACCESS_CIDRS} ` +
        `public access CIDRs per cluster (a fixed quota)`,
      fix:
        `merge them into at most ${MAX_PUBLIC_ACCESS_CIDRS} ` +
        `ranges, or reach the cluster through the private endpoint`,
    });
  }
  // Entries that are each acceptable may still add up: judge their union (overlaps counted once).
  for (const version of [4, 6] as const) {
    const ofVersion = valid.filter((c) => parseCidr(c).version === version);
    if (ofVersion.length < 2) continue; // one valid entry is within the per-entry bound
    const merged = mergeCidr(ofVersion).map((c) => parseCidr(c));
    const total = merged.reduce((n, p) => n + (p.end - p.start + 1n), 0n);
    const widest = Math.min(...merged.map((p) => Number(p.prefix)));
    const min = PUBLIC_ACCESS_MIN_PREFIX[version];
    const max = PUBLIC_ACCESS_MAX_UNION[version];
    const v = version === 4 ? "IPv4" : "IPv6";
    if (total > max) {
      out.push({
        message:
          `together opens the endpoint to ${formatCount(total)} ${v} addresses (the union ` +
          `of ${ofVersion.length} entries, overlaps counted once); at most ${formatCount(max)} are allowed`,
        fix: "list only your office/VPN egress ranges, or leave cluster.publicAccessCidrs empty for a private endpoint",
      });
    } else if (widest < min) {
      const block = merged.find((p) => Number(p.prefix) === widest)!;
      out.push({
        message:
          `together forms the ${v} block ${block.cidr} (/${widest}, ${formatCount(total)} ` +
          `addresses in all), wider than the /${min} one entry may be`,
        fix: "list only your office/VPN egress ranges, or leave cluster.publicAccessCidrs empty for a private endpoint",
      });
    }
  }
  return out;
}

/** Where a self-hosted runner's traffic comes from: an IPv4 network inside the private ranges. */
export function runnerCidrProblem(value: string): { message: string; fix: string } | undefined {
  const parsed = tryParseCidr(value);
  if (parsed?.version !== 4 || !IPV4_CIDR_RE.test(value))
    return {
      message: `"${value}" is not an IPv4 CIDR`,
      fix: "use the private range of your runner's subnet, e.g. 10.10.0.0/24",
    };
  const normalized = normalizeCidr(value);
  if (normalized !== value) return { message: `"${value}" has host bits set`, fix: `use ${normalized}` };
  if (!PRIVATE_RANGES.some((range) => containsCidr(range, value))) {
    return {
      message: `"${value}" is not a private range: the API server would be open to the internet`,
      fix: `use your runner's range inside ${PRIVATE_RANGES.join(", ")}`,
    };
  }
  return undefined;
}
