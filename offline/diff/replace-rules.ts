/**
 * Which property changes replace a resource, per resource type the program creates. Replacement is a
 * fact of each provider, so every entry names the provider source it comes from:
 * - AWS: @pulumi/aws 7.48.0 is terraform-provider-aws v6 bridged (pulumi-aws's `upstream` submodule is
 *   the exact pin, which could not be read here). It is not v6.46.0: that came with pulumi/pulumi-aws#6392
 *   (merged 2026-05-22), and the v7.43.0 release notes already list #6609 and #6617 (upstream v6.60.0,
 *   v6.61.0), so 7.48.0 bridges v6.61.0 or later. Each entry names the file it was checked against and
 *   the commit of the copy read (`file@commit`, a terraform-provider-aws `main` commit, not necessarily
 *   the bridged release: re-check an entry when the program starts setting a new argument). A Terraform
 *   argument marked `ForceNew` (SDKv2), with a `RequiresReplace` plan modifier (framework), or forced in
 *   CustomizeDiff/ModifyPlan replaces; property names are Pulumi's camelCase of the Terraform names. An
 *   argument forced only for some old -> new values (CustomizeDiff) is left unlisted: "may replace".
 * - Kubernetes: @pulumi/kubernetes 4.34.2 (installed). The local pulumi-kubernetes snapshot has no v4.34
 *   tag; the entries were read at its HEAD, 94977969 (2026-07-01, after 4.32.0), and cite it as
 *   `file@94977969`: provider/pkg/provider/diff.go
 *   (`forceNew` table) and provider.go Diff: `.metadata.name`/`.metadata.namespace` always replace;
 *   *Patch kinds replace on those only ("Patch resources can be updated in place for all other
 *   properties"); helm_release.go Diff replaces on `.name`/`.namespace` only.
 * - random 4.21: terraform-provider-random internal/provider/resource_password.go (every argument
 *   RequiresReplace).
 * A type not listed, or a changed property listed neither way, is reported as "may replace": never
 * silently as an update.
 */

export type ChangeEffect = "replace" | "update" | "may-replace";

export interface TypeRules {
  /** Provider source file and version the entry was read from. */
  readonly source: string;
  /** Property paths (dot-separated, Pulumi names) whose change replaces the resource. */
  readonly replace: readonly string[];
  /** Property paths the provider updates in place. */
  readonly update: readonly string[];
  /** Properties that replace when their new value is unknown (computed from a resource being replaced). */
  readonly replaceIfComputed?: readonly string[];
}

const TF = "terraform-provider-aws >=v6.61.0";
const K8S = "pulumi-kubernetes 4.34 provider/pkg/provider";
const K8S_AT = "@94977969";

/**
 * Every AWS resource: `tags` update in place (tags_interceptor.go); the v6 `region` argument forces
 * a new resource (internal/provider/sdkv2/region.go@0073593e forceNewIfRegionChanges: any change but
 * unset <-> the provider's own region; internal/provider/framework/region.go not re-read).
 */
const AWS_COMMON = { replace: ["region"], update: ["tags"] } as const;

const aws = (file: string, replace: readonly string[], update: readonly string[]): TypeRules => ({
  source: `${TF} internal/service/${file}`,
  replace: [...AWS_COMMON.replace, ...replace],
  update: [...AWS_COMMON.update, ...update],
});

/** Kubernetes objects: identity always replaces (provider.go Diff, diff.go metadataForceNewProperties). */
const k8s = (kindRule: string, replace: readonly string[], update: readonly string[]): TypeRules => ({
  source: `${K8S}/diff.go${K8S_AT} ${kindRule}`,
  replace: ["metadata.name", "metadata.namespace", ...replace],
  update: ["apiVersion", "kind", "metadata.labels", "metadata.annotations", ...update],
});

