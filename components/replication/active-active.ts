/**
 * One member of an active-active replication group (pattern 3): reads the peers through
 * StackReferences, wires the group network (ReplicationNetwork), the private zone and ExternalDNS
 * (PrivateDns), this stack's Keeper voters (ClickHouseKeeper), and produces what the InfraSage
 * release needs for ClickHouse replication. Every derived value comes from the pure planners in
 * lib/replication/replication-plan.ts, lib/replication/keeper-plan.ts, lib/replication/quorum.ts and
 * lib/replication/clickhouse-xml.ts.
 *
 * Until every peer is deployed the member still deploys: links to deployed peers are created,
 * Keeper runs no pod and replication stays off; `pending` says what is missing. Once the group
 * has run, a membership change (a member added or removed) keeps the running group until every
 * member agrees, so it never stops Keeper or replication.
 * Pass `providers: { aws, kubernetes }`: children inherit them through `parent`.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { StackConfig } from "../../lib/config/types";
import { buildStorageClassSpec } from "../../lib/release/helm-values";
import { buildClickHouseReplicationXml, buildKeeperXml } from "../../lib/replication/clickhouse-xml";
import { CLICKHOUSE_TLS_SECRET } from "../../lib/replication/clickhouse-replica";
import {
  clickhouseHostname,
  keeperClientOrder,
  planKeeperGroup,
  replicationHostRegions,
  zoneNameFor,
} from "../../lib/replication/keeper-plan";
import { KEEPER_NAMESPACE, KEEPER_TLS_SECRET } from "../../lib/replication/keeper-manifests";
import { analyseQuorum, describeQuorum } from "../../lib/replication/quorum";
import {
  effectiveMembers,
  groupOf,
  planReplicationPeers,
  readActiveMembers,
  secretOwner,
  stackOfRef,
  type ReplicationExport,
  type ReplicationPeerPlan,
  type ReplicationSelf,
} from "../../lib/replication/replication-plan";
import { INFRASAGE_NAMESPACE } from "../../policies/shared/ports";
import { ClickHouseKeeper } from "./keeper";
import { PrivateDns } from "./private-dns";
import { ReplicationNetwork } from "./replication-network";

export interface ActiveActiveMemberArgs {
  /** The stack's config; `replication` must be set (pattern active-active). */
  readonly config: StackConfig;
  /** This stack's VPC id. */
  readonly vpcId: pulumi.Input<string>;
  /** This stack's private route tables, AZ order. */
  readonly privateRouteTableIds: readonly pulumi.Input<string>[];
  /** This stack's private subnet CIDRs (where pods get their addresses). */
  readonly privateSubnetCidrs: readonly string[];
  /** AZs the stack uses. */
  readonly availabilityZones: readonly string[];
  /** EKS cluster security group (peers' traffic is admitted here). */
  readonly clusterSecurityGroupId: pulumi.Input<string>;
  /** The cluster's IAM OIDC provider ARN (ExternalDNS IRSA). */
  readonly oidcProviderArn: pulumi.Input<string>;
  /** The cluster's OIDC issuer URL. */
  readonly oidcIssuer: pulumi.Input<string>;
}

/** What the InfraSage release of a data member gets (see InfraSageReleaseArgs.replication). */
export interface ReleaseReplication {
  /** XML and TLS Secret name once the group is complete; undefined until then. */
  readonly clickhouse: pulumi.Output<
    | {
        readonly configXml: string;
        readonly tlsSecretName: string;
        readonly hostRegions: Readonly<Record<string, string>>;
      }
    | undefined
  >;
  /** The group's interserver password (secret; empty until the generating member is deployed). */
  readonly interserverPassword: pulumi.Output<string>;
  /** Stack name: the replica Service publishes `clickhouse.<stack>.infrasage.internal`. */
  readonly stack: string;
  /** Private subnets of the data peers linked so far: ClickHouse's replication ports admit them. */
  readonly peerCidrs: pulumi.Output<string[]>;
}

export class ActiveActiveMember extends pulumi.ComponentResource {
  /** The `replication` stack output peers read. */
  public readonly replicationExport: pulumi.Output<ReplicationExport>;
  /** What the group still lacks (empty = fully wired). */
  public readonly pending: pulumi.Output<string[]>;
  /** Quorum analysis of the group, one line. */
  public readonly quorum: pulumi.Output<string>;
  /** Secrets the operator must create before the pods can start (names, never values). */
  public readonly prerequisites: string[];
  /** The group's interserver password, exported only by the member that generates it. */
  public readonly generatedSecret?: pulumi.Output<string>;
  /** Replication inputs of the release; undefined on a witness. */
  public readonly release?: ReleaseReplication;

