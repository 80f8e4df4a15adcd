import assert from "node:assert/strict";
import { containsCidr, normalizeCidr, overlapCidr, parseCidr } from "cidr-tools";
import fc from "fast-check";
import { stringifyIp } from "ip-bigint";
import {
  AWS_MAX_SUBNET_PREFIX,
  azSuffix,
  natFor,
  natGatewayAzs,
  planSubnets,
  subnetTags,
} from "../../lib/network/subnet-plan";
import { REGIONS, availabilityZonesOf } from "../../policies/shared/regions";

const EU_WEST_1 = ["eu-west-1a", "eu-west-1b", "eu-west-1c"];

/** Any network-aligned CIDR with `prefix` inside one of the RFC 1918 / CGNAT ranges. */
const privateVpcCidr = (minPrefix: number, maxPrefix: number): fc.Arbitrary<string> =>
  fc
    .record({
      range: fc.constantFrom("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"),
      prefix: fc.integer({ min: minPrefix, max: maxPrefix }),
      offset: fc.bigInt({ min: 0n, max: 2n ** 24n - 1n }),
    })
    .map(({ range, prefix, offset }) => {
      const { start, end } = parseCidr(range);
      const address = start + (offset % (end - start + 1n));
      return normalizeCidr(
        `${stringifyIp({ number: address, version: 4 })}/${Math.max(prefix, Number(parseCidr(range).prefix))}`,
      );
    });

/** 2 or 3 real AZ names of one region that has at least 3. */
const azList: fc.Arbitrary<string[]> = fc
  .record({
    region: fc.constantFrom(...REGIONS.filter((r) => r.azSuffixes.length >= 3).map((r) => r.code)),
    count: fc.integer({ min: 2, max: 3 }),
  })
  .map(({ region, count }) => availabilityZonesOf(region, count));

describe("planSubnets", () => {
  it("lays out 10.10.0.0/16 over three eu-west-1 AZs exactly", () => {
    assert.deepEqual(planSubnets("10.10.0.0/16", EU_WEST_1), [
      { tier: "private", az: "eu-west-1a", cidr: "10.10.0.0/18", name: "private-a" },
      { tier: "private", az: "eu-west-1b", cidr: "10.10.64.0/18", name: "private-b" },
      { tier: "private", az: "eu-west-1c", cidr: "10.10.128.0/18", name: "private-c" },
      { tier: "public", az: "eu-west-1a", cidr: "10.10.192.0/20", name: "public-a" },
      { tier: "public", az: "eu-west-1b", cidr: "10.10.208.0/20", name: "public-b" },
      { tier: "public", az: "eu-west-1c", cidr: "10.10.224.0/20", name: "public-c" },
      { tier: "lb", az: "eu-west-1a", cidr: "10.10.240.0/22", name: "lb-a" },
      { tier: "lb", az: "eu-west-1b", cidr: "10.10.244.0/22", name: "lb-b" },
      { tier: "lb", az: "eu-west-1c", cidr: "10.10.248.0/22", name: "lb-c" },
    ]);
  });

  const table: { vpc: string; azs: string[]; cidrs: string[] }[] = [
    {
      vpc: "10.20.0.0/20",
      azs: ["ap-south-1a", "ap-south-1b"],
      cidrs: ["10.20.0.0/22", "10.20.4.0/22", "10.20.12.0/24", "10.20.13.0/24", "10.20.15.0/26", "10.20.15.64/26"],
    },
    {
      vpc: "172.16.0.0/16",
      azs: ["us-west-1a", "us-west-1c"],
      cidrs: [
        "172.16.0.0/18",
        "172.16.64.0/18",
        "172.16.192.0/20",
        "172.16.208.0/20",
        "172.16.240.0/22",
        "172.16.244.0/22",
      ],
    },
    {
      vpc: "192.168.0.0/22",
      azs: EU_WEST_1,
      cidrs: [
        "192.168.0.0/24",
        "192.168.1.0/24",
        "192.168.2.0/24",
        "192.168.3.0/26",
        "192.168.3.64/26",
        "192.168.3.128/26",
        "192.168.3.192/28",
        "192.168.3.208/28",
        "192.168.3.224/28",
      ],
    },
  ];
  for (const { vpc, azs, cidrs } of table) {
    it(`plans ${vpc} over ${azs.join(", ")}`, () => {
      assert.deepEqual(
        planSubnets(vpc, azs).map((s) => s.cidr),
        cidrs,
      );
    });
  }

  const invalid: { vpc: string; azs: string[]; message: RegExp }[] = [
    { vpc: "10.0.0.0/16", azs: [], message: /got 0 availability zone\(s\); the subnet plan needs 2 or 3/ },
    { vpc: "10.0.0.0/16", azs: ["eu-west-1a"], message: /got 1 availability zone/ },
    {
      vpc: "10.0.0.0/16",
      azs: ["us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d"],
      message: /got 4 availability zone/,
    },
    { vpc: "fd00::/56", azs: EU_WEST_1, message: /"fd00::\/56" is not an IPv4 CIDR/ },
    { vpc: "10.0.0.0", azs: EU_WEST_1, message: /is not an IPv4 CIDR/ },
    { vpc: "not-a-cidr", azs: EU_WEST_1, message: /is not an IPv4 CIDR/ },
    { vpc: "10.0.0.0/8", azs: EU_WEST_1, message: /has prefix \/8/ },
    { vpc: "10.0.0.0/23", azs: EU_WEST_1, message: /has prefix \/23/ },
    { vpc: "10.0.0.1/16", azs: EU_WEST_1, message: /host bits set; use 10\.0\.0\.0\/16/ },
    { vpc: "10.0.0.0/16", azs: ["eu-west-1a", "eu-west-1a"], message: /suffixes repeat: a/ },
    { vpc: "10.0.0.0/16", azs: ["eu-west-1", "westeurope"], message: /"eu-west-1" is not a full AZ name/ },
  ];
  for (const { vpc, azs, message } of invalid) {
    it(`rejects ${vpc} with [${azs.join(", ")}]`, () => {
      assert.throws(() => planSubnets(vpc, azs), message);
    });
  }

  it("reports every problem at once", () => {
    assert.throws(
      () => planSubnets("10.0.0.1/8", ["x"]),
      (err: Error) => {
        assert.match(err.message, /has prefix \/8/);
        assert.match(err.message, /host bits set/);
        assert.match(err.message, /got 1 availability zone/);
        assert.match(err.message, /"x" is not a full AZ name/);
        return true;
      },
    );
  });

  it("keeps every subnet inside the VPC, disjoint, aligned, one per AZ and tier (/16../20, 2..3 AZs)", () => {
    fc.assert(
      fc.property(privateVpcCidr(16, 20), azList, (vpc, azs) => {
        const plan = planSubnets(vpc, azs);
        assert.equal(plan.length, 3 * azs.length);
        for (const tier of ["public", "private", "lb"] as const) {
          assert.deepEqual(
            plan.filter((s) => s.tier === tier).map((s) => s.az),
            azs,
          );
        }
        for (const [i, s] of plan.entries()) {
          assert.ok(containsCidr(vpc, s.cidr), `${s.cidr} outside ${vpc}`);
          assert.equal(normalizeCidr(s.cidr), s.cidr);
          assert.ok(Number(parseCidr(s.cidr).prefix) <= AWS_MAX_SUBNET_PREFIX, `${s.cidr} smaller than /28`);
          for (const other of plan.slice(i + 1))
            assert.equal(overlapCidr(s.cidr, other.cidr), false, `${s.cidr} overlaps ${other.cidr}`);
        }
        assert.equal(new Set(plan.map((s) => s.name)).size, plan.length);
      }),
    );
  });

  it("gives private subnets 4x the addresses of public ones, public 4x lb ones, for every prefix up to /22", () => {
    fc.assert(
      fc.property(privateVpcCidr(16, 22), azList, (vpc, azs) => {
        const plan = planSubnets(vpc, azs);
        const prefixOf = (tier: string) =>
          new Set(plan.filter((s) => s.tier === tier).map((s) => Number(parseCidr(s.cidr).prefix)));
        const vpcPrefix = Number(parseCidr(vpc).prefix);
        assert.deepEqual(prefixOf("private"), new Set([vpcPrefix + 2]));
        assert.deepEqual(prefixOf("public"), new Set([vpcPrefix + 4]));
        assert.deepEqual(prefixOf("lb"), new Set([vpcPrefix + 6]));
      }),
    );
  });
});

