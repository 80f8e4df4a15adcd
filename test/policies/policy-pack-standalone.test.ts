/**
 * The policy pack is publishable on its own: `pulumi policy publish` uploads policies/ alone, so the
 * pack may import nothing outside that folder and no package its package.json does not declare.
 * A copy of policies/ in a fresh temp dir, "installed" without network (node_modules holds symlinks
 * to exactly its declared dependencies), must start as the CLI starts it and judge plans exactly as
 * the in-repo pack does. The tables it shares with the program live in policies/shared.
 */
import { strict as assert } from "node:assert";
import { createHash } from "node:crypto";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  symlinkSync,
} from "node:fs";
import { builtinModules } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve, sep } from "node:path";
import { PolicyAnalyzer } from "../../offline/analyzer";
import { evaluateStack, type AnalysisTarget, type Violation } from "../../offline/policy-runner";
import type { ProgramRecord } from "../../offline/run-program";
import { projectOf, readStackFile } from "../../offline/stack-file";
import { ALL_POLICIES } from "../../policies/rules/all";
import { sharedAnalyzer } from "../support/analyzer";
import { planFiles, planShipped, ROOT } from "../support/plan";

const POLICIES = join(ROOT, "policies");
// A hub in an existing VPC without load-balancer subnets: its alert link's routes are too wide (a pack rule).
const BAD_FIXTURE_DIR = join(ROOT, "test", "fixtures", "bad", "alert-link-wide-routes");

interface PackageJson {
  readonly dependencies?: Record<string, string>;
}
const readPackageJson = (dir: string): PackageJson =>
  JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as PackageJson;

/** Every file of the pack (node_modules excluded), relative to policies/. */
function packFiles(dir = POLICIES): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.name === "node_modules") return [];
    const path = join(dir, e.name);
    return e.isDirectory() ? packFiles(path) : [relative(POLICIES, path)];
  });
}

/** Module specifiers of a source file: static and dynamic imports, re-exports, require. */
function specifiersOf(source: string): string[] {
  const re = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)["']([^"']+)["']/g;
  return [...source.matchAll(re)].map((m) => m[1]!);
}

const packageName = (spec: string): string =>
  spec
    .split("/")
    .slice(0, spec.startsWith("@") ? 2 : 1)
    .join("/");
const inside = (dir: string, path: string): boolean => path === dir || path.startsWith(dir + sep);

/**
 * A copy of policies/ (no node_modules) whose node_modules links exactly its declared dependencies. Kept
 * in a folder named by the digest of the pack's files (made whole, then renamed into place): ts-node
 * keys its compile cache by the tsconfig's path, so a copy in a fresh folder type-checks the whole pack
 * again (about 3 s of CPU) where the same files in the same place start from the cache, as the in-repo
 * pack does.
 */
function standaloneCopy(): string {
  const digest = createHash("sha256");
  for (const f of packFiles().sort())
    digest
      .update(`${f}\0`)
      .update(readFileSync(join(POLICIES, f)))
      .update("\0");
  const dir = join(tmpdir(), `infrasage-policy-pack-${digest.digest("hex").slice(0, 16)}`);
  const files = packFiles();
  if (existsSync(join(dir, "node_modules")) && files.every((f) => existsSync(join(dir, f)))) return dir;
  rmSync(dir, { recursive: true, force: true }); // left incomplete (a temp folder cleaner)
  const made = mkdtempSync(join(tmpdir(), "infrasage-policy-pack-new-"));
  cpSync(POLICIES, made, {
    recursive: true,
    filter: (src) => relative(POLICIES, src).split(sep)[0] !== "node_modules",
  });
  for (const pkg of Object.keys(readPackageJson(made).dependencies ?? {})) {
    const real = join(ROOT, "node_modules", pkg);
    assert.ok(
      existsSync(real),
      `${pkg} (a dependency of policies/package.json) is not installed at the repository root`,
    );
    const link = join(made, "node_modules", pkg);
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(real, link, "dir");
  }
  try {
    renameSync(made, dir);
  } catch {
    // Another run put the same files there first.
    rmSync(made, { recursive: true, force: true });
  }
  return dir;
}

/** Order-independent form of a violation list. */
const canonical = (vs: readonly Violation[]): string[] =>
  vs.map((v) => JSON.stringify([v.policy, v.level, v.urn ?? "", v.message])).sort();

