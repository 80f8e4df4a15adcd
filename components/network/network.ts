/**
 * One region's VPC for EKS: subnets from the pure plan in lib/network/subnet-plan.ts, internet and NAT
 * gateways, routes, a locked-down default security group and VPC flow logs to CloudWatch Logs.
 * Only wiring: every CIDR, NAT placement and subnet tag comes from the plan.
 */
import * as aws from "../aws/sdk";
import * as pulumi from "@pulumi/pulumi";
import {
  azSuffix,
  natFor,
  natGatewayAzs,
  planSubnets,
  subnetTags,
  type NatStrategy,
  type SubnetSpec,
} from "../../lib/network/subnet-plan";

export interface RegionalNetworkArgs {
  /** VPC IPv4 CIDR, network-aligned, /16../24 (the config allows /16../20). */
  readonly cidr: string;
  /** Full AZ names (2 or 3), e.g. from `availabilityZonesOf(region, n)` in policies/shared/regions.ts. */
  readonly availabilityZones: readonly string[];
  /** One NAT gateway shared by all AZs, or one per AZ (survives an AZ loss). */
  readonly natGateways: NatStrategy;
  /** EKS cluster name, for the `kubernetes.io/cluster/<name>=shared` subnet tag. */
  readonly clusterName: string;
  /**
   * Days CloudWatch Logs keeps the VPC flow logs.
   * @default 90
   */
  readonly flowLogRetentionDays?: number;
  /** Tags put on every taggable resource (a `Name` tag is added per resource). */
  readonly tags: Readonly<Record<string, string>>;
  /** Tag the private subnets `karpenter.sh/discovery=<cluster>` (autoscaling karpenter). @default false */
  readonly karpenterDiscovery?: boolean;
  /** KMS key the flow-log group is encrypted with. @default the CloudWatch Logs service key */
  readonly logsKmsKeyArn?: pulumi.Input<string>;
}

const DEFAULT_FLOW_LOG_RETENTION_DAYS = 90;
const ANYWHERE = "0.0.0.0/0";

export class RegionalNetwork extends pulumi.ComponentResource {
  /** The VPC's id. */
  public readonly vpcId: pulumi.Output<string>;
  /** The VPC's CIDR (the input, echoed for consumers such as peering). */
  public readonly vpcCidr: string;
  /** Public subnet ids, in AZ order. */
  public readonly publicSubnetIds: pulumi.Output<string>[];
  /** Private subnet ids, in AZ order (EKS nodes and pods). */
  public readonly privateSubnetIds: pulumi.Output<string>[];
  /** Internal load-balancer subnet ids, in AZ order (small; the only subnets an LB-only link routes to). */
  public readonly loadBalancerSubnetIds: pulumi.Output<string>[];
  /** Private route table ids, in AZ order (peering routes go here; lb subnets share them). */
  public readonly privateRouteTableIds: pulumi.Output<string>[];
  /** The one public route table's id. */
  public readonly publicRouteTableId: pulumi.Output<string>;
  /** Number of NAT gateways created. */
  public readonly natGatewayCount: number;
  /** The subnet plan the subnets were created from. */
  public readonly subnets: SubnetSpec[];
  /** Private subnet CIDRs, in AZ order (pods: peers route here). */
  public readonly privateSubnetCidrs: string[];
  /** Load-balancer subnet CIDRs, in AZ order (the only CIDRs an LB-only link routes to). */
  public readonly loadBalancerSubnetCidrs: string[];

