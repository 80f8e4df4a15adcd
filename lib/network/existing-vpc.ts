/**
 * Deploying into an existing VPC (`network.existingVpc`): nothing of the VPC is created or changed;
 * the program reads its subnets (CIDR, AZ, route table) and uses them where it would use its own.
 * Pure: the checks the config allows before anything runs, the checks on what the data sources
 * returned, and the layout the offline plan assumes for subnets it cannot read.
 */
import { containsCidr, normalizeCidr, overlapCidr } from "cidr-tools";
import { planSubnets } from "./subnet-plan";
import { availabilityZonesOf } from "../../policies/shared/regions";
import { MIN_VPC_PREFIX, PRIVATE_RANGES } from "../../policies/shared/network";
import { tryParseCidr } from "./cidr-rules";
import type { KeyedProblem } from "../rules/problems";

export interface ExistingVpcConfig {
  readonly vpcId: string;
  /** The VPC's primary IPv4 CIDR (every CIDR check across stacks uses it). */
  readonly cidr: string;
  /** Node and pod subnets, one per AZ, 2 or 3. */
  readonly privateSubnetIds: readonly string[];
  /** Internal load balancers; absent = the private subnets (LB-only links then route to those). */
  readonly loadBalancerSubnetIds?: readonly string[];
}

/** What a subnet data source returns that the program needs. */
export interface ExistingSubnet {
  readonly id: string;
  readonly vpcId: string;
  readonly cidrBlock: string;
  readonly availabilityZone: string;
  /** Route table associated with the subnet (or the VPC's main one). */
  readonly routeTableId: string;
}

const VPC_ID_RE = /^vpc-[0-9a-f]{8}([0-9a-f]{9})?$/;
const SUBNET_ID_RE = /^subnet-[0-9a-f]{8}([0-9a-f]{9})?$/;
/** AWS takes VPCs of /16 to /28 (EC2 CreateVpc); EKS pods take VPC IPs, so below a /24 a cluster hardly fits. */
const EXISTING_VPC_MIN_PREFIX = MIN_VPC_PREFIX;
const EXISTING_VPC_MAX_PREFIX = 24;