describe("NAT placement", () => {
  it("puts one NAT in the first AZ (single) or one per AZ (perAz)", () => {
    assert.deepEqual(natGatewayAzs(EU_WEST_1, "single"), ["eu-west-1a"]);
    assert.deepEqual(natGatewayAzs(EU_WEST_1, "perAz"), EU_WEST_1);
    assert.throws(() => natGatewayAzs([], "single"), /no availability zones/);
  });

  it("routes each private subnet to a NAT that exists, in its own AZ with perAz", () => {
    fc.assert(
      fc.property(azList, fc.constantFrom("single" as const, "perAz" as const), (azs, strategy) => {
        const natAzs = natGatewayAzs(azs, strategy);
        for (const az of azs) {
          const nat = natFor(az, azs, strategy);
          assert.ok(natAzs.includes(nat));
          assert.equal(nat, strategy === "perAz" ? az : azs[0]);
        }
      }),
    );
    assert.throws(() => natFor("eu-west-1c", ["eu-west-1a", "eu-west-1b"], "perAz"), /not one of/);
  });
});

describe("subnet naming and tags", () => {
  it("derives short names from the AZ suffix", () => {
    assert.equal(azSuffix("eu-west-1a"), "a");
    assert.equal(azSuffix("us-west-2-lax-1b"), "b");
    assert.throws(() => azSuffix("eu-west-1"), /not a full AZ name/);
  });

  it("tags public subnets for internet-facing, lb ones for internal load balancers; pods' subnets for neither", () => {
    const [priv, , , pub, , , lb] = planSubnets("10.10.0.0/16", EU_WEST_1);
    assert.deepEqual(subnetTags(pub!, "infrasage-eu"), {
      "kubernetes.io/role/elb": "1",
      "kubernetes.io/cluster/infrasage-eu": "shared",
    });
    assert.deepEqual(subnetTags(lb!, "infrasage-eu"), {
      "kubernetes.io/role/internal-elb": "1",
      "kubernetes.io/cluster/infrasage-eu": "shared",
    });
    assert.deepEqual(subnetTags(priv!, "infrasage-eu"), { "kubernetes.io/cluster/infrasage-eu": "shared" });
  });
});
