/**
 * Hostile or mistaken stack input, by class: each fails before any program runs, naming the key (or
 * the file) with a correct fix, and never printing a secret. Tokens that look like credentials are
 * assembled at run time (no secret-shaped literal in the repository).
 */
import assert from "node:assert/strict";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { parseStackConfig } from "../../lib/config/parse";
import type { ConfigProblem } from "../../lib/rules/problems";
import { MAX_TAG_KEY_LENGTH, reservedTagReason } from "../../lib/aws/config-rules";
import { regionsNamedBy } from "../../lib/config/identity-rules";
import { AWS_CONFIG_KEYS } from "../../lib/config/namespace-rules";
import { publicAccessCidrsProblems } from "../../lib/network/cidr-rules";
import { MAX_GATEWAY_REPLICAS, MAX_KAFKA_BROKERS } from "../../lib/config/schema";
import { REGIONS } from "../../policies/shared/regions";
import { FEDERATION_TAGS } from "../../lib/federation/federation";
import { METRICS_LINK_TAGS } from "../../lib/grafana/grafana";
import { subnetTags } from "../../lib/network/subnet-plan";
import { listStackFiles, readStackFile, StackFileError } from "../../offline/stack-file";
import { ROOT } from "../support/plan";

const BASE: Record<string, unknown> = {
  "aws:region": "eu-west-1",
  "infrasage:tenantId": "acme-eu",
  "infrasage:network": { cidr: "10.10.0.0/16" },
};

/** Raw config as Pulumi passes it (structured values JSON). */
function raw(overrides: Record<string, unknown> = {}): Record<string, string> {
  return Object.fromEntries(
    Object.entries({ ...BASE, ...overrides })
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
  );
}

function parse(overrides: Record<string, unknown> = {}, stack = "eu-west-1") {
  return parseStackConfig(raw(overrides), stack);
}

function problems(overrides: Record<string, unknown>, stack = "eu-west-1"): ConfigProblem[] {
  const r = parse(overrides, stack);
  assert.equal(r.ok, false, `expected ${JSON.stringify(overrides)} to be rejected`);
  return r.ok ? [] : r.problems;
}

function problemFor(list: readonly ConfigProblem[], key: string, re?: RegExp): ConfigProblem {
  const p = list.find((x) => x.key === key && (!re || re.test(`${x.message} Fix: ${x.fix}`)));
  assert.ok(p, `expected a problem for ${key}${re ? ` matching ${re}` : ""}, got: ${JSON.stringify(list, null, 1)}`);
  return p;
}

function accepted(overrides: Record<string, unknown> = {}, stack = "eu-west-1") {
  const r = parse(overrides, stack);
  assert.ok(r.ok, JSON.stringify(r));
}

const everything = (list: readonly ConfigProblem[]) => list.map((p) => `${p.key} ${p.message} ${p.fix}`).join("\n");

/** A stack file with this exact YAML text, read as the plan reads it. */
function yamlFile(stack: string, text: string, dir = mkdtempSync(join(tmpdir(), "hostile-"))): string {
  writeFileSync(join(dir, "Pulumi.yaml"), `name: infrasage\nruntime: nodejs\nmain: ${ROOT}\n`);
  const path = join(dir, `Pulumi.${stack}.yaml`);
  writeFileSync(path, text);
  return path;
}
const BASE_YAML =
  "config:\n  aws:region: eu-west-1\n  infrasage:tenantId: acme-eu\n  infrasage:network:\n    cidr: 10.10.0.0/16\n";
function parseYaml(extra: string, stack = "eu-west-1") {
  const file = readStackFile(yamlFile(stack, BASE_YAML + extra));
  return parseStackConfig(file.config, file.stack, file.parseOptions);
}

