/**
 * State kept per jurisdiction (an EU backend, an Indian backend) with links across them: the stacks
 * read each other's published link contracts (SSM parameters in the other stack's region) instead of
 * StackReferences, which read only their own backend; a spoke's credential comes from a secret in the
 * hub's region and is never published as a parameter.
 */
import { strict as assert } from "node:assert";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import {
  contractParameterName,
  contractPath,
  parameterTier,
  readContract,
  regionOfRef,
  spokeCredentialSecretName,
} from "../../lib/links/contract";
import { SPOKE_CREDENTIAL_SECRET } from "../../lib/federation/federation";
import { hasMandatory, planSummary } from "../../offline/report";
import { SECRET } from "../../offline/run-program";
import type { PlanResult, StackPlan } from "../../offline/plan";
import { ROOT, ofType, planDir, planFiles, runCli, writeStackFile } from "../support/plan";

const DIR = join(ROOT, "examples", "hub-spoke-two-backends");
const byStack = (r: PlanResult, s: string): StackPlan => r.stacks.find((x) => x.stack === s)!;
const configOf = (stack: string) =>
  (parseYaml(readFileSync(join(DIR, `Pulumi.${stack}.yaml`), "utf8")) as { config: Record<string, unknown> }).config;

describe("link contracts (pure)", () => {
  it("names a stack's contract and a spoke's credential by project and stack", () => {
    assert.equal(contractPath("infrasage", "eu-west-1"), "/infrasage/infrasage/eu-west-1/");
    assert.equal(
      contractParameterName("infrasage", "eu-west-1", "federation"),
      "/infrasage/infrasage/eu-west-1/federation",
    );
    assert.equal(
      spokeCredentialSecretName("infrasage", "eu-west-1", "ap-south-1"),
      "infrasage/infrasage/eu-west-1/spoke-credentials/ap-south-1",
    );
  });
  it("reads only contract keys, ignores what does not parse, and says 'not deployed' for nothing", () => {
    const path = "/infrasage/p/s/";
    assert.deepEqual(
      readContract(path, [`${path}network`, `${path}other`, `${path}federation`], ['{"a":1}', "{}", "not json"]),
      { network: { a: 1 } },
    );
    assert.equal(readContract(path, [], []), undefined);
  });
  it("finds a linked stack's region from its name or links.regions; picks the SSM tier by size", () => {
    assert.equal(regionOfRef("acme/infrasage/eu-west-1", { via: "ssm", regions: {} }), "eu-west-1");
    assert.equal(regionOfRef("acme/infrasage/hub", { via: "ssm", regions: {} }), undefined);
    assert.equal(regionOfRef("acme/infrasage/hub", { via: "ssm", regions: { hub: "eu-west-1" } }), "eu-west-1");
    assert.equal(parameterTier("x".repeat(4096)), "Standard");
    assert.equal(parameterTier("x".repeat(4097)), "Advanced");
  });
});

