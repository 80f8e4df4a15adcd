/**
 * Keeper planning (lib/replication/keeper-plan.ts) and its Kubernetes objects (lib/replication/keeper-manifests.ts).
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  KEEPER_STATEFULSET_NAME,
  MAX_VOTERS_PER_STACK,
  keeperBaseId,
  keeperClientOrder,
  keeperGroupProblems,
  keeperHostname,
  keeperServerId,
  planKeeperGroup,
  witnessNodeGroup,
  zoneNameFor,
  type KeeperStackSpec,
} from "../../lib/replication/keeper-plan";
import {
  KEEPER_IMAGE,
  POD_INDEX_LABEL,
  keeperManifests,
  type KeeperManifests,
} from "../../lib/replication/keeper-manifests";
import { clickhouseReplicaService } from "../../lib/replication/clickhouse-replica";
import { KEEPER_SERVER_ID_ENV } from "../../lib/replication/clickhouse-xml";
import { PORTS } from "../../policies/shared/ports";
import { effectiveMembers, readActiveMembers } from "../../lib/replication/replication-plan";

const stackName = fc.stringMatching(/^[a-z][a-z0-9-]{0,20}[a-z0-9]$/);
const member = fc
  .record({ stack: stackName, voters: fc.integer({ min: 0, max: MAX_VOTERS_PER_STACK }), witness: fc.boolean() })
  .map((m): KeeperStackSpec => ({ ...m, region: "eu-west-1" }));
const members = fc.uniqueArray(member, { minLength: 1, maxLength: 6, selector: (m) => m.stack });

describe("Keeper plan", () => {
  it("names members keeper-<ordinal>.<stack>.infrasage.internal in the stack's zone", () => {
    assert.equal(zoneNameFor("eu-west-1"), "eu-west-1.infrasage.internal");
    assert.equal(keeperHostname("eu-west-1", 1), "keeper-1.eu-west-1.infrasage.internal");
    assert.ok(
      keeperHostname("eu-west-1", 0).startsWith(`${KEEPER_STATEFULSET_NAME}-0.`),
      "pod name = first DNS label (ExternalDNS)",
    );
  });

  it("derives ids from (stack, ordinal) only: base * 10 + ordinal, positive int32", () => {
    fc.assert(
      fc.property(stackName, fc.integer({ min: 0, max: MAX_VOTERS_PER_STACK - 1 }), (stack, ordinal) => {
        const id = keeperServerId(stack, ordinal);
        assert.equal(id, keeperBaseId(stack) * 10 + ordinal);
        assert.ok(id > 0 && id < 2 ** 31);
        assert.equal(keeperServerId(stack, ordinal), id, "deterministic");
      }),
    );
    assert.throws(() => keeperServerId("a", MAX_VOTERS_PER_STACK), /outside/);
  });

  it("property: the plan does not depend on member order, and adding a member never changes an existing id", () => {
    fc.assert(
      fc.property(members, member, fc.nat(), (group, extra, seed) => {
        fc.pre(!group.some((m) => m.stack === extra.stack));
        const rotated = [...group.slice(seed % group.length), ...group.slice(0, seed % group.length)];
        assert.deepEqual(planKeeperGroup(rotated), planKeeperGroup(group));
        const before = planKeeperGroup(group);
        const after = planKeeperGroup([...group, extra]);
        for (const s of before)
          assert.deepEqual(
            after.find((a) => a.stack === s.stack && a.ordinal === s.ordinal),
            s,
          );
        assert.equal(new Set(after.map((s) => s.id)).size, after.length, "unique ids");
      }),
    );
  });

  it("rejects duplicate stacks, non-DNS stack names and too many voters", () => {
    const ok: KeeperStackSpec = { stack: "eu-west-1", region: "eu-west-1", voters: 1, witness: false };
    assert.deepEqual(keeperGroupProblems([ok]), []);
    assert.match(keeperGroupProblems([ok, ok]).join(), /twice/);
    assert.match(keeperGroupProblems([{ ...ok, stack: "EU_west" }]).join(), /DNS label/);
    assert.match(keeperGroupProblems([{ ...ok, voters: 6 }]).join(), /allowed 0..5/);
    assert.throws(() => planKeeperGroup([ok, ok]), /cannot be planned/);
  });

  it("orders Keeper servers for a client: local stack, other data stacks, witnesses", () => {
    const servers = planKeeperGroup([
      { stack: "eu-north-1", region: "eu-north-1", voters: 1, witness: true },
      { stack: "eu-west-1", region: "eu-west-1", voters: 2, witness: false },
      { stack: "eu-central-1", region: "eu-central-1", voters: 2, witness: false },
    ]);
    const order = keeperClientOrder(servers, "eu-central-1", new Set(["eu-north-1"])).map((s) => s.stack);
    assert.deepEqual(order, ["eu-central-1", "eu-central-1", "eu-west-1", "eu-west-1", "eu-north-1"]);
  });

  it("runs the whole group once complete, keeps the running members during a change, nothing before", () => {
    const all: KeeperStackSpec[] = [
      { stack: "a", region: "eu-west-1", voters: 2, witness: false },
      { stack: "b", region: "eu-west-3", voters: 1, witness: true },
    ];
    const running = all.slice(0, 1);
    assert.deepEqual(effectiveMembers({ complete: true, keeperMembers: all }, running), {
      members: all,
      changePending: false,
    });
    assert.deepEqual(effectiveMembers({ complete: false, keeperMembers: all }, running), {
      members: running,
      changePending: true,
    });
    assert.equal(effectiveMembers({ complete: false, keeperMembers: all }, []), undefined);
    assert.deepEqual(readActiveMembers({ replication: { activeMembers: [...all, { stack: 1 }] } }), all);
    assert.deepEqual(readActiveMembers(undefined), []);
  });

  it("gives a witness one small node per AZ", () => {
    const { instanceTypes, minSize, desiredSize, maxSize, diskSizeGiB, name, fromProfile } = witnessNodeGroup(2);
    assert.deepEqual(
      { instanceTypes, minSize, desiredSize, maxSize, diskSizeGiB, name, fromProfile },
      {
        instanceTypes: ["t3.small"],
        minSize: 2,
        desiredSize: 2,
        maxSize: 3,
        diskSizeGiB: 20,
        name: "default",
        fromProfile: true,
      },
    );
  });
});

async function validateAll(m: KeeperManifests): Promise<void> {
  const { StatefulSet } = await import("kubernetes-models/apps/v1/StatefulSet");
  const { Service } = await import("kubernetes-models/v1/Service");
  const { ConfigMap } = await import("kubernetes-models/v1/ConfigMap");
  const { Namespace } = await import("kubernetes-models/v1/Namespace");
  const { PodDisruptionBudget } = await import("kubernetes-models/policy/v1/PodDisruptionBudget");
  type Data<T extends abstract new (...args: never[]) => unknown> = ConstructorParameters<T>[0];
  new StatefulSet(m.statefulSet as Data<typeof StatefulSet>).validate();
  new Service(m.service as Data<typeof Service>).validate();
  new ConfigMap(m.configMap as Data<typeof ConfigMap>).validate();
  new Namespace(m.namespace as Data<typeof Namespace>).validate();
  new PodDisruptionBudget(m.podDisruptionBudget as Data<typeof PodDisruptionBudget>).validate();
}

describe("Keeper Kubernetes objects", () => {
  const input = {
    stack: "eu-west-1",
    voters: 2,
    availabilityZoneCount: 3,
    storageClassName: "gp3-eu-west-1",
    configXml: "<clickhouse/>",
  };
  const m = keeperManifests(input);
  const pod = m.statefulSet.spec.template.spec;

  it("are valid against the upstream schema (also with more voters than AZs, and incomplete)", async () => {
    await validateAll(m);
    await validateAll(keeperManifests({ ...input, voters: 5, availabilityZoneCount: 2, runningVoters: 0 }));
  });

  it("run the pinned Keeper image, all voters at once, with Retain PVCs on the region's class", () => {
    assert.match(pod.containers[0]!.image, /^clickhouse\/clickhouse-keeper:\d+\.\d+\.\d+\.\d+$/);
    assert.equal(pod.containers[0]!.image, KEEPER_IMAGE);
    assert.equal(m.statefulSet.spec.replicas, 2);
    assert.equal(m.statefulSet.spec.podManagementPolicy, "Parallel");
    assert.equal(m.statefulSet.spec.volumeClaimTemplates[0]!.spec.storageClassName, "gp3-eu-west-1");
    assert.deepEqual(m.statefulSet.spec.persistentVolumeClaimRetentionPolicy, {
      whenDeleted: "Retain",
      whenScaled: "Retain",
    });
    assert.equal(
      keeperManifests({ ...input, runningVoters: 0 }).statefulSet.spec.replicas,
      0,
      "no pod before the group is complete",
    );
  });

  it("spread voters across zones: required anti-affinity when they fit, spread constraint always", () => {
    assert.equal(
      pod.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution?.[0]?.topologyKey,
      "topology.kubernetes.io/zone",
    );
    assert.deepEqual(pod.topologySpreadConstraints[0], {
      maxSkew: 1,
      minDomains: 3,
      topologyKey: "topology.kubernetes.io/zone",
      whenUnsatisfiable: "DoNotSchedule",
      labelSelector: m.statefulSet.spec.selector,
    });
    const crowded = keeperManifests({ ...input, voters: 3, availabilityZoneCount: 2 }).statefulSet.spec.template.spec;
    assert.equal(crowded.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution, undefined);
    assert.ok(crowded.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution);
  });

  it("publish every member (ready or not) under the stack's zone through a headless Service", () => {
    assert.equal(m.service.spec.clusterIP, "None");
    assert.equal(m.service.spec.publishNotReadyAddresses, true);
    assert.equal(
      m.service.metadata.annotations["external-dns.alpha.kubernetes.io/hostname"],
      "eu-west-1.infrasage.internal",
    );
    assert.equal(
      m.statefulSet.spec.serviceName,
      m.service.metadata.name,
      "pods get hostnames keeper-<n> on this Service",
    );
    assert.deepEqual(m.service.spec.ports.map((p) => p.port).sort(), [PORTS.keeperRaft, PORTS.keeperClientTls].sort());
  });

  it("compose KEEPER_SERVER_ID from the pod index to exactly keeperServerId(stack, ordinal)", () => {
    const env = pod.containers[0]!.env;
    assert.equal(env[0]!.valueFrom?.fieldRef.fieldPath, `metadata.labels['${POD_INDEX_LABEL}']`);
    const composed = env.find((e) => e.name === KEEPER_SERVER_ID_ENV)!.value!;
    for (let ordinal = 0; ordinal < MAX_VOTERS_PER_STACK; ordinal++) {
      assert.equal(
        Number(composed.replace("$(KEEPER_POD_INDEX)", String(ordinal))),
        keeperServerId("eu-west-1", ordinal),
      );
    }
  });

  it("allow one voter down at a time, run non-root under the restricted pod security level", () => {
    assert.equal(m.podDisruptionBudget.spec.maxUnavailable, 1);
    assert.equal(
      (m.namespace.metadata.labels as Record<string, string>)["pod-security.kubernetes.io/enforce"],
      "restricted",
    );
    assert.equal(pod.securityContext.runAsNonRoot, true);
    assert.deepEqual(pod.containers[0]!.securityContext.capabilities.drop, ["ALL"]);
    assert.equal(pod.containers[0]!.securityContext.readOnlyRootFilesystem, true);
    assert.deepEqual(
      pod.containers[0]!.volumeMounts.find((v) => v.name === "tmp"),
      { name: "tmp", mountPath: "/tmp" },
    );
    assert.equal(
      pod.volumes.find((v) => v.name === "tls")?.secret?.secretName,
      "keeper-tls",
      "operator-provided certificates",
    );
  });

  it("publish the ClickHouse replica the same way (valid Service)", async () => {
    const { Service } = await import("kubernetes-models/v1/Service");
    const svc = clickhouseReplicaService("eu-west-1", "infrasage");
    new Service(svc as ConstructorParameters<typeof Service>[0]).validate();
    assert.equal(
      svc.metadata.annotations["external-dns.alpha.kubernetes.io/hostname"],
      "clickhouse.eu-west-1.infrasage.internal",
    );
    assert.deepEqual(
      svc.spec.ports.map((p) => p.port),
      [PORTS.clickhouseNativeTls, PORTS.clickhouseInterserverTls],
    );
  });
});
