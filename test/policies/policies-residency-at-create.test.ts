/**
 * The residency guarantees that block at the offending resource's own Analyze, i.e. before
 * `pulumi up --skip-preview` creates it: each request carries only the resource's inputs (as at
 * `up`: every value known), its URN, options and provider, never another resource
 * (pulumi/pulumi proto/pulumi/analyzer.proto AnalyzeRequest). Where only a program change could
 * break a guarantee, the inputs are built with the program's own pure builders, changed as a faulty
 * program would register them.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../support/plan";
import {
  awsProvidersInHomeRegion,
  storageClassesInHomeRegion,
  workloadStorageInHomeRegion,
} from "../../policies/rules/residency";
import {
  clickhouseReplicationInJurisdiction,
  hostRegion,
  replicaHosts,
  statedHostRegions,
} from "../../policies/rules/helm-values";
import { replicationInJurisdiction } from "../../policies/rules/residency-replication";
import { anchoredHomeRegion, kubeconfigRegion, stackNameRegion } from "../../policies/rules/framework";
import { HOST_REGIONS_ANNOTATION } from "../../policies/shared/host-regions";
import { ALL_POLICIES } from "../../policies/rules/all";
import { buildHelmValues, buildStorageClassSpec } from "../../lib/release/helm-values";
import { buildKubeconfig } from "../../lib/cluster/kubeconfig";
import { buildClickHouseReplicationXml, buildKeeperXml } from "../../lib/replication/clickhouse-xml";
import {
  clickhouseHostname,
  keeperClientOrder,
  planKeeperGroup,
  replicationHostRegions,
  type KeeperStackSpec,
} from "../../lib/replication/keeper-plan";
import { SEED_EU } from "../support/seed";
import { UNKNOWN_SENTINEL } from "../../offline/run-program";
import {
  assertClean,
  assertDeferredToUp,
  assertViolation,
  awsProvider,
  runResourcePolicy,
  urnOf,
  type ProviderSpec,
  type ResourceSpec,
} from "../support/policy-args";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const SC_PATCH = "kubernetes:storage.k8s.io/v1:StorageClassPatch";
const CONFIG_MAP = "kubernetes:core/v1:ConfigMap";
const AWS_PROVIDER = "pulumi:providers:aws";

/**
 * The cluster's Kubernetes provider as the program registers it (components/cluster/cluster.ts: exec-auth kubeconfig).
 */
function k8sProvider(region: string, stack = "eu-west-1"): ProviderSpec {
  const kubeconfig = buildKubeconfig({
    clusterName: `infrasage-${region}`,
    endpoint: `https://ABC123.gr7.${region}.eks.amazonaws.com`,
    certificateAuthorityData: "Q0E=",
    region,
    contextName: `infrasage-${region}`,
  });
  return {
    type: "pulumi:providers:kubernetes",
    name: "cluster-k8s",
    urn: urnOf("pulumi:providers:kubernetes", "cluster-k8s", stack),
    props: { kubeconfig },
  };
}

/** A resource of stack `stack` (its URN names the stack, as the engine's does). */
const inStack = (stack: string, spec: ResourceSpec): ResourceSpec => ({
  ...spec,
  urn: urnOf(spec.type, spec.name ?? "r", stack),
});

/** The release's StorageClassPatch as components/release/infrasage-release.ts registers it. */
function storageClassPatch(region: string, name: string, azs: string[]): ResourceSpec {
  const spec = buildStorageClassSpec(region, name, azs);
  return {
    type: SC_PATCH,
    name: "infrasage-storage-class",
    provider: k8sProvider("eu-west-1"),
    props: { ...spec, allowedTopologies: structuredClone(spec.allowedTopologies) },
  };
}

/**
 * The InfraSage Helm release as components/release/infrasage-release.ts registers it (values from
 * lib/release/helm-values.ts).
 */