// Credential-shaped strings, built at run time.
const rand = (n: number, chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") =>
  Array.from({ length: n }, (_, i) => chars[(i * 7 + n) % chars.length]).join("");
const TOKENS = {
  accessKeyId: "AK" + "IA" + "Q3EGRT7WZX5KLM2N",
  sessionKeyId: "AS" + "IA" + "Z7YXWV5TSRQPN4MK",
  secretAccessKey: "wJalr" + "XUtnFEMI/K7MDENG/bPxRfiCY" + "EXAMPLEKEY",
  github: `ghp_${rand(36, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123456789")}`,
  githubPat: `github_pat_${rand(40, "abcdefghijklmnopqrstuvwxyz0123456789_")}`,
  slack: `xoxb-123456789012-${rand(24, "abcdefghijklmnopqrstuvwxyz0123456789")}`,
  pem: `-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA${rand(40)}\n-----END RSA PRIVATE KEY-----`,
  jwt:
    `eyJhbGciOiJIUzI1NiJ9.` +
    `eyJzdWIiOiIxMjM0NTY3ODkwIn0.${rand(43, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123456789_-")}`,
};

describe("hostile config, class 1: region vs stack identity", () => {
  it("reads the region a stack name names, in every spelling, and none in other names", () => {
    for (const name of [
      "eu-west-1",
      "prod-eu-west-1",
      "eu-west-1-blue",
      "prod_eu_west_1",
      "EU-West-1",
      "euwest1",
      "prod.eu-west-1",
      "eu-west-1a",
    ]) {
      assert.deepEqual(regionsNamedBy(name), ["eu-west-1"], name);
    }
    for (const name of ["prod", "staging", "acme-eu", "mysouth2", "witness", "test"])
      assert.deepEqual(regionsNamedBy(name), [], name);
    assert.deepEqual(regionsNamedBy("eu-west-9"), ["eu-west-9"], "a region code outside the table is still a region");
  });

  const mismatches: [string, string, string][] = [
    ["eu-west-1", "ap-south-1", "eu-west-1"],
    ["prod-eu-west-1", "ap-south-1", "eu-west-1"],
    ["eu-central-1-blue", "eu-west-1", "eu-central-1"],
    ["prod_ap_south_1", "eu-west-1", "ap-south-1"],
    ["US-EAST-1", "us-west-2", "us-east-1"],
    ["eu-west-1a", "eu-west-2", "eu-west-1"],
  ];
  for (const [stack, region, named] of mismatches) {
    it(`rejects stack ${stack} deploying to ${region}, naming aws:region and the named region`, () => {
      const p = problemFor(
        problems({ "aws:region": region, "infrasage:network": { cidr: "10.10.0.0/16", availabilityZones: 2 } }, stack),
        "aws:region",
        /names/,
      );
      assert.match(p.message, new RegExp(`is ${region}, but the stack name "${stack}" names ${named}`));
      assert.match(p.fix, new RegExp(`set aws:region to ${named}`));
    });
  }

  it("holds for every pair of table regions (property)", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...REGIONS.map((r) => r.code)),
        fc.constantFrom(...REGIONS.map((r) => r.code)),
        fc.constantFrom("", "prod-", "acme_"),
        fc.constantFrom("", "-blue", ".v2"),
        (named, region, pre, post) => {
          const r = parseStackConfig(
            raw({ "aws:region": region, "infrasage:network": { cidr: "10.10.0.0/16", availabilityZones: 2 } }),
            `${pre}${named}${post}`,
          );
          const mismatch = r.ok ? undefined : r.problems.find((p) => p.key === "aws:region");
          return named === region ? mismatch === undefined : mismatch?.fix.includes(`set aws:region to ${named}`);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("rejects a stack name that names two regions, and one that names a region outside the table", () => {
    problemFor(problems({}, "eu-west-1-to-us-east-1"), "aws:region", /several regions \(eu-west-1, us-east-1\)/);
    problemFor(problems({}, "eu-west-9"), "aws:region", /names eu-west-9 \(not a region InfraSage knows\)/);
  });

  it(
    "requires infrasage:jurisdiction of a stack whose name " +
      "names no region, with the region's jurisdiction as the fix",
    () => {
      for (const stack of ["prod", "staging", "acme", "x"]) {
        const p = problemFor(problems({}, stack), "infrasage:jurisdiction", /is required/);
        assert.match(p.fix, /set infrasage:jurisdiction to EU \(the jurisdiction of eu-west-1\)/);
      }
      accepted({ "infrasage:jurisdiction": "EU" }, "prod");
      accepted({ "infrasage:jurisdiction": "eu" }, "prod");
      const wrong = problemFor(
        problems({ "infrasage:jurisdiction": "US" }, "prod"),
        "infrasage:jurisdiction",
        /does not match eu-west-1/,
      );
      assert.doesNotMatch(wrong.fix, /remove it/, "a stack without a region in its name cannot drop the key");
      assert.match(wrong.fix, /set it to EU, or deploy to a region of US \(us-east-1/);
      assert.match(problemFor(problems({ "infrasage:jurisdiction": "US" }), "infrasage:jurisdiction").fix, /remove it/);
      assert.match(
        problemFor(problems({ "infrasage:jurisdiction": "Narnia" }, "prod"), "infrasage:jurisdiction").fix,
        /set it to EU, the jurisdiction of eu-west-1/,
      );
    },
  );

  it("keeps every shipped stack file and every example valid", () => {
    const files = [
      ...readdirSync(ROOT)
        .filter((f) => /^Pulumi\..+\.yaml$/.test(f))
        .map((f) => join(ROOT, f)),
      ...readdirSync(join(ROOT, "examples")).flatMap((d) => listStackFiles(join(ROOT, "examples", d))),
    ];
    assert.ok(files.length >= 8);
    for (const f of files) {
      const file = readStackFile(f);
      const r = parseStackConfig(file.config, file.stack, file.parseOptions);
      assert.ok(r.ok, `${f}: ${JSON.stringify(r)}`);
    }
  });

  it("holds for linked stacks too: links.regions cannot move a stack named for a region elsewhere", () => {
    problemFor(
      problems({ "infrasage:links": { via: "ssm", regions: { "eu-central-1": "ap-south-1" } } }),
      "infrasage:links.regions.eu-central-1",
      /named for eu-central-1.*set it to eu-central-1/,
    );
    accepted({
      "infrasage:links": { via: "ssm", regions: { "central-hub": "eu-west-1", "eu-central-1": "eu-central-1" } },
    });
  });

  it("suggests the region meant by a mistyped aws:region", () => {
    assert.match(problemFor(problems({ "aws:region": "EU-WEST-1" }), "aws:region").fix, /did you mean eu-west-1\?/);
    assert.match(problemFor(problems({ "aws:region": "eu-west1" }), "aws:region").fix, /did you mean eu-west-1\?/);
    assert.equal(problemFor(problems({ "aws:region": "" }), "aws:region").message, "is empty");
  });
});

describe("hostile config, class 2: stack names and files", () => {
  it("a stack file's text is parsed once per process, yet every file is read as itself", () => {
    const dirs = [mkdtempSync(join(tmpdir(), "same-text-")), mkdtempSync(join(tmpdir(), "same-text-"))];
    const good = "config:\n  aws:region: eu-west-1\n  infrasage:tenantId: acme\n";
    const bad = "config:\n  aws:region: [eu-west-1\n";
    const files = dirs.map((d, i) => join(d, `Pulumi.${i === 0 ? "eu-west-1" : "eu-central-1"}.yaml`));
    for (const f of files) writeFileSync(f, good);
    assert.deepEqual(
      files.map((f) => [readStackFile(f).stack, readStackFile(f).config["infrasage:tenantId"]]),
      [
        ["eu-west-1", "acme"],
        ["eu-central-1", "acme"],
      ],
    );
    for (const f of files) writeFileSync(f, bad);
    for (const f of files)
      assert.throws(
        () => readStackFile(f),
        (e: unknown) => e instanceof StackFileError && e.message.includes(f) && /is not valid YAML/.test(e.message),
      );
  });

  const dir = () => mkdtempSync(join(tmpdir(), "stackfiles-"));
  const failsWith = (path: string, re: RegExp) => {
    assert.throws(
      () => readStackFile(path),
      (e: unknown) => e instanceof StackFileError && e.message.startsWith(path) && re.test(e.message),
    );
  };

  it("refuses stack names the Pulumi CLI refuses, naming the file", () => {
    for (const name of ["eu west 1", "é", "a".repeat(101), "x,y", "a'b", ""]) {
      const d = dir();
      const path = join(d, `Pulumi.${name}.yaml`);
      writeFileSync(path, BASE_YAML);
      failsWith(path, name === "" ? /empty stack name/ : /which the Pulumi CLI refuses/);
    }
    const ok = join(dir(), `Pulumi.${"a".repeat(100)}.yaml`);
    writeFileSync(ok, BASE_YAML);
    assert.equal(readStackFile(ok).stack, "a".repeat(100));
  });

  it("accepts exactly the names tokens.ParseStackName accepts (property)", () => {
    const d = dir();
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 110 }).filter((s) => !s.includes("/") && !s.includes("\0")),
        (name) => {
          const path = join(d, `Pulumi.${name}.yaml`);
          try {
            writeFileSync(path, BASE_YAML);
          } catch {
            return true; // not a valid file name on this file system
          }
          const valid = /^[A-Za-z0-9_.-]{1,100}$/.test(name);
          try {
            readStackFile(path);
            return valid;
          } catch (e) {
            return e instanceof StackFileError && !valid;
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it("refuses two files naming one stack, naming both", () => {
    const d = dir();
    writeFileSync(join(d, "Pulumi.x.yaml"), BASE_YAML);
    writeFileSync(join(d, "Pulumi.x.yml"), BASE_YAML);
    for (const f of ["Pulumi.x.yaml", "Pulumi.x.yml"])
      failsWith(join(d, f), /defines stack "x", and so does .*Pulumi\.x\.ya?ml/);
    assert.throws(() => listStackFiles(d), /Pulumi\.x\.yaml: defines stack "x", and so does .*Pulumi\.x\.yml;/);
  });

  it("refuses a FIFO without blocking, a directory, a broken symlink and a device, naming the file", function () {
    this.timeout(10_000);
    const d = dir();
    const fifo = join(d, "Pulumi.fifo.yaml");
    execFileSync("mkfifo", [fifo]);
    const started = Date.now();
    failsWith(fifo, /is a FIFO \(named pipe\), not a stack file/);
    assert.ok(Date.now() - started < 2000, "reading a FIFO must not wait for a writer");
    const sub = join(d, "Pulumi.dir.yaml");
    mkdirSync(sub);
    failsWith(sub, /is a directory, not a stack file/);
    const broken = join(d, "Pulumi.broken.yaml");
    symlinkSync(join(d, "nowhere"), broken);
    failsWith(broken, /is a broken symbolic link/);
    const device = join(d, "Pulumi.dev.yaml");
    symlinkSync("/dev/zero", device);
    failsWith(device, /is a character device, not a stack file/);
    failsWith(join(d, "Pulumi.missing.yaml"), /does not exist/);
  });

  it("refuses an unreadable file (when not running as root)", function () {
    if (process.getuid?.() === 0) this.skip();
    const path = join(dir(), "Pulumi.locked.yaml");
    writeFileSync(path, BASE_YAML);
    chmodSync(path, 0o000);
    failsWith(path, /cannot be read \(permission denied\)/);
  });

  it("refuses files over 1 MiB before parsing, YAML alias bombs, deep nesting and multi-document files", () => {
    const d = dir();
    const huge = join(d, "Pulumi.huge.yaml");
    writeFileSync(huge, `${BASE_YAML}# ${"x".repeat(1024 * 1024)}\n`);
    failsWith(huge, /is \d+ bytes; a stack file is at most 1048576 bytes \(1 MiB\)/);
    const lines = ["a: &a [x, x, x, x, x, x, x, x, x]"];
    for (const [prev, name] of [
      ["a", "b"],
      ["b", "c"],
      ["c", "d"],
      ["d", "e"],
      ["e", "f"],
      ["f", "g"],
    ])
      lines.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(", ")}]`);
    const bomb = join(d, "Pulumi.bomb.yaml");
    writeFileSync(bomb, `config:\n  infrasage:tags:\n${lines.map((l) => `    ${l}`).join("\n")}\n`);
    const started = Date.now();
    failsWith(bomb, /expands YAML aliases more than 100 times/);
    assert.ok(Date.now() - started < 2000);
    const deep = join(d, "Pulumi.deep.yaml");
    writeFileSync(deep, `config:\n  infrasage:x: ${"[".repeat(200_000)}${"]".repeat(200_000)}\n`);
    failsWith(deep, /nests values too deeply/);
    const nested = join(d, "Pulumi.nested.yaml");
    writeFileSync(nested, `config:\n  infrasage:x: ${"[".repeat(40)}${"]".repeat(40)}\n`);
    failsWith(nested, /more than 32 levels deep/);
    const multi = join(d, "Pulumi.multi.yaml");
    writeFileSync(multi, "config: {}\n---\nconfig: {}\n");
    failsWith(multi, /not valid YAML: Source contains multiple documents/);
  });

  it("refuses top-level keys a stack file does not have (a misspelt config: drops everything)", () => {
    const path = yamlFile("eu-west-1", "confg:\n  aws:region: eu-west-1\n");
    failsWith(path, /confg \(did you mean config\?\).*would be ignored/);
  });

  it("keeps a few aliases (legitimate YAML) working", () => {
    const r = parseYaml("  infrasage:tags:\n    Team: &t platform\n    Owner: *t\n");
    assert.ok(r.ok, JSON.stringify(r));
    assert.equal(r.config.tags.Owner, "platform");
  });

  it("never lets a key reach Object.prototype", () => {
    const r = parseYaml("  infrasage:__proto__.polluted: yes\n  __proto__: {x: 1}\n  infrasage:constructor: 1\n");
    assert.ok(!r.ok);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    problemFor(r.problems, "infrasage:__proto__.polluted", /not a known InfraSage setting/);
  });
});

describe("hostile config, class 3: breadth hidden in lists (cluster.publicAccessCidrs)", () => {
  const cidrs = (list: string[]) => problems({ "infrasage:cluster": { publicAccessCidrs: list } });
  const table: [string, string[], string, RegExp][] = [
    [
      "an entry wider than /16",
      ["8.0.0.0/15"],
      "infrasage:cluster.publicAccessCidrs[0]",
      /huge part of the internet \(131,072 addresses; the widest allowed is a \/16\)/,
    ],
    ["the whole internet", ["0.0.0.0/0"], "infrasage:cluster.publicAccessCidrs[0]", /whole internet/],
    [
      "a private range",
      ["10.20.0.0/24"],
      "infrasage:cluster.publicAccessCidrs[0]",
      /not public address space \(it overlaps 10\.0\.0\.0\/8\)/,
    ],
    ["shared CGN space", ["100.64.1.0/24"], "infrasage:cluster.publicAccessCidrs[0]", /overlaps 100\.64\.0\.0\/10/],
    ["loopback", ["127.0.0.1/32"], "infrasage:cluster.publicAccessCidrs[0]", /overlaps 127\.0\.0\.0\/8/],
    [
      "link-local (the metadata service)",
      ["169.254.169.254/32"],
      "infrasage:cluster.publicAccessCidrs[0]",
      /overlaps 169\.254\.0\.0\/16/,
    ],
    ["multicast", ["224.1.0.0/16"], "infrasage:cluster.publicAccessCidrs[0]", /overlaps 224\.0\.0\.0\/4/],
    [
      "two adjacent /16s merging into a /15",
      ["8.0.0.0/16", "8.1.0.0/16"],
      "infrasage:cluster.publicAccessCidrs",
      /together forms the IPv4 block 8\.0\.0\.0\/15 \(\/15, 131,072 addresses/,
    ],
    [
      "five /16s",
      ["8.0.0.0/16", "9.0.0.0/16", "11.0.0.0/16", "12.0.0.0/16", "13.0.0.0/16"],
      "infrasage:cluster.publicAccessCidrs",
      /327,680 IPv4 addresses .* at most 262,144/,
    ],
    [
      "41 entries",
      Array.from({ length: 41 }, (_, i) => `203.0.${i}.0/24`),
      "infrasage:cluster.publicAccessCidrs",
      /lists 41 ranges; EKS allows at most 40/,
    ],
    [
      "host bits",
      ["203.0.113.5/24"],
      "infrasage:cluster.publicAccessCidrs[0]",
      /host bits set.*use 203\.0\.113\.0\/24/,
    ],
    ["no prefix", ["203.0.113.5"], "infrasage:cluster.publicAccessCidrs[0]", /not a CIDR.*a single address is \/32/],
    ["leading zeros", ["203.0.013.0/24"], "infrasage:cluster.publicAccessCidrs[0]", /not a CIDR/],
    ["IPv6 on an IPv4 cluster", ["2001:db8::/48"], "infrasage:cluster.publicAccessCidrs[0]", /only on IPv6 clusters/],
    ["a wide IPv6 range", ["2001:db8::/32"], "infrasage:cluster.publicAccessCidrs[0]", /huge part of the internet/],
    ["IPv6 everything", ["::/0"], "infrasage:cluster.publicAccessCidrs[0]", /whole internet/],
  ];
  for (const [what, list, key, re] of table)
    it(`rejects ${what}, naming ${key}`, () => void problemFor(cidrs(list), key, re));

  it("accepts office ranges, counting overlaps once (a /24 inside a listed /16 adds nothing)", () => {
    accepted({ "infrasage:cluster": { publicAccessCidrs: ["198.51.100.0/24", "203.0.113.7/32"] } });
    accepted({
      "infrasage:cluster": {
        publicAccessCidrs: ["8.0.0.0/16", "8.0.1.0/24", "9.0.0.0/16", "11.0.0.0/16", "12.0.0.0/16"],
      },
    });
    accepted({ "infrasage:cluster": { publicAccessCidrs: Array.from({ length: 40 }, (_, i) => `203.0.${i}.0/24`) } });
  });

  it("bounds IPv6 the same way on an IPv6 cluster (one /48 per entry, four /48s in all)", () => {
    assert.deepEqual(publicAccessCidrsProblems(["2001:db8::/48", "2001:db8:10::/48"], "ipv6"), []);
    assert.match(publicAccessCidrsProblems(["2001:db8::/47"], "ipv6")[0]!.message, /widest allowed is a \/48/);
    assert.match(
      publicAccessCidrsProblems(["2001:db8::/48", "2001:db8:1::/48"], "ipv6")[0]!.message,
      /together forms the IPv6 block 2001:db8::\/47/,
    );
    assert.match(publicAccessCidrsProblems(["fd00::/48"], "ipv6")[0]!.message, /outside the global unicast 2000::\/3/);
    const five = ["2001:db8::/48", "2001:db8:10::/48", "2001:db8:20::/48", "2001:db8:30::/48", "2001:db8:40::/48"];
    assert.match(
      publicAccessCidrsProblems(five, "ipv6")[0]!.message,
      /together opens the endpoint to .* IPv6 addresses/,
    );
  });

  it(
    "accepts a list exactly when its union is within 2^18 addresses " +
      "with no block wider than /16 (property, own interval oracle)",
    () => {
      const publicV4 = fc
        .tuple(fc.integer({ min: 1, max: 223 }), fc.integer({ min: 0, max: 15 }), fc.integer({ min: 16, max: 18 }))
        .filter(([a]) => ![10, 100, 127, 169, 172, 192, 198].includes(a))
        .map(([a, b, prefix]) => `${a}.${b}.0.0/${prefix}`);
      /** Union by sorting intervals; too wide if any aligned /15 is covered completely. */
      const oracle = (list: string[]): boolean => {
        const iv = list
          .map((c) => {
            const [ip, p] = c.split("/");
            const start = ip!.split(".").reduce((n, o) => n * 256 + Number(o), 0);
            return [start, start + 2 ** (32 - Number(p)) - 1] as const;
          })
          .sort((x, y) => x[0] - y[0]);
        const merged: [number, number][] = [];
        for (const [s0, e0] of iv) {
          const last = merged[merged.length - 1];
          if (last && s0 <= last[1] + 1) last[1] = Math.max(last[1], e0);
          else merged.push([s0, e0]);
        }
        const total = merged.reduce((n, [s0, e0]) => n + e0 - s0 + 1, 0);
        const coversA15 = merged.some(([s0, e0]) => {
          const first = Math.ceil(s0 / 2 ** 17) * 2 ** 17;
          return first + 2 ** 17 - 1 <= e0;
        });
        return list.length <= 40 && total <= 2 ** 18 && !coversA15;
      };
      fc.assert(
        fc.property(
          fc.array(publicV4, { maxLength: 45 }),
          (list) => (publicAccessCidrsProblems(list).length === 0) === oracle(list),
        ),
        { numRuns: 300 },
      );
    },
  );
});

describe("hostile config, class 4: tags that rewrite ours", () => {
  const tags = (t: Record<string, unknown>) => problems({ "infrasage:tags": t });
  const reserved = [
    "Project",
    "Tenant",
    "Jurisdiction",
    "Stack",
    "ManagedBy",
    "Name",
    "Purpose",
    "PeerStack",
    "project",
    "JURISDICTION",
    "managedby",
    "infrasage.io/flow",
    "infrasage.io/anything",
    "Infrasage.IO/flow",
    "kubernetes.io/cluster/x",
    "kubernetes.io/role/elb",
    "k8s.io/cluster-autoscaler/enabled",
    "karpenter.sh/discovery",
    "karpenter.k8s.aws/ec2nodeclass",
    "eks:cluster-name",
    "elbv2.k8s.aws/cluster",
    "ebs.csi.aws.com/cluster",
  ];
  for (const key of reserved) {
    it(`rejects the reserved tag ${key}, naming infrasage:tags.${key}`, () => {
      const p = problemFor(
        tags({ [key]: "x" }),
        `infrasage:tags.${key}`,
        /would rewrite a tag InfraSage sets or relies on/,
      );
      assert.match(p.fix, /rename the tag/);
    });
  }

  it("reserves every tag key the program sets (defaults, federation, metrics link, subnet discovery)", () => {
    const r = parse();
    assert.ok(r.ok);
    const set = [
      ...Object.keys(r.config.tags),
      ...Object.keys(FEDERATION_TAGS),
      ...Object.keys(METRICS_LINK_TAGS),
      ...["public", "private", "lb"].flatMap((tier) =>
        Object.keys(subnetTags({ tier } as Parameters<typeof subnetTags>[0], "c")),
      ),
    ];
    for (const k of set) assert.ok(reservedTagReason(k), `${k} is set by the program but not reserved`);
    assert.equal(reservedTagReason("CostCenter"), undefined);
  });

  const invalid: [string, Record<string, unknown>, string, RegExp][] = [
    ["an aws: key", { "aws:createdBy": "x" }, "infrasage:tags.aws:createdBy", /aws:, which AWS reserves/],
    ["an AWS: key in another case", { "AwS:x": "x" }, "infrasage:tags.AwS:x", /aws:, which AWS reserves/],
    ["an empty key", { "": "x" }, "infrasage:tags", /empty key/],
    ["a blank key", { "  ": "x" }, "infrasage:tags", /empty key/],
    [
      "a 128-character key (EC2 takes 127)",
      { ["k".repeat(128)]: "x" },
      `infrasage:tags.${"k".repeat(128)}`,
      /128 characters; AWS takes at most 127/,
    ],
    [
      "a 257-character value",
      { Team: "v".repeat(257) },
      "infrasage:tags.Team",
      /value is 257 characters; AWS takes at most 256/,
    ],
    ["a key with #", { "cost#center": "x" }, "infrasage:tags.cost#center", /characters AWS rejects in tags \("#"\)/],
    ["a key with a newline", { "a\nb": "x" }, "infrasage:tags.a\nb", /characters AWS rejects/],
    [
      "a value with <",
      { Team: "<script>" },
      "infrasage:tags.Team",
      /value has characters AWS rejects in tags \("<" ">"\)/,
    ],
    ["a value starting with aws:", { Team: "AWS:x" }, "infrasage:tags.Team", /value starts with aws:/],
    [
      "keys differing only in case",
      { Team: "a", team: "b" },
      "infrasage:tags.team",
      /differs from infrasage:tags\.Team only in case/,
    ],
    ["a number value", { CostCenter: 1234 }, "infrasage:tags.CostCenter", /quote it in the stack file, e.g\. "1234"/],
  ];
  for (const [what, t, key, re] of invalid) it(`rejects ${what}`, () => void problemFor(tags(t), key, re));

  it(
    "accepts what AWS accepts: unicode letters, spaces, _ . : / = " +
      "+ - @, 127-character keys, 256-character values, empty values",
    () => {
      accepted({
        "infrasage:tags": {
          "Cost Center": "R&D".replace("&", " and "),
          "team/owner": "a@b.c",
          Überprüfung: "ja",
          ["k".repeat(MAX_TAG_KEY_LENGTH)]: "v".repeat(256),
          Empty: "",
        },
      });
    },
  );

  it("keeps the program's tags even if a reserved user tag got through", () => {
    const r = parse({ "infrasage:tags": { Team: "platform" } });
    assert.ok(r.ok);
    assert.equal(r.config.tags.Project, "infrasage");
    assert.equal(r.config.tags.Team, "platform");
  });

  it("checks aws:defaultTags and aws:ignoreTags against the same reserved keys", () => {
    problemFor(
      problems({ "aws:defaultTags": { tags: { Jurisdiction: "US" } } }),
      "aws:defaultTags.tags.Jurisdiction",
      /would rewrite/,
    );
    problemFor(problems({ "aws:ignoreTags": { keys: ["Project"] } }), "aws:ignoreTags.keys", /ignores Project/);
    problemFor(
      problems({ "aws:ignoreTags": { keyPrefixes: ["infrasage"] } }),
      "aws:ignoreTags.keyPrefixes",
      /infrasage\.io\//,
    );
    accepted({ "aws:defaultTags": { tags: { CostCenter: "42" } }, "aws:ignoreTags": { keyPrefixes: ["cost-"] } });
  });
});

describe("hostile config, class 5: silent drops (namespaces) and empty values", () => {
  const typos: [string, string][] = [
    ["infrasge:network", "infrasage:network"],
    ["InfraSage:tenantId", "infrasage:tenantId"],
    ["infrasage-:x", "infrasage:x"],
    ["infra-sage:tenantId", "infrasage:tenantId"],
    ["infrasag:pattern", "infrasage:pattern"],
    ["INFRASAGE:scaleProfile", "infrasage:scaleProfile"],
    ["nfrasage:tags", "infrasage:tags"],
    [":tenantId", "infrasage:tenantId"],
    ["AWS:region", "aws:region"],
    ["kubernets:context", "kubernetes:context"],
  ];
  for (const [key, meant] of typos) {
    it(`rejects ${key}, suggesting ${meant}`, () => {
      const p = problemFor(problems({ [key]: "x" }), key);
      assert.match(p.fix, new RegExp(`did you mean ${meant.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\?`));
    });
  }

  it("checks aws: keys against the AWS provider's settings, which match the installed @pulumi/aws", () => {
    const vars = readFileSync(join(ROOT, "node_modules", "@pulumi", "aws", "config", "vars.d.ts"), "utf8");
    const installed = [...vars.matchAll(/^export declare const (\w+)/gm)].map((m) => m[1]!).sort();
    assert.deepEqual([...AWS_CONFIG_KEYS].sort(), installed);
    problemFor(problems({ "aws:regoin": "eu-west-1" }), "aws:regoin", /did you mean aws:region\?/);
    problemFor(problems({ "aws:profle": "dev" }), "aws:profle", /did you mean aws:profile\?/);
    accepted({ "aws:profile": "dev", "aws:maxRetries": "5" });
  });

  it("leaves other providers' and unrelated namespaces alone", () => {
    accepted({
      "kubernetes:context": "x",
      "pulumi:disable-default-providers": '["aws"]',
      "random:x": "y",
      "acme:costCenter": "42",
    });
  });

  it('rejects an empty value (nothing, ~, null) instead of reading the string "null"', () => {
    for (const blank of ["", "~", "null"]) {
      const r = parseYaml(`  infrasage:scaleProfile: ${blank}\n`);
      assert.ok(!r.ok, blank);
      problemFor(r.problems, "infrasage:scaleProfile", /^infrasage:scaleProfile|is empty/);
      assert.doesNotMatch(everything(r.problems), /"null"/);
    }
    const file = readStackFile(
      yamlFile(
        "eu-west-1",
        "config:\n  aws:region: eu-west-1\n  infrasage:tenantId:\n  infrasage:network: {cidr: 10.10.0.0/16}\n",
      ),
    );
    assert.equal(file.config["infrasage:tenantId"], "", 'Pulumi hands the program an empty string, never "null"');
    const r = parseStackConfig(file.config, file.stack, file.parseOptions);
    assert.ok(!r.ok);
    assert.deepEqual(
      r.problems.filter((p) => p.key === "infrasage:tenantId").map((p) => p.message),
      ["is empty"],
    );
    const nested = parseYaml("  infrasage:cluster:\n    version: ~\n");
    assert.ok(!nested.ok);
    problemFor(nested.problems, "infrasage:cluster.version", /is empty/);
  });
});

describe("hostile config, class 6: unbounded numbers", () => {
  const bounds: [string, Record<string, unknown>, string, RegExp][] = [
    [
      "51 gateway replicas",
      { "infrasage:ingestionGateway": { replicaCount: MAX_GATEWAY_REPLICAS + 1 } },
      "infrasage:ingestionGateway.replicaCount",
      /at most 50 \(about 4 per node.*from 1 to 50/,
    ],
    [
      "a billion gateway replicas",
      { "infrasage:ingestionGateway.replicaCount": "1000000000" },
      "infrasage:ingestionGateway.replicaCount",
      /at most 50/,
    ],
    [
      "13 Kafka brokers",
      { "infrasage:kafka": { replicaCount: MAX_KAFKA_BROKERS + 1 } },
      "infrasage:kafka.replicaCount",
      /at most 12 \(one broker per node/,
    ],
    [
      "6 Keeper voters",
      {
        "infrasage:pattern": "active-active",
        "infrasage:replication": { peers: ["acme/infrasage/eu-central-1"], keeperVoters: 6 },
      },
      "infrasage:replication.keeperVoters",
      /at most 5 \(a Keeper ensemble/,
    ],
    [
      "a fractional replica count",
      { "infrasage:kafka": { replicaCount: 2.5 } },
      "infrasage:kafka.replicaCount",
      /must be a whole number, got number 2\.5.*from 1 to 12/,
    ],
    [
      "a 9Gi ClickHouse volume",
      { "infrasage:clickhouse": { size: "9Gi" } },
      "infrasage:clickhouse.size",
      /below the 10Gi minimum/,
    ],
    [
      "a 17Ti ClickHouse volume",
      { "infrasage:clickhouse": { size: "17Ti" } },
      "infrasage:clickhouse.size",
      /more than a gp3 EBS volume holds \(16Ti = 16384Gi\)/,
    ],
    ["a 16385Gi Kafka volume", { "infrasage:kafka": { size: "16385Gi" } }, "infrasage:kafka.size", /16Ti/],
    ["a 500Mi Kafka volume", { "infrasage:kafka": { size: "500Mi" } }, "infrasage:kafka.size", /whole number of GiB/],
    [
      "a 1536Mi volume",
      { "infrasage:clickhouse": { size: "1536Mi" } },
      "infrasage:clickhouse.size",
      /the volume would be 2Gi/,
    ],
    ["a size in GB", { "infrasage:clickhouse": { size: "500GB" } }, "infrasage:clickhouse.size", /500Gi/],
    [
      "a size without a unit",
      { "infrasage:clickhouse": { size: 500 } },
      "infrasage:clickhouse.size",
      /give it a unit: size: 500Gi/,
    ],
  ];
  for (const [what, o, key, re] of bounds) it(`rejects ${what}`, () => void problemFor(problems(o), key, re));

  it("accepts the bounds themselves", () => {
    accepted({
      "infrasage:ingestionGateway": { replicaCount: 50 },
      "infrasage:kafka": { replicaCount: 12, size: "16Ti" },
      "infrasage:clickhouse": { size: "10Gi" },
    });
    accepted({ "infrasage:clickhouse": { size: "10240Mi" }, "infrasage:kafka": { size: "16384Gi" } });
  });

  it("accepts every gateway replica count from 1 to 50 and nothing outside (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1000, max: 100_000 }),
        (n) => parse({ "infrasage:ingestionGateway": { replicaCount: n } }).ok === (n >= 1 && n <= 50),
      ),
    );
  });
});

describe("hostile config, class 7: chart source", () => {
  const chart = (c: Record<string, unknown>) => problems({ "infrasage:chart": c });
  const repo = (url: string) => chart({ repo: url, name: "infrasage", version: "1.4.2" });
  const table: [string, () => ConfigProblem[], string, RegExp][] = [
    [
      "http:",
      () => repo("http://charts.example.com"),
      "infrasage:chart.repo",
      /uses http: \(plain http: lets anyone on the path swap the chart\)/,
    ],
    ["javascript:", () => repo("javascript:alert(1)"), "infrasage:chart.repo", /uses javascript:/],
    ["file:", () => repo("file:///etc/charts"), "infrasage:chart.repo", /uses file:/],
    ["ftp:", () => repo("ftp://charts.example.com"), "infrasage:chart.repo", /only https:\/\/ and oci:\/\//],
    ["not a URL", () => repo("charts.example.com"), "infrasage:chart.repo", /is not a URL/],
    [
      "a query string",
      () => repo("https://charts.example.com/?token=abc"),
      "infrasage:chart.repo",
      /query string or fragment \(not shown\)/,
    ],
    ["the metadata service", () => repo("https://169.254.169.254/latest"), "infrasage:chart.repo", /link-local/],
    ["localhost", () => repo("oci://localhost:5000/charts"), "infrasage:chart.repo", /loopback/],
    [
      "a newline in the URL",
      () => repo("https://charts.exa\nmple.com"),
      "infrasage:chart.repo",
      /whitespace or control characters/,
    ],
    [
      "a version range",
      () => chart({ repo: "https://c.example.com", name: "infrasage", version: "^1.2.0" }),
      "infrasage:chart.version",
      /version range.*pin an exact SemVer version, e\.g\. 1\.2\.0/,
    ],
    [
      "an x-range",
      () => chart({ repo: "https://c.example.com", name: "infrasage", version: "1.x" }),
      "infrasage:chart.version",
      /version range.*e\.g\. 1\.0\.0/,
    ],
    [
      "a partial version",
      () => chart({ repo: "https://c.example.com", name: "infrasage", version: "1.2" }),
      "infrasage:chart.version",
      /not a full SemVer version.*use "1\.2\.0"/,
    ],
    [
      "a v-prefixed version",
      () => chart({ repo: "https://c.example.com", name: "infrasage", version: "v1.2.3" }),
      "infrasage:chart.version",
      /leading v.*use "1\.2\.3"/,
    ],
    [
      "a word for a version",
      () => chart({ repo: "https://c.example.com", name: "infrasage", version: "latest" }),
      "infrasage:chart.version",
      /not a SemVer version/,
    ],
    [
      "an uppercase name",
      () => chart({ repo: "https://c.example.com", name: "InfraSage", version: "1.0.0" }),
      "infrasage:chart.name",
      /not a Helm chart name/,
    ],
    [
      "a path as a name",
      () => chart({ repo: "https://c.example.com", name: "../infrasage", version: "1.0.0" }),
      "infrasage:chart.name",
      /not a Helm chart name/,
    ],
    [
      "a path escaping the project",
      () => chart({ path: "../../elsewhere/chart" }),
      "infrasage:chart.path",
      /outside the project folder.*allowOutsideRepository: true/,
    ],
    [
      "an absolute path outside",
      () => chart({ path: "/tmp/chart" }),
      "infrasage:chart.path",
      /resolves to \/tmp\/chart, outside the project folder/,
    ],
    [
      "a path that climbs out and back",
      () => chart({ path: "./a/../../main2/chart" }),
      "infrasage:chart.path",
      /outside the project folder/,
    ],
    ["a NUL in the path", () => chart({ path: "./chart\u0000x" }), "infrasage:chart.path", /control character/],
    ["~ in the path", () => chart({ path: "~/charts/infrasage" }), "infrasage:chart.path", /starts with ~/],
    [
      "a URL as a path",
      () => chart({ path: "https://c.example.com/chart.tgz" }),
      "infrasage:chart.path",
      /is a URL, not a path/,
    ],
    [
      "the opt-in without a path",
      () => chart({ repo: "https://c.example.com", name: "infrasage", version: "1.0.0", allowOutsideRepository: true }),
      "infrasage:chart.allowOutsideRepository",
      /applies only to a local chart/,
    ],
  ];
  for (const [what, run, key, re] of table) it(`rejects ${what}, naming ${key}`, () => void problemFor(run(), key, re));

  it(
    "accepts https and oci repositories with exact versions, and paths " +
      "inside the project (absolute too), or outside with the opt-in",
    () => {
      accepted({
        "infrasage:chart": { repo: "https://charts.example.com/infrasage", name: "infrasage", version: "1.4.2" },
      });
      accepted({
        "infrasage:chart": {
          repo: "oci://registry.example.com/charts",
          name: "infrasage-core",
          version: "2.0.0-rc.1+build.5",
        },
      });
      accepted({ "infrasage:chart": { path: "./infrasage-chart" } });
      accepted({ "infrasage:chart": { path: join(ROOT, "test", "fixtures", "chart", "infrasage") } });
      accepted({ "infrasage:chart": { path: "/opt/charts/infrasage", allowOutsideRepository: true } });
      accepted({
        "infrasage:chart.path": "../shared-charts/infrasage",
        "infrasage:chart.allowOutsideRepository": "true",
      });
    },
  );

  it("never echoes URL credentials, whatever they are (property)", () => {
    const part = fc.stringMatching(/^[A-Za-z0-9]{6,20}$/);
    fc.assert(
      fc.property(part, part, fc.constantFrom("https", "http", "oci", "ftp"), (user, password, scheme) => {
        const r = parse({
          "infrasage:chart": {
            repo: `${scheme}://${user}:${password}@charts.example.com/x`,
            name: "infrasage",
            version: "1.0.0",
          },
        });
        if (r.ok) return false;
        const text = everything(r.problems);
        return (
          !text.includes(password) && !text.includes(user) && r.problems.some((p) => p.key === "infrasage:chart.repo")
        );
      }),
      { numRuns: 100 },
    );
  });
});

