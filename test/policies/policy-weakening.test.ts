/**
 * Policy config cannot quietly weaken residency: a setting of policies/config/<stack>.json (what CI
 * passes as --policy-pack-config) or of --policy-pack-config that disables a residency rule, exempts
 * broadly, moves the home region or remaps a region's jurisdiction is a mandatory finding naming the
 * file, the rule and what was weakened, unless policies/accepted-weakenings.yaml (owned through
 * .github/CODEOWNERS) accepts it; unknown policy names are an error (exit 2).
 */
import { strict as assert } from "node:assert";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  loadAcceptedWeakenings,
  PolicyWeakeningError,
  unknownPolicyNames,
  weakeningsOf,
  weakeningViolations,
  WEAKENING_POLICY,
  type Weakening,
} from "../../offline/policy-weakening";
import { PACK_POLICIES, StackPolicyConfigs } from "../../offline/stack-policy-config";
import { ROOT, planFiles, runCli } from "../support/plan";

const TARGET = {
  stack: "eu-west-1",
  region: "eu-west-1",
  urns: [
    "urn:pulumi:eu-west-1::infrasage::aws:s3/bucket:Bucket::audit-logs",
    "urn:pulumi:eu-west-1::infrasage::infrasage:network:RegionalNetwork$aws:ec2/vpc:Vpc::network-vpc",
  ],
};
const of = (doc: unknown): Weakening[] => weakeningsOf("policies/config/eu-west-1.json", doc, PACK_POLICIES, TARGET);
const settings = (doc: unknown) => of(doc).map((w) => `${w.policy} ${w.setting}=${w.value}`);
const REASON = "migration window agreed with the DPO (SEC-1)";
const residency = PACK_POLICIES.filter((p) => p.tags?.includes("residency")).map((p) => p.name);

const tempDir = () => mkdtempSync(join(tmpdir(), "policy-config-"));
const writeJson = (dir: string, name: string, doc: unknown) => {
  const p = join(dir, name);
  writeFileSync(p, JSON.stringify(doc));
  return p;
};