function helmRelease(values: object, provider: ProviderSpec = k8sProvider("eu-west-1")): ResourceSpec {
  return {
    type: RELEASE,
    name: "infrasage-release",
    provider,
    props: {
      name: "infrasage",
      chart: "./infrasage-chart",
      namespace: "infrasage",
      values: structuredClone(values),
      atomic: false,
      timeout: 900,
    },
  };
}

describe("where each residency guarantee blocks", () => {
  const GUARANTEES = [
    "storage-classes-in-home-region",
    "workload-storage-in-home-region",
    "aws-providers-in-home-region",
    "clickhouse-replication-in-jurisdiction",
    "replication-in-jurisdiction",
  ];
  it(
    "is a resource rule of the pack (Analyze, before the resource is " +
      "created) with a stack rule <name>-stack as second line (after apply)",
    () => {
      for (const name of GUARANTEES) {
        const first = ALL_POLICIES.find((p) => p.name === name);
        const second = ALL_POLICIES.find((p) => p.name === `${name}-stack`);
        assert.ok(
          first && "validateResource" in first && !("validateStack" in first),
          `${name} is not a resource rule`,
        );
        assert.ok(second && "validateStack" in second, `${name}-stack is not a stack rule`);
        assert.equal(first.enforcementLevel, "mandatory");
      }
    },
  );
});

describe("home region of a resource rule (framework)", () => {
  it("reads the region the stack's name names from the URN, only when it names exactly one", () => {
    assert.equal(stackNameRegion(urnOf(RELEASE, "x", "eu-west-1")), "eu-west-1");
    assert.equal(stackNameRegion(urnOf(RELEASE, "x", "prod-ap-south-1")), "ap-south-1");
    assert.equal(stackNameRegion(urnOf(RELEASE, "x", "prod")), undefined);
    assert.equal(stackNameRegion(urnOf(RELEASE, "x", "eu-west-1-to-ap-south-1")), undefined);
  });
  it("reads the cluster's region from the program's kubeconfig (get-token --region and the endpoint)", () => {
    assert.equal(kubeconfigRegion(k8sProvider("eu-central-1").props.kubeconfig), "eu-central-1");
    assert.equal(kubeconfigRegion("apiVersion: v1"), undefined);
  });
  it("prefers policy config, then the stack name, then the resource's provider", () => {
    const args = (stack: string, provider?: ProviderSpec) => ({
      urn: urnOf(RELEASE, "x", stack),
      provider: provider && { type: provider.type, name: provider.name, urn: provider.urn, props: provider.props },
    });
    assert.equal(
      anchoredHomeRegion(args("eu-west-1", k8sProvider("us-east-1")), { homeRegion: "eu-central-1" }),
      "eu-central-1",
    );
    assert.equal(anchoredHomeRegion(args("eu-west-1", k8sProvider("us-east-1")), {}), "eu-west-1");
    assert.equal(anchoredHomeRegion(args("prod", k8sProvider("eu-north-1")), {}), "eu-north-1");
    assert.equal(anchoredHomeRegion(args("prod", awsProvider("ap-south-1")), {}), "ap-south-1");
    assert.equal(anchoredHomeRegion(args("prod"), {}), undefined);
  });
});