/** Checks on the config alone (before any data source runs). */
export function existingVpcProblems(ev: ExistingVpcConfig): KeyedProblem[] {
  const problems: KeyedProblem[] = [];
  const add = (k: string, message: string, fix: string) =>
    problems.push({ key: `network.existingVpc${k ? `.${k}` : ""}`, message, fix });
  if (!VPC_ID_RE.test(ev.vpcId))
    add("vpcId", `"${ev.vpcId}" is not a VPC id`, "copy it from the VPC console: vpc- followed by 8 or 17 hex digits");
  const parsed = tryParseCidr(ev.cidr);
  if (parsed?.version !== 4)
    add("cidr", `"${ev.cidr}" is not an IPv4 CIDR`, "give the VPC's primary IPv4 CIDR, e.g. 10.30.0.0/16");
  else if (Number(parsed.prefix) > EXISTING_VPC_MAX_PREFIX)
    add(
      "cidr",
      `"${ev.cidr}" is smaller than a /${EXISTING_VPC_MAX_PREFIX}: too few addresses for EKS nodes and pods (VPC CNI)`,
      "use a larger VPC",
    );
  // Judged on the CIDR itself, before any subnet is read (which would blame the subnets instead).
  else if (Number(parsed.prefix) < EXISTING_VPC_MIN_PREFIX)
    add(
      "cidr",
      `"${ev.cidr}" is wider than a /${EXISTING_VPC_MIN_PREFIX}: no VPC is (AWS VPCs are /16 to /28), ` +
        `and peering and the cross-stack overlap checks would treat the whole block as this stack's`,
      "give the VPC's primary CIDR: aws ec2 describe-vpcs --vpc-ids <vpcId> --query Vpcs[0].CidrBlock",
    );
  else if (normalizeCidr(ev.cidr) !== ev.cidr)
    add(
      "cidr",
      `"${ev.cidr}" has host bits set`,
      `give the network address, ${normalizeCidr(ev.cidr)}, as describe-vpcs shows it`,
    );
  else if (!PRIVATE_RANGES.some((r) => containsCidr(r, ev.cidr)))
    add(
      "cidr",
      `"${ev.cidr}" is not private address space (${PRIVATE_RANGES.join(", ")}): ` +
        `peering routes to it would shadow those internet addresses for every peer`,
      "deploy into a VPC whose primary CIDR is an RFC 1918 or 100.64.0.0/10 range",
    );
  for (const [k, ids] of [
    ["privateSubnetIds", ev.privateSubnetIds],
    ["loadBalancerSubnetIds", ev.loadBalancerSubnetIds ?? []],
  ] as const) {
    const bad = ids.filter((id) => !SUBNET_ID_RE.test(id));
    if (bad.length)
      add(
        k,
        `${bad.join(", ")} ${bad.length === 1 ? "is not a subnet id" : "are not subnet ids"}`,
        "use subnet- followed by 8 or 17 hex digits",
      );
    const twice = ids.filter((id, i) => ids.indexOf(id) !== i);
    if (twice.length) add(k, `lists ${[...new Set(twice)].join(", ")} twice`, "list each subnet once");
  }
  if (ev.privateSubnetIds.length < 2)
    add(
      "privateSubnetIds",
      `has ${ev.privateSubnetIds.length} subnet${ev.privateSubnetIds.length === 1 ? "" : "s"}; ` +
        `EKS needs subnets in at least 2 AZs`,
      "list one private subnet per AZ, 2 or 3",
    );
  if (ev.privateSubnetIds.length > 3)
    add(
      "privateSubnetIds",
      `has ${ev.privateSubnetIds.length} subnets; InfraSage spreads a region over 2 or 3 AZs`,
      "list one private subnet per AZ, 2 or 3",
    );
  if (ev.loadBalancerSubnetIds !== undefined && ev.loadBalancerSubnetIds.length === 0)
    add(
      "loadBalancerSubnetIds",
      "is empty",
      "list the internal load-balancer subnets, or remove the key to use the private subnets",
    );
  const both = (ev.loadBalancerSubnetIds ?? []).filter((id) => ev.privateSubnetIds.includes(id));
  if (both.length)
    add(
      "loadBalancerSubnetIds",
      `lists private subnet ${both.join(", ")}: links that need only a load balancer would route to the pods' subnet`,
      "give dedicated load-balancer subnets, or remove the key",
    );
  return problems;
}

/** Checks on what the subnet data sources returned (the real VPC), all at once. */
export function existingSubnetProblems(
  ev: ExistingVpcConfig,
  region: string,
  subnets: readonly ExistingSubnet[],
): KeyedProblem[] {
  const problems: KeyedProblem[] = [];
  const byId = new Map(subnets.map((s) => [s.id, s]));
  const check = (k: "privateSubnetIds" | "loadBalancerSubnetIds", ids: readonly string[]) => {
    const key = `network.existingVpc.${k}`;
    for (const id of ids) {
      const s = byId.get(id);
      if (!s) {
        problems.push({ key, message: `${id} was not found in ${region}`, fix: "list subnets of the stack's region" });
        continue;
      }
      if (s.vpcId !== ev.vpcId)
        problems.push({
          key,
          message: `${id} is in ${s.vpcId}, not in ${ev.vpcId}`,
          fix: "list subnets of network.existingVpc.vpcId only",
        });
      else if (!containsCidr(ev.cidr, s.cidrBlock))
        problems.push({
          key,
          message: `${id} (${s.cidrBlock}) is outside network.existingVpc.cidr ${ev.cidr} (a secondary CIDR?)`,
          fix:
            "set cidr to the VPC's primary CIDR and use subnets inside " +
            "it: cross-stack overlap checks and peers' routes use that CIDR",
        });
    }
    const azs = ids.map((id) => byId.get(id)?.availabilityZone).filter((az): az is string => az !== undefined);
    if (new Set(azs).size !== azs.length)
      problems.push({ key, message: `puts two subnets in one AZ (${azs.join(", ")})`, fix: "list one subnet per AZ" });
  };
  check("privateSubnetIds", ev.privateSubnetIds);
  if (ev.loadBalancerSubnetIds) check("loadBalancerSubnetIds", ev.loadBalancerSubnetIds);
  const priv = ev.privateSubnetIds.map((id) => byId.get(id)).filter((s): s is ExistingSubnet => s !== undefined);
  const lb = (ev.loadBalancerSubnetIds ?? [])
    .map((id) => byId.get(id))
    .filter((s): s is ExistingSubnet => s !== undefined);
  for (const l of lb)
    for (const p of priv)
      if (overlapCidr(l.cidrBlock, p.cidrBlock)) {
        problems.push({
          key: "network.existingVpc.loadBalancerSubnetIds",
          message: `${l.id} (${l.cidrBlock}) overlaps private subnet ${p.id} (${p.cidrBlock})`,
          fix: "give load-balancer subnets of their own",
        });
      }
  return problems;
}

