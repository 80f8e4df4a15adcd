/**
 * The program: one region's InfraSage stack, composed from the components. `index.ts` exports
 * its result as the stack outputs; the offline plan and the tests call it under mocks.
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "./components/aws/sdk";
import { loadStackConfig } from "./lib/config/load";
import { availabilityZonesOf } from "./policies/shared/regions";
import { clusterNameFor } from "./lib/cluster/cluster-plan";
import { RegionalNetwork } from "./components/network/network";
import { readExistingNetwork, type NetworkView } from "./components/network/existing-network";
import { VpcEndpoints } from "./components/network/vpc-endpoints";
import {
  EksCluster,
  controlPlaneLogGroupExists,
  deployedAddonVersions,
  deployedClusterVersion,
} from "./components/cluster/cluster";
import { MANAGED_ADDON_NAMES, addonDowngradeProblems } from "./lib/addons/addon-versions";
import { versionSkewProblems } from "./lib/cluster/upgrade-plan";
import { formatProblems } from "./lib/rules/problems";
import { InfraSageRelease } from "./components/release/infrasage-release";
import type { NetworkExport } from "./lib/links/peering-plan";
import { planFederation, wireFederation } from "./components/federation/federation";
import { wireActiveActive } from "./components/replication/wire";
import { witnessNodeGroup } from "./lib/replication/keeper-plan";
import { planSharedGrafana } from "./components/grafana/shared-grafana";
import { wireSharedGrafana } from "./components/grafana/wire";
import { LoadBalancerController } from "./components/addons/lb-controller";
import { DeployRunner } from "./components/deploy/deploy-runner";
import { LogsKey } from "./components/cluster/logs-key";
import { LinkContract } from "./components/links/linked-stacks";
import { linkTlsPrerequisite } from "./lib/links/link-tls";
import { GRAFANA_SOURCE_OUTPUT } from "./lib/grafana/grafana";
import { wireAutoscaling } from "./components/autoscaling/wire";
import { permissionsBoundaryOptions } from "./lib/aws/iam-boundary";

/**
 * Async because pattern 2 reads the other side's stack outputs (StackReference.getOutputDetails)
 * before deciding what to create; Pulumi awaits a promised export.
 */