describe("storage-classes-in-home-region at the class's own Analyze", () => {
  it("passes the program's class of the home region", async () =>
    assertClean(
      await runResourcePolicy(
        storageClassesInHomeRegion,
        storageClassPatch("eu-west-1", "gp3-eu-west-1", ["eu-west-1a", "eu-west-1b"]),
      ),
    ));
  it("rejects a class named for another region (infrasage:clickhouse.storageClass gp3-us-east-1)", async () =>
    assertViolation(
      await runResourcePolicy(
        storageClassesInHomeRegion,
        storageClassPatch("eu-west-1", "gp3-us-east-1", ["eu-west-1a"]),
      ),
      /named for us-east-1, not the home region eu-west-1/,
    ));
  it("rejects a class whose topology is another region's zones (a program building it for a wrong region)", async () =>
    assertViolation(
      await runResourcePolicy(storageClassesInHomeRegion, storageClassPatch("ap-south-1", "fast", ["ap-south-1a"])),
      /ap-south-1a is in ap-south-1, not the home region eu-west-1/,
    ));
  it("a stack named for no region takes the cluster's region from its provider", async () => {
    const spec = (provider: ProviderSpec) =>
      inStack("prod", { ...storageClassPatch("ap-south-1", "fast", ["ap-south-1a"]), provider });
    assertViolation(
      await runResourcePolicy(storageClassesInHomeRegion, spec(k8sProvider("eu-west-1", "prod"))),
      /not the home region eu-west-1/,
    );
    assertClean(await runResourcePolicy(storageClassesInHomeRegion, spec(k8sProvider("ap-south-1", "prod"))));
  });
  it("fails closed when nothing anchors the home region", async () =>
    assertViolation(
      await runResourcePolicy(
        storageClassesInHomeRegion,
        inStack("prod", { ...storageClassPatch("eu-west-1", "fast", ["eu-west-1a"]), provider: null }),
      ),
      /cannot determine the home region/,
    ));
  it("defers to up only while the kubeconfig is unknown (first preview of a stack named for no region)", async () =>
    assertDeferredToUp(
      await runResourcePolicy(
        storageClassesInHomeRegion,
        inStack("prod", {
          ...storageClassPatch("eu-west-1", "fast", ["eu-west-1a"]),
          provider: { ...k8sProvider("eu-west-1", "prod"), props: { kubeconfig: UNKNOWN_SENTINEL } },
        }),
      ),
    ));
});

describe("workload-storage-in-home-region at the workload's own Analyze", () => {
  const values = (storageClass: string) =>
    buildHelmValues({
      ...SEED_EU,
      clickhouse: { ...SEED_EU.clickhouse, storageClass },
      apiKeySecretName: "infrasage-api-key",
    });
  it("passes the release on the home region's class", async () =>
    assertClean(await runResourcePolicy(workloadStorageInHomeRegion, helmRelease(values("gp3-eu-west-1")))));
  it("rejects ClickHouse and Kafka persistence on another region's class before the release is installed", async () => {
    const o = await runResourcePolicy(workloadStorageInHomeRegion, helmRelease(values("gp3-us-east-1")));
    assertViolation(o, /storageClass gp3-us-east-1 is a storage class of us-east-1, not of the home region eu-west-1/);
    assert.equal(o.messages.length, 2, "ClickHouse and Kafka each name the class");
  });
  it("rejects a Keeper StatefulSet whose volume claims name another region's class", async () =>
    assertViolation(
      await runResourcePolicy(workloadStorageInHomeRegion, {
        type: "kubernetes:apps/v1:StatefulSet",
        name: "replication-keeper-statefulset",
        provider: k8sProvider("eu-west-1"),
        props: { spec: { volumeClaimTemplates: [{ spec: { storageClassName: "gp3-ap-south-1" } }] } },
      }),
      /gp3-ap-south-1 is a storage class of ap-south-1/,
    ));
  it("rejects values the policy cannot read (valueYamlFiles)", async () =>
    assertViolation(
      await runResourcePolicy(workloadStorageInHomeRegion, {
        ...helmRelease(values("gp3-eu-west-1")),
        props: { valueYamlFiles: ["values-eu.yaml"] },
      }),
      /valueYamlFiles/,
    ));
  it("leaves a neutral class name to the class's own check (the stack's class is judged when registered)", async () =>
    assertClean(await runResourcePolicy(workloadStorageInHomeRegion, helmRelease(values("fast")))));
});