describe("hostile config, class 8: secrets in plain text", () => {
  const cases: [string, string, unknown, RegExp][] = [
    ["an AWS access key id in aws:accessKey", "aws:accessKey", TOKENS.accessKeyId, /AWS access key id/],
    ["a temporary key id anywhere", "acme:ci", `id=${TOKENS.sessionKeyId}`, /AWS access key id/],
    ["an AWS secret access key", "aws:secretKey", TOKENS.secretAccessKey, /AWS secret access key/],
    ["a secret key under another name", "acme:value", TOKENS.secretAccessKey, /AWS secret access key/],
    [
      "a secret key in a credentials line",
      "acme:env",
      `aws_secret_access_key=${TOKENS.secretAccessKey}`,
      /AWS secret access key/,
    ],
    ["a GitHub token", "acme:gh", TOKENS.github, /GitHub token/],
    ["a fine-grained GitHub token", "kubernetes:x", TOKENS.githubPat, /GitHub fine-grained token/],
    ["a Slack token", "acme:slack", TOKENS.slack, /Slack token/],
    ["a private key", "acme:key", TOKENS.pem, /private key/],
    ["a JWT", "kubernetes:token", TOKENS.jwt, /JSON Web Token/],
    ["a password by key name", "acme:dbPassword", "hunter2hunter2", /the key names one/],
    ["a token by key name", "aws:token", "FwoGZXIvYXdzEHUaDM", /the key names one/],
    ["a secret nested in a structure", "acme:db", { user: "app", password: "correct-horse" }, /the key names one/],
    ["a URL with a password", "acme:url", "postgres://app:pa55word@db.example.com/x", /URL with a password/],
  ];
  for (const [what, key, value, re] of cases) {
    it(`rejects ${what} (${key}) without echoing it, with pulumi config set --secret as the fix`, () => {
      const list = problems({ [key]: value });
      const p = list.find((x) => x.key.startsWith(key) && re.test(x.message));
      assert.ok(p, everything(list));
      assert.match(
        p.fix,
        new RegExp(`pulumi config set --secret (--path ')?${key.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`),
      );
      const secret = typeof value === "string" ? value : "correct-horse";
      const shown = everything(list);
      for (const piece of [secret, secret.slice(0, 12), secret.slice(-12)])
        assert.ok(!shown.includes(piece), `${piece} echoed: ${shown}`);
    });
  }

  it("says to remove (not encrypt) a credential in an infrasage: key, and redacts it from every other message", () => {
    const list = problems({ "infrasage:tenantId": TOKENS.github });
    assert.match(problemFor(list, "infrasage:tenantId", /GitHub token/).fix, /InfraSage settings hold no credentials/);
    assert.ok(!everything(list).includes(TOKENS.github));
    assert.match(everything(list), /\[redacted\]/);
  });

  it("does not flag secure: values, references to secrets, flags or ordinary values", () => {
    accepted({
      "aws:secretKey": "[secret]",
      "acme:apiKeySecretName": "api-key",
      "acme:passwordFile": "/run/secrets/db",
      "aws:skipCredentialsValidation": "true",
      "aws:tokenBucketRateLimiterCapacity": "100",
      "acme:commit": "0123456789abcdef0123456789abcdef01234567",
      "acme:existingSecret": "infrasage-api-key",
      "acme:label": "InfraSageSelfHostedRunnerForEuWest1Prod1",
      "acme:role": "arn:aws:iam::123456789012:role/InfraSageDeployAdminForEuWest1Regio",
    });
    const r = parseStackConfig(raw({ "aws:secretKey": TOKENS.secretAccessKey }), "eu-west-1", {
      secretKeys: ["aws:secretKey"],
    });
    assert.ok(r.ok, "a key Pulumi decrypted (secure:) is not a plain-text leak");
  });

  it("finds AWS access key ids anywhere in any namespace (property)", () => {
    const id = fc.stringMatching(/^[A-Z2-7]{16}$/).map((s) => `AK${"IA"}${s}`);
    fc.assert(
      fc.property(id, fc.constantFrom("aws:accessKey", "acme:x", "kubernetes:y", "infrasage:tags"), (key, name) => {
        const value = name === "infrasage:tags" ? { Owner: key } : `prefix ${key} suffix`;
        const r = parse({ [name]: value });
        return (
          !r.ok && r.problems.some((p) => /AWS access key id/.test(p.message)) && !everything(r.problems).includes(key)
        );
      }),
      { numRuns: 100 },
    );
  });
});

