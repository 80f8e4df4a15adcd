/**
 * VPC endpoints for the private nodes: the S3 gateway on the private route tables, and each
 * interface endpoint (ECR api/dkr, STS, CloudWatch Logs, EC2) in the private subnets with private
 * DNS and a security group of its own that admits HTTPS from the VPC's CIDR only.
 * Which ones: lib/network/endpoints-plan.ts (`network.endpoints`).
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "../aws/sdk";
import {
  GATEWAY_SERVICES,
  HTTPS_PORT,
  endpointServiceName,
  type EndpointService,
} from "../../lib/network/endpoints-plan";

export interface VpcEndpointsArgs {
  readonly region: string;
  readonly vpcId: pulumi.Input<string>;
  readonly vpcCidr: string;
  readonly privateSubnetIds: pulumi.Input<string>[];
  readonly privateRouteTableIds: pulumi.Input<string>[];
  readonly services: readonly EndpointService[];
  readonly tags: Readonly<Record<string, string>>;
}

export class VpcEndpoints extends pulumi.ComponentResource {
  constructor(name: string, args: VpcEndpointsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("infrasage:network:VpcEndpoints", name, {}, opts);
    const parent = { parent: this };
    for (const service of args.services) {
      const key = service.replace(/\./g, "-");
      const tags = { ...args.tags, Name: `${name}-${key}` };
      if (GATEWAY_SERVICES.includes(service)) {
        new aws.ec2.VpcEndpoint(
          `${name}-${key}`,
          {
            vpcId: args.vpcId,
            serviceName: endpointServiceName(args.region, service),
            vpcEndpointType: "Gateway",
            routeTableIds: args.privateRouteTableIds,
            tags,
          },
          parent,
        );
        continue;
      }
      const sg = new aws.ec2.SecurityGroup(
        `${name}-${key}-sg`,
        {
          vpcId: args.vpcId,
          description: `VPC endpoint ${service}: HTTPS from the VPC only`,
          tags,
        },
        parent,
      );
      new aws.vpc.SecurityGroupIngressRule(
        `${name}-${key}-https`,
        {
          securityGroupId: sg.id,
          cidrIpv4: args.vpcCidr,
          ipProtocol: "tcp",
          fromPort: HTTPS_PORT,
          toPort: HTTPS_PORT,
          description: `HTTPS to the ${service} endpoint from the VPC (${args.vpcCidr})`,
          tags,
        },
        parent,
      );
      new aws.ec2.VpcEndpoint(
        `${name}-${key}`,
        {
          vpcId: args.vpcId,
          serviceName: endpointServiceName(args.region, service),
          vpcEndpointType: "Interface",
          subnetIds: args.privateSubnetIds,
          securityGroupIds: [sg.id],
          privateDnsEnabled: true,
          tags,
        },
        parent,
      );
    }
    this.registerOutputs({});
  }
}
