/**
 * Journeys of linked stacks (docs/operations.md "Adding and removing a spoke or a member" and "Removing a region"):
 * a spoke joins a hub and leaves it; a Keeper witness joins an active-active group and leaves it.
 * Every step is planned against the previous one, all stacks of the group together.
 */
import { strict as assert } from "node:assert";
import { copyFileSync } from "node:fs";
import { join } from "node:path";
import { Journey, changes, guardVerdict, mandatory, docSection, stackOf } from "./journey";
import { ROOT } from "../support/plan";

const HUB = "eu-west-1";
const SPOKE = "ap-south-1";
const NEW = "eu-central-1";

describe("journey: a spoke joins a hub, then leaves it", function () {
  this.timeout(300000);
  const j = new Journey(join(ROOT, "examples", "hub-spoke"));
  after(() => j.close());
  const section = docSection("Adding and removing a spoke or a member");

  it("adding a spoke creates it, updates the hub in place: its credentials Secret updated, not replaced", async () => {
    await j.deploy();
    j.copy(SPOKE, NEW);
    j.set(NEW, "aws:region", NEW);
    j.set(NEW, "infrasage:tenantId", "acme-de");
    j.set(NEW, "infrasage:network", "10.30.0.0/16", ["cidr"]);
    j.set(HUB, "infrasage:federation", [`acme/infrasage/${SPOKE}`, `acme/infrasage/${NEW}`], ["spokes"]);
    const step = await j.deploy();
    assert.equal(step.exit, 0, mandatory(step).join("\n"));
    assert.equal(stackOf(step, NEW).diff!.newStack, true);
    assert.deepEqual(changes(step, HUB), {
      create: [
        "RandomPassword federation-hub-credential-eu-central-1",
        "SecurityGroupIngressRule federation-hub-ep-from-eu-central-1-0",
        "SecurityGroupIngressRule federation-hub-ep-from-eu-central-1-1",
        "SecurityGroupIngressRule federation-hub-ep-from-eu-central-1-2",
      ],
      update: ["Deployment federation-hub-tunnel", "Secret federation-hub-spoke-credentials"],
    });
    const secret = stackOf(step, HUB).diff!.resources.find((r) => r.name === "federation-hub-spoke-credentials")!;
    assert.ok(secret.changes.every((c) => c.effect === "update" && /enableSecretMutable/.test(c.source)));
    assert.deepEqual(changes(step, SPOKE), {}, "the other spoke is untouched");
    assert.match(section, /federation\.spokes/);
  });

  it(
    "removing it (from the hub's list and its file) deletes the " +
      "hub's opening and credential; the plan lists the stack to destroy",
    async () => {
      j.set(HUB, "infrasage:federation", [`acme/infrasage/${SPOKE}`], ["spokes"]);
      j.remove(NEW);
      const step = await j.deploy();
      assert.equal(step.exit, 0, mandatory(step).join("\n"));
      assert.deepEqual(changes(step, HUB), {
        update: ["Deployment federation-hub-tunnel"],
        delete: [
          "RandomPassword federation-hub-credential-eu-central-1",
          "SecurityGroupIngressRule federation-hub-ep-from-eu-central-1-0",
          "SecurityGroupIngressRule federation-hub-ep-from-eu-central-1-1",
          "SecurityGroupIngressRule federation-hub-ep-from-eu-central-1-2",
        ],
      });
      assert.deepEqual(step.result.removedStacks, [{ stack: NEW, resources: 114 }]);
      assert.match(section, /pulumi state unprotect --all -s <stack> && pulumi destroy -s <stack>/);
    },
  );
});

describe("journey: a Keeper witness joins an active-active group, then the group removes it", function () {
  this.timeout(300000);
  const dir = join(ROOT, "examples", "active-active");
  const j = new Journey(dir);
  after(() => j.close());
  const [A, B, W] = ["eu-west-1", "eu-central-1", "eu-north-1"];
  const ref = (s: string) => `acme/infrasage/${s}`;
  const section = docSection("Removing a region");
  const twoMembers = () => {
    j.set(A, "infrasage:replication", [ref(B)], ["peers"]);
    j.set(B, "infrasage:replication", [ref(A)], ["peers"]);
    j.set(A, "infrasage:replication", 3, ["keeperVoters"]); // 5 voters: an odd count
    for (const s of [A, B])
      j.set(s, "infrasage:replication", "two regions until the witness joins", ["acceptRegionLossRisk"]);
  };

  it("adding the witness: it is created, members add links and update Keeper in place, nothing replaced", async () => {
    j.remove(W);
    twoMembers();
    const start = await j.deploy();
    assert.equal(start.exit, 0, mandatory(start).join("\n"));
    const shipped = new Journey(dir); // the shipped files: the group with its witness
    for (const s of [A, B]) j.set(s, "infrasage:replication", shipped.get(s, "infrasage:replication"));
    copyFileSync(shipped.file(W), j.file(W));
    shipped.close();
    const step = await j.deploy();
    assert.equal(step.exit, 0, mandatory(step).join("\n"));
    assert.equal(stackOf(step, W).diff!.newStack, true);
    for (const s of [A, B]) {
      const c = changes(step, s);
      assert.equal(c.replace, undefined, `${s}: nothing replaced`);
      assert.equal(c.delete, undefined, `${s}: nothing deleted`);
      assert.ok(c.update!.includes("ConfigMap replication-keeper-config"), `${s}: Keeper membership updated in place`);
    }
    assert.ok(
      changes(step, A).update!.includes("StatefulSet replication-keeper-statefulset"),
      "eu-west-1 goes back to 2 voters in place",
    );
  });

  it("removing it: before anything is destroyed, the plan names the peers, quorum and links to deal with", async () => {
    j.remove(W);
    let step = await j.plan();
    assert.equal(step.exit, 1);
    const m = mandatory(step).join("\n");
    assert.match(m, /replication peer acme\/infrasage\/eu-north-1 is not among the planned stacks/);

    // First: take it out of every member's replication.peers and keep a quorum the group can hold.
    twoMembers();
    step = await j.plan();
    assert.equal(step.exit, 1);
    const guard = guardVerdict(step, B).mandatory;
    assert.equal(guard.length, 2);
    assert.match(
      guard.join("\n"),
      new RegExp(
        /VpcPeeringConnection replication-net-eu-north-1-pcx /.source +
          /\(eu-central-1\) would be deleted: it carries ClickHouse replication/.source,
      ),
    );
    assert.deepEqual(changes(step, A).delete, [
      "SecurityGroupIngressRule replication-net-eu-north-1-9234",
      "SecurityGroupIngressRule replication-net-eu-north-1-9281",
      "ZoneAssociation replication-net-eu-north-1-zone",
    ]);

    // Then: declare the links' deletion; the group plans clean, and the plan lists the stack to destroy.
    j.set(B, "infrasage:allowReplace", [
      { resource: "replication-net-eu-north-1-pcx", reason: "the witness leaves the group" },
      { resource: "replication-net-eu-north-1-accept", reason: "the witness leaves the group" },
    ]);
    step = await j.deploy();
    assert.equal(step.exit, 0, mandatory(step).join("\n"));
    assert.deepEqual(
      step.result.removedStacks?.map((r) => r.stack),
      [W],
    );
    for (const s of ["replication.peers", "acceptRegionLossRisk", "keeperVoters", "allowReplace", "pulumi destroy"])
      assert.ok(section.includes(s), `"Removing a region" says ${s}`);
  });
});