describe("policy config that weakens residency (offline/policy-weakening.ts)", () => {
  it("knows the pack's residency rules from their tag", () => {
    assert.ok(residency.includes("aws-resource-in-home-region") && residency.includes("replication-in-jurisdiction"));
    assert.ok(!residency.includes("kms-key-hardened"));
  });

  it(
    "a residency rule disabled or advisory, also through all; " +
      "security rules and remediate are not residency weakenings",
    () => {
      assert.deepEqual(settings({ "aws-resource-in-home-region": "disabled" }), [
        "aws-resource-in-home-region enforcementLevel=disabled",
      ]);
      assert.deepEqual(settings({ "replication-in-jurisdiction": { enforcementLevel: "advisory" } }), [
        "replication-in-jurisdiction enforcementLevel=advisory",
      ]);
      assert.match(
        of({ "aws-resource-in-home-region": "disabled" })[0]!.what,
        /turns off residency rule aws-resource-in-home-region/,
      );
      assert.deepEqual(
        settings({ "kms-key-hardened": "disabled", "aws-resource-in-home-region": "remediate", all: "mandatory" }),
        [],
      );
      const all = of({ all: "advisory", "aws-resource-in-home-region": "mandatory" });
      assert.deepEqual(
        all.map((w) => `${w.policy} ${w.setting}=${w.value}`),
        ["all enforcementLevel=advisory"],
      );
      assert.match(all[0]!.what, /replication-in-jurisdiction/);
      assert.doesNotMatch(all[0]!.what, /aws-resource-in-home-region/, "re-set to mandatory: not weakened");
      assert.deepEqual(
        settings({ all: "disabled", ...Object.fromEntries(residency.map((n) => [n, "mandatory"])) }),
        [],
      );
    },
  );

  it(
    "an exemption of everything, or of every resource of a type, but not " +
      "one naming resources (or without a reason, which the pack ignores)",
    () => {
      const ex = (urn: string, reason: string = REASON) => ({
        "telemetry-stores-in-home-region": { exemptions: [{ urn, reason }] },
      });
      assert.deepEqual(settings(ex("*")), ["telemetry-stores-in-home-region exemptions=*"]);
      assert.deepEqual(settings(ex("urn:pulumi:*::*::aws:s3/bucket:Bucket::*")), [
        "telemetry-stores-in-home-region exemptions=urn:pulumi:*::*::aws:s3/bucket:Bucket::*",
      ]);
      const typeWide = of(ex("*Bucket*"));
      assert.equal(typeWide.length, 1);
      assert.match(typeWide[0]!.what, /every resource of type aws:s3\/bucket:Bucket/);
      assert.deepEqual(settings(ex("urn:pulumi:eu-west-1::infrasage::aws:s3/bucket:Bucket::audit-*")), []);
      assert.deepEqual(settings(ex("*", "")), []);
      assert.deepEqual(
        settings({ "kms-key-hardened": { exemptions: [{ urn: "*", reason: REASON }] } }),
        [],
        "a security rule",
      );
    },
  );

  it(
    "a home region other than the stack's, and a region mapped " +
      "to another jurisdiction than policies/shared/regions.ts",
    () => {
      assert.deepEqual(settings({ "aws-resource-in-home-region": { homeRegion: "us-east-1" } }), [
        "aws-resource-in-home-region homeRegion=us-east-1",
      ]);
      assert.deepEqual(settings({ "aws-resource-in-home-region": { homeRegion: "eu-west-1" } }), []);
      const j = of({
        "cross-region-networking-in-jurisdiction": {
          jurisdictions: { "eu-west-2": "EU", "eu-central-1": "EU", "xx-new-1": "EU" },
        },
      });
      assert.deepEqual(
        j.map((w) => `${w.setting}=${w.value}`),
        ["jurisdictions.eu-west-2=EU"],
      );
      assert.match(j[0]!.what, /maps eu-west-2 to jurisdiction EU .* where policies\/shared\/regions\.ts has UK/);
    },
  );

  it(
    "is mandatory, naming the file, the rule, the setting and the " +
      "entry to accept; advisory once accepted with the same value",
    () => {
      const found = of({ "aws-resource-in-home-region": "disabled" });
      const [open] = weakeningViolations(found, []);
      assert.equal(open!.policy, WEAKENING_POLICY);
      assert.equal(open!.level, "mandatory");
      assert.match(
        open!.message,
        /^policies\/config\/eu-west-1\.json: "aws-resource-in-home-region" enforcementLevel = "disabled" turns off/,
      );
      assert.match(
        open!.message,
        new RegExp(
          /accept it in policies\/accepted-weakenings\.yaml: \{ stack: eu-west-1, policy: /.source +
            /aws-resource-in-home-region, setting: enforcementLevel, /.source +
            /value: "disabled", reason: <why>, ticket: <ticket> \}/.source,
        ),
      );
      const accepted = {
        stack: "eu-west-1",
        policy: "aws-resource-in-home-region",
        setting: "enforcementLevel",
        value: "disabled",
        reason: REASON,
        ticket: "SEC-1",
      };
      const [ok] = weakeningViolations(found, [accepted]);
      assert.equal(ok!.level, "advisory");
      assert.match(
        ok!.message,
        /accepted in policies\/accepted-weakenings\.yaml: migration window agreed with the DPO \(SEC-1\) \(SEC-1\)/,
      );
      assert.equal(
        weakeningViolations(found, [{ ...accepted, value: "advisory" }])[0]!.level,
        "mandatory",
        "accepting advisory does not accept disabled",
      );
      assert.equal(
        weakeningViolations(found, [{ ...accepted, stack: "ap-south-1" }])[0]!.level,
        "mandatory",
        "per stack",
      );
    },
  );

  it("reads accepted weakenings; an entry without a ticket or reason is an error naming the file and entry", () => {
    const dir = tempDir();
    const file = join(dir, "accepted.yaml");
    assert.deepEqual(loadAcceptedWeakenings(join(dir, "none.yaml")), []);
    writeFileSync(
      file,
      "accepted:\n  - { stack: eu-west-1, policy: all, setting: " +
        "enforcementLevel, value: advisory, reason: short, ticket: SEC-1 }\n",
    );
    assert.throws(
      () => loadAcceptedWeakenings(file),
      (e: Error) =>
        e instanceof PolicyWeakeningError && /accepted\.yaml: accepted\[0\]\.reason must say why/.test(e.message),
    );
    writeFileSync(
      file,
      `accepted:\n  - { stack: eu-west-1, policy: all, setting: ` +
        `enforcementLevel, value: advisory, reason: "${REASON}" }\n`,
    );
    assert.throws(() => loadAcceptedWeakenings(file), /accepted\[0\]\.ticket is missing/);
    // The shipped file parses and accepts nothing.
    assert.deepEqual(loadAcceptedWeakenings(join(ROOT, "policies", "accepted-weakenings.yaml")), []);
  });

  it("a malformed accepted-weakenings file is refused naming the file, the entry and the fix", () => {
    const dir = tempDir();
    const file = join(dir, "accepted.yaml");
    const entry = `stack: eu-west-1, policy: all, setting: enforcementLevel, value: advisory, reason: "${REASON}"`;
    const refused: [string, RegExp][] = [
      ["- accepted: []\n", /accepted\.yaml: must be a mapping with one key, accepted/],
      ["just text\n", /accepted\.yaml: must be a mapping/],
      ["acepted: []\n", /accepted\.yaml: unknown key acepted; the file has one key, accepted/],
      ["accepted:\n  - SEC-1\n", /accepted\[0\] must be a mapping/],
      [
        `accepted:\n  - { ${entry}, ticket: 1234 }\n`,
        /accepted\[0\]\.ticket must be text; quote it \(ticket: "1234"\)/,
      ],
      [`accepted:\n  - { ${entry}, ticket: SEC-1, tiket: SEC-2 }\n`, /accepted\[0\]\.tiket is not a key of an entry/],
      [`accepted:\n  - { ${entry}, ticket: "  " }\n`, /accepted\[0\]\.ticket is missing/],
    ];
    for (const [text, message] of refused) {
      writeFileSync(file, text);
      assert.throws(
        () => loadAcceptedWeakenings(file),
        (e: Error) => e instanceof PolicyWeakeningError && message.test(e.message),
        text,
      );
    }
    writeFileSync(file, `accepted:\n  - { ${entry}, ticket: SEC-1 }\n`);
    assert.deepEqual(loadAcceptedWeakenings(file), [
      {
        stack: "eu-west-1",
        policy: "all",
        setting: "enforcementLevel",
        value: "advisory",
        reason: REASON,
        ticket: "SEC-1",
      },
    ]);
  });

  it("an unknown policy name is an error naming the file and the name, suggesting the closest known one", () => {
    assert.throws(
      () => unknownPolicyNames("p.json", { "aws-resource-in-home-regoin": "advisory" }, PACK_POLICIES),
      new RegExp(
        /p\.json: "aws-resource-in-home-regoin" is not a policy /.source +
          /of the pack; did you mean "aws-resource-in-home-region"\?/.source,
      ),
    );
    assert.throws(
      () => unknownPolicyNames("p.json", { zzz: "advisory" }, PACK_POLICIES),
      /known policies: .*aws-resource-in-home-region/,
    );
    unknownPolicyNames("p.json", { all: "mandatory", "kms-key-hardened": "advisory" }, PACK_POLICIES);
    assert.throws(
      () => unknownPolicyNames("p.json", { "kms-key-hardened": "off" }, PACK_POLICIES),
      /p\.json: parsing enforcement level for "kms-key-hardened": "off" is not a valid enforcement level/,
    );
  });

  it("each stack runs with its own policies/config/<stack>.json unless --policy-pack-config is given", () => {
    const dir = tempDir();
    writeJson(dir, "eu-west-1.json", { "kms-key-hardened": "advisory" });
    const own = new StackPolicyConfigs(["eu-west-1", "ap-south-1"], { dir, acceptedFile: join(dir, "none.yaml") });
    assert.deepEqual(own.configFor("eu-west-1", {}), { "kms-key-hardened": "advisory" });
    assert.deepEqual(own.configFor("ap-south-1", { x: 1 }), { x: 1 });
    const given = new StackPolicyConfigs(["eu-west-1"], {
      dir,
      acceptedFile: join(dir, "none.yaml"),
      given: { file: "g.json", doc: { all: "mandatory" } },
    });
    assert.deepEqual(given.configFor("eu-west-1", {}), { all: "mandatory" });
    // Checked as the CLI checks it (levels, the policies' config schemas), naming the file, before anything runs.
    const bad = writeJson(dir, "ap-south-1.json", {
      "aws-resource-in-home-region": { exemptions: [{ urn: "*", reason: "short" }] },
    });
    assert.throws(
      () => new StackPolicyConfigs(["ap-south-1"], { dir, acceptedFile: join(dir, "none.yaml") }),
      (e: Error) =>
        e instanceof PolicyWeakeningError &&
        e.message.startsWith(`${bad}: policy pack configuration is invalid`) &&
        /aws-resource-in-home-region: \/exemptions\/0\/reason/.test(e.message),
    );
  });
});

