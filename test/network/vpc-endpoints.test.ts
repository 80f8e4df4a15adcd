/** `network.endpoints`: which endpoints pay for themselves, what they are wired to, what they cost and save. */
import assert from "node:assert/strict";
import { parseStackConfig } from "../../lib/config/parse";
import { ENDPOINT_SERVICES, autoEndpoints, endpointEconomics } from "../../lib/network/endpoints-plan";
import { HOURS_PER_MONTH, pricesFor } from "../../lib/cost/prices";
import { planFile, writeStackFile, ofType } from "../support/plan";

const base = { "aws:region": "eu-west-1", "infrasage:tenantId": "acme-eu" };
const raw = (network: Record<string, unknown>) =>
  Object.fromEntries(
    Object.entries({ ...base, "infrasage:network": network }).map(([k, v]) => [
      k,
      typeof v === "string" ? v : JSON.stringify(v),
    ]),
  );
const prices = (() => {
  const { prices: p } = pricesFor("eu-west-1");
  return { interfaceHour: p.endpointHour, interfaceGb: p.endpointGb, natGb: p.natGb };
})();

describe("VPC endpoints: which pay for themselves", () => {
  it(
    "auto: the free S3 gateway always; interface endpoints " +
      "only when the NAT processing they avoid covers their price",
    () => {
      for (const profile of ["small", "medium", "large"] as const) {
        const chosen = autoEndpoints(profile, 3, prices, HOURS_PER_MONTH);
        assert.ok(chosen.includes("s3"), profile);
        for (const s of ENDPOINT_SERVICES) {
          const e = endpointEconomics(s, profile, 3, prices, HOURS_PER_MONTH);
          assert.equal(chosen.includes(s), e.monthlyNatSaved >= e.monthlyCost, `${profile} ${s}`);
        }
      }
      // An interface endpoint in 3 AZs of eu-west-1 costs 3 x 0.011 x 730 = 24.09/month before traffic.
      assert.equal(
        Math.round(endpointEconomics("sts", "medium", 3, prices, HOURS_PER_MONTH).monthlyCost * 100) / 100,
        24.11,
      );
    },
  );

  it(
    "resolves the setting: auto by default, none, a list; " +
      "none by default and refused explicitly in an existing VPC",
    () => {
      const endpoints = (network: Record<string, unknown>) => {
        const r = parseStackConfig(raw(network), "eu-west-1");
        assert.ok(r.ok, JSON.stringify(!r.ok && r.problems));
        return r.config.network.endpoints;
      };
      assert.deepEqual(endpoints({ cidr: "10.10.0.0/16" }), ["s3"]);
      assert.deepEqual(endpoints({ cidr: "10.10.0.0/16", endpoints: "none" }), []);
      assert.deepEqual(endpoints({ cidr: "10.10.0.0/16", endpoints: ["s3", "ecr.api", "ecr.dkr"] }), [
        "s3",
        "ecr.api",
        "ecr.dkr",
      ]);
      const ev = {
        vpcId: "vpc-0123456789abcdef0",
        cidr: "10.40.0.0/16",
        privateSubnetIds: ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0aaaaaaaaaaaaaaa2"],
      };
      assert.deepEqual(endpoints({ existingVpc: ev }), []);
      const r = parseStackConfig(raw({ existingVpc: ev, endpoints: ["sts"] }), "eu-west-1");
      assert.ok(
        !r.ok &&
          r.problems.some((p) => p.key === "infrasage:network.endpoints" && /would change that VPC/.test(p.message)),
      );
      const bad = parseStackConfig(raw({ cidr: "10.10.0.0/16", endpoints: ["dynamodb"] }), "eu-west-1");
      assert.ok(!bad.ok && bad.problems.some((p) => p.key.startsWith("infrasage:network.endpoints")));
      // Neither auto/none nor a list: the fix names what fits (not zod's bare "Invalid input").
      const word = parseStackConfig(raw({ cidr: "10.10.0.0/16", endpoints: "yes-please" }), "eu-west-1");
      assert.ok(!word.ok);
      assert.deepEqual(
        word.problems.map((p) => [p.key, p.message, p.fix]),
        [
          [
            "infrasage:network.endpoints",
            '"yes-please" is not a valid value',
            "use auto, none, or a list of s3, ecr.api, ecr.dkr, sts, logs, ec2",
          ],
        ],
      );
    },
  );
});

describe("VPC endpoints: the planned stack", function () {
  this.timeout(120000);
  it(
    "wires the S3 gateway to the private route tables and each " +
      "interface endpoint to the private subnets, HTTPS from the VPC only",
    async () => {
      const plan = await planFile(
        writeStackFile("eu-west-1", {
          ...base,
          "infrasage:network": { cidr: "10.10.0.0/16", endpoints: ["s3", "ecr.api", "ecr.dkr", "sts", "logs", "ec2"] },
        }),
      );
      assert.deepEqual(
        plan.violations.filter((v) => v.level === "mandatory"),
        [],
      );
      const eps = ofType(plan, "aws:ec2/vpcEndpoint:VpcEndpoint");
      assert.deepEqual(
        eps.map((e) => e.rawInputs.serviceName).sort(),
        ENDPOINT_SERVICES.map((s) => `com.amazonaws.eu-west-1.${s}`).sort(),
      );
      const privateRts = ofType(plan, "aws:ec2/routeTable:RouteTable")
        .filter((r) => /private-[a-c]-rt$/.test(r.name))
        .map((r) => r.urn);
      const s3 = eps.find((e) => e.rawInputs.vpcEndpointType === "Gateway")!;
      assert.equal((s3.rawInputs.routeTableIds as string[]).length, 3);
      for (const urn of privateRts) assert.ok(s3.dependencies.includes(urn));
      const privateSubnets = ofType(plan, "aws:ec2/subnet:Subnet")
        .filter((r) => /private-[a-c]$/.test(r.name))
        .map((r) => r.urn);
      for (const ep of eps.filter((e) => e.rawInputs.vpcEndpointType === "Interface")) {
        assert.equal(ep.rawInputs.privateDnsEnabled, true);
        for (const urn of privateSubnets) assert.ok(ep.dependencies.includes(urn), `${ep.name} in the private subnets`);
        assert.equal((ep.rawInputs.securityGroupIds as string[]).length, 1);
      }
      const rules = ofType(plan, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter((r) =>
        r.name.startsWith("endpoints-"),
      );
      assert.equal(rules.length, 5);
      for (const r of rules)
        assert.deepEqual(
          [r.rawInputs.cidrIpv4, r.rawInputs.fromPort, r.rawInputs.toPort, r.rawInputs.ipProtocol],
          ["10.10.0.0/16", 443, 443, "tcp"],
        );
      // Cost: each interface endpoint's price, and what every endpoint saves in NAT processing.
      assert.equal(plan.cost.items.filter((i) => i.item.startsWith("VPC endpoint ")).length, 5);
      assert.equal(plan.cost.savings.length, 6 - ENDPOINT_SERVICES.filter((s) => s === "logs").length);
    },
  );
});
