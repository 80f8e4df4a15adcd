/**
 * Scanners and readers of the plan's inputs stay linear and bounded under hostile input (megabyte
 * values, 100,000 levels of nesting, generated junk): each returns or refuses with an error naming
 * the file; none crashes or hangs. No timing assertion: a quadratic scanner on a megabyte takes
 * minutes and fails on mocha's timeout instead.
 */
import assert from "node:assert/strict";
import { mkdtempSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { secretsInValue, urlsWithPassword } from "../../lib/config/secrets";
import { chartProblems } from "../../lib/charts/config-rules";
import { jsonDepth, parseBoundedJson, MAX_JSON_DEPTH } from "../../offline/json-input";
import { MAX_BASE_RESOURCES, parseBasePlan } from "../../offline/diff/base-file";
import { diffStack } from "../../offline/diff/plan-diff";
import { parsePrevious, previousOutputProblems } from "../../offline/previous-file";
import { readStackFile, StackFileError } from "../../offline/stack-file";
import { parseStackConfig } from "../../lib/config/parse";
import { readPolicyConfigFile } from "../../offline/run-inputs";
import { PolicyConfigError } from "../../offline/policy-config";
import { checkLocalChart } from "../../offline/preflight/chart";
import { maskSecretPair } from "../../offline/diff/stack-diff";
import { planRedactor, Redactor, secretCounterparts } from "../../offline/redaction";
import { parseArgs } from "../../scripts/pr-comment";
import { prComment } from "../../offline/pr-comment";

const MB = 1024 * 1024;
const tmp = () => mkdtempSync(join(tmpdir(), "infrasage-bounds-"));
const nested = (depth: number) => "[".repeat(depth) + "]".repeat(depth);
/** The URL pattern the scanner had (quadratic on a run of letters); the one-pass scanner must agree with it. */
const URL_WITH_PASSWORD_RE = /[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/\s:@]*:[^/\s@]+@[^\s]+/g;

describe("the secret scanner is linear", () => {
  it("finds the same URLs with a password as the regular expression it replaces", () => {
    const piece = fc.constantFrom(
      "a",
      "Z",
      "1",
      "+",
      ".",
      "-",
      ":",
      "/",
      "@",
      " ",
      "\n",
      "://",
      "u:p@",
      "https://",
      "x:y@h",
      "\u00a0",
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 40 }), (parts) => {
        const s = parts.join("");
        assert.deepEqual(
          urlsWithPassword(s),
          [...s.matchAll(URL_WITH_PASSWORD_RE)].map((m) => m[0]),
        );
      }),
      { numRuns: 3000 },
    );
    assert.deepEqual(urlsWithPassword("see https://deploy:s3cret@charts.example.com/x and ftp://a@b"), [
      "https://deploy:s3cret@charts.example.com/x",
    ]);
  });

  it("scans a megabyte of any shape the patterns start with (a run of letters took minutes before)", () => {
    const fragments = [
      "a",
      "eyJ",
      "://",
      "a://:",
      "glpat-",
      "xoxb-",
      "sk-",
      "ghp_",
      "-----BEGIN ",
      "A ",
      "secret=",
      "password: ",
      "AKIA",
      "1.",
      "@",
      ":",
      "aB3/",
    ];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...fragments), { minLength: 1, maxLength: 3 }), (parts) => {
        const unit = parts.join("");
        const value = unit.repeat(Math.ceil(MB / unit.length));
        assert.ok(Array.isArray(secretsInValue(value)));
      }),
      { numRuns: 12 },
    );
    // Still finds what it is for inside a megabyte.
    const key = "AK" + "IA" + "Z2Y3X4W5V6U7T8S9";
    assert.deepEqual(
      secretsInValue(`${"a".repeat(MB)} ${key}`).map((f) => f.what),
      ["an AWS access key id"],
    );
  });

  it("scans a text once per process: the same frozen findings again, a long text scanned afresh", () => {
    const text = `reason: password=${"p4ss".repeat(4)} ${Date.now()}`;
    const first = secretsInValue(text);
    assert.equal(secretsInValue(text), first);
    assert.ok(Object.isFrozen(first) && first.every((f) => Object.isFrozen(f) && Object.isFrozen(f.tokens)));
    assert.deepEqual(
      first.flatMap((f) => f.tokens),
      [`password=${"p4ss".repeat(4)}`],
    );
    const long = `${"x".repeat(5000)} password=${"p4ss".repeat(4)}`;
    assert.notEqual(secretsInValue(long), secretsInValue(long));
    assert.deepEqual(secretsInValue(long), secretsInValue(long));
  });

  it("finds a credential after a label in free text (an allowReplace reason), not a mask or a short word", () => {
    assert.deepEqual(
      secretsInValue("migrating; password=hunter2hunter2 for the old db").flatMap((f) => f.tokens),
      ["password=hunter2hunter2"],
    );
    assert.deepEqual(secretsInValue("token: [secret]"), []);
    assert.deepEqual(secretsInValue("the secret: none"), []);
  });
});

