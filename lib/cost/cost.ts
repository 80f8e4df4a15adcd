/**
 * Monthly on-demand cost estimate of one stack, from its config and the resources the plan records.
 * Pure: resources are plain `{ type, inputs }` records.
 */
import type { StackConfig } from "../config/types";
import type { PlannedResource } from "../aws/planned-resource";
import { INFRASAGE_RELEASE_NAME } from "../release/helm-values";
import { SCALE_PROFILES } from "../profiles/profiles";
import { expectedKarpenterNodes } from "../autoscaling/karpenter-plan";
import { endpointEconomics, type EndpointService } from "../network/endpoints-plan";
import { GLOBAL_PRICES, HOURS_PER_MONTH, PRICE_TABLE_VERSION, SPOT_DISCOUNT, pricesFor } from "./prices";

interface CostItem {
  readonly item: string;
  readonly quantity: number;
  readonly unit: string;
  readonly monthly: number;
}

export interface CostEstimate {
  readonly currency: "USD";
  /** Sum of `items`; with `partial`, a lower bound that leaves out `missing`. */
  readonly monthlyTotal: number;
  /** True when something the stack runs has no price here: the total is too low by `missing`. */
  readonly partial: boolean;
  /** What the total leaves out, e.g. "3 × EC2 c7i.large (node group default): not in the price table 2026-12-05". */
  readonly missing: string[];
  readonly items: CostItem[];
  readonly priceTable: string;
  readonly notEstimated: string[];
  /** What the stack avoids paying (not in the total: NAT data processing is not estimated). */
  readonly savings: CostItem[];
}

const round = (n: number) => Math.round(n * 100) / 100;

/** Gibibytes of a Kubernetes quantity such as 500Gi / 2Ti / 512Mi. */
export function quantityGiB(q: string): number {
  const m = /^(\d+)(Mi|Gi|Ti)$/.exec(q);
  if (!m) return 0;
  const n = Number(m[1]);
  return m[2] === "Ti" ? n * 1024 : m[2] === "Mi" ? n / 1024 : n;
}

