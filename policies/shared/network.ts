/** Network limits shared by the program's CIDR checks (lib/network/) and the policy pack's link rules. */

/** AWS rejects VPCs larger than /16. */
export const MIN_VPC_PREFIX = 16;

/** RFC 1918 and the shared 100.64.0.0/10 range (RFC 6598), which AWS also permits for VPCs. */
export const PRIVATE_RANGES: readonly string[] = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"];
