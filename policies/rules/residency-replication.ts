/**
 * Residency of replicas and copies: every destination (or source) region of a replication or copy
 * that @pulumi/aws v7 can express is in the home jurisdiction. Property names are those of the
 * aws 7.x SDK (test/policies/replication-prop-names.test.ts pins them against its files).
 *
 * `replication-in-jurisdiction` judges each replica at its own Analyze, before it is created, from
 * its inputs and provider alone. The second line `replication-in-jurisdiction-stack` re-checks after
 * apply: where the other end is another resource of the stack, `propertyDependencies` names it, so its
 * region is known even when the ARN is still unknown at preview; only otherwise is the value read.
 */
import type { PolicyResource } from "@pulumi/policy";
import {
  anchoredHomeRegion,
  effectiveRegion,
  noAnchorMessage,
  requireStackHome,
  resourceRule,
  stackRule,
} from "./framework";
import { asArray, asString, get, outsideJurisdiction, regionOfArn } from "./props";

/** One other end of a replication: what it is and its region (undefined = could not be determined). */
interface End {
  readonly what: string;
  readonly region: string | undefined;
}

interface Lookup {
  readonly resources: readonly PolicyResource[];
  /** Why an S3 destination not among `resources` is unprovable. */
  readonly unprovable?: string;
}

/** What the ends are read from: a stack resource, or one resource's own Analyze (no dependencies there). */
type Replicating = Pick<PolicyResource, "props" | "provider" | "propertyDependencies">;

/** Regions of the stack resources of `types` that input `prop` depends on (none: empty). */
function dependencyEnds(r: Replicating, prop: string, types: readonly string[], what: string): End[] {
  return (r.propertyDependencies[prop] ?? [])
    .filter((d) => types.includes(d.type))
    .map((d) => ({ what: `${what} ${d.name}`, region: effectiveRegion(d) }));
}

/** Ends given by ARNs inside `prop` (ARN region), preferring the resources `prop` depends on. */
function arnEnds(r: Replicating, prop: string, types: readonly string[], what: string, arns: () => unknown[]): End[] {
  const deps = dependencyEnds(r, prop, types, what);
  if (deps.length > 0) return deps;
  return arns().map((a) => ({
    what: `${what} ${String(a)}`,
    region: typeof a === "string" ? regionOfArn(a) : undefined,
  }));
}

const S3_BUCKET_TYPES = ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"];

/** S3 ARNs carry no region: find each destination bucket (`arns`) in the stack (by ARN or name). */
function s3Ends(r: Replicating, prop: string, arns: () => unknown[], at: Lookup): End[] {
  const deps = dependencyEnds(r, prop, S3_BUCKET_TYPES, "destination bucket");
  if (deps.length > 0) return deps;
  return arns().map((a) => {
    const arn = asString(a) ?? "";
    const bucket = at.resources.find(
      (b) =>
        S3_BUCKET_TYPES.includes(b.type) &&
        (b.props.arn === arn || `arn:aws:s3:::${asString(b.props.bucket) ?? ""}` === arn),
    );
    return {
      what: `destination bucket ${arn}${bucket ? "" : ` (${at.unprovable ?? "not in this stack, region unprovable"})`}`,
      region: bucket ? effectiveRegion(bucket) : undefined,
    };
  });
}

/** Destination bucket ARNs of S3 rules whose `destination` is one object (Bucket, BucketReplicationConfig). */
const ruleDestinations = (rules: unknown): unknown[] =>
  asArray(rules).map((rule) => get(rule, "destination", "bucket"));

const own = (r: Replicating, what: string): End => ({ what, region: effectiveRegion(r) });
const listed = (items: unknown, key: string, what: string): End[] =>
  asArray(items).map((i) => ({ what, region: asString(get(i, key)) }));

