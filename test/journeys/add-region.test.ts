/**
 * Journey: adding a region, following docs/operations.md "Adding a region" word for word: the keys step 1 names
 * are the keys this test changes, and nothing else.
 */
import { strict as assert } from "node:assert";
import { parse } from "yaml";
import { readFileSync } from "node:fs";
import { Journey, changes, mandatory, docSection, stackOf } from "./journey";

const section = docSection("Adding a region");
const step1 = /^1\. ([\s\S]*?)^2\. /m.exec(section)![1]!;
const source = /Copy `Pulumi\.(.+?)\.yaml` to `Pulumi\.<region>\.yaml`/.exec(step1)![1]!;
const keys = [...step1.slice(0, step1.indexOf("Nothing else")).matchAll(/`((?:aws|infrasage):[\w.]+)`/g)].map(
  (m) => m[1]!,
);
/** The new region's values, per key the section names. */
const VALUES: Record<string, unknown> = {
  "aws:region": "eu-central-1",
  "infrasage:tenantId": "acme-de",
  "infrasage:network.cidr": "10.30.0.0/16",
};
const split = (key: string): [string, string[]] => {
  const [ns, rest] = key.split(":") as [string, string];
  const [top, ...path] = rest.split(".");
  return [`${ns}:${top}`, path];
};

describe("journey: adding a region (docs/operations.md word for word)", function () {
  this.timeout(300000);
  const j = new Journey();
  after(() => j.close());

  it("step 1 names the file to copy and exactly aws:region, tenantId and network.cidr", () => {
    assert.equal(source, "eu-west-1");
    assert.deepEqual(keys, ["aws:region", "infrasage:tenantId", "infrasage:network.cidr"]);
  });

  it("the copied file, only those keys changed, plans clean: the new stack created, the others unchanged", async () => {
    await j.deploy(); // what is deployed today
    j.copy(source, "eu-central-1");
    for (const k of keys) j.set(...withValue(k));
    // Only the keys the section names differ from the copied file.
    const before = parse(readFileSync(j.file(source), "utf8")).config as Record<string, unknown>;
    const after_ = parse(readFileSync(j.file("eu-central-1"), "utf8")).config as Record<string, unknown>;
    const differing = Object.keys({ ...before, ...after_ }).filter(
      (k) => JSON.stringify(before[k]) !== JSON.stringify(after_[k]),
    );
    assert.deepEqual(differing.sort(), [...new Set(keys.map((k) => split(k)[0]))].sort());

    const step = await j.plan();
    assert.equal(step.exit, 0, mandatory(step).join("\n"));
    assert.deepEqual(mandatory(step), []);
    const added = stackOf(step, "eu-central-1");
    assert.equal(added.diff!.newStack, true);
    assert.ok(added.diff!.counts.create > 50);
    assert.deepEqual(Object.keys(changes(step, "eu-central-1")), ["create"]);
    for (const s of ["eu-west-1", "ap-south-1"]) assert.deepEqual(changes(step, s), {}, `${s} is untouched`);
    assert.equal(added.config.clickhouse.storageClass, "gp3-eu-central-1");
  });

  it("a storage class copied from another region exits 2 naming the key, not a URN", async () => {
    j.set("eu-central-1", "infrasage:clickhouse", "gp3-eu-west-1", ["storageClass"]);
    const text = await j.refused();
    assert.match(
      text,
      /infrasage:clickhouse\.storageClass: "gp3-eu-west-1" is a storage class of eu-west-1, not of eu-central-1/,
    );
    assert.match(text, /Fix: remove the key/);
    j.set("eu-central-1", "infrasage:clickhouse", undefined, ["storageClass"]);
  });

  it("a CIDR overlapping another stack's exits 2 naming both stacks and the key", async () => {
    j.set("eu-central-1", "infrasage:network", "10.10.128.0/17", ["cidr"]);
    const text = await j.refused();
    assert.match(
      text,
      new RegExp(
        /infrasage:network\.cidr 10\.10\.128\.0\/17 \(stack eu-central-1\) /.source +
          /overlaps infrasage:network\.cidr 10\.10\.0\.0\/16 of stack eu-west-1/.source,
      ),
    );
  });

  it("the section says what happens outside the program (GitHub environment, first deploy)", () => {
    assert.match(section, /create the stack's GitHub environment before merging/);
    assert.match(section, /test\/journeys\/add-region\.test\.ts/);
  });

  function withValue(key: string): [string, string, unknown, string[]] {
    const [top, path] = split(key);
    assert.ok(key in VALUES, `the test has a value for ${key}`);
    return ["eu-central-1", top, VALUES[key], path];
  }
});