describe("JSON inputs are bounded before they are parsed", () => {
  it("measures depth exactly, strings and escapes skipped", () => {
    const depthOf = (v: unknown): number =>
      Array.isArray(v)
        ? 1 + Math.max(0, ...v.map(depthOf))
        : v && typeof v === "object"
          ? 1 + Math.max(0, ...Object.values(v).map(depthOf))
          : 0;
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 8 }), (v) => {
        assert.equal(jsonDepth(JSON.stringify(v)), depthOf(v));
      }),
      { numRuns: 500 },
    );
    assert.equal(jsonDepth(JSON.stringify({ a: '[[[{{\\"]]' })), 1);
  });

  it("never throws on generated junk: a value, or a reason that does not quote the text", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (s) => {
        const r = parseBoundedJson(s);
        if (!r.ok) assert.ok(s.trim().length < 4 || !r.reason.includes(s.trim()), r.reason);
      }),
      { numRuns: 1000 },
    );
    const deep = parseBoundedJson(nested(100_000));
    assert.equal(deep.ok, false);
    assert.match((deep as { reason: string }).reason, new RegExp(`more than ${MAX_JSON_DEPTH} levels deep`));
    const quoted = parseBoundedJson(`{"password": "hunter2hunter2" oops}`);
    assert.equal(quoted.ok, false);
    assert.ok(!(quoted as { reason: string }).reason.includes("hunter2"), "JSON.parse's message quotes the source");
    // A longer text is quoted as ..."<text>"...: cut too.
    const long = parseBoundedJson(`{"all": "advisory", "password": hunter2-my-db-password-xyz}`);
    assert.equal(long.ok, false);
    assert.ok(!(long as { reason: string }).reason.includes("hunter2"), (long as { reason: string }).reason);
  });

  it("--base and --previous: any JSON is a plan or an error naming the file, never a crash", () => {
    const doc = fc.oneof(
      fc.jsonValue({ maxDepth: 5 }),
      fc.record({ stacks: fc.array(fc.jsonValue({ maxDepth: 4 }), { maxLength: 4 }) }),
      fc.record({
        stacks: fc.array(
          fc.record({
            stack: fc.string(),
            outputs: fc.dictionary(
              fc.constantFrom("clusterName", "clusterVersion", "addonVersions", "region", "x"),
              fc.jsonValue({ maxDepth: 3 }),
            ),
          }),
          { maxLength: 3 },
        ),
      }),
    );
    fc.assert(
      fc.property(doc, (d) => {
        for (const parse of [parseBasePlan, parsePrevious]) {
          try {
            parse("/x/plan.json", JSON.stringify(d));
          } catch (e) {
            assert.ok(e instanceof StackFileError, String(e));
            assert.match((e as Error).message, /^(--previous )?\/x\/plan\.json: /);
          }
        }
      }),
      { numRuns: 500 },
    );
    for (const text of [
      nested(100_000),
      `{"stacks":${nested(100_000)}}`,
      `{"stacks":[${'{"a":'.repeat(100_000)}1${"}".repeat(100_000)}]}`,
    ]) {
      assert.throws(
        () => parseBasePlan("/x/base.json", text),
        /base\.json: is not a plan's --json \(nests arrays or objects more than 64 levels deep/,
      );
      assert.throws(
        () => parsePrevious("/x/last.json", text),
        /--previous \/x\/last\.json: is not a plan's --json \(nests arrays or objects more than 64 levels deep/,
      );
    }
    assert.throws(
      () =>
        parseBasePlan(
          "/x/base.json",
          JSON.stringify({ stacks: Array.from({ length: 201 }, () => ({ stack: "a", resources: [] })) }),
        ),
      /holds 201 stacks; a plan holds at most 200/,
    );
    assert.throws(
      () =>
        parseBasePlan(
          "/x/base.json",
          JSON.stringify({ stacks: [{ stack: "a", resources: Array.from({ length: 5_001 }, () => ({})) }] }),
        ),
      /stacks\[0\] holds 5001 resources; a planned stack holds at most 5000/,
    );
  });
});

