/**
 * ClickHouse Keeper voters of one stack: namespace, ConfigMap (the group's keeper_config.xml),
 * headless Service (ExternalDNS publishes each member's pod IP), StatefulSet with Retain PVCs
 * spread across AZs, and a PodDisruptionBudget. Objects come from lib/replication/keeper-manifests.ts.
 * TLS certificates stay out of Pulumi state: the pods mount the operator-provided Secret
 * `keeper-tls` (tls.crt, tls.key, ca.crt), e.g. from a cert-manager Certificate.
 * Pass `providers: { kubernetes }`: children inherit it through `parent`.
 */
import * as k8s from "@pulumi/kubernetes";
import { networkPolicies, networkPolicy } from "../isolation/network-policies";
import { allowEgress, allowIngress, keeperEgress, namespaceBaseline } from "../../lib/isolation/isolation";
import { INFRASAGE_NAMESPACE, PORTS } from "../../policies/shared/ports";
import * as pulumi from "@pulumi/pulumi";
import { keeperManifests, type KeeperManifestInput } from "../../lib/replication/keeper-manifests";
import { HOST_REGIONS_ANNOTATION } from "../../policies/shared/host-regions";

export interface ClickHouseKeeperArgs {
  /** Stack name (Route 53 zone and server-id base). */
  readonly stack: string;
  /** Voters this stack runs (>= 1). */
  readonly voters: number;
  /** AZs the voters are spread over. */
  readonly availabilityZoneCount: number;
  /** StorageClass of the PVCs: a Retain class (the region's `gp3-<region>`). */
  readonly storageClassName: pulumi.Input<string>;
  /** keeper_config.xml of the group (buildKeeperXml), identical in every member. */
  readonly configXml: pulumi.Input<string>;
  /** Region of every host of the raft configuration (replicationHostRegions): an annotation the policy pack reads. */
  readonly hostRegions: pulumi.Input<Readonly<Record<string, string>>>;
  /** Voters running now: 0 until the group first completed, then those in the raft configuration. */
  readonly runningVoters: pulumi.Input<number>;
  /** Private subnets of the linked peers: Keeper's client and raft ports admit them (NetworkPolicy). */
  readonly peerCidrs: pulumi.Input<string[]>;
  /**
   * Size of each voter's volume.
   * @default "10Gi"
   */
  readonly volumeSize?: string;
}

export class ClickHouseKeeper extends pulumi.ComponentResource {
  /** Namespace of the voters (the operator creates the `keeper-tls` Secret here). */
  public readonly namespace: pulumi.Output<string>;

  constructor(name: string, args: ClickHouseKeeperArgs, opts?: pulumi.ComponentResourceOptions) {
    super("infrasage:replication:ClickHouseKeeper", name, {}, opts);
    if (args.voters < 1) throw new pulumi.ResourceError(`${name}: a Keeper component needs at least one voter`, this);
    const parent = { parent: this };
    const base: Omit<KeeperManifestInput, "configXml" | "storageClassName" | "runningVoters"> = {
      stack: args.stack,
      voters: args.voters,
      availabilityZoneCount: args.availabilityZoneCount,
      ...(args.volumeSize !== undefined ? { volumeSize: args.volumeSize } : {}),
    };
    // Metadata never depends on the Output-valued inputs; specs are planned once they resolve.
    const fixed = keeperManifests({ ...base, configXml: "", storageClassName: "" });
    const planned = pulumi
      .all([args.configXml, args.storageClassName, args.runningVoters])
      .apply(([configXml, storageClassName, runningVoters]) =>
        keeperManifests({ ...base, configXml, storageClassName, runningVoters }),
      );

    const ns = new k8s.core.v1.Namespace(`${name}-namespace`, { metadata: fixed.namespace.metadata }, parent);
    const namespace = ns.metadata.name;
    const config = new k8s.core.v1.ConfigMap(
      `${name}-config`,
      {
        metadata: {
          ...fixed.configMap.metadata,
          namespace,
          annotations: pulumi
            .output(args.hostRegions)
            .apply((h) => ({ ...fixed.configMap.metadata.annotations, [HOST_REGIONS_ANNOTATION]: JSON.stringify(h) })),
        },
        data: planned.apply((m) => m.configMap.data),
      },
      parent,
    );
    const service = new k8s.core.v1.Service(
      `${name}-headless`,
      {
        metadata: { ...fixed.service.metadata, namespace },
        spec: fixed.service.spec,
      },
      parent,
    );
    new k8s.apps.v1.StatefulSet(
      `${name}-statefulset`,
      {
        // Voters are Ready only with a quorum, i.e. once enough peers run too (and the operator's
        // keeper-tls Secret exists): `up` must not wait for that, or the first member never deploys.
        metadata: { ...fixed.statefulSet.metadata, namespace, annotations: { "pulumi.com/skipAwait": "true" } },
        // Config and Service names in the data flow: both exist before any pod mounts or resolves them.
        spec: pulumi.all([planned, config.metadata.name, service.metadata.name]).apply(([m]) => m.statefulSet.spec),
      },
      parent,
    );
    new k8s.policy.v1.PodDisruptionBudget(
      `${name}-pdb`,
      {
        metadata: { ...fixed.podDisruptionBudget.metadata, namespace },
        spec: fixed.podDisruptionBudget.spec,
      },
      parent,
    );

    // Ingress denied by default; voters talk to each other; ClickHouse (InfraSage's namespace) is a
    // client; the peers' voters and ClickHouse reach the client and raft ports over the peering.
    const netpol = { ...parent, dependsOn: [ns] };
    networkPolicies(
      `${name}-netpol`,
      [
        ...namespaceBaseline(fixed.namespace.metadata.name),
        allowIngress("allow-clickhouse", fixed.namespace.metadata.name, [PORTS.keeperClientTls], {
          namespace: INFRASAGE_NAMESPACE,
        }),
        // Egress denied by default too: DNS, the own voters, and (below) the peers' voters.
        ...keeperEgress(fixed.namespace.metadata.name, PORTS.keeperRaft, PORTS.keeperClientTls),
      ],
      netpol,
    );
    // The peers' voters, both ways: Raft and the TLS client port from and to their private subnets.
    const peerPorts = [PORTS.keeperClientTls, PORTS.keeperRaft];
    for (const [suffix, allow] of [
      ["", allowIngress],
      ["-egress", allowEgress],
    ] as const) {
      networkPolicy(
        `${name}-netpol-allow-peers${suffix}`,
        pulumi
          .output(args.peerCidrs)
          .apply((cidrs) =>
            allow(`allow-replication-peers${suffix}`, fixed.namespace.metadata.name, peerPorts, { cidrs }),
          ),
        netpol,
        namespace,
      );
    }

    this.namespace = namespace;
    this.registerOutputs({ namespace: this.namespace });
  }
}