export const REPLACE_RULES: Readonly<Record<string, TypeRules>> = {
  // --- network (internal/service/ec2) ---
  // instance_tenancy is not ForceNew in the schema, but resourceVPCCustomizeDiff forces a new VPC for
  // every tenancy change except dedicated -> default: left unlisted ("may replace").
  "aws:ec2/vpc:Vpc": aws(
    "ec2/vpc_.go@00081ce4 (cidr_block, ipv4_ipam_pool_id, ipv4_netmask_length " +
      "ForceNew; instance_tenancy ForceNew in CustomizeDiff unless dedicated -> default)",
    ["cidrBlock", "ipv4IpamPoolId", "ipv4NetmaskLength"],
    [
      "enableDnsHostnames",
      "enableDnsSupport",
      "enableNetworkAddressUsageMetrics",
      "assignGeneratedIpv6CidrBlock",
      "ipv6CidrBlock",
      "ipv6IpamPoolId",
      "ipv6CidrBlockNetworkBorderGroup",
    ],
  ),
  // ipv6_cidr_block is ForceNewIf (CustomizeDiff) when the subnet had assign_ipv6_address_on_creation: unlisted.
  "aws:ec2/subnet:Subnet": aws(
    "ec2/vpc_subnet.go@00cda125 (vpc_id, cidr_block, availability_zone(_id), " +
      "ipv4/ipv6 IPAM pool and netmask, ipv6_native, outpost_arn ForceNew)",
    [
      "vpcId",
      "cidrBlock",
      "availabilityZone",
      "availabilityZoneId",
      "ipv4IpamPoolId",
      "ipv4NetmaskLength",
      "ipv6IpamPoolId",
      "ipv6NetmaskLength",
      "ipv6Native",
      "outpostArn",
    ],
    [
      "mapPublicIpOnLaunch",
      "assignIpv6AddressOnCreation",
      "enableDns64",
      "enableResourceNameDnsARecordOnLaunch",
      "enableResourceNameDnsAaaaRecordOnLaunch",
      "privateDnsHostnameTypeOnLaunch",
      "enableLniAtDeviceIndex",
      "customerOwnedIpv4Pool",
      "mapCustomerOwnedIpOnLaunch",
    ],
  ),
  "aws:ec2/internetGateway:InternetGateway": aws(
    "ec2/vpc_internet_gateway.go@08923b68 (no ForceNew argument; vpc_id detaches/attaches in place)",
    [],
    ["vpcId"],
  ),
  "aws:ec2/eip:Eip": aws(
    "ec2/ec2_eip.go@01606926 (address, domain, ipam_pool_id, " +
      "network_border_group, public_ipv4_pool ForceNew; association updated in place)",
    ["address", "domain", "ipamPoolId", "networkBorderGroup", "publicIpv4Pool"],
    ["instance", "networkInterface", "associateWithPrivateIp"],
  ),
  "aws:ec2/natGateway:NatGateway": aws(
    "ec2/vpc_nat_gateway.go@04088eaa (allocation_id, subnet_id, " +
      "connectivity_type, private_ip, secondary_private_ip_address_count ForceNew)",
    ["allocationId", "subnetId", "connectivityType", "privateIp", "secondaryPrivateIpAddressCount"],
    ["secondaryAllocationIds", "secondaryPrivateIpAddresses"],
  ),
  "aws:ec2/routeTable:RouteTable": aws(
    "ec2/vpc_route_table.go@02209241 (vpc_id ForceNew; route and propagating_vgws updated in place)",
    ["vpcId"],
    ["routes", "propagatingVgws"],
  ),
  "aws:ec2/route:Route": aws(
    "ec2/vpc_route.go@0128541e (route_table_id and destinations ForceNew; targets ReplaceRoute in place)",
    ["routeTableId", "destinationCidrBlock", "destinationIpv6CidrBlock", "destinationPrefixListId"],
    [
      "gatewayId",
      "natGatewayId",
      "vpcPeeringConnectionId",
      "transitGatewayId",
      "networkInterfaceId",
      "vpcEndpointId",
      "carrierGatewayId",
      "coreNetworkArn",
      "egressOnlyGatewayId",
      "localGatewayId",
    ],
  ),
  "aws:ec2/routeTableAssociation:RouteTableAssociation": aws(
    "ec2/vpc_route_table_association.go@0be71beb (subnet_id, gateway_id " +
      "ForceNew; route_table_id ReplaceRouteTableAssociation in place)",
    ["subnetId", "gatewayId"],
    ["routeTableId"],
  ),
  "aws:ec2/vpcEndpoint:VpcEndpoint": aws(
    "ec2/vpc_endpoint.go@008db85a (vpc_id, service_name, vpc_endpoint_type, service_region, " +
      "resource_configuration_arn, service_network_arn, dns_options.private_dns_preference/specified_domains " +
      "ForceNew; private_dns_enabled ForceNew in CustomizeDiff unless the endpoint is Interface)",
    [
      "vpcId",
      "serviceName",
      "vpcEndpointType",
      "serviceRegion",
      "resourceConfigurationArn",
      "serviceNetworkArn",
      "dnsOptions.privateDnsPreference",
      "dnsOptions.privateDnsSpecifiedDomains",
    ],
    [
      "policy",
      "securityGroupIds",
      "routeTableIds",
      "subnetIds",
      "subnetConfigurations",
      "ipAddressType",
      "dnsOptions.dnsRecordIpType",
      "dnsOptions.privateDnsOnlyForInboundResolverEndpoint",
      "autoAccept",
    ],
  ),
  "aws:ec2/securityGroup:SecurityGroup": aws(
    "ec2/vpc_security_group.go@01606926 (name, name_prefix, description, vpc_id ForceNew)",
    ["name", "namePrefix", "description", "vpcId"],
    ["ingress", "egress", "revokeRulesOnDelete"],
  ),
  "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": aws(
    "ec2/vpc_default_security_group.go@01f43111 (vpc_id ForceNew; " +
      "name, description Computed-only; rules updated in place)",
    ["vpcId"],
    ["ingress", "egress"],
  ),
  // The rule's source (cidr_ipv4, cidr_ipv6, prefix_list_id, referenced_security_group_id) is modified in
  // place while its kind stays the same, but ModifyPlan sets RequiresReplace when the kind changes (a CIDR
  // rule becoming a security-group rule): a path-only classifier cannot tell the two apart, so the source
  // attributes stay unlisted ("may replace").
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": aws(
    "ec2/vpc_security_group_ingress_rule.go@00a32209 (security_group_id RequiresReplace; ModifyPlan " +
      "RequiresReplace when the source attribute changes kind; " +
      "ports, protocol, description ModifySecurityGroupRules)",
    ["securityGroupId"],
    ["description", "fromPort", "toPort", "ipProtocol"],
  ),
  "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": aws(
    "ec2/vpc_security_group_egress_rule.go (same framework resource shape " +
      "as the ingress rule, vpc_security_group_ingress_rule.go@00a32209)",
    ["securityGroupId"],
    ["description", "fromPort", "toPort", "ipProtocol"],
  ),
  "aws:ec2/flowLog:FlowLog": aws(
    "ec2/vpc_flow_log.go@00a35305 (every argument but tags ForceNew; Update is tags only)",
    [
      "vpcId",
      "subnetId",
      "eniId",
      "transitGatewayId",
      "transitGatewayAttachmentId",
      "regionalNatGatewayId",
      "logDestination",
      "logDestinationType",
      "trafficType",
      "iamRoleArn",
      "deliverCrossAccountRole",
      "logFormat",
      "maxAggregationInterval",
      "destinationOptions",
    ],
    [],
  ),
  "aws:ec2/vpcPeeringConnection:VpcPeeringConnection": aws(
    "ec2/vpc_peering_connection.go@04c79849 (vpc_id, peer_vpc_id, peer_region, peer_owner_id " +
      "ForceNew; accepter/requester options ModifyVpcPeeringConnectionOptions in place)",
    ["vpcId", "peerVpcId", "peerRegion", "peerOwnerId"],
    ["autoAccept", "accepter", "requester"],
  ),
  "aws:ec2/vpcPeeringConnectionAccepter:VpcPeeringConnectionAccepter": aws(
    "ec2/vpc_peering_connection_accepter.go@0e006358 (vpc_peering_connection_id ForceNew)",
    ["vpcPeeringConnectionId"],
    ["autoAccept", "accepter", "requester"],
  ),
  "aws:ec2/launchTemplate:LaunchTemplate": aws(
    "ec2/ec2_launch_template.go@025e4f81 (name, name_prefix ForceNew; the " +
      "template data keys are a new version, CreateLaunchTemplateVersion)",
    ["name", "namePrefix"],
    [
      "blockDeviceMappings",
      "description",
      "metadataOptions",
      "tagSpecifications",
      "updateDefaultVersion",
      "defaultVersion",
      "userData",
      "imageId",
      "instanceType",
      "vpcSecurityGroupIds",
      "securityGroupNames",
      "keyName",
      "iamInstanceProfile",
      "monitoring",
      "networkInterfaces",
      "placement",
      "privateDnsNameOptions",
      "ebsOptimized",
      "cpuOptions",
      "creditSpecification",
      "capacityReservationSpecification",
      "instanceMarketOptions",
      "instanceRequirements",
      "disableApiStop",
      "disableApiTermination",
      "instanceInitiatedShutdownBehavior",
      "kernelId",
      "ramDiskId",
      "enclaveOptions",
      "hibernationOptions",
      "licenseSpecifications",
      "maintenanceOptions",
    ],
  ),
  // --- EKS (internal/service/eks) ---
  // encryption_config: CustomizeDiff ForceNewIfChange when it is removed (adding it is in place), and
  // compute_config.node_role_arn: CustomizeDiff ForceNew when an existing role changes (adding one is in
  // place). Both depend on the old value, so both stay unlisted ("may replace").
  "aws:eks/cluster:Cluster": aws(
    "eks/cluster.go@00555dc5 (name, role_arn, bootstrap_self_managed_addons, " +
      "access_config.bootstrap_cluster_creator_admin_permissions, kubernetes_network_config." +
      "ip_family/service_ipv4_cidr, outpost_config.control_plane_*, remote_network_config " +
      "ForceNew; encryption_config and compute_config.node_role_arn forced in CustomizeDiff)",
    [
      "name",
      "roleArn",
      "bootstrapSelfManagedAddons",
      "accessConfig.bootstrapClusterCreatorAdminPermissions",
      "kubernetesNetworkConfig.serviceIpv4Cidr",
      "kubernetesNetworkConfig.ipFamily",
      "outpostConfig.controlPlaneInstanceType",
      "outpostConfig.controlPlanePlacement.groupName",
      "remoteNetworkConfig",
    ],
    [
      "version",
      "enabledClusterLogTypes",
      "accessConfig.authenticationMode",
      "vpcConfig.endpointPrivateAccess",
      "vpcConfig.endpointPublicAccess",
      "vpcConfig.publicAccessCidrs",
      "vpcConfig.securityGroupIds",
      "vpcConfig.subnetIds",
      "upgradePolicy",
      "zonalShiftConfig",
      "computeConfig.enabled",
      "computeConfig.nodePools",
      "storageConfig",
      "kubernetesNetworkConfig.elasticLoadBalancing",
    ],
  ),
  "aws:eks/nodeGroup:NodeGroup": aws(
    "eks/node_group.go@012e0a32 (ami_type, capacity_type, cluster_name, disk_size, instance_types, " +
      "launch_template.id/name, node_group_name(_prefix), node_role_arn, remote_access, subnet_ids ForceNew)",
    [
      "clusterName",
      "nodeGroupName",
      "nodeGroupNamePrefix",
      "nodeRoleArn",
      "subnetIds",
      "instanceTypes",
      "capacityType",
      "amiType",
      "diskSize",
      "remoteAccess",
      "launchTemplate.id",
      "launchTemplate.name",
    ],
    [
      "scalingConfig",
      "labels",
      "taints",
      "version",
      "releaseVersion",
      "updateConfig",
      "launchTemplate.version",
      "forceUpdateVersion",
      "nodeRepairConfig",
    ],
  ),
  "aws:eks/accessEntry:AccessEntry": aws(
    "eks/access_entry.go@01f43111 (cluster_name, principal_arn, type " +
      "ForceNew; kubernetes_groups, user_name updated by UpdateAccessEntry)",
    ["clusterName", "principalArn", "type"],
    ["kubernetesGroups", "userName", "tags"],
  ),
  // No Update function: every argument is ForceNew.
  "aws:eks/accessPolicyAssociation:AccessPolicyAssociation": aws(
    "eks/access_policy_association.go@01f43111 (access_scope, " +
      "cluster_name, policy_arn, principal_arn ForceNew; no Update)",
    ["clusterName", "principalArn", "policyArn", "accessScope"],
    [],
  ),
  "aws:eks/addon:Addon": aws(
    "eks/addon.go@00a35305 (cluster_name, addon_name ForceNew)",
    ["clusterName", "addonName"],
    [
      "addonVersion",
      "configurationValues",
      "serviceAccountRoleArn",
      "resolveConflictsOnCreate",
      "resolveConflictsOnUpdate",
      "preserve",
      "podIdentityAssociations",
    ],
  ),
  // --- IAM (internal/service/iam) ---
  "aws:iam/role:Role": aws(
    "iam/role.go@0040ea69 (name, name_prefix, path ForceNew)",
    ["name", "namePrefix", "path"],
    [
      "assumeRolePolicy",
      "inlinePolicies",
      "managedPolicyArns",
      "description",
      "maxSessionDuration",
      "permissionsBoundary",
      "forceDetachPolicies",
    ],
  ),
  "aws:iam/rolePolicy:RolePolicy": aws(
    "iam/role_policy.go@02f97af8 (role, name, name_prefix ForceNew; policy PutRolePolicy in place)",
    ["role", "name", "namePrefix"],
    ["policy"],
  ),
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment": aws(
    "iam/role_policy_attachment.go@04c79849 (role, policy_arn ForceNew; no Update function)",
    ["role", "policyArn"],
    [],
  ),
  "aws:iam/openIdConnectProvider:OpenIdConnectProvider": aws(
    "iam/openid_connect_provider.go@01606926 (url ForceNew; client_id_list and thumbprint_list updated in place)",
    ["url"],
    ["clientIdLists", "thumbprintLists"],
  ),
  // --- KMS, logs ---
  "aws:kms/key:Key": aws(
    "kms/key.go@00a35305 (custom_key_store_id, customer_master_key_spec, key_usage, multi_region, xks_key_id ForceNew)",
    ["customerMasterKeySpec", "keyUsage", "multiRegion", "customKeyStoreId", "xksKeyId"],
    [
      "policy",
      "description",
      "enableKeyRotation",
      "rotationPeriodInDays",
      "deletionWindowInDays",
      "isEnabled",
      "bypassPolicyLockoutSafetyCheck",
    ],
  ),
  "aws:kms/alias:Alias": aws(
    "kms/alias.go@01c08000 (name, name_prefix ForceNew; target_key_id UpdateAlias in place)",
    ["name", "namePrefix"],
    ["targetKeyId"],
  ),
  "aws:cloudwatch/logGroup:LogGroup": aws(
    "logs/group.go@0073593e (name, name_prefix, log_group_class ForceNew)",
    ["name", "namePrefix", "logGroupClass"],
    ["retentionInDays", "kmsKeyId", "skipDestroy"],
  ),
  // --- load balancing (internal/service/elbv2) ---
  // subnets and securityGroups are left unlisted ("may replace"): for a network LB, CustomizeDiff
  // forces a new one when subnets are removed or security groups go from none to some (or back).
  "aws:lb/loadBalancer:LoadBalancer": aws(
    "elbv2/load_balancer.go@00edc94b (name, name_prefix, internal, load_balancer_type, " +
      "customer_owned_ipv4_pool ForceNew; customizeDiffLoadBalancerNLB forces " +
      "subnets/subnet_mapping on removal and security_groups from none to some " +
      "or back; customizeDiffLoadBalancerALB forces a changed subnet_mapping)",
    ["name", "namePrefix", "internal", "loadBalancerType", "customerOwnedIpv4Pool"],
    [
      "enableCrossZoneLoadBalancing",
      "enableDeletionProtection",
      "accessLogs",
      "connectionLogs",
      "idleTimeout",
      "ipAddressType",
      "enableHttp2",
      "dropInvalidHeaderFields",
      "desyncMitigationMode",
      "preserveHostHeader",
      "xffHeaderProcessingMode",
      "enableZonalShift",
      "dnsRecordClientRoutingPolicy",
      "clientKeepAlive",
      "enableWafFailOpen",
      "enableXffClientPort",
      "enableTlsVersionAndCipherSuiteHeaders",
    ],
  ),
  "aws:lb/targetGroup:TargetGroup": aws(
    "elbv2/target_group.go@013cfb4c (name, name_prefix, port, protocol, " +
      "protocol_version, vpc_id, target_type, ip_address_type ForceNew)",
    ["name", "namePrefix", "port", "protocol", "vpcId", "targetType", "protocolVersion", "ipAddressType"],
    [
      "healthCheck",
      "deregistrationDelay",
      "stickiness",
      "preserveClientIp",
      "proxyProtocolV2",
      "connectionTermination",
      "loadBalancingAlgorithmType",
      "loadBalancingAnomalyMitigation",
      "loadBalancingCrossZoneEnabled",
      "slowStart",
      "lambdaMultiValueHeadersEnabled",
      "targetFailovers",
      "targetGroupHealth",
      "targetHealthStates",
    ],
  ),
  "aws:lb/listener:Listener": aws(
    "elbv2/listener.go@01c08000 (load_balancer_arn ForceNew; the rest ModifyListener in place)",
    ["loadBalancerArn"],
    ["defaultActions", "port", "protocol", "certificateArn", "sslPolicy", "alpnPolicy"],
  ),
  // --- Route 53 ---
  "aws:route53/zone:Zone": aws(
    "route53/zone.go@036631a1 (name, delegation_set_id ForceNew; vpc associations and comment updated in place)",
    ["name", "delegationSetId"],
    ["vpcs", "comment", "forceDestroy"],
  ),
  "aws:route53/zoneAssociation:ZoneAssociation": aws(
    "route53/zone_association.go@0620f2a6 (zone_id, vpc_id, vpc_region ForceNew)",
    ["zoneId", "vpcId", "vpcRegion"],
    [],
  ),
  "aws:route53/record:Record": aws(
    "route53/record.go@00655c16 (name, zone_id ForceNew; a changed " +
      "type or set_identifier is a delete and create inside Update)",
    ["name", "zoneId"],
    ["type", "setIdentifier", "aliases", "records", "ttl", "allowOverwrite", "healthCheckId"],
  ),
  // --- secrets, parameters, CI runner ---
  "aws:secretsmanager/secret:Secret": aws(
    "secretsmanager/secret.go@00c21ced (name, name_prefix ForceNew)",
    ["name", "namePrefix"],
    ["description", "kmsKeyId", "policy", "recoveryWindowInDays", "replicas", "forceOverwriteReplicaSecret"],
  ),
  "aws:secretsmanager/secretVersion:SecretVersion": aws(
    "secretsmanager/secret_version.go@0042e8ea (secret_id, " +
      "secret_string, secret_binary, secret_string_wo_version ForceNew)",
    ["secretId", "secretString", "secretBinary", "secretStringWoVersion"],
    ["versionStages"],
  ),
  // tier: CustomizeDiff ForceNewIfChange Advanced -> Standard only (Standard -> Advanced is in place): unlisted.
  "aws:ssm/parameter:Parameter": aws(
    "ssm/parameter.go@0073593e (name, data_type ForceNew; tier forced in CustomizeDiff when downgraded from Advanced)",
    ["name", "dataType"],
    ["type", "value", "insecureValue", "valueWoVersion", "description", "allowedPattern", "keyId", "overwrite"],
  ),
  "aws:codebuild/project:Project": aws(
    "codebuild/project.go@00a35305 (name is the only ForceNew argument; the rest UpdateProject in place)",
    ["name"],
    [
      "artifacts",
      "buildTimeout",
      "description",
      "environment",
      "logsConfig",
      "serviceRole",
      "source",
      "sourceVersion",
      "vpcConfig",
      "queuedTimeout",
      "concurrentBuildLimit",
      "cache",
      "encryptionKey",
      "badgeEnabled",
      "buildBatchConfig",
      "fileSystemLocations",
      "secondaryArtifacts",
      "secondarySources",
      "secondarySourceVersions",
      "projectVisibility",
      "resourceAccessRole",
      "autoRetryLimit",
    ],
  ),
  // scope_configuration is newer than the copy read: left unlisted ("may replace") until checked.
  "aws:codebuild/webhook:Webhook": aws(
    "codebuild/webhook.go@01c08000 (project_name ForceNew; " +
      "build_type, branch_filter, filter_group UpdateWebhook in place)",
    ["projectName"],
    ["buildType", "filterGroups", "branchFilter"],
  ),
  // --- Kubernetes ---
  "kubernetes:apps/v1:Deployment": k8s(
    "apps/v1 deployment (.spec.selector and its labelSelector fields)",
    ["spec.selector"],
    [
      "spec.replicas",
      "spec.template",
      "spec.strategy",
      "spec.minReadySeconds",
      "spec.revisionHistoryLimit",
      "spec.progressDeadlineSeconds",
      "spec.paused",
    ],
  ),
  "kubernetes:apps/v1:StatefulSet": k8s(
    "apps/v1 statefulSet (.spec.podManagementPolicy, " +
      ".revisionHistoryLimit, .selector, .serviceName, .volumeClaimTemplates)",
    [
      "spec.podManagementPolicy",
      "spec.revisionHistoryLimit",
      "spec.selector",
      "spec.serviceName",
      "spec.volumeClaimTemplates",
    ],
    [
      "spec.replicas",
      "spec.template",
      "spec.updateStrategy",
      "spec.minReadySeconds",
      "spec.persistentVolumeClaimRetentionPolicy",
      "spec.ordinals",
    ],
  ),
  // ConfigMap/Secret: forceNewProperties adds .data/.binaryData (.type/.data/.stringData for a Secret)
  // unless the provider has enableConfigMapMutable / enableSecretMutable, which provider.go Configure
  // defaults to false; the program's provider (components/cluster/cluster.ts) sets both. `immutable` itself
  // is not a forceNew field, but the API server rejects unsetting it: left unlisted ("may replace").
  // The program's one Kubernetes provider sets enableConfigMapMutable and enableSecretMutable
  // (components/cluster/cluster.ts; test/offline/plan-diff.test.ts checks them), so ConfigMap and Secret data update in
  // place.
  "kubernetes:core/v1:ConfigMap": k8s(
    "forceNewProperties (ConfigMap: .data, .binaryData replace unless " +
      "enableConfigMapMutable, which the program's provider sets: in place)",
    [],
    ["data", "binaryData"],
  ),
  // The provider sets enableSecretMutable too: a Secret's .type still replaces (core/v1 Secret kind field).
  "kubernetes:core/v1:Secret": k8s(
    "forceNewProperties (Secret: .type replaces; .data, .stringData replace " +
      "unless enableSecretMutable, which the program's provider sets: in place)",
    ["type"],
    ["data", "stringData"],
  ),
  "kubernetes:core/v1:Service": k8s(
    "core Service (.spec.clusterIP)",
    ["spec.clusterIP"],
    [
      "spec.ports",
      "spec.selector",
      "spec.type",
      "spec.sessionAffinity",
      "spec.internalTrafficPolicy",
      "spec.externalTrafficPolicy",
      "spec.publishNotReadyAddresses",
    ],
  ),
  "kubernetes:core/v1:Namespace": k8s("(no kind fields)", [], ["spec"]),
  "kubernetes:networking.k8s.io/v1:NetworkPolicy": k8s("(no kind fields)", [], ["spec"]),
  "kubernetes:policy/v1:PodDisruptionBudget": k8s(
    "(policy/v1 has no kind fields; only v1beta1 replaces on .spec)",
    [],
    ["spec"],
  ),
  "kubernetes:storage.k8s.io/v1:StorageClass": k8s(
    "storage.k8s.io/v1 StorageClass (.parameters, .provisioner)",
    ["parameters", "provisioner"],
    ["allowVolumeExpansion", "mountOptions"],
  ),
  // A CRD: pulumi-kubernetes replaces on identity only; the rest is applied in place, where the
  // aws-load-balancer-controller's webhook (webhooks/elbv2/targetgroupbinding_validator.go,
  // checkImmutableFields) rejects a changed targetGroupARN or targetType: left unlisted, so "may replace".
  "kubernetes:elbv2.k8s.aws/v1beta1:TargetGroupBinding": k8s(
    "(custom resource: no kind fields)",
    [],
    ["spec.serviceRef", "spec.networking", "spec.nodeSelector", "spec.ipAddressType"],
  ),
  "kubernetes:core/v1:NamespacePatch": {
    source: `${K8S}/provider.go${K8S_AT} Diff (Patch kinds: identity only)`,
    replace: ["metadata.name", "metadata.namespace"],
    update: ["apiVersion", "kind", "metadata", "spec"],
  },
  "kubernetes:storage.k8s.io/v1:StorageClassPatch": {
    source:
      `${K8S}/provider.go${K8S_AT} Diff (Patch kinds: identity only; the API server itself rejects ` +
      `changes to a StorageClass's parameters, provisioner, reclaimPolicy and volumeBindingMode)`,
    replace: ["metadata.name", "metadata.namespace"],
    update: ["apiVersion", "kind", "metadata", "allowVolumeExpansion", "allowedTopologies", "mountOptions"],
  },
  "kubernetes:helm.sh/v3:Release": {
    source: `${K8S}/helm_release.go${K8S_AT} Diff (.name, .namespace replace)`,
    replace: ["name", "namespace"],
    update: [
      "chart",
      "version",
      "values",
      "repositoryOpts",
      "atomic",
      "timeout",
      "compat",
      "createNamespace",
      "skipAwait",
      "maxHistory",
      "valueYamlFiles",
    ],
  },
  // --- providers and random ---
  // DiffConfig: kubeconfig/context/cluster replace when unknown, and when known they replace iff the
  // active cluster's settings (server, CA) change, unless an unchanged clusterIdentifier is set (the
  // program sets none): a path alone cannot tell, so a known kubeconfig change is "may replace".
  "pulumi:providers:kubernetes": {
    source:
      `${K8S}/provider.go${K8S_AT} DiffConfig (kubeconfig, context, cluster: replace when unknown, or ` +
      `when known and the active cluster changes; clusterIdentifier and renderYamlToDirectory replace)`,
    replace: ["clusterIdentifier", "renderYamlToDirectory"],
    update: ["enableServerSideApply", "enableConfigMapMutable", "enableSecretMutable"],
    replaceIfComputed: ["kubeconfig", "context", "cluster"],
  },
  // Provider `region`: how the bridge diffs the provider itself was not checked, and every regional
  // resource it serves then gets a new `region` (sdkv2/region.go defaultRegion + forceNewIfRegionChanges),
  // which this offline diff does not propagate: "may replace".
  "pulumi:providers:aws": {
    source: "pulumi-aws 7.48 (bridged provider config; not verified against pulumi-terraform-bridge)",
    replace: [],
    update: ["defaultTags", "skipCredentialsValidation", "skipRegionValidation"],
  },
  "random:index/randomPassword:RandomPassword": {
    source:
      "terraform-provider-random v3 internal/provider/resource_password.go@0117aa60 " +
      "(passwordSchemaV3: every argument RequiresReplace; keepers " +
      'RequiresReplaceIfValuesNotNull, override_special unless "" -> null)',
    replace: [
      "length",
      "special",
      "upper",
      "lower",
      "number",
      "numeric",
      "minLower",
      "minUpper",
      "minNumeric",
      "minSpecial",
      "overrideSpecial",
      "keepers",
    ],
    update: [],
  },
};