describe("--previous is checked as strictly as a stack file", () => {
  const ok = {
    clusterName: "infrasage-eu-west-1",
    clusterVersion: "1.34",
    addonVersions: { "kube-proxy": "v1.34.1-eksbuild.2" },
  };
  it("accepts a deployment's outputs and names the stack, the key and the fix for anything else", () => {
    assert.deepEqual(previousOutputProblems("eu-west-1", ok), []);
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ ...ok, clusterVersion: "-1" }, /clusterVersion is "-1", not an EKS Kubernetes version as a string/],
      [
        { ...ok, clusterVersion: 1.34 },
        /clusterVersion is 1\.34, not an EKS Kubernetes version as a string \("1\.<minor>"/,
      ],
      [
        { ...ok, clusterVersion: "(known after apply)" },
        /clusterVersion is \(known after apply\): the file is not a deployment's record/,
      ],
      [
        { ...ok, clusterName: "infrasage-ap-south-1" },
        new RegExp(
          /clusterName is "infrasage-ap-south-1", but stack eu-west-1's /.source +
            /cluster is "infrasage-eu-west-1" \(the outputs of another stack\?\)/.source,
        ),
      ],
      [{ clusterName: "infrasage-eu-west-1" }, /clusterName is given without clusterVersion/],
      [{ ...ok, addonVersions: { "kube-proxy": 7 } }, /addonVersions\.kube-proxy is 7, not an EKS add-on version/],
      [
        { ...ok, addonVersions: { "kube-prxy": "v1.34.1-eksbuild.2" } },
        /addonVersions\.kube-prxy is not an add-on the program manages/,
      ],
      [{ ...ok, addonVersions: "v1" }, /addonVersions is "v1", not a map/],
    ];
    for (const [outputs, message] of bad) {
      assert.match(previousOutputProblems("eu-west-1", outputs).join("; "), message);
      assert.throws(
        () => parsePrevious("/x/last.json", JSON.stringify({ stacks: [{ stack: "eu-west-1", outputs }] })),
        (e: Error) =>
          /^--previous \/x\/last\.json: stack eu-west-1: outputs\./.test(e.message) &&
          message.test(e.message) &&
          /Fix|give the --json of the stacks' last deployment/.test(e.message),
      );
    }
    assert.throws(
      () => parsePrevious("/x/last.json", JSON.stringify({ view: "preview", stacks: [] })),
      /is a --preview plan/,
    );
  });
});

describe("chart.path is judged by its real path", () => {
  it("a symlink inside the project that leaves it is outside; one that stays inside is not", () => {
    const root = tmp();
    const outside = tmp();
    mkdirSync(join(root, "charts"));
    symlinkSync(outside, join(root, "charts", "escape"));
    mkdirSync(join(root, "real-chart"));
    symlinkSync(join(root, "real-chart"), join(root, "charts", "inside"));
    const [escaped] = chartProblems({ path: "./charts/escape" }, root);
    assert.equal(escaped?.key, "infrasage:chart.path");
    assert.match(
      escaped!.message,
      new RegExp(
        `resolves to ${outside} \\(through a symbolic link: ${root}/charts/escape\\), outside the project folder`,
      ),
    );
    assert.deepEqual(
      chartProblems({ path: "./charts/escape/sub/chart" }, root).map((p) => p.key),
      ["infrasage:chart.path"],
      "a path below the link",
    );
    assert.deepEqual(chartProblems({ path: "./charts/inside" }, root), []);
    assert.deepEqual(chartProblems({ path: "./charts/escape", allowOutsideRepository: true }, root), []);
  });

  it("the preflight loads the chart the link points to, and a FIFO for Chart.yaml is a finding, not a hang", () => {
    const root = tmp();
    const real = join(tmp(), "chart");
    mkdirSync(real);
    symlinkSync(real, join(root, "linked"));
    execFileSync("mkfifo", [join(real, "Chart.yaml")]);
    const findings = checkLocalChart({
      file: "Pulumi.x.yaml",
      key: "chart.path",
      chartPath: "./linked",
      programDir: root,
    });
    assert.equal(findings.length, 1);
    assert.match(findings[0]!.message, new RegExp(`${real}/Chart\\.yaml.*is a FIFO`));
  });
});