/** Other ends per resource type. */
export const REPLICATION_ENDS: Readonly<Record<string, (r: Replicating, at: Lookup) => End[]>> = {
  "aws:s3/bucketReplicationConfig:BucketReplicationConfig": (r, at) =>
    s3Ends(r, "rules", () => ruleDestinations(r.props.rules), at),
  "aws:s3/bucket:Bucket": (r, at) =>
    s3Ends(
      r,
      "replicationConfiguration",
      () => ruleDestinations(get(r.props, "replicationConfiguration", "rules")),
      at,
    ),
  // The deprecated BucketV2 keeps the v6 shape: lists of configurations, rules and destinations.
  "aws:s3/bucketV2:BucketV2": (r, at) =>
    s3Ends(
      r,
      "replicationConfigurations",
      () =>
        asArray(r.props.replicationConfigurations)
          .flatMap((c) => asArray(get(c, "rules")))
          .flatMap((rule) => asArray(get(rule, "destinations")).map((d) => get(d, "bucket"))),
      at,
    ),
  "aws:kms/replicaKey:ReplicaKey": (r) => [
    own(r, "replica key"),
    ...arnEnds(r, "primaryKeyArn", ["aws:kms/key:Key"], "primary key", () => [r.props.primaryKeyArn]),
  ],
  "aws:kms/replicaExternalKey:ReplicaExternalKey": (r) => [
    own(r, "replica key"),
    ...arnEnds(r, "primaryKeyArn", ["aws:kms/externalKey:ExternalKey"], "primary key", () => [r.props.primaryKeyArn]),
  ],
  "aws:backup/plan:Plan": (r) =>
    arnEnds(r, "rules", ["aws:backup/vault:Vault"], "copy destination vault", () =>
      asArray(r.props.rules).flatMap((rule) =>
        asArray(get(rule, "copyActions")).map((c) => get(c, "destinationVaultArn")),
      ),
    ),
  "aws:ebs/snapshotCopy:SnapshotCopy": (r) => [
    own(r, "snapshot copy"),
    { what: "source snapshot", region: asString(r.props.sourceRegion) },
  ],
  "aws:ec2/amiCopy:AmiCopy": (r) => [
    own(r, "AMI copy"),
    { what: "source AMI", region: asString(r.props.sourceAmiRegion) },
  ],
  "aws:ecr/replicationConfiguration:ReplicationConfiguration": (r) =>
    asArray(get(r.props, "replicationConfiguration", "rules")).flatMap((rule) =>
      listed(get(rule, "destinations"), "region", "ECR replication destination"),
    ),
  "aws:secretsmanager/secret:Secret": (r) => listed(r.props.replicas, "region", "secret replica"),
  "aws:dynamodb/table:Table": (r) => listed(r.props.replicas, "regionName", "table replica"),
  "aws:dynamodb/globalTable:GlobalTable": (r) => listed(r.props.replicas, "regionName", "global table replica"),
  "aws:dynamodb/tableReplica:TableReplica": (r) => [
    own(r, "table replica"),
    ...arnEnds(r, "globalTableArn", ["aws:dynamodb/table:Table"], "source table", () => [r.props.globalTableArn]),
  ],
  "aws:msk/replicator:Replicator": (r) =>
    arnEnds(
      r,
      "kafkaClusters",
      ["aws:msk/cluster:Cluster", "aws:msk/serverlessCluster:ServerlessCluster"],
      "replicated Kafka cluster",
      () =>
        asArray(r.props.kafkaClusters)
          .map((c) => get(c, "amazonMskCluster", "mskClusterArn"))
          .filter((a) => a !== undefined),
    ),
};

/**
 * Other ends as the resource's own Analyze shows them: no other resource, no dependencies (the
 * engine's AnalyzeRequest has neither: pulumi/pulumi proto/pulumi/analyzer.proto). Regions read from
 * the resource's inputs and provider decide; an S3 destination bucket's ARN names no region, so it
 * is unprovable here (a violation unless exempted with a reason naming the destination's region).
 */
function ownEnds(args: Pick<PolicyResource, "type" | "props" | "provider">): End[] {
  return REPLICATION_ENDS[args.type]!(
    { props: args.props, provider: args.provider, propertyDependencies: {} },
    { resources: [], unprovable: "an S3 ARN names no region: unprovable before the replication is created" },
  );
}

/** Before the replicating resource is created: every other end its own inputs name is in the home jurisdiction. */
export const replicationInJurisdiction = resourceRule({
  name: "replication-in-jurisdiction",
  description:
    "Replication and copies (S3, KMS, Backup, EBS/AMI copies, ECR, Secrets Manager, " +
    "DynamoDB, MSK) never leave the home jurisdiction, checked before they are created",
  kind: "residency",
  severity: "critical",
  remediation:
    "Replicate only to regions of the home jurisdiction. S3 replication: exempt the " +
    "reviewed destination (policy config exemptions, the reason naming its region).",
  appliesTo: (t) => t in REPLICATION_ENDS,
  check: (args, ctx) => {
    const ends = ownEnds(args);
    if (ends.length === 0) return;
    const home = anchoredHomeRegion(args, ctx.config);
    if (home === undefined) return ctx.report(noAnchorMessage(`${args.type} ${args.name}`));
    for (const end of ends) {
      const why = outsideJurisdiction(end.region, home, ctx.jurisdictionOf);
      if (why) ctx.report(`${args.type}: ${end.what}: ${why}`);
    }
  },
});

/**
 * Second line of replication-in-jurisdiction: after apply (AnalyzeStack), resolving S3 destinations among the stack's
 * buckets.
 */
export const replicationInJurisdictionStack = stackRule({
  name: "replication-in-jurisdiction-stack",
  description:
    "Replication and copies (S3, KMS, Backup, EBS/AMI copies, ECR, Secrets Manager, DynamoDB, " +
    "MSK) never leave the home jurisdiction; second line: the whole stack, after apply",
  kind: "residency",
  severity: "critical",
  remediation: "Replicate only to regions of the home jurisdiction, to destinations declared in the same stack.",
  check: (args, ctx) => {
    const replicating = args.resources.filter((r) => r.type in REPLICATION_ENDS);
    if (replicating.length === 0) return;
    const home = requireStackHome(args, ctx);
    if (home === undefined) return;
    for (const r of replicating) {
      ctx.each(r, () => {
        for (const end of REPLICATION_ENDS[r.type]!(r, args)) {
          const why = outsideJurisdiction(end.region, home, ctx.jurisdictionOf);
          if (why) ctx.report(`${r.type}: ${end.what}: ${why}`, r.urn);
        }
      });
    }
  },
});

export const REPLICATION_POLICIES = [replicationInJurisdiction, replicationInJurisdictionStack];