/** A changed property's effect, and the rule (source) that says so. */
export interface Classified {
  readonly effect: ChangeEffect;
  readonly source: string;
}

const covers = (rule: string, path: string) => path === rule || path.startsWith(`${rule}.`);

/**
 * The effect of a change at `path` (dot-separated) on a resource of `type`. The longest rule that
 * covers the path wins; a path above a replacing rule (a whole object changed, e.g. `spec`) replaces.
 * `computed`: the new value is unknown (it comes from a resource being replaced), which a provider
 * can only treat as a change.
 */
export function classifyChange(type: string, path: string, computed = false): Classified {
  const rules = REPLACE_RULES[type];
  if (rules && computed && rules.replaceIfComputed?.some((r) => covers(r, path)))
    return { effect: "replace", source: `${rules.source}: ${path} is unknown` };
  if (!rules) return { effect: "may-replace", source: `no replacement rules for ${type}` };
  let best: { rule: string; effect: ChangeEffect } | undefined;
  for (const [list, effect] of [
    [rules.replace, "replace"],
    [rules.update, "update"],
  ] as const) {
    for (const rule of list)
      if (covers(rule, path) && (!best || rule.length > best.rule.length)) best = { rule, effect };
  }
  if (best) return { effect: best.effect, source: rules.source };
  // A whole object changed (or became unknown): what the rules below it say.
  if (rules.replace.some((r) => covers(path, r))) return { effect: "replace", source: rules.source };
  if (rules.update.some((r) => covers(path, r))) return { effect: "update", source: rules.source };
  return { effect: "may-replace", source: `${type}: no rule for ${path} (${rules.source})` };
}
