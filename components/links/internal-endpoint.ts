/**
 * One TCP service of the cluster exposed to other VPCs through an internal NLB: the NLB in the
 * load-balancer subnets, its own security group admitting the listener port from exactly the given
 * CIDRs, the cluster security group admitting the target port only from that group, and an `ip`
 * target group the stack's LoadBalancerController fills with the Service's pods. Used by the
 * federation hub (alert webhook) and the shared-Grafana source (Prometheus).
 * Pass `providers: { aws }`: children inherit them through `parent`.
 */
import * as aws from "../aws/sdk";
import * as pulumi from "@pulumi/pulumi";
import type { TargetGroupBindingRequest } from "../addons/lb-controller";

interface AllowedSource {
  /** Key for the rule's resource name (stable: a stack name and index, not a list position alone). */
  readonly key: string;
  readonly cidr: string;
  readonly description: string;
}

export interface InternalEndpointArgs {
  /** What is exposed, for descriptions (e.g. "Alert webhook"). */
  readonly purpose: string;
  readonly vpcId: pulumi.Input<string>;
  /** Load-balancer subnet ids (AZ order): the NLB's ENIs go here. */
  readonly loadBalancerSubnetIds: readonly pulumi.Input<string>[];
  /** Security group of the cluster's nodes and pods (VPC CNI): receives from the NLB only on the target port. */
  readonly clusterSecurityGroupId: pulumi.Input<string>;
  /** Port the NLB listens on. */
  readonly listenerPort: number;
  /** The Kubernetes Service (name, port, namespace) whose pods serve it. */
  readonly service: { readonly name: string; readonly port: number; readonly namespace: pulumi.Input<string> };
  /** Name of the TargetGroupBinding object. */
  readonly bindingName: string;
  /** The only sources admitted on the listener port. */
  readonly allowedSources: readonly AllowedSource[];
  /** Tags for every taggable resource (a Name is added per resource). */
  readonly tags: Readonly<Record<string, string>>;
}

export class InternalEndpoint extends pulumi.ComponentResource {
  public readonly dnsName: pulumi.Output<string>;
  public readonly zoneId: pulumi.Output<string>;
  public readonly securityGroupId: pulumi.Output<string>;
  /** The pods into the target group: for the stack's LoadBalancerController. */
  public readonly targetGroupBinding: TargetGroupBindingRequest;

  constructor(name: string, args: InternalEndpointArgs, opts?: pulumi.ComponentResourceOptions) {
    super("infrasage:network:InternalEndpoint", name, {}, opts);
    const parent = { parent: this };
    const tags = (role: string) => ({ ...args.tags, Name: `${name}-${role}` });
    const port = args.listenerPort;
    const target = args.service.port;

    const lbSg = new aws.ec2.SecurityGroup(
      `${name}-lb-sg`,
      {
        vpcId: args.vpcId,
        description: `${args.purpose} load balancer: TCP ${port} from listed sources only`,
        tags: tags("lb-sg"),
      },
      parent,
    );
    for (const s of args.allowedSources) {
      new aws.vpc.SecurityGroupIngressRule(
        `${name}-from-${s.key}`,
        {
          securityGroupId: lbSg.id,
          ipProtocol: "tcp",
          fromPort: port,
          toPort: port,
          cidrIpv4: s.cidr,
          description: s.description,
          tags: tags(`from-${s.key}`),
        },
        parent,
      );
    }
    new aws.vpc.SecurityGroupEgressRule(
      `${name}-lb-to-pods`,
      {
        securityGroupId: lbSg.id,
        ipProtocol: "tcp",
        fromPort: target,
        toPort: target,
        referencedSecurityGroupId: args.clusterSecurityGroupId,
        description: `to the ${args.service.name} pods`,
        tags: tags("lb-to-pods"),
      },
      parent,
    );
    new aws.vpc.SecurityGroupIngressRule(
      `${name}-pods-from-lb`,
      {
        securityGroupId: args.clusterSecurityGroupId,
        ipProtocol: "tcp",
        fromPort: target,
        toPort: target,
        referencedSecurityGroupId: lbSg.id,
        description: `${args.service.name} from its ${args.purpose} load balancer`,
        tags: tags("pods-from-lb"),
      },
      parent,
    );

    const lb = new aws.lb.LoadBalancer(
      `${name}-nlb`,
      {
        internal: true,
        loadBalancerType: "network",
        subnets: [...args.loadBalancerSubnetIds],
        securityGroups: [lbSg.id],
        // Any healthy pod serves every AZ's ENI: a client is not tied to the AZ its DNS answer picked.
        enableCrossZoneLoadBalancing: true,
        tags: tags("nlb"),
      },
      parent,
    );
    const targetGroup = new aws.lb.TargetGroup(
      `${name}-tg`,
      {
        vpcId: args.vpcId,
        port: target,
        protocol: "TCP",
        targetType: "ip",
        healthCheck: { protocol: "TCP", port: "traffic-port" },
        tags: tags("tg"),
      },
      parent,
    );
    new aws.lb.Listener(
      `${name}-listener`,
      {
        loadBalancerArn: lb.arn,
        port,
        protocol: "TCP",
        defaultActions: [{ type: "forward", targetGroupArn: targetGroup.arn }],
        tags: tags("listener"),
      },
      parent,
    );

    this.dnsName = lb.dnsName;
    this.zoneId = lb.zoneId;
    this.securityGroupId = lbSg.id;
    this.targetGroupBinding = {
      name: args.bindingName,
      namespace: args.service.namespace,
      targetGroupArn: targetGroup.arn,
      serviceName: args.service.name,
      servicePort: target,
    };
    this.registerOutputs({ dnsName: this.dnsName, zoneId: this.zoneId, securityGroupId: this.securityGroupId });
  }
}
