/**
 * The program: one region's InfraSage stack, composed from the components. `index.ts` exports
 * its result as the stack outputs; the offline plan and the tests call it under mocks.
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { loadStackConfig } from "./lib/config/load";
import { availabilityZonesOf } from "./lib/regions";
import { clusterNameFor } from "./lib/cluster-plan";
import { RegionalNetwork } from "./components/network";
import { EksCluster } from "./components/cluster";
import { InfraSageRelease } from "./components/infrasage-release";
import type { NetworkExport } from "./lib/peering-plan";

export function defineStack(): Record<string, pulumi.Input<unknown>> {
  const config = loadStackConfig();
  const azs = availabilityZonesOf(config.region, config.network.availabilityZones);
  const clusterName = clusterNameFor(config.stack);

  // One explicit provider per stack: every AWS resource's region is this stack's home region,
  // and default tags reach every taggable resource.
  const awsProvider = new aws.Provider("aws", { region: config.region, defaultTags: { tags: config.tags } });

  const network = new RegionalNetwork("network", {
    cidr: config.network.cidr,
    availabilityZones: azs,
    natGateways: config.network.natGateways,
    clusterName,
    tags: config.tags,
  }, { providers: { aws: awsProvider } });

  const cluster = new EksCluster("cluster", {
    clusterName,
    version: config.cluster.version,
    vpcId: network.vpcId,
    privateSubnetIds: network.privateSubnetIds,
    publicAccessCidrs: config.cluster.publicAccessCidrs,
    adminRoleArns: config.cluster.adminRoleArns,
    nodes: config.cluster.nodes,
    region: config.region,
    tags: config.tags,
  }, { providers: { aws: awsProvider } });

  const release = new InfraSageRelease("infrasage", {
    values: {
      tenantId: config.tenantId,
      region: config.region,
      jurisdiction: config.jurisdiction,
      ingestionGateway: config.ingestionGateway,
      clickhouse: config.clickhouse,
      kafka: config.kafka,
      mlEngine: config.mlEngine,
      grafana: config.grafana,
      runbooks: config.runbooks,
    },
    chart: config.chart,
    availabilityZones: azs,
  }, { providers: { kubernetes: cluster.provider } });

  // What peers (hub/spokes, replication group) read through their StackReference to this stack.
  const networkExport = {
    stack: config.stack,
    region: config.region,
    jurisdiction: config.jurisdiction,
    vpcId: network.vpcId,
    vpcCidr: network.vpcCidr,
    privateRouteTableIds: network.privateRouteTableIds,
    privateSubnetCidrs: network.subnets.filter((s) => s.tier === "private").map((s) => s.cidr),
    clusterSecurityGroupId: cluster.clusterSecurityGroupId,
  } satisfies Record<keyof NetworkExport, unknown>;

  return {
    region: config.region,
    jurisdiction: config.jurisdiction,
    pattern: config.pattern,
    vpcId: network.vpcId,
    vpcCidr: network.vpcCidr,
    privateSubnetIds: network.privateSubnetIds,
    clusterName: cluster.clusterName,
    kubeconfig: cluster.kubeconfig,
    ingestionEndpoint: release.ingestionEndpoint,
    apiKey: release.apiKey,
    network: networkExport,
  };
}