describe("EU hub and India spoke with state in two backends (examples/hub-spoke-two-backends)", () => {
  for (const preview of [false, true]) {
    it(
      `plans cleanly ${preview ? "(first preview)" : "(up)"}: ` +
        `no mandatory violation, no StackReference across backends`,
      async () => {
        const r = await planDir(DIR, { preview });
        assert.equal(hasMandatory(r), false, planSummary(r).slice(-3000));
        assert.deepEqual(
          r.preflight.filter((f) => f.kind === "stack-reference"),
          [],
        );
        for (const s of ["eu-west-1", "ap-south-1"]) {
          assert.equal(configOf(s)["infrasage:stateBackend"], "per-jurisdiction");
          assert.deepEqual(configOf(s)["infrasage:links"], { via: "ssm" });
        }
      },
    );
  }

  it("links the pair after rollout: the spoke peers with the hub, holds the credential the hub issued", async () => {
    const r = await planDir(DIR);
    const hub = byStack(r, "eu-west-1");
    const spoke = byStack(r, "ap-south-1");
    assert.deepEqual([hub.record.outputs.pending!.value, spoke.record.outputs.pending!.value], [[], []]);
    assert.equal(ofType(spoke, "aws:ec2/vpcPeeringConnection:VpcPeeringConnection").length, 1);
    const issued = ofType(hub, "aws:secretsmanager/secretVersion:SecretVersion").find(
      (x) => x.rawInputs.secretId === spokeCredentialSecretName("infrasage", "eu-west-1", "ap-south-1"),
    )!;
    assert.equal(issued.region, "eu-west-1", "the credential stays in the hub's region");
    assert.equal(JSON.stringify(issued.inputs.secretString), JSON.stringify(SECRET));
    const held = ofType(spoke, "kubernetes:core/v1:Secret").find(
      (x) => (x.rawInputs.metadata as { name: string }).name === SPOKE_CREDENTIAL_SECRET.name,
    )!;
    assert.equal(
      (held.rawInputs.stringData as Record<string, string>)[SPOKE_CREDENTIAL_SECRET.key],
      issued.rawInputs.secretString,
    );
    assert.ok(JSON.stringify(held.inputs.stringData).includes(SECRET));
  });

  it("publishes each stack's contract in its own region, in plain text and without any secret", async () => {
    const r = await planDir(DIR);
    const hub = byStack(r, "eu-west-1");
    const credential = String(ofType(hub, "aws:secretsmanager/secretVersion:SecretVersion")[0]!.rawInputs.secretString);
    for (const s of r.stacks) {
      const params = ofType(s, "aws:ssm/parameter:Parameter");
      assert.ok(params.some((p) => p.rawInputs.name === contractParameterName("infrasage", s.stack, "network")));
      for (const p of params) {
        assert.equal(p.region, s.config.region);
        assert.equal(p.rawInputs.type, "String");
        assert.ok(!JSON.stringify(p.inputs).includes(SECRET), `${p.urn} is (partly) secret`);
        assert.ok(!String(p.rawInputs.insecureValue).includes(credential), "a credential never travels as a parameter");
      }
    }
    assert.ok(
      ofType(hub, "aws:ssm/parameter:Parameter").some(
        (p) => p.rawInputs.name === contractParameterName("infrasage", "eu-west-1", "federation"),
      ),
    );
  });

  it(
    "rejects the same pair linked by StackReferences: they " +
      "cannot resolve across backends; the preflight names each key",
    async () => {
      const dir = mkdtempSync(join(tmpdir(), "two-backends-"));
      const files = ["eu-west-1", "ap-south-1"].map((s) => {
        const config = configOf(s);
        const flat = Object.fromEntries(
          Object.entries(config).map(([k, v]) => [k.startsWith("infrasage:") ? k.slice(10) : k, v]),
        );
        return writeStackFile(s, { ...flat, links: { via: "stack-reference" } }, dir);
      });
      const r = await planFiles(files);
      const found = r.preflight
        .filter((f) => f.kind === "stack-reference" && /crosses from .* per jurisdiction/.test(f.message))
        .map((f) => f.key)
        .sort();
      assert.deepEqual(found, ["infrasage:federation.hubStack", "infrasage:federation.spokes[0]"]);
      const run = await runCli(["--all", "--dir", dir, "--strict"]);
      assert.equal(run.code, 1);
      assert.match(
        run.stdout,
        /\(infrasage:federation\.hubStack\): StackReference organization\/infrasage\/eu-west-1 crosses from IN to EU/,
      );
    },
  );

  it("refuses a contract link to a stack whose region it cannot know, naming links.regions.<stack>", async () => {
    const base = {
      "aws:region": "ap-south-1",
      tenantId: "acme-in",
      network: { cidr: "10.20.0.0/16" },
      pattern: "hub-spoke",
      links: { via: "ssm" },
    };
    const bad = await runCli([
      "--config-file",
      writeStackFile("ap-south-1", { ...base, federation: { role: "spoke", hubStack: "acme/infrasage/central-hub" } }),
    ]);
    assert.equal(bad.code, 2);
    assert.match(
      bad.stderr,
      /infrasage:links\.regions\.central-hub: is needed: federation\.hubStack names acme\/infrasage\/central-hub/,
    );
    const ok = await runCli([
      "--config-file",
      writeStackFile("ap-south-1", {
        ...base,
        links: { via: "ssm", regions: { "central-hub": "eu-west-1" } },
        federation: { role: "spoke", hubStack: "acme/infrasage/central-hub" },
      }),
    ]);
    assert.equal(ok.code, 0, ok.stderr);
  });
});
