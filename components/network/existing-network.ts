/**
 * An existing VPC as the rest of the program sees a network (`NetworkView`): read, never created or
 * changed. Its subnets' CIDRs, AZs and route tables come from data sources (read at preview too);
 * what they return is checked before any resource is registered (lib/network/existing-vpc.ts).
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "../aws/sdk";
import { formatProblems } from "../../lib/rules/problems";
import {
  existingLayout,
  existingSubnetProblems,
  type ExistingSubnet,
  type ExistingVpcConfig,
} from "../../lib/network/existing-vpc";

/** What the cluster, the links and the pattern components need of a network. */
export interface NetworkView {
  readonly vpcId: pulumi.Output<string>;
  readonly vpcCidr: string;
  /** Node and pod subnets, in AZ order. */
  readonly privateSubnetIds: pulumi.Output<string>[];
  /** Internal load-balancer subnets, in AZ order (the only subnets an LB-only link routes to). */
  readonly loadBalancerSubnetIds: pulumi.Output<string>[];
  /** Route tables of the private subnets, each once (peering routes go here). */
  readonly privateRouteTableIds: pulumi.Output<string>[];
  readonly privateSubnetCidrs: string[];
  readonly loadBalancerSubnetCidrs: string[];
}

export interface ExistingNetwork extends NetworkView {
  /** AZs of the private subnets, in list order. */
  readonly availabilityZones: string[];
}

/** Reads the existing VPC's subnets; throws a RunError naming the key when they do not fit. */
export async function readExistingNetwork(
  ev: ExistingVpcConfig,
  region: string,
  source: string,
  opts: pulumi.InvokeOptions,
): Promise<ExistingNetwork> {
  const ids = [...new Set([...ev.privateSubnetIds, ...(ev.loadBalancerSubnetIds ?? [])])];
  const subnets = (
    await Promise.all(
      ids.map(async (id): Promise<ExistingSubnet | undefined> => {
        try {
          const s = await aws.ec2.getSubnet({ id }, opts);
          // A subnet without its own association uses the VPC's main route table.
          const rt = await aws.ec2
            .getRouteTable({ subnetId: id }, opts)
            .catch(() =>
              aws.ec2.getRouteTable(
                { vpcId: s.vpcId, filters: [{ name: "association.main", values: ["true"] }] },
                opts,
              ),
            )
            .catch(() => undefined);
          return {
            id,
            vpcId: s.vpcId,
            cidrBlock: s.cidrBlock,
            availabilityZone: s.availabilityZone,
            routeTableId: rt?.routeTableId ?? "",
          };
        } catch {
          return undefined; // reported below as "not found"
        }
      }),
    )
  ).filter((s): s is ExistingSubnet => s !== undefined);
  const problems = existingSubnetProblems(ev, region, subnets);
  // RunError: the CLI prints the message without a stack trace, as for any config problem.
  if (problems.length)
    throw new pulumi.RunError(
      formatProblems(
        problems.map((p) => ({ key: `infrasage:${p.key}`, message: p.message, fix: p.fix })),
        source,
      ),
    );
  const layout = existingLayout(ev, subnets);
  const outputs = (ids: readonly string[]) => ids.map((id) => pulumi.output(id));
  return {
    ...layout,
    vpcId: pulumi.output(ev.vpcId),
    vpcCidr: ev.cidr,
    privateSubnetIds: outputs(layout.privateSubnetIds),
    loadBalancerSubnetIds: outputs(layout.loadBalancerSubnetIds),
    privateRouteTableIds: outputs(layout.privateRouteTableIds),
  };
}