/**
 * Offline only: the subnets the plan assumes an existing VPC has, since it cannot read them. Laid
 * out as the program lays out its own VPC (private quarters, small lb pieces) in the region's first
 * AZs, in list order; a /21../24 VPC gets the same shape on its own size. Real runs read them.
 */
export function assumedExistingSubnets(ev: ExistingVpcConfig, region: string): ExistingSubnet[] {
  const azs = availabilityZonesOf(region, Math.min(3, Math.max(2, ev.privateSubnetIds.length)));
  let plan: ReturnType<typeof planSubnets>;
  try {
    plan = planSubnets(ev.cidr, azs);
  } catch {
    return [];
  }
  const of = (tier: "private" | "lb", ids: readonly string[]) =>
    ids.map((id, i) => {
      const spec = plan.filter((s) => s.tier === tier)[i % azs.length]!;
      return {
        id,
        vpcId: ev.vpcId,
        cidrBlock: spec.cidr,
        availabilityZone: spec.az,
        routeTableId: `rtb-${id.slice(7)}`,
      };
    });
  return [...of("private", ev.privateSubnetIds), ...of("lb", ev.loadBalancerSubnetIds ?? [])];
}

/** How the program uses an existing VPC's subnets (checked by existingSubnetProblems first). */
export interface ExistingLayout {
  readonly privateSubnetIds: string[];
  /** Without dedicated load-balancer subnets, internal load balancers go to the private ones. */
  readonly loadBalancerSubnetIds: string[];
  /** Route tables of the private subnets, each once (a subnet with none of its own: the main table, "" if unknown). */
  readonly privateRouteTableIds: string[];
  readonly privateSubnetCidrs: string[];
  readonly loadBalancerSubnetCidrs: string[];
  /** AZs of the private subnets, in list order. */
  readonly availabilityZones: string[];
}

export function existingLayout(ev: ExistingVpcConfig, subnets: readonly ExistingSubnet[]): ExistingLayout {
  const byId = new Map(subnets.map((s) => [s.id, s]));
  const get = (id: string) => {
    const s = byId.get(id);
    if (!s) throw new Error(`existingLayout: subnet ${id} was not read (existingSubnetProblems reports it first)`);
    return s;
  };
  const priv = ev.privateSubnetIds.map(get);
  const lb = (ev.loadBalancerSubnetIds ?? ev.privateSubnetIds).map(get);
  return {
    privateSubnetIds: priv.map((s) => s.id),
    loadBalancerSubnetIds: lb.map((s) => s.id),
    privateRouteTableIds: [...new Set(priv.map((s) => s.routeTableId).filter((id) => id !== ""))],
    privateSubnetCidrs: priv.map((s) => s.cidrBlock),
    loadBalancerSubnetCidrs: lb.map((s) => s.cidrBlock),
    availabilityZones: priv.map((s) => s.availabilityZone),
  };
}