describe("aws-providers-in-home-region at the provider's own Analyze", () => {
  /** An explicit AWS provider as a changed program would register it: a resource with no provider of its own. */
  const provider = (name: string, region: string, stack = "eu-west-1"): ResourceSpec =>
    inStack(stack, {
      type: AWS_PROVIDER,
      name,
      provider: null,
      props: { region, defaultTags: { tags: { Stack: stack } } },
    });
  it("passes the stack's provider in the region the stack is named for", async () =>
    assertClean(await runResourcePolicy(awsProvidersInHomeRegion, provider("aws", "eu-west-1"))));
  it("rejects a second provider in another region before any resource uses it", async () =>
    assertViolation(
      await runResourcePolicy(awsProvidersInHomeRegion, provider("aws-us", "us-east-1")),
      /AWS provider aws-us is in us-east-1, outside the home region eu-west-1/,
    ));
  it(
    "rejects the stack's own provider pointed at another region " +
      "than the stack's name (the anchor is not the provider judged)",
    async () =>
      assertViolation(
        await runResourcePolicy(awsProvidersInHomeRegion, provider("aws", "ap-south-1")),
        /AWS provider aws is in ap-south-1, outside the home region eu-west-1/,
      ),
  );
  it("anchors on policy config homeRegion when the stack is named for no region", async () => {
    assertViolation(
      await runResourcePolicy(awsProvidersInHomeRegion, provider("aws-us", "us-east-1", "prod"), {
        homeRegion: "eu-central-1",
      }),
      /outside the home region eu-central-1/,
    );
    assertClean(
      await runResourcePolicy(awsProvidersInHomeRegion, provider("aws", "eu-central-1", "prod"), {
        homeRegion: "eu-central-1",
      }),
    );
  });
  it("the plan analyzes the stack's own provider as the engine does, reporting at its URN", async function () {
    this.timeout(180_000);
    const dir = mkdtempSync(join(tmpdir(), "infrasage-provider-"));
    const config = join(dir, "policy.json");
    writeFileSync(config, JSON.stringify({ "aws-providers-in-home-region": { homeRegion: "eu-central-1" } }));
    const run = await runCli(["--stack", "eu-west-1", "--policy-pack-config", config, "--json"]);
    rmSync(dir, { recursive: true, force: true });
    assert.equal(run.code, 1, run.stderr);
    const doc = JSON.parse(run.stdout) as {
      stacks: { violations: { policy: string; level: string; urn?: string; message: string }[] }[];
    };
    const v = doc.stacks[0]!.violations.filter((x) => x.policy === "aws-providers-in-home-region");
    assert.deepEqual(
      v.map((x) => [x.level, x.urn]),
      [["mandatory", "urn:pulumi:eu-west-1::infrasage::pulumi:providers:aws::aws"]],
    );
    assert.match(v[0]!.message, /AWS provider aws is in eu-west-1, outside the home region eu-central-1/);
  });
  it("without any anchor, the provider named aws defines the home region and any other cannot be proven", async () => {
    assertClean(await runResourcePolicy(awsProvidersInHomeRegion, provider("aws", "eu-central-1", "prod")));
    assertViolation(
      await runResourcePolicy(awsProvidersInHomeRegion, provider("aws-us", "eu-central-1", "prod")),
      /cannot determine the home region for AWS provider aws-us/,
    );
  });
});