describe("policy pack: publishable on its own", () => {
  describe("imports", () => {
    const sources = packFiles().filter((f) => /\.[cm]?[jt]s$/.test(f));

    it("the pack has sources to check", () =>
      assert.ok(sources.includes("index.ts") && sources.some((f) => f.startsWith(`shared${sep}`))));

    it("no file under policies/ imports a relative path that leaves policies/", () => {
      const leaks = sources.flatMap((f) =>
        specifiersOf(readFileSync(join(POLICIES, f), "utf8"))
          .filter((s) => s.startsWith(".") && !inside(POLICIES, resolve(POLICIES, dirname(f), s)))
          .map((s) => `policies/${f}: ${s}`),
      );
      assert.deepEqual(leaks, []);
    });

    it("policies/shared imports only other policies/shared files", () => {
      const shared = join(POLICIES, "shared");
      const leaks = sources
        .filter((f) => f.startsWith(`shared${sep}`))
        .flatMap((f) =>
          specifiersOf(readFileSync(join(POLICIES, f), "utf8"))
            .filter((s) => !s.startsWith(".") || !inside(shared, resolve(POLICIES, dirname(f), s)))
            .map((s) => `policies/${f}: ${s}`),
        );
      assert.deepEqual(leaks, []);
    });

    it("every package the pack imports is a dependency in policies/package.json", () => {
      const declared = new Set(Object.keys(readPackageJson(POLICIES).dependencies ?? {}));
      const builtins = new Set(builtinModules);
      const missing = sources.flatMap((f) =>
        specifiersOf(readFileSync(join(POLICIES, f), "utf8"))
          .filter(
            (s) => !s.startsWith(".") && !s.startsWith("node:") && !builtins.has(s) && !declared.has(packageName(s)),
          )
          .map((s) => `policies/${f}: ${s}`),
      );
      assert.deepEqual(missing, []);
    });

    it("policies/tsconfig.json includes only files inside policies/", () => {
      const { include } = JSON.parse(readFileSync(join(POLICIES, "tsconfig.json"), "utf8")) as { include: string[] };
      assert.deepEqual(
        include.filter((p) => !inside(POLICIES, resolve(POLICIES, p))),
        [],
      );
    });
  });

  describe("a copy of policies/ with only its declared dependencies", () => {
    let dir: string | undefined;
    let standalone: PolicyAnalyzer | undefined;

    before(async function () {
      this.timeout(180_000);
      dir = standaloneCopy();
      standalone = await PolicyAnalyzer.start(dir);
    });

    after(() => {
      standalone?.close();
    });

    it("starts as the CLI starts it and serves every policy of policies/rules/all.ts", async () => {
      assert.deepEqual(standalone!.info.policies.map((p) => p.name).sort(), ALL_POLICIES.map((p) => p.name).sort());
      assert.deepEqual(standalone!.info, (await sharedAnalyzer()).info);
    });

    /** Both packs on the same record and target: same violations. */
    async function compare(record: ProgramRecord, file: string): Promise<Violation[]> {
      const target: AnalysisTarget = {
        project: projectOf(file),
        organization: "organization",
        config: readStackFile(file).config,
      };
      const own = await evaluateStack(standalone!, record, target);
      const inRepo = await evaluateStack(await sharedAnalyzer(), record, target);
      assert.deepEqual(canonical(own), canonical(inRepo));
      return own;
    }

    for (const preview of [false, true]) {
      it(`judges the eu-west-1 stack${preview ? " (first preview)" : ""} as the in-repo pack does`, async function () {
        this.timeout(180_000);
        const plan = await planShipped("eu-west-1", preview ? { preview } : {});
        assert.ok(plan.record.resources.length > 0, "nothing planned");
        const own = await compare(plan.record, plan.file);
        assert.deepEqual(
          own.filter((v) => v.level === "mandatory"),
          [],
        );
      });
    }

    it("finds the same violations in a bad stack (an alert link routed too wide)", async function () {
      this.timeout(180_000);
      const files = readdirSync(BAD_FIXTURE_DIR)
        .filter((f) => /^Pulumi\..+\.yaml$/.test(f))
        .map((f) => join(BAD_FIXTURE_DIR, f));
      const { stacks } = await planFiles(files);
      const mandatory = new Set<string>();
      for (const s of stacks)
        for (const v of await compare(s.record, s.file)) if (v.level === "mandatory") mandatory.add(v.policy);
      for (const policy of ["alert-link-scope", "alert-link-scope-stack"])
        assert.ok(mandatory.has(policy), `${policy} not in ${[...mandatory].join(", ")}`);
    });
  });
});