describe("one redaction for everything printed", () => {
  it("masks both sides of a change where either side is secret", () => {
    assert.deepEqual(maskSecretPair("hunter2-plain", "[secret]"), ["[secret]", "[secret]"]);
    assert.deepEqual(maskSecretPair({ a: "[secret]", b: 1 }, { a: "plain-now", b: 2, c: 3 }), [
      { a: "[secret]", b: 1 },
      { a: "[secret]", b: 2, c: 3 },
    ]);
    assert.deepEqual(maskSecretPair(["x", "[secret]"], ["y", { p: "q" }]), [
      ["x", "[secret]"],
      ["y", "[secret]"],
    ]);
    assert.deepEqual(maskSecretPair(undefined, "[secret]"), [undefined, "[secret]"]);
  });

  it("removes a value that is secret on one side of a diff from text and JSON, and what the scanner finds", () => {
    assert.deepEqual(
      secretCounterparts(
        { a: { p: "old-plain-pw" }, b: "[secret]" },
        { a: { p: "[secret]" }, b: ["new", "plain-now"] },
      ).sort(),
      ["new", "old-plain-pw", "plain-now"],
    );
    const urn = "urn:pulumi:s::p::t::r";
    const redactor = planRedactor(
      [
        {
          stack: "s",
          record: { resources: [{ urn, inputs: { password: "[secret]" } }] },
          diff: { resources: [{ urn, op: "update" }] },
        },
      ],
      { stacks: new Map([["s", { resources: [{ urn, inputs: { password: "old-plain-pw" } }] }]]) },
    );
    const token = "gh" + "p_" + "Zq8Lr3Xv9Tb2Nw6Mk1Pd5Hs7Jf4Gc0Ay2Ue8";
    assert.equal(redactor.text(`was old-plain-pw, reason ${token}`), "was [redacted], reason [redacted]");
    assert.deepEqual(redactor.json({ m: ["old-plain-pw"], [token]: 1 }), { m: ["[redacted]"], "[redacted]": 1 });
    assert.equal(
      new Redactor().text("nothing secret here: 10.0.0.0/16, eu-west-1"),
      "nothing secret here: 10.0.0.0/16, eu-west-1",
    );
  });

  it("a value added after a text was redacted is removed from that text the next time too", () => {
    const redactor = new Redactor();
    assert.equal(redactor.text("was later-secret-pw"), "was later-secret-pw");
    redactor.add(["later-secret-pw"]);
    assert.equal(redactor.text("was later-secret-pw"), "was [redacted]");
    assert.deepEqual(redactor.json({ m: "was later-secret-pw" }), { m: "was [redacted]" });
  });
});

describe("stack files: megabytes and deep nesting", () => {
  it("refuses JSON nested 100,000 levels inside a value, naming the file and key", () => {
    const dir = tmp();
    const path = join(dir, "Pulumi.eu-west-1.yaml");
    writeFileSync(
      path,
      `config:\n  aws:region: eu-west-1\n  infrasage:cluster: '${'{"a":'.repeat(100_000)}1${"}".repeat(100_000)}'\n`,
    );
    assert.throws(
      () => readStackFile(path),
      new RegExp(`${path}: infrasage:cluster holds JSON nested more than 32 levels deep`),
    );
  });
});

describe("the pull request comment's input", () => {
  it("a plan file with a credential in a free-text field is redacted before quoted; a deep one is refused", () => {
    const token = "gh" + "p_" + "Zq8Lr3Xv9Tb2Nw6Mk1Pd5Hs7Jf4Gc0Ay2Ue8";
    const dir = tmp();
    const file = join(dir, "plan.json");
    writeFileSync(
      file,
      JSON.stringify({
        stacks: [
          {
            stack: "eu-west-1",
            region: "eu-west-1",
            jurisdiction: "EU",
            cost: { monthlyTotal: 1, currency: "USD" },
            violations: [
              {
                policy: "replacement-guard",
                level: "mandatory",
                message: `Vpc network-vpc would be replaced; reason ${token}`,
              },
            ],
          },
        ],
        violations: [],
        flows: [],
      }),
    );
    const { inputs } = parseArgs(["--plan", `shipped::${file}::1`]);
    const text = prComment(inputs, "main");
    assert.match(text, /Vpc network-vpc would be replaced; reason \\\[redacted\\\]/);
    assert.ok(!text.includes(token.slice(4)));
    writeFileSync(file, nested(100_000));
    assert.throws(
      () => parseArgs(["--plan", `x::${file}::0`]),
      /plan\.json: not a plan's --json \(nests arrays or objects more than 64 levels deep/,
    );
  });
});