describe("clickhouse-replication-in-jurisdiction at the release's and Keeper's own Analyze", () => {
  /**
   * The group as components/replication/active-active.ts plans it, with the hosts' regions it states
   * (replicationHostRegions).
   */
  function group(members: KeeperStackSpec[], local: string) {
    const servers = planKeeperGroup(members);
    const replicas = members
      .filter((m) => !m.witness)
      .map((m) => ({ stack: m.stack, host: clickhouseHostname(m.stack) }));
    const witnesses = new Set(members.filter((m) => m.witness).map((m) => m.stack));
    return {
      configXml: buildClickHouseReplicationXml({
        localStack: local,
        localHost: clickhouseHostname(local),
        replicas,
        keeperServers: keeperClientOrder(servers, local, witnesses),
      }),
      keeperXml: buildKeeperXml({ servers }),
      hostRegions: replicationHostRegions(members, servers),
      keeperHostRegions: replicationHostRegions([], servers),
    };
  }
  const values = (g: ReturnType<typeof group>, withRegions = true) =>
    buildHelmValues({
      ...SEED_EU,
      apiKeySecretName: "infrasage-api-key",
      clickhouseReplication: {
        configXml: g.configXml,
        tlsSecretName: "clickhouse-tls",
        interserverSecret: { name: "clickhouse-interserver", key: "password" },
        ...(withRegions ? { hostRegions: g.hostRegions } : {}),
      },
    });
  const keeperConfigMap = (g: ReturnType<typeof group>, stack = "eu-west-1"): ResourceSpec =>
    inStack(stack, {
      type: CONFIG_MAP,
      name: "replication-keeper-config",
      provider: k8sProvider("eu-west-1", stack),
      props: {
        metadata: {
          name: "keeper-config",
          namespace: "clickhouse-keeper",
          annotations: { [HOST_REGIONS_ANNOTATION]: JSON.stringify(g.keeperHostRegions) },
        },
        data: { "keeper_config.xml": g.keeperXml },
      },
    });
  const EU_GROUP: KeeperStackSpec[] = [
    { stack: "eu-west-1", region: "eu-west-1", voters: 2, witness: false },
    { stack: "eu-central-1", region: "eu-central-1", voters: 2, witness: false },
    { stack: "eu-north-1", region: "eu-north-1", voters: 1, witness: true },
  ];
  const WITH_INDIA: KeeperStackSpec[] = [
    { stack: "eu-west-1", region: "eu-west-1", voters: 2, witness: false },
    { stack: "ap-south-1", region: "ap-south-1", voters: 1, witness: false },
  ];

  it("reads every host the XML names: replicas, Keeper servers for ClickHouse, the raft configuration", () => {
    const g = group(EU_GROUP, "eu-west-1");
    assert.deepEqual(replicaHosts({ x: g.configXml }).sort(), Object.keys(g.hostRegions).sort());
    assert.deepEqual(replicaHosts({ x: g.keeperXml }).sort(), Object.keys(g.keeperHostRegions).sort());
    assert.deepEqual(
      statedHostRegions({ a: { [HOST_REGIONS_ANNOTATION]: JSON.stringify({ h: "eu-west-1" }) } }),
      new Map([["h", "eu-west-1"]]),
    );
  });
  it("passes the EU group's release and Keeper config", async () => {
    const g = group(EU_GROUP, "eu-west-1");
    assertClean(await runResourcePolicy(clickhouseReplicationInJurisdiction, helmRelease(values(g))));
    assertClean(await runResourcePolicy(clickhouseReplicationInJurisdiction, keeperConfigMap(g)));
  });
  it("rejects a release whose replication peer is in another jurisdiction (a program not refusing it)", async () => {
    const v = values(group(WITH_INDIA, "eu-west-1"));
    assert.equal(
      v.global.labels["infrasage.io/jurisdiction"],
      "EU",
      "the release states EU; the pack does not read it",
    );
    const o = await runResourcePolicy(clickhouseReplicationInJurisdiction, helmRelease(v));
    assertViolation(
      o,
      new RegExp(
        /replica host clickhouse\.ap-south-1\.infrasage\.internal: /.source +
          /ap-south-1 is in jurisdiction IN, the stack's home eu-west-1 in EU/.source,
      ),
    );
    assertViolation(o, /replica host keeper-0\.ap-south-1\.infrasage\.internal: ap-south-1 is in jurisdiction IN/);
  });
  it("rejects the Keeper config that would replicate the log to another jurisdiction", async () =>
    assertViolation(
      await runResourcePolicy(clickhouseReplicationInJurisdiction, keeperConfigMap(group(WITH_INDIA, "eu-west-1"))),
      /keeper-0\.ap-south-1\.infrasage\.internal: ap-south-1 is in jurisdiction IN/,
    ));
  it("stacks named for no region: the stated regions decide, the pack derives their jurisdiction itself", async () => {
    const members: KeeperStackSpec[] = [
      { stack: "prod", region: "eu-west-1", voters: 2, witness: false },
      { stack: "dr", region: "ap-south-1", voters: 1, witness: false },
    ];
    const g = group(members, "prod");
    const release = inStack("prod", helmRelease(values(g), k8sProvider("eu-west-1", "prod")));
    assertViolation(
      await runResourcePolicy(clickhouseReplicationInJurisdiction, release),
      /replica host clickhouse\.dr\.infrasage\.internal: ap-south-1 is in jurisdiction IN/,
    );
    // Without the statement, names without a region prove nothing: still a violation, never a pass.
    assertViolation(
      await runResourcePolicy(
        clickhouseReplicationInJurisdiction,
        inStack("prod", helmRelease(values(g, false), k8sProvider("eu-west-1", "prod"))),
      ),
      /clickhouse\.dr\.infrasage\.internal names no single known region/,
    );
  });
  it("a stated region that contradicts the host's name proves nothing", async () => {
    assert.deepEqual(
      hostRegion(
        "clickhouse.ap-south-1.infrasage.internal",
        "eu-west-1",
        new Map([["clickhouse.ap-south-1.infrasage.internal", "eu-west-1"]]),
      ),
      { conflict: "its name names ap-south-1, the resource states eu-west-1" },
    );
    const g = group(WITH_INDIA, "eu-west-1");
    const lying = { ...g, hostRegions: Object.fromEntries(Object.keys(g.hostRegions).map((h) => [h, "eu-west-1"])) };
    assertViolation(
      await runResourcePolicy(clickhouseReplicationInJurisdiction, helmRelease(values(lying))),
      /clickhouse\.ap-south-1\.infrasage\.internal: its name names ap-south-1, the resource states eu-west-1/,
    );
  });
  it("jurisdictions come from the pack's region table (policy config overrides included)", async () => {
    const g = group(WITH_INDIA, "eu-west-1");
    assertClean(
      await runResourcePolicy(clickhouseReplicationInJurisdiction, helmRelease(values(g)), {
        jurisdictions: { "ap-south-1": "EU" },
      }),
    );
  });
});