  constructor(name: string, args: RegionalNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("infrasage:network:RegionalNetwork", name, {}, opts);
    const azs = args.availabilityZones;
    // Validates the CIDR and AZs before any child is registered.
    this.subnets = planSubnets(args.cidr, azs);
    this.privateSubnetCidrs = this.subnets.filter((s) => s.tier === "private").map((s) => s.cidr);
    this.loadBalancerSubnetCidrs = this.subnets.filter((s) => s.tier === "lb").map((s) => s.cidr);
    const parent = { parent: this };
    const tagged = (role: string, extra: Record<string, string> = {}): Record<string, string> => ({
      ...args.tags,
      ...extra,
      Name: `${name}-${role}`,
    });

    const vpc = new aws.ec2.Vpc(
      `${name}-vpc`,
      {
        cidrBlock: args.cidr,
        // Both are needed for EKS private endpoint resolution and VPC endpoints.
        enableDnsSupport: true,
        enableDnsHostnames: true,
        tags: tagged("vpc"),
      },
      parent,
    );

    const subnets = new Map<string, aws.ec2.Subnet>();
    for (const spec of this.subnets) {
      subnets.set(
        spec.name,
        new aws.ec2.Subnet(
          `${name}-${spec.name}`,
          {
            vpcId: vpc.id,
            availabilityZone: spec.az,
            cidrBlock: spec.cidr,
            // Nothing gets a public IP by accident; NAT gateways and LBs get theirs explicitly.
            mapPublicIpOnLaunch: false,
            tags: tagged(spec.name, subnetTags(spec, args.clusterName, args.karpenterDiscovery ?? false)),
          },
          parent,
        ),
      );
    }
    const subnetOf = (tier: SubnetSpec["tier"], az: string): aws.ec2.Subnet => {
      const spec = this.subnets.find((s) => s.tier === tier && s.az === az);
      const subnet = spec && subnets.get(spec.name);
      if (!subnet) throw new pulumi.ResourceError(`no ${tier} subnet planned in ${az}`, this);
      return subnet;
    };

    const igw = new aws.ec2.InternetGateway(`${name}-igw`, { vpcId: vpc.id, tags: tagged("igw") }, parent);

    const nats = new Map<string, aws.ec2.NatGateway>();
    for (const az of natGatewayAzs(azs, args.natGateways)) {
      const suffix = azSuffix(az);
      const eip = new aws.ec2.Eip(
        `${name}-nat-eip-${suffix}`,
        { domain: "vpc", tags: tagged(`nat-eip-${suffix}`) },
        parent,
      );
      nats.set(
        az,
        new aws.ec2.NatGateway(
          `${name}-nat-${suffix}`,
          {
            allocationId: eip.allocationId,
            subnetId: subnetOf("public", az).id,
            tags: tagged(`nat-${suffix}`),
            // AWS rejects a public NAT gateway in a VPC without an attached internet gateway, and no
            // input of the NAT refers to the IGW: the one ordering data flow cannot express.
          },
          { parent: this, dependsOn: [igw] },
        ),
      );
    }
    this.natGatewayCount = nats.size;

    const publicRouteTable = new aws.ec2.RouteTable(
      `${name}-public-rt`,
      { vpcId: vpc.id, tags: tagged("public-rt") },
      parent,
    );
    new aws.ec2.Route(
      `${name}-public-default`,
      { routeTableId: publicRouteTable.id, destinationCidrBlock: ANYWHERE, gatewayId: igw.id },
      parent,
    );

    const privateRouteTables: aws.ec2.RouteTable[] = [];
    const privateRouteTableOf = new Map<string, aws.ec2.RouteTable>();
    for (const spec of this.subnets) {
      const subnet = subnets.get(spec.name)!;
      if (spec.tier === "public") {
        new aws.ec2.RouteTableAssociation(
          `${name}-${spec.name}-rta`,
          { routeTableId: publicRouteTable.id, subnetId: subnet.id },
          parent,
        );
        continue;
      }
      if (spec.tier === "lb") {
        // Same table as the AZ's private subnet: peering return routes added there cover both.
        new aws.ec2.RouteTableAssociation(
          `${name}-${spec.name}-rta`,
          { routeTableId: privateRouteTableOf.get(spec.az)!.id, subnetId: subnet.id },
          parent,
        );
        continue;
      }
      const routeTable = new aws.ec2.RouteTable(
        `${name}-${spec.name}-rt`,
        { vpcId: vpc.id, tags: tagged(`${spec.name}-rt`) },
        parent,
      );
      new aws.ec2.Route(
        `${name}-${spec.name}-default`,
        {
          routeTableId: routeTable.id,
          destinationCidrBlock: ANYWHERE,
          natGatewayId: nats.get(natFor(spec.az, azs, args.natGateways))!.id,
        },
        parent,
      );
      new aws.ec2.RouteTableAssociation(
        `${name}-${spec.name}-rta`,
        { routeTableId: routeTable.id, subnetId: subnet.id },
        parent,
      );
      privateRouteTables.push(routeTable);
      privateRouteTableOf.set(spec.az, routeTable);
    }

    // Adopting the default SG with empty rule lists removes its allow-all rules and keeps them removed.
    new aws.ec2.DefaultSecurityGroup(
      `${name}-default-sg`,
      { vpcId: vpc.id, ingress: [], egress: [], tags: tagged("default-sg") },
      parent,
    );

    this.createFlowLogs(
      name,
      vpc,
      args.flowLogRetentionDays ?? DEFAULT_FLOW_LOG_RETENTION_DAYS,
      tagged,
      args.logsKmsKeyArn,
    );

    this.vpcId = vpc.id;
    this.vpcCidr = args.cidr;
    this.publicSubnetIds = this.subnets.filter((s) => s.tier === "public").map((s) => subnets.get(s.name)!.id);
    this.privateSubnetIds = this.subnets.filter((s) => s.tier === "private").map((s) => subnets.get(s.name)!.id);
    this.loadBalancerSubnetIds = this.subnets.filter((s) => s.tier === "lb").map((s) => subnets.get(s.name)!.id);
    this.privateRouteTableIds = privateRouteTables.map((rt) => rt.id);
    this.publicRouteTableId = publicRouteTable.id;
    this.registerOutputs({
      vpcId: this.vpcId,
      vpcCidr: this.vpcCidr,
      publicSubnetIds: this.publicSubnetIds,
      privateSubnetIds: this.privateSubnetIds,
      loadBalancerSubnetIds: this.loadBalancerSubnetIds,
      privateRouteTableIds: this.privateRouteTableIds,
      publicRouteTableId: this.publicRouteTableId,
      natGatewayCount: this.natGatewayCount,
      subnets: this.subnets,
    });
  }