describe("the label pattern leaves names alone", () => {
  it("URNs and type tokens of secrets are not credentials", () => {
    for (const s of [
      "urn:pulumi:ap-south-1::infrasage::infrasage:app:InfraSageRelease$kubernetes:core/v1:Secret::infrasage-api-key",
      "urn:pulumi:s::p::aws:secretsmanager/secret:Secret::db-credentials",
      "kubernetes:core/v1:Secret",
      "token=[secret]",
      "password: (known after apply)",
    ]) {
      assert.deepEqual(secretsInValue(s), [], s);
    }
    for (const s of [
      "password = hunter2hunter2",
      "Token: abcdef123456",
      '{"secret":"abcdef123456"}',
      "api_key=abcdef123456",
    ])
      assert.equal(secretsInValue(s).length, 1, s);
  });
});

describe("the diff against the largest base it takes", () => {
  it("guards 5,000 deleted subnets and node groups in one pass per base (it was quadratic)", () => {
    const n = MAX_BASE_RESOURCES;
    const subnet = (i: number) => `urn:pulumi:s::p::aws:ec2/subnet:Subnet::s${i}`;
    const resources = [
      ...Array.from({ length: n / 2 }, (_, i) => ({
        urn: subnet(i),
        type: "aws:ec2/subnet:Subnet",
        name: `s${i}`,
        inputs: {},
      })),
      ...Array.from({ length: n / 2 }, (_, i) => ({
        urn: `urn:pulumi:s::p::aws:eks/nodeGroup:NodeGroup::n${i}`,
        type: "aws:eks/nodeGroup:NodeGroup",
        name: `n${i}`,
        inputs: {},
        dependencies: [subnet(i)],
      })),
    ];
    const d = diffStack("base.json", { stack: "s", resources }, [], []);
    assert.equal(
      d.guard.filter((g) => g.level === "mandatory").length,
      n,
      "every subnet carrying nodes and every node group deleted is guarded",
    );
  });
});

describe("stack files and policy configs: generated hostile text", () => {
  it("a stack file is read and parsed, or refused with an error naming it; never a crash", () => {
    const dir = tmp();
    const path = join(dir, "Pulumi.eu-west-1.yaml");
    const piece = fc.constantFrom(
      "config:\n",
      "\n",
      "  ",
      "    ",
      "aws:region: eu-west-1\n",
      "infrasage:",
      "cluster",
      "nodeGroups",
      "tags",
      ": ",
      "&a ",
      "*a",
      "<<: *a\n",
      "[",
      "]",
      "{",
      "}",
      "- ",
      ",",
      "'",
      '"',
      "secure: ",
      "!!binary ",
      "~",
      "1.30",
      "-1",
      "0x1F",
      ".inf",
      "\t",
      "#",
      "? ",
      "|\n",
      "%YAML 1.2\n",
      "---\n",
      "\u0000",
      '{"a":[[',
      "\uFEFF",
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 60 }), (parts) => {
        writeFileSync(path, parts.join(""));
        let file: ReturnType<typeof readStackFile> | undefined;
        try {
          file = readStackFile(path);
        } catch (e) {
          assert.ok(e instanceof StackFileError, String((e as Error).stack));
          assert.ok((e as Error).message.startsWith(`${path}: `));
          return;
        }
        const parsed = parseStackConfig(file.config, file.stack, file.parseOptions);
        if (!parsed.ok) for (const p of parsed.problems) assert.ok(p.key && p.message && p.fix);
      }),
      { numRuns: 400 },
    );
  });

  it("a policy config is a JSON object of levels or configs, or an error naming the file", () => {
    const dir = tmp();
    const path = join(dir, "policy.json");
    fc.assert(
      fc.property(
        fc.oneof(
          fc.jsonValue({ maxDepth: 4 }),
          fc.dictionary(
            fc.string(),
            fc.oneof(fc.constantFrom("advisory", "mandatory", "nope"), fc.jsonValue({ maxDepth: 3 })),
          ),
        ),
        (doc) => {
          writeFileSync(path, JSON.stringify(doc));
          try {
            readPolicyConfigFile(path);
          } catch (e) {
            assert.ok(e instanceof PolicyConfigError, String(e));
            assert.ok((e as Error).message.startsWith(`${path}: `), (e as Error).message);
          }
        },
      ),
      { numRuns: 400 },
    );
  });
});
