import { replicationInJurisdictionStack, REPLICATION_ENDS } from "../../policies/rules/residency-replication";
import assert from "node:assert/strict";
import {
  assertClean,
  assertDeferredToUp,
  assertViolation,
  homeProvider,
  runStackPolicy,
  urnOf,
  type ResourceSpec,
} from "../support/policy-args";

const run = (...specs: ResourceSpec[]) => runStackPolicy(replicationInJurisdictionStack, [homeProvider(), ...specs]);

/** type -> [props that stay in the EU, props that leave it] (eu-west-1 home). */
const CASES: Record<string, [Record<string, unknown>, Record<string, unknown>]> = {
  "aws:kms/replicaKey:ReplicaKey": [
    { region: "eu-central-1", primaryKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/mrk-1" },
    { region: "us-east-1", primaryKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/mrk-1" },
  ],
  "aws:kms/replicaExternalKey:ReplicaExternalKey": [
    { primaryKeyArn: "arn:aws:kms:eu-north-1:123456789012:key/mrk-2" },
    { primaryKeyArn: "arn:aws:kms:ap-south-1:123456789012:key/mrk-2" },
  ],
  "aws:backup/plan:Plan": [
    { rules: [{ copyActions: [{ destinationVaultArn: "arn:aws:backup:eu-central-1:123456789012:backup-vault:dr" }] }] },
    { rules: [{ copyActions: [{ destinationVaultArn: "arn:aws:backup:us-east-1:123456789012:backup-vault:dr" }] }] },
  ],
  "aws:ebs/snapshotCopy:SnapshotCopy": [{ sourceRegion: "eu-west-3" }, { sourceRegion: "ap-south-1" }],
  "aws:ec2/amiCopy:AmiCopy": [{ sourceAmiRegion: "eu-central-1" }, { sourceAmiRegion: "us-west-2" }],
  "aws:ecr/replicationConfiguration:ReplicationConfiguration": [
    {
      replicationConfiguration: { rules: [{ destinations: [{ region: "eu-central-1", registryId: "123456789012" }] }] },
    },
    { replicationConfiguration: { rules: [{ destinations: [{ region: "us-west-2", registryId: "123456789012" }] }] } },
  ],
  "aws:secretsmanager/secret:Secret": [
    { replicas: [{ region: "eu-north-1" }] },
    { replicas: [{ region: "us-east-1" }] },
  ],
  "aws:dynamodb/table:Table": [
    { replicas: [{ regionName: "eu-central-1" }] },
    { replicas: [{ regionName: "ap-south-1" }] },
  ],
  "aws:dynamodb/globalTable:GlobalTable": [
    { replicas: [{ regionName: "eu-west-3" }] },
    { replicas: [{ regionName: "sa-east-1" }] },
  ],
  "aws:dynamodb/tableReplica:TableReplica": [
    { region: "eu-central-1", globalTableArn: "arn:aws:dynamodb:eu-west-1:123456789012:table/t" },
    { region: "me-central-1", globalTableArn: "arn:aws:dynamodb:eu-west-1:123456789012:table/t" },
  ],
  "aws:msk/replicator:Replicator": [
    { kafkaClusters: [{ amazonMskCluster: { mskClusterArn: "arn:aws:kafka:eu-central-1:123456789012:cluster/b/1" } }] },
    { kafkaClusters: [{ amazonMskCluster: { mskClusterArn: "arn:aws:kafka:ap-south-1:123456789012:cluster/b/1" } }] },
  ],
};

const bucket = (name: string, region: string): ResourceSpec => ({
  type: "aws:s3/bucket:Bucket",
  name,
  props: { bucket: name, region },
});
const s3Replication = (destArn: string, extra: Partial<ResourceSpec> = {}): ResourceSpec => ({
  type: "aws:s3/bucketReplicationConfig:BucketReplicationConfig",
  name: "repl",
  props: {
    bucket: "src",
    role: "arn:aws:iam::123456789012:role/r",
    rules: [{ status: "Enabled", destination: { bucket: destArn } }],
  },
  ...extra,
});

describe("policy replication-in-jurisdiction-stack (second line, after apply)", () => {
  for (const [type, [ok, bad]] of Object.entries(CASES)) {
    it(`${type}: passes inside the EU, rejects leaving it`, async () => {
      assertClean(await run({ type, props: ok }));
      assertViolation(await run({ type, props: bad }), /is in jurisdiction (US|IN|BR|AE)/);
    });
  }
  it("covers every type it declares", async () => {
    const tested = new Set([
      ...Object.keys(CASES),
      "aws:s3/bucketReplicationConfig:BucketReplicationConfig",
      "aws:s3/bucket:Bucket",
      "aws:s3/bucketV2:BucketV2",
    ]);
    for (const t of Object.keys(REPLICATION_ENDS)) if (!tested.has(t)) throw new Error(`untested ${t}`);
  });
  it("S3: destination bucket in the stack decides (by name)", async () => {
    assertClean(await run(bucket("src", "eu-west-1"), bucket("dr", "eu-central-1"), s3Replication("arn:aws:s3:::dr")));
    assertViolation(
      await run(bucket("src", "eu-west-1"), bucket("dr", "us-east-1"), s3Replication("arn:aws:s3:::dr")),
      /destination bucket .*us-east-1/,
    );
  });
  it("S3: inline replication of a Bucket (one configuration) is checked too", async () =>
    assertViolation(
      await run(bucket("dr", "ap-south-1"), {
        type: "aws:s3/bucket:Bucket",
        name: "src",
        props: { replicationConfiguration: { role: "r", rules: [{ destination: { bucket: "arn:aws:s3:::dr" } }] } },
      }),
      /destination bucket arn:aws:s3:::dr: .*ap-south-1/,
    ));
  it("S3: inline replication of a BucketV2 (lists of configurations, rules, destinations) is checked too", async () => {
    const v2 = (...destinations: string[]): ResourceSpec => ({
      type: "aws:s3/bucketV2:BucketV2",
      name: "src",
      props: {
        replicationConfigurations: [
          { role: "r", rules: [{ status: "Enabled", destinations: destinations.map((bucket) => ({ bucket })) }] },
        ],
      },
    });
    assertClean(await run(bucket("dr", "eu-central-1"), v2("arn:aws:s3:::dr")));
    assertViolation(
      await run(bucket("dr", "eu-central-1"), bucket("far", "ap-south-1"), v2("arn:aws:s3:::dr", "arn:aws:s3:::far")),
      /destination bucket arn:aws:s3:::far: .*ap-south-1/,
    );
  });
  it("S3: a destination outside the stack cannot be proven", async () =>
    assertViolation(await run(s3Replication("arn:aws:s3:::elsewhere")), /not in this stack/));
  it("S3: at preview the unknown ARN is resolved through propertyDependencies", async () => {
    const dr = bucket("dr", "eu-central-1");
    assertClean(
      await run(
        dr,
        s3Replication("", {
          unknown: ["rules.0.destination.bucket"],
          propertyDependencies: { rules: [urnOf(dr.type, "dr")] },
        }),
      ),
    );
  });
  it("defers to up on an unknown destination without dependency information", async () => {
    assertDeferredToUp(await run(s3Replication("", { unknown: ["rules.0.destination.bucket"] })));
    assertDeferredToUp(
      await run({
        type: "aws:kms/replicaKey:ReplicaKey",
        props: { region: "eu-central-1" },
        unknown: ["primaryKeyArn"],
      }),
    );
  });
  it("at up, rejects the same destinations once known and outside the jurisdiction", async () => {
    // S3 destination outside the stack: also "S3: a destination outside the stack cannot be proven" above.
    assertViolation(await run(s3Replication("arn:aws:s3:::elsewhere")), /not in this stack/);
    assertViolation(
      await run({
        type: "aws:kms/replicaKey:ReplicaKey",
        props: { region: "eu-central-1", primaryKeyArn: "arn:aws:kms:us-east-1:123456789012:key/mrk-1" },
      }),
      /us-east-1 is in jurisdiction US/,
    );
  });
  it("still rejects a known violating replica next to an unknown destination", async () => {
    const o = await run(s3Replication("", { unknown: ["rules.0.destination.bucket"] }), {
      type: "aws:secretsmanager/secret:Secret",
      name: "s",
      props: { replicas: [{ region: "us-east-1" }] },
    });
    assertViolation(o, /us-east-1 is in jurisdiction US/);
    assert.equal(o.downgraded, true);
  });
});