  constructor(name: string, args: ActiveActiveMemberArgs, opts?: pulumi.ComponentResourceOptions) {
    super("infrasage:replication:ActiveActiveMember", name, {}, opts);
    const parent = { parent: this };
    const c = args.config;
    const r = c.replication;
    if (!r) throw new pulumi.ResourceError(`${name}: pattern ${c.pattern} has no replication config`, this);
    const self: ReplicationSelf = {
      stack: c.stack,
      region: c.region,
      jurisdiction: c.jurisdiction,
      vpcCidr: c.network.cidr,
      privateSubnetCidrs: args.privateSubnetCidrs,
      keeperVoters: r.keeperVoters,
      availabilityZones: args.availabilityZones,
      witness: r.witness,
      peerRefs: r.peers,
    };
    const group = groupOf(self);

    // --- Peers ---------------------------------------------------------------------------------
    const refs = r.peers.map((ref) => ({
      ref,
      sr: new pulumi.StackReference(`${name}-${stackOfRef(ref)}`, { name: ref }, parent),
    }));
    const peerOutputs = pulumi.all(
      refs.map(({ ref, sr }) =>
        pulumi
          .all([sr.getOutput("network"), sr.getOutput("replication")])
          .apply(([network, replication]): [string, Record<string, unknown> | undefined] => [
            ref,
            network === undefined && replication === undefined ? undefined : { network, replication },
          ]),
      ),
    );
    const plan: pulumi.Output<ReplicationPeerPlan> = peerOutputs.apply((entries) =>
      planReplicationPeers(self, new Map(entries)),
    );
    // This stack's own previous outputs: the members it already runs with (see effectiveMembers).
    // Its own organization, not a peer's: the stack being deployed lives in this backend and org.
    const selfRef = new pulumi.StackReference(
      `${name}-self`,
      { name: `${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}` },
      parent,
    );
    const previous = selfRef.getOutput("replication").apply((v) => readActiveMembers({ replication: v }));
    const active = pulumi.all([plan, previous]).apply(([p, prev]) => effectiveMembers(p, prev));

    // --- Network and names ---------------------------------------------------------------------
    const dns = new PrivateDns(
      `${name}-dns`,
      {
        zoneName: zoneNameFor(c.stack),
        vpcId: args.vpcId,
        region: c.region,
        oidcProviderArn: args.oidcProviderArn,
        oidcIssuer: args.oidcIssuer,
        ownerId: c.stack,
        tags: c.tags,
      },
      parent,
    );
    const network = new ReplicationNetwork(
      `${name}-net`,
      {
        plan,
        vpcId: args.vpcId,
        region: c.region,
        privateRouteTableIds: args.privateRouteTableIds,
        clusterSecurityGroupId: args.clusterSecurityGroupId,
        tags: c.tags,
      },
      parent,
    );

    // --- Interserver password: generated by the lowest-named member, read by the others ---------
    const owner = secretOwner(group);
    let password: pulumi.Output<string | undefined>;
    if (owner === c.stack) {
      const generated = new random.RandomPassword(`${name}-interserver`, { length: 40, special: false }, parent);
      this.generatedSecret = pulumi.secret(generated.result);
      password = this.generatedSecret;
    } else {
      const ownerRef = refs.find((x) => stackOfRef(x.ref) === owner);
      if (!ownerRef) throw new pulumi.ResourceError(`${name}: no peer reference for ${owner}`, this);
      password = pulumi.secret(
        ownerRef.sr.getOutput("replicationSecret").apply((v) => (typeof v === "string" && v !== "" ? v : undefined)),
      );
    }

    // --- Keeper ----------------------------------------------------------------------------------
    const servers = active.apply((a) => {
      if (!a) return undefined;
      try {
        return planKeeperGroup(a.members);
      } catch (e) {
        throw new pulumi.ResourceError(e instanceof Error ? e.message : String(e), this);
      }
    });
    if (r.keeperVoters > 0) {
      // A witness has no InfraSage release, which otherwise creates the region's Retain class.
      const storageClassName = r.witness
        ? this.witnessStorageClass(name, c, args.availabilityZones)
        : pulumi.output(c.clickhouse.storageClass);
      new ClickHouseKeeper(
        `${name}-keeper`,
        {
          stack: c.stack,
          voters: r.keeperVoters,
          availabilityZoneCount: args.availabilityZones.length,
          storageClassName,
          configXml: servers.apply((s) => (s ? buildKeeperXml({ servers: s }) : "")),
          hostRegions: servers.apply((s) => replicationHostRegions([], s ?? [])),
          runningVoters: active.apply((a) => a?.members.find((m) => m.stack === c.stack)?.voters ?? 0),
          // Keeper's ports admit the peers' pods (their private subnets: pods take VPC addresses).
          peerCidrs: plan.apply((p) => p.connected.flatMap((x) => [...x.network.privateSubnetCidrs])),
        },
        parent,
      );
    }

    // --- ClickHouse (data members) ---------------------------------------------------------------
    // Whether the password exists is not secret (its value is): the config and the chart values built
    // from it stay readable in previews and diffs; the password reaches pods only through its Secret.
    const hasPassword = pulumi.unsecret(password.apply((v) => v !== undefined));
    if (!r.witness) {
      const clickhouse = pulumi.all([active, servers, hasPassword]).apply(([a, s, known]) => {
        if (!a || !s || !known || !a.members.some((m) => m.stack === c.stack)) return undefined;
        const witnesses = new Set(a.members.filter((m) => m.witness).map((m) => m.stack));
        const replicas = a.members
          .filter((m) => !m.witness)
          .map((m) => ({ stack: m.stack, host: clickhouseHostname(m.stack) }));
        return {
          configXml: buildClickHouseReplicationXml({
            localStack: c.stack,
            localHost: clickhouseHostname(c.stack),
            replicas,
            keeperServers: keeperClientOrder(s, c.stack, witnesses),
          }),
          tlsSecretName: CLICKHOUSE_TLS_SECRET,
          // Where each host the XML names runs: the policy pack checks it on the release's own values.
          hostRegions: replicationHostRegions(a.members, s),
        };
      });
      this.release = {
        clickhouse,
        interserverPassword: pulumi.secret(password.apply((v) => v ?? "")),
        stack: c.stack,
        peerCidrs: plan.apply((p) =>
          p.connected.filter((x) => !x.replication.witness).flatMap((x) => [...x.network.privateSubnetCidrs]),
        ),
      };
    }

    this.pending = pulumi
      .all([plan, hasPassword, active])
      .apply(([p, known, a]) => [
        ...p.pending,
        ...(a?.changePending
          ? [
              `membership change pending: Keeper and ClickHouse keep running with ` +
                `[${a.members.map((m) => m.stack).join(", ")}] until every member agrees on the new group`,
            ]
          : []),
        ...(!known && !r.witness
          ? [
              `${owner} (the member with the lowest stack name) has not exported ` +
                `the interserver password yet; run pulumi up there, then here again`,
            ]
          : []),
      ]);
    this.quorum = plan.apply((p) =>
      p.complete
        ? describeQuorum(analyseQuorum(p.placements))
        : `not known until every member is deployed (${p.pending.length} pending)`,
    );
    this.replicationExport = pulumi.all([dns.zoneId, network.linkedPeers, active]).apply(
      ([zoneId, linkedPeers, a]): ReplicationExport => ({
        stack: c.stack,
        region: c.region,
        jurisdiction: c.jurisdiction,
        group,
        keeperVoters: r.keeperVoters,
        availabilityZones: [...args.availabilityZones],
        witness: r.witness,
        zoneId,
        zoneName: zoneNameFor(c.stack),
        linkedPeers,
        activeMembers: a ? [...a.members] : [],
      }),
    );
    this.prerequisites = [
      ...(r.keeperVoters > 0
        ? [
            `Secret ${KEEPER_NAMESPACE}/${KEEPER_TLS_SECRET}: tls.crt, tls.key, ` +
              `ca.crt signed by the group's CA, SANs keeper-<n>.${zoneNameFor(c.stack)}`,
          ]
        : []),
      ...(!r.witness
        ? [
            `Secret ${INFRASAGE_NAMESPACE}/${CLICKHOUSE_TLS_SECRET}: tls.crt, tls.key, ` +
              `ca.crt signed by the group's CA, SAN ${clickhouseHostname(c.stack)}`,
          ]
        : []),
    ];
    this.registerOutputs({ replication: this.replicationExport, pending: this.pending, quorum: this.quorum });
  }

  /** The region's encrypted gp3 Retain class for a witness's Keeper volumes (kept on destroy). */
  private witnessStorageClass(name: string, c: StackConfig, azs: readonly string[]): pulumi.Output<string> {
    const spec = buildStorageClassSpec(c.region, c.clickhouse.storageClass, azs);
    // Applied as a Patch like the release's class (components/release/infrasage-release.ts): adopted, not re-created.
    const sc = new k8s.storage.v1.StorageClassPatch(
      `${name}-storage-class`,
      {
        metadata: spec.metadata,
        provisioner: spec.provisioner,
        parameters: spec.parameters,
        volumeBindingMode: spec.volumeBindingMode,
        reclaimPolicy: spec.reclaimPolicy,
        allowVolumeExpansion: spec.allowVolumeExpansion,
        allowedTopologies: spec.allowedTopologies.map((t) => ({
          matchLabelExpressions: t.matchLabelExpressions.map((e) => ({ key: e.key, values: [...e.values] })),
        })),
      },
      { parent: this, retainOnDelete: true },
    );
    return sc.metadata.name;
  }
}