describe("replication-in-jurisdiction at the replicating resource's own Analyze", () => {
  const run = (spec: ResourceSpec, config: object = {}) => runResourcePolicy(replicationInJurisdiction, spec, config);
  it("rejects a replica or copy whose other region is in another jurisdiction, from its own inputs", async () => {
    assertViolation(
      await run({
        type: "aws:kms/replicaKey:ReplicaKey",
        props: { region: "us-east-1", primaryKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/mrk-1" },
      }),
      /replica key: us-east-1 is in jurisdiction US/,
    );
    assertViolation(
      await run({
        type: "aws:ecr/replicationConfiguration:ReplicationConfiguration",
        props: {
          replicationConfiguration: {
            rules: [{ destinations: [{ region: "ap-south-1", registryId: "123456789012" }] }],
          },
        },
      }),
      /ECR replication destination: ap-south-1 is in jurisdiction IN/,
    );
    assertViolation(
      await run({ type: "aws:secretsmanager/secret:Secret", props: { replicas: [{ region: "us-west-2" }] } }),
      /secret replica: us-west-2 is in jurisdiction US/,
    );
    assertViolation(
      await run({ type: "aws:dynamodb/table:Table", props: { replicas: [{ regionName: "sa-east-1" }] } }),
      /table replica: sa-east-1 is in jurisdiction BR/,
    );
    assertViolation(
      await run({ type: "aws:ebs/snapshotCopy:SnapshotCopy", props: { sourceRegion: "ap-south-1" } }),
      /source snapshot: ap-south-1/,
    );
  });
  it("judges every other replicating type on its own inputs too", async () => {
    const cases: [string, Record<string, unknown>, RegExp][] = [
      [
        "aws:kms/replicaExternalKey:ReplicaExternalKey",
        { primaryKeyArn: "arn:aws:kms:ap-south-1:123456789012:key/mrk-2" },
        /primary key .*ap-south-1 is in jurisdiction IN/,
      ],
      [
        "aws:backup/plan:Plan",
        {
          rules: [{ copyActions: [{ destinationVaultArn: "arn:aws:backup:us-east-1:123456789012:backup-vault:dr" }] }],
        },
        /copy destination vault .*us-east-1 is in jurisdiction US/,
      ],
      ["aws:ec2/amiCopy:AmiCopy", { sourceAmiRegion: "us-west-2" }, /source AMI: us-west-2 is in jurisdiction US/],
      [
        "aws:dynamodb/globalTable:GlobalTable",
        { replicas: [{ regionName: "sa-east-1" }] },
        /global table replica: sa-east-1/,
      ],
      [
        "aws:dynamodb/tableReplica:TableReplica",
        { region: "me-central-1", globalTableArn: "arn:aws:dynamodb:eu-west-1:123456789012:table/t" },
        /table replica: me-central-1 is in jurisdiction AE/,
      ],
      [
        "aws:msk/replicator:Replicator",
        {
          kafkaClusters: [{ amazonMskCluster: { mskClusterArn: "arn:aws:kafka:ap-south-1:123456789012:cluster/b/1" } }],
        },
        /replicated Kafka cluster .*ap-south-1/,
      ],
      [
        "aws:s3/bucket:Bucket",
        { replicationConfiguration: { role: "r", rules: [{ destination: { bucket: "arn:aws:s3:::dr" } }] } },
        /destination bucket arn:aws:s3:::dr \(an S3 ARN names no region/,
      ],
      [
        "aws:s3/bucketV2:BucketV2",
        { replicationConfigurations: [{ role: "r", rules: [{ destinations: [{ bucket: "arn:aws:s3:::dr" }] }] }] },
        /destination bucket arn:aws:s3:::dr \(an S3 ARN names no region/,
      ],
    ];
    for (const [type, props, re] of cases) assertViolation(await run({ type, props }), re);
  });
  it("passes replicas inside the jurisdiction and resources that replicate nothing", async () => {
    assertClean(
      await run({
        type: "aws:kms/replicaKey:ReplicaKey",
        props: { region: "eu-central-1", primaryKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/mrk-1" },
      }),
    );
    assertClean(await run({ type: "aws:secretsmanager/secret:Secret", props: { name: "s" } }));
    assertClean(
      await run(inStack("prod", { type: "aws:s3/bucketV2:BucketV2", props: { bucket: "b" }, provider: null })),
    );
  });
  it("a replica through a second provider in another region: the stack name anchors the home region", async () =>
    assertViolation(
      await run({
        type: "aws:kms/replicaKey:ReplicaKey",
        provider: awsProvider("us-east-1", "aws-us"),
        props: { primaryKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/mrk-1" },
      }),
      /replica key: us-east-1 is in jurisdiction US/,
    ));
  it("S3: the destination's ARN names no region: unprovable before creation unless exempted with reason", async () => {
    const s3 = {
      type: "aws:s3/bucketReplicationConfig:BucketReplicationConfig",
      name: "repl",
      props: {
        bucket: "src",
        role: "arn:aws:iam::123456789012:role/r",
        rules: [{ status: "Enabled", destination: { bucket: "arn:aws:s3:::dr-eu-central-1" } }],
      },
    };
    assertViolation(
      await run(s3),
      new RegExp(
        /destination bucket arn:aws:s3:::dr-eu-central-1 \(an S3 ARN /.source +
          /names no region: unprovable before the replication is created\)/.source,
      ),
    );
    assertClean(
      await run(s3, {
        exemptions: [
          {
            urn: "urn:pulumi:*::*::aws:s3/bucketReplicationConfig:BucketReplicationConfig::repl",
            reason: "destination dr-eu-central-1 is in eu-central-1 (reviewed INFRA-9)",
          },
        ],
      }),
    );
  });
});