  /** All VPC traffic to a log group in this stack's region, written through a least-privilege role. */
  private createFlowLogs(
    name: string,
    vpc: aws.ec2.Vpc,
    retentionInDays: number,
    tagged: (role: string) => Record<string, string>,
    kmsKeyId?: pulumi.Input<string>,
  ): void {
    const parent = { parent: this };
    // Flow logs are evidence: kept on destroy, expired by retention.
    const logGroup = new aws.cloudwatch.LogGroup(
      `${name}-flow-logs`,
      { retentionInDays, ...(kmsKeyId ? { kmsKeyId } : {}), tags: tagged("flow-logs") },
      { ...parent, retainOnDelete: true },
    );
    const account = aws.getCallerIdentityOutput({}, parent);
    const role = new aws.iam.Role(
      `${name}-flow-logs`,
      {
        assumeRolePolicy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Principal: { Service: "vpc-flow-logs.amazonaws.com" },
              Action: "sts:AssumeRole",
              // Confused-deputy guard: only flow logs of this account may use the role.
              Condition: { StringEquals: { "aws:SourceAccount": account.accountId } },
            },
          ],
        }),
        // Inline on the role, so the role's ARN (and thus the flow log) exists only once it can write.
        inlinePolicies: [
          {
            name: "write-flow-logs",
            policy: pulumi.jsonStringify({
              Version: "2012-10-17",
              Statement: [
                {
                  Effect: "Allow",
                  Action: [
                    "logs:CreateLogStream",
                    "logs:PutLogEvents",
                    "logs:DescribeLogGroups",
                    "logs:DescribeLogStreams",
                  ],
                  // The group itself and its streams (`<group arn>:log-stream:*`).
                  Resource: [logGroup.arn, pulumi.interpolate`${logGroup.arn}:*`],
                },
              ],
            }),
          },
        ],
        tags: tagged("flow-logs"),
      },
      parent,
    );
    new aws.ec2.FlowLog(
      `${name}-flow-log`,
      {
        vpcId: vpc.id,
        trafficType: "ALL",
        logDestinationType: "cloud-watch-logs",
        logDestination: logGroup.arn,
        iamRoleArn: role.arn,
        tags: tagged("flow-log"),
      },
      parent,
    );
  }
}