export function estimateCost(config: StackConfig, list: readonly PlannedResource[]): CostEstimate {
  const { prices, approximate, proxy } = pricesFor(config.region);
  const items: CostItem[] = [];
  const add = (item: string, quantity: number, unit: string, unitMonthly: number) => {
    if (quantity > 0) items.push({ item, quantity, unit, monthly: round(quantity * unitMonthly) });
  };
  const count = (type: string) => list.filter((r) => r.type === type).length;

  add("EKS control plane", count("aws:eks/cluster:Cluster"), "cluster", GLOBAL_PRICES.eksClusterHour * HOURS_PER_MONTH);
  // Instances the price table lacks (real types, checked by the config): named, never dropped silently.
  const missing: string[] = [];
  const unpriced = (n: number, type: string, where: string) => {
    if (n > 0) missing.push(`${n} × EC2 ${type} (${where}): not in the price table ${PRICE_TABLE_VERSION}`);
  };
  for (const ng of list.filter((r) => r.type === "aws:eks/nodeGroup:NodeGroup")) {
    const scaling = ng.rawInputs.scalingConfig as { desiredSize?: number } | undefined;
    const types = ng.rawInputs.instanceTypes as string[] | undefined;
    const type = types?.[0] ?? config.nodeGroups[0]!.instanceTypes[0]!;
    const spot = ng.rawInputs.capacityType === "SPOT";
    const hourly = prices.ec2[type];
    const n = scaling?.desiredSize ?? 0;
    if (hourly === undefined) unpriced(n, type, `node group ${ng.name}`);
    else if (spot)
      add(
        `EC2 nodes ${type} (spot, ${Math.round(SPOT_DISCOUNT * 100)}% off assumed)`,
        n,
        "instance",
        hourly * (1 - SPOT_DISCOUNT) * HOURS_PER_MONTH,
      );
    else add(`EC2 nodes ${type}`, n, "instance", hourly * HOURS_PER_MONTH);
    // Every volume of the group's own launch template (`<group>-lt`; Bottlerocket maps two).
    const lt = list.find((r) => r.type === "aws:ec2/launchTemplate:LaunchTemplate" && r.name === `${ng.name}-lt`);
    const perNode = ((lt?.rawInputs.blockDeviceMappings ?? []) as { ebs?: { volumeSize?: number } }[]).reduce(
      (sum, m) => sum + (m.ebs?.volumeSize ?? 0),
      0,
    );
    add("EBS gp3 node volumes", n * perNode, "GB", prices.gp3GbMonth);
  }
  // Karpenter's nodes at rest: the profile's expected size beyond what the managed groups run.
  if (list.some((r) => r.type === "kubernetes:karpenter.sh/v1:NodePool")) {
    const profile = SCALE_PROFILES[config.scaleProfile];
    const managed = list
      .filter((r) => r.type === "aws:eks/nodeGroup:NodeGroup")
      .reduce(
        (sum, r) => sum + ((r.rawInputs.scalingConfig as { desiredSize?: number } | undefined)?.desiredSize ?? 0),
        0,
      );
    const type = profile.nodeInstanceTypes[0]!;
    const n = expectedKarpenterNodes(profile, managed);
    const hourly = prices.ec2[type];
    // Spot first when the NodePool allows it (Karpenter prefers spot: "price-capacity-optimized").
    const pool = list.find((r) => r.type === "kubernetes:karpenter.sh/v1:NodePool");
    const spot = JSON.stringify(pool?.rawInputs.spec ?? {}).includes('"spot"');
    if (hourly === undefined) unpriced(n, type, "Karpenter, expected");
    else
      add(
        `Karpenter nodes ${type} (expected${spot ? `, spot ${Math.round(SPOT_DISCOUNT * 100)}% off assumed` : ""})`,
        n,
        "instance",
        hourly * (spot ? 1 - SPOT_DISCOUNT : 1) * HOURS_PER_MONTH,
      );
    add("EBS gp3 Karpenter node volumes", n * profile.nodeDiskGiB, "GB", prices.gp3GbMonth);
  }
  // VPC endpoints: their own price, and the NAT data processing their assumed traffic avoids.
  const savings: CostItem[] = [];
  const azs = config.network.availabilityZones;
  for (const ep of list.filter((r) => r.type === "aws:ec2/vpcEndpoint:VpcEndpoint")) {
    const service = String(ep.rawInputs.serviceName).split(".").slice(3).join(".") as EndpointService;
    const e = endpointEconomics(
      service,
      config.scaleProfile,
      azs,
      { interfaceHour: prices.endpointHour, interfaceGb: prices.endpointGb, natGb: prices.natGb },
      HOURS_PER_MONTH,
    );
    if (e.monthlyCost > 0)
      items.push({ item: `VPC endpoint ${service}`, quantity: azs, unit: "AZ", monthly: round(e.monthlyCost) });
    if (e.monthlyNatSaved > 0)
      savings.push({
        item: `NAT processing avoided via ${service}`,
        quantity: e.gb,
        unit: "GB (assumed)",
        monthly: round(e.monthlyNatSaved),
      });
  }
  add("NAT gateways", count("aws:ec2/natGateway:NatGateway"), "gateway", prices.natHour * HOURS_PER_MONTH);
  add("Public IPv4 (NAT EIPs)", count("aws:ec2/eip:Eip"), "address", GLOBAL_PRICES.publicIpv4Hour * HOURS_PER_MONTH);
  add("Load balancers", count("aws:lb/loadBalancer:LoadBalancer"), "load balancer", prices.lbHour * HOURS_PER_MONTH);
  add("KMS keys", count("aws:kms/key:Key"), "key", GLOBAL_PRICES.kmsKeyMonth);
  // Only the InfraSage chart brings ClickHouse and Kafka (other releases: ExternalDNS, controllers).
  if (list.some((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.rawInputs.name === INFRASAGE_RELEASE_NAME)) {
    add("EBS gp3 ClickHouse", quantityGiB(config.clickhouse.size), "GB", prices.gp3GbMonth);
    add("EBS gp3 Kafka", config.kafka.replicaCount * quantityGiB(config.kafka.size), "GB", prices.gp3GbMonth);
  }
  // Volumes of the program's own StatefulSets (pattern 3: Keeper voters).
  for (const sts of list.filter((r) => r.type === "kubernetes:apps/v1:StatefulSet")) {
    const spec = sts.rawInputs.spec as
      | { replicas?: number; volumeClaimTemplates?: { spec?: { resources?: { requests?: { storage?: string } } } }[] }
      | undefined;
    const perPod = (spec?.volumeClaimTemplates ?? []).reduce(
      (sum, t) => sum + quantityGiB(t.spec?.resources?.requests?.storage ?? ""),
      0,
    );
    const name = (sts.rawInputs.metadata as { name?: string } | undefined)?.name ?? "StatefulSet";
    add(`EBS gp3 ${name} volumes`, (spec?.replicas ?? 0) * perPod, "GB", prices.gp3GbMonth);
  }
  const monthlyTotal = round(items.reduce((sum, i) => sum + i.monthly, 0));
  return {
    currency: "USD",
    monthlyTotal,
    partial: missing.length > 0,
    missing,
    items,
    priceTable:
      `${PRICE_TABLE_VERSION}` +
      (approximate
        ? ` (no prices for ${config.region}: us-east-1 prices used)`
        : proxy
          ? ` (no list transcribed for ${config.region}: ${proxy} prices used)`
          : ""),
    savings,
    notEstimated: [
      "data transfer (inter-AZ, inter-region, internet)",
      "NAT data processing",
      "load balancer LCUs",
      "CloudWatch Logs ingestion and storage",
    ],
  };
}