describe("the plan with a weakening policy config", function () {
  this.timeout(180_000);
  const stackFile = join(ROOT, "Pulumi.eu-west-1.yaml");

  it("fails on a stack's own policies/config/<stack>.json that weakens residency; passes once accepted", async () => {
    const dir = tempDir();
    const cfg = writeJson(dir, "eu-west-1.json", { "aws-resource-in-home-region": "disabled" });
    const acceptedFile = join(dir, "accepted.yaml");
    const plan = await planFiles([stackFile], { policyFiles: { dir, acceptedFile } });
    const found = plan.stacks[0]!.violations.filter((v) => v.policy === WEAKENING_POLICY);
    assert.equal(found.length, 1, JSON.stringify(found));
    assert.equal(found[0]!.level, "mandatory");
    assert.ok(
      found[0]!.message.startsWith(`${cfg}: "aws-resource-in-home-region" enforcementLevel = "disabled"`),
      found[0]!.message,
    );
    writeFileSync(
      acceptedFile,
      `accepted:\n  - stack: eu-west-1\n    policy: aws-resource-in-home-region\n    setting: ` +
        `enforcementLevel\n    value: disabled\n    reason: "${REASON}"\n    ticket: SEC-1\n`,
    );
    const accepted = await planFiles([stackFile], { policyFiles: { dir, acceptedFile } });
    const after = accepted.stacks[0]!.violations.filter((v) => v.policy === WEAKENING_POLICY);
    assert.deepEqual(
      after.map((v) => v.level),
      ["advisory"],
    );
    assert.ok(
      !accepted.stacks[0]!.violations.some((v) => v.level === "mandatory"),
      JSON.stringify(accepted.stacks[0]!.violations),
    );
  });

  it(
    "--policy-pack-config: a weakening exits 1 (policies/config/example.json " +
      "maps eu-west-2 into the EU), an unknown name exits 2",
    async () => {
      const example = await runCli([
        "--stack",
        "eu-west-1",
        "--policy-pack-config",
        join(ROOT, "policies", "config", "example.json"),
      ]);
      assert.equal(example.code, 1, example.stderr);
      assert.match(
        example.stdout,
        new RegExp(
          /\[mandatory\] policy-config-weakening: .*example\.json: /.source +
            /"cross-region-networking-in-jurisdiction" /.source +
            /jurisdictions\.eu-west-2 = "EU" maps eu-west-2 to jurisdiction EU/.source,
        ),
      );
      const typo = writeJson(tempDir(), "typo.json", { "aws-resource-in-home-regoin": "advisory" });
      const bad = await runCli(["--stack", "eu-west-1", "--policy-pack-config", typo]);
      assert.equal(bad.code, 2);
      assert.match(
        bad.stderr,
        new RegExp(
          /typo\.json: "aws-resource-in-home-regoin" is not a policy /.source +
            /of the pack; did you mean "aws-resource-in-home-region"\?/.source,
        ),
      );
      assert.equal(bad.stdout, "");
    },
  );
});

describe("the reviewers who own policies/", () => {
  it(".github/CODEOWNERS names owners for policies/ (config, accepted weakenings, the pack) and for itself", () => {
    const rules = readFileSync(join(ROOT, ".github", "CODEOWNERS"), "utf8")
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l !== "" && !l.startsWith("#"))
      .map((l) => l.split(/\s+/));
    for (const path of ["/policies/", "/.github/CODEOWNERS"]) {
      const rule = rules.filter((r) => r[0] === path).pop();
      assert.ok(
        rule && rule.length > 1 && rule.slice(1).every((o) => o.startsWith("@")),
        `${path}: ${JSON.stringify(rules)}`,
      );
    }
    // A later, broader rule would take the path over (the last matching pattern wins).
    assert.ok(
      !rules.some((r, i) => i > rules.findIndex((x) => x[0] === "/policies/") && (r[0] === "*" || r[0] === "/")),
      "no later catch-all",
    );
  });
});