describe("hostile config, class 9: fix hints", () => {
  it("recovers 1.30 from the YAML text and says to quote it (not 1.3)", () => {
    const r = parseYaml("  infrasage:cluster:\n    version: 1.30\n");
    assert.ok(!r.ok);
    const p = problemFor(r.problems, "infrasage:cluster.version");
    assert.equal(p.message, "must be a string, got the number 1.30");
    assert.match(
      p.fix,
      /quote it in the stack file: version: "1\.30" \(unquoted, YAML reads 1\.30 as the number 1\.3\)/,
    );
    // Without the YAML text (the real program), a 1.NN version still pads to two digits.
    assert.match(
      problemFor(problems({ "infrasage:cluster": { version: 1.3 } }), "infrasage:cluster.version").fix,
      /"1\.30"/,
    );
  });

  it('keeps a top-level number as written (as the Pulumi CLI does), so 1.30 stays "1.30"', () => {
    const file = readStackFile(yamlFile("eu-west-1", `${BASE_YAML}  infrasage:cluster.version: 1.30\n`));
    assert.equal(file.config["infrasage:cluster.version"], "1.30");
    const r = parseStackConfig(file.config, file.stack, file.parseOptions);
    assert.ok(!r.ok);
    assert.match(problemFor(r.problems, "infrasage:cluster.version").message, /EKS does not support Kubernetes 1\.30/);
  });

  it('names non-finite numbers (.inf, .nan) as such, never "got null null"', () => {
    for (const [lit, key, yaml] of [
      [".inf", "infrasage:ingestionGateway.replicaCount", "  infrasage:ingestionGateway:\n    replicaCount: .inf\n"],
      ["-.Inf", "infrasage:kafka.replicaCount", "  infrasage:kafka:\n    replicaCount: -.Inf\n"],
      [".nan", "infrasage:network.availabilityZones", "  infrasage:network.availabilityZones: .nan\n"],
    ] as const) {
      const r = parseYaml(yaml);
      assert.ok(!r.ok);
      const p = problemFor(r.problems, key);
      assert.equal(p.message, `is ${lit}, not a finite number`);
      assert.match(p.fix, /whole number from \d+ to \d+/);
      assert.doesNotMatch(everything(r.problems), /null null/);
    }
  });

  const hints: [string, Record<string, unknown>, string, RegExp][] = [
    [
      "chart version as a number",
      { "infrasage:chart": { repo: "https://c.example.com", name: "infrasage", version: 1.3 } },
      "infrasage:chart.version",
      /quote it as a full SemVer version: version: "1\.3\.0"/,
    ],
    [
      "a storage class as a number",
      { "infrasage:clickhouse": { storageClass: 123 } },
      "infrasage:clickhouse.storageClass",
      /quote it in the stack file, e.g\. "123"/,
    ],
    [
      "a boolean as a word",
      { "infrasage:mlEngine": { enabled: "yes" } },
      "infrasage:mlEngine.enabled",
      /must be a boolean \(true or false\), got string "yes".*set infrasage:mlEngine\.enabled to true or false/,
    ],
    [
      "a word for a number",
      { "infrasage:ingestionGateway": { replicaCount: "three" } },
      "infrasage:ingestionGateway.replicaCount",
      /must be a whole number, got string "three".*from 1 to 50/,
    ],
    [
      "zero replicas",
      { "infrasage:ingestionGateway": { replicaCount: 0 } },
      "infrasage:ingestionGateway.replicaCount",
      /0 must be at least 1.*whole number from 1 to 50/,
    ],
    [
      "a string for a mapping",
      { "infrasage:network": "10.10.0.0/16" },
      "infrasage:network",
      new RegExp(
        /must be a mapping, got string.*write infrasage:network as a mapping of its /.source +
          /settings \(cidr, availabilityZones, natGateways, endpoints, existingVpc\)/.source,
      ),
    ],
    [
      "a mapping for a list",
      { "infrasage:replication": { peers: { a: 1 } }, "infrasage:pattern": "active-active" },
      "infrasage:replication.peers",
      /must be a list.*as a list/,
    ],
    [
      "an enum in the wrong case",
      { "infrasage:scaleProfile": "Large" },
      "infrasage:scaleProfile",
      /use one of: small \| medium \| large \(did you mean large\?\)/,
    ],
    [
      "a bad tenant id",
      { "infrasage:tenantId": "Acme_EU" },
      "infrasage:tenantId",
      /lowercase DNS label.*e\.g\. acme-eu/,
    ],
    [
      "a bad stack reference",
      { "infrasage:pattern": "hub-spoke", "infrasage:federation": { role: "spoke", hubStack: "eu-west-1" } },
      "infrasage:federation.hubStack",
      /write it as org\/project\/stack/,
    ],
    [
      "a bad storage class",
      { "infrasage:clickhouse": { storageClass: "GP3" } },
      "infrasage:clickhouse.storageClass",
      /DNS label such as gp3-<region>/,
    ],
    [
      "a short risk reason",
      {
        "infrasage:pattern": "active-active",
        "infrasage:replication": { peers: ["acme/infrasage/eu-central-1"], acceptRegionLossRisk: "ok" },
      },
      "infrasage:replication.acceptRegionLossRisk",
      /at least 10 characters/,
    ],
    [
      "a dotted key under a scalar",
      { "infrasage:grafana": "x", "infrasage:grafana.mode.x": "y" },
      "infrasage:grafana.mode.x",
      /conflicts with the value of infrasage:grafana\b/,
    ],
    [
      "the audit log left out",
      { "infrasage:cluster": { logTypes: ["api"] } },
      "infrasage:cluster.logTypes",
      /leaves out audit.*the audit trail is never switched off/,
    ],
    [
      "a key set nested and dotted",
      { "infrasage:cluster": { version: "1.35" }, "infrasage:cluster.version": "1.35" },
      "infrasage:cluster.version",
      /set twice/,
    ],
    ["an unknown key", { "infrasage:clusterr": {} }, "infrasage:clusterr", /did you mean infrasage:cluster\?/],
    [
      "an unsupported EKS version",
      { "infrasage:cluster": { version: "1.29" } },
      "infrasage:cluster.version",
      /use one of 1\.31/,
    ],
  ];
  for (const [what, o, key, re] of hints)
    it(`gives a correct fix for ${what}`, () => void problemFor(problems(o), key, re));

  it("keeps the output contract: every problem has a key, a message and a fix, and long values are shortened", () => {
    const list = problems({ "infrasage:tenantId": "x".repeat(500) });
    const p = problemFor(list, "infrasage:tenantId");
    assert.ok(p.message.length < 200, p.message);
    for (const q of list) assert.ok(q.key && q.message && q.fix);
  });
});