export async function defineStack(): Promise<Record<string, pulumi.Input<unknown>>> {
  const config = loadStackConfig();
  const clusterName = clusterNameFor(config.stack);

  // One explicit provider per stack: every AWS resource's region is this stack's home region,
  // and default tags reach every taggable resource.
  const awsProvider = new aws.Provider("aws", { region: config.region, defaultTags: { tags: config.tags } });
  // Every AWS component gets these options: its roles carry the deploy role's permissions boundary
  // (if set). Per component, not a stack transformation: the offline plan runs the program without a
  // root stack resource, and the mock monitor never applies engine-side transforms (lib/aws/iam-boundary.ts).
  const awsOpts = {
    providers: { aws: awsProvider },
    ...permissionsBoundaryOptions(config.deploy.permissionsBoundaryArn),
  };

  // An existing VPC is read (never created or changed) and checked before any resource is created.
  const existing = config.network.existingVpc
    ? await readExistingNetwork(config.network.existingVpc, config.region, `Pulumi.${config.stack}.yaml`, {
        provider: awsProvider,
      })
    : undefined;
  const azs = existing?.availabilityZones ?? availabilityZonesOf(config.region, config.network.availabilityZones);

  // One customer-managed key for the stack's log groups (control plane, flow logs, CI runner).
  const logsKey = config.cluster.encryptLogs
    ? new LogsKey("logs-key", { stack: config.stack, region: config.region, tags: config.tags }, awsOpts)
    : undefined;

  const network: NetworkView =
    existing ??
    new RegionalNetwork(
      "network",
      {
        cidr: config.network.cidr,
        availabilityZones: azs,
        natGateways: config.network.natGateways,
        clusterName,
        tags: config.tags,
        karpenterDiscovery: config.autoscaling === "karpenter",
        ...(logsKey ? { logsKmsKeyArn: logsKey.arn } : {}),
      },
      awsOpts,
    );

  // Endpoints for the private nodes (never in an existing VPC: they would change it).
  if (!existing && config.network.endpoints.length > 0) {
    new VpcEndpoints(
      "endpoints",
      {
        region: config.region,
        vpcId: network.vpcId,
        vpcCidr: network.vpcCidr,
        privateSubnetIds: network.privateSubnetIds,
        privateRouteTableIds: network.privateRouteTableIds,
        services: config.network.endpoints,
        tags: config.tags,
      },
      awsOpts,
    );
  }

  // Upgrades: one minor at a time, never down, checked against the running cluster before the
  // cluster or its nodes change (lib/cluster/upgrade-plan.ts).
  const deployedVersion = await deployedClusterVersion(clusterName, { provider: awsProvider });
  const skew = versionSkewProblems(deployedVersion, config.cluster.version);
  if (skew.length) throw new pulumi.RunError(formatProblems(skew, `Pulumi.${config.stack}.yaml`));
  // Add-ons are never taken back to an older build (EKS refuses downgrades): what runs now is read first.
  const runningAddonVersions = deployedVersion
    ? await deployedAddonVersions(clusterName, MANAGED_ADDON_NAMES, { provider: awsProvider })
    : {};
  const downgrades = addonDowngradeProblems(config.cluster.addons, runningAddonVersions);
  if (downgrades.length) throw new pulumi.RunError(formatProblems(downgrades, `Pulumi.${config.stack}.yaml`));

  // A log group kept by an earlier `pulumi destroy` is adopted, not created again (EKS fixes its name).
  const adoptLogGroup = await controlPlaneLogGroupExists(clusterName, { provider: awsProvider });
  const cluster = new EksCluster(
    "cluster",
    {
      clusterName,
      version: config.cluster.version,
      vpcId: network.vpcId,
      privateSubnetIds: network.privateSubnetIds,
      publicAccessCidrs: config.cluster.publicAccessCidrs,
      adminRoleArns: config.cluster.adminRoleArns,
      accessEntries: config.cluster.accessEntries,
      addons: config.cluster.addons,
      runningAddonVersions,
      // A pattern-3 witness runs only Keeper: the cheapest node group that holds it (lib/replication/keeper-plan.ts).
      nodeGroups: config.replication?.witness ? [witnessNodeGroup(azs.length)] : config.nodeGroups,
      desiredSizeOwnedByAutoscaler: config.autoscaling === "cluster-autoscaler",
      region: config.region,
      adoptLogGroup,
      logTypes: config.cluster.logTypes,
      ...(logsKey ? { logsKmsKeyArn: logsKey.arn } : {}),
      ...(config.deploy.runner === "self-hosted" || config.deploy.runner === "operator"
        ? { apiClientCidrs: config.deploy.runnerCidrs }
        : {}),
      ...(config.deploy.previewRoleArn ? { previewRoleArn: config.deploy.previewRoleArn } : {}),
      tags: config.tags,
    },
    awsOpts,
  );
  const clusterOpts = { ...awsOpts, providers: { ...awsOpts.providers, kubernetes: cluster.provider } };

  // Who adds nodes: the Cluster Autoscaler resizes the managed groups, Karpenter launches its own.
  const autoscaler = wireAutoscaling(
    config,
    { cluster, network, availabilityZones: azs, runningAddonVersions },
    clusterOpts,
  );

  // The region's own CI runner, inside its network: the only way CI reaches a private API server.
  const d = config.deploy;
  if (d.runner === "codebuild" && d.repository && d.connectionArn) {
    new DeployRunner(
      "deploy-runner",
      {
        stack: config.stack,
        repository: d.repository,
        connectionArn: d.connectionArn,
        vpcId: network.vpcId,
        privateSubnetIds: network.privateSubnetIds,
        clusterSecurityGroupId: cluster.clusterSecurityGroupId,
        region: config.region,
        tags: config.tags,
        ...(logsKey ? { logsKmsKeyArn: logsKey.arn } : {}),
      },
      awsOpts,
    );
  }

  // Pattern 2 (hub-and-spoke alert federation): read the hub / the listed spokes first; the chart
  // values depend on what is deployed there.
  const federation =
    config.pattern === "hub-spoke" ? await planFederation(config, { provider: awsProvider }) : undefined;

  // Shared Grafana (seed, cost): a host reads its sources' Prometheus endpoints (datasources are
  // chart values); a shared stack runs no Grafana. Plain local/disabled stacks read nothing.
  const sharedGrafana =
    !config.replication?.witness && (config.grafana.mode === "shared" || config.grafana.sources)
      ? await planSharedGrafana(config, { provider: awsProvider })
      : undefined;

  // Pattern 3 (active-active ClickHouse replication): peering with every peer, private DNS, Keeper
  // voters and the ClickHouse replication config; a witness gets no InfraSage release at all.
  const activeActive = wireActiveActive(config, { cluster, network, availabilityZones: azs }, clusterOpts);

  const release = config.replication?.witness
    ? undefined
    : new InfraSageRelease(
        "infrasage",
        {
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
            ...(sharedGrafana?.datasources.length ? { grafanaDatasources: sharedGrafana.datasources } : {}),
            ...(federation ? { alertFederation: federation.values } : {}),
          },
          chart: config.chart,
          ...(config.apiKeyRotation !== undefined ? { apiKeyRotation: config.apiKeyRotation } : {}),
          availabilityZones: azs,
          clusterName, // names the runbook kubeconfig (/etc/kubeconfig/<cluster>.yaml) when runbooks are scoped
          ...(activeActive?.member.release ? { replication: activeActive.member.release } : {}),
        },
        { providers: { kubernetes: cluster.provider } },
      );

  // What peers (hub/spokes, replication group) read through their StackReference to this stack.
  const networkExport = {
    stack: config.stack,
    region: config.region,
    jurisdiction: config.jurisdiction,
    vpcId: network.vpcId,
    vpcCidr: network.vpcCidr,
    privateRouteTableIds: network.privateRouteTableIds,
    privateSubnetCidrs: network.privateSubnetCidrs,
    clusterSecurityGroupId: cluster.clusterSecurityGroupId,
  } satisfies Record<keyof NetworkExport, unknown>;

  // Pattern 2: the hub's webhook load balancer, DNS and spoke credentials, or a spoke's link to its hub.
  const federationWired =
    federation && release
      ? wireFederation(
          "federation",
          federation,
          { config, network, cluster, namespace: release.namespace },
          clusterOpts,
        )
      : undefined;

  // Shared Grafana: a source's Prometheus behind an internal NLB peered to its host; the host's tunnels.
  const grafanaWired =
    sharedGrafana && release
      ? wireSharedGrafana(
          sharedGrafana,
          { config, network, cluster, namespace: release.namespace },
          { link: clusterOpts, tunnels: { providers: { kubernetes: cluster.provider } } },
        )
      : undefined;
  const grafanaLink = grafanaWired?.link;

  // One AWS Load Balancer Controller per stack, binding every Pulumi-managed target group (hub, metrics link).
  const bindings = [...(federationWired?.bindings ?? []), ...(grafanaWired?.bindings ?? [])];
  if (bindings.length > 0) {
    new LoadBalancerController(
      "lb-controller",
      {
        clusterName: cluster.clusterName,
        region: config.region,
        vpcId: network.vpcId,
        oidcProviderArn: cluster.oidcProviderArn,
        oidcIssuer: cluster.oidcIssuer,
        bindings,
        tags: config.tags,
      },
      clusterOpts,
    );
  }

  // State in separate backends: the stacks linked to this one read its link contract (what they would
  // read through a StackReference) from SSM parameters in this region (lib/links/contract.ts).
  if (config.links.via === "ssm") {
    new LinkContract(
      "link-contract",
      {
        project: pulumi.getProject(),
        stack: config.stack,
        tags: config.tags,
        values: {
          network: networkExport,
          ...(federationWired?.outputs.federation ? { federation: federationWired.outputs.federation } : {}),
          ...(grafanaLink ? { grafanaSource: grafanaLink.sourceExport } : {}),
        },
      },
      awsOpts,
    );
  }

  return {
    region: config.region,
    jurisdiction: config.jurisdiction,
    pattern: config.pattern,
    vpcId: network.vpcId,
    vpcCidr: network.vpcCidr,
    privateSubnetIds: network.privateSubnetIds,
    clusterName: cluster.clusterName,
    // What the next upgrade starts from (the plan reads it as the deployed version offline).
    clusterVersion: config.cluster.version,
    addonVersions:
      autoscaler && "agentVersion" in autoscaler
        ? pulumi
            .all([cluster.addonVersions, autoscaler.agentVersion])
            .apply(([v, agent]) => ({ ...v, "eks-pod-identity-agent": agent }))
        : cluster.addonVersions,
    kubeconfig: cluster.kubeconfig,
    ...(release ? { ingestionEndpoint: release.ingestionEndpoint, apiKey: release.apiKey } : {}),
    ...(release?.grafanaAdminPassword ? { grafanaAdminPassword: release.grafanaAdminPassword } : {}),
    ...(sharedGrafana ? { grafana: sharedGrafana.output } : {}),
    network: networkExport,
    ...(grafanaLink ? { [GRAFANA_SOURCE_OUTPUT]: grafanaLink.sourceExport } : {}),
    ...federationWired?.outputs,
    ...activeActive?.outputs,
    // The certificate the operator creates before TLS links carry traffic (lib/links/link-tls.ts).
    ...(federationWired || sharedGrafana?.tunnels.length || grafanaLink
      ? { linkPrerequisites: [linkTlsPrerequisite(config.stack)] }
      : {}),
  };
}
