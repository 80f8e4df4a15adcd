/**
 * CIDR checks for config values (pure, cidr-tools for the math). Each returns a problem text or
 * undefined; the parser attaches the key and the fix.
 */
import { containsCidr, normalizeCidr, parseCidr } from "cidr-tools";

/** VPC prefix bounds: AWS accepts /16../28; EKS pods take VPC IPs (VPC CNI), so we stop at /20. */
export const VPC_MIN_PREFIX = 16;
export const VPC_MAX_PREFIX = 20;
const PRIVATE_RANGES = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"];

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
  if (!parsed || parsed.version !== 4 || Number(parsed.prefix) > 32) {
    return { message: `"${value}" is not an IPv4 CIDR`, fix: "use a private IPv4 range such as 10.20.0.0/16" };
  }
  const prefix = Number(parsed.prefix);
  if (prefix < VPC_MIN_PREFIX || prefix > VPC_MAX_PREFIX) {
    return {
      message: `"${value}" has prefix /${prefix}; AWS allows at most a /16 VPC and EKS needs at least a /${VPC_MAX_PREFIX} for pod IPs`,
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

/** A CIDR allowed to reach the public EKS endpoint: valid and not (close to) the whole internet. */
export function publicAccessCidrProblem(value: string): { message: string; fix: string } | undefined {
  const parsed = tryParseCidr(value);
  if (!parsed) return { message: `"${value}" is not a CIDR`, fix: "use an address range such as 203.0.113.0/24" };
  const prefix = Number(parsed.prefix);
  const minPrefix = parsed.version === 4 ? 8 : 32;
  if (prefix < minPrefix) {
    return {
      message: `"${value}" opens the cluster endpoint to ${prefix === 0 ? "the whole internet" : "a huge part of the internet"}`,
      fix: "list only your office/VPN egress ranges, or leave cluster.publicAccessCidrs empty for a private endpoint",
    };
  }
  const normalized = normalizeCidr(value);
  if (normalized !== value) return { message: `"${value}" has host bits set`, fix: `use ${normalized}` };
  return undefined;
}

/** Where a self-hosted runner's traffic comes from: an IPv4 network inside the private ranges. */
export function runnerCidrProblem(value: string): { message: string; fix: string } | undefined {
  const parsed = tryParseCidr(value);
  if (!parsed || parsed.version !== 4) return { message: `"${value}" is not an IPv4 CIDR`, fix: "use the private range of your runner's subnet, e.g. 10.10.0.0/24" };
  const normalized = normalizeCidr(value);
  if (normalized !== value) return { message: `"${value}" has host bits set`, fix: `use ${normalized}` };
  if (!PRIVATE_RANGES.some((range) => containsCidr(range, value))) {
    return { message: `"${value}" is not a private range: the API server would be open to the internet`, fix: `use your runner's range inside ${PRIVATE_RANGES.join(", ")}` };
  }
  return undefined;
}
