/**
 * The house a newcomer finds a concern in (docs/design.md "Layout"): lib/ and components/ hold only
 * capability folders, every component capability has its pure half in lib/ under the same name,
 * and its tests in test/ under that name too.
 */
import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../support/plan";

const entries = (dir: string) => readdirSync(join(ROOT, dir), { withFileTypes: true });
const folders = (dir: string) =>
  entries(dir)
    .filter((e) => e.isDirectory())
    .map((e) => e.name);

describe("capability folders", () => {
  for (const layer of ["lib", "components"]) {
    it(`${layer}/ holds folders only, no loose module`, () => {
      assert.deepEqual(
        entries(layer)
          .filter((e) => e.isFile())
          .map((e) => e.name),
        [],
      );
    });
  }

  it("every components/ capability has lib/ and test/ folders of the same name", () => {
    const lib = new Set(folders("lib"));
    const tests = new Set(folders("test"));
    const missing = folders("components").flatMap((c) => [
      ...(lib.has(c) ? [] : [`lib/${c}/`]),
      ...(tests.has(c) ? [] : [`test/${c}/`]),
    ]);
    assert.deepEqual(missing, []);
  });

  it("test/ keeps no loose spec: each sits in the folder of what it tests", () => {
    assert.deepEqual(
      entries("test")
        .filter((e) => e.isFile() && e.name.endsWith(".test.ts"))
        .map((e) => e.name),
      [],
    );
  });
});

describe("style is checked in CI", () => {
  const ci = readFileSync(join(ROOT, ".ci", "run"), "utf8");
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> };
  const biome = JSON.parse(readFileSync(join(ROOT, "biome.json"), "utf8")) as {
    formatter: { enabled: boolean; lineWidth: number };
    linter: { enabled: boolean };
  };

  it("the formatter and the linter are on, with a line a side-by-side diff shows", () => {
    assert.equal(biome.formatter.enabled, true);
    assert.equal(biome.linter.enabled, true);
    assert.ok(biome.formatter.lineWidth <= 120, `lineWidth ${biome.formatter.lineWidth}`);
  });

  /** Lines that must stay whole, each with the reason. */
  const EXEMPT: readonly { file: string; starts: string; why: string }[] = [
    {
      file: "lib/charts/pinned-versions.ts",
      starts: "  // renovate: datasource=docker ",
      why: "Renovate reads the directive from one line (renovate.json customManagers matchStrings)",
    },
  ];
  const exempt = (file: string, line: string) => EXEMPT.some((e) => e.file === file && line.startsWith(e.starts));

  // The formatter cannot wrap a string, a template or a comment: those are split or rewrapped by hand.
  it("no line of a tracked .ts file is longer than the formatter's lineWidth", () => {
    const files = execFileSync("git", ["ls-files", "-z", "--", "*.ts"], { cwd: ROOT, encoding: "utf8" })
      .split("\0")
      .filter((f) => f !== "" && !f.startsWith("test/fixtures/"));
    assert.ok(files.length > 100, `git ls-files listed ${files.length} .ts files`);
    const long = files.flatMap((file) =>
      readFileSync(join(ROOT, file), "utf8")
        .split("\n")
        .flatMap((line, i) => {
          const width = [...line].length;
          return width > biome.formatter.lineWidth && !exempt(file, line)
            ? [`${file}:${i + 1} (${width} columns)`]
            : [];
        }),
    );
    assert.deepEqual(long, [], `split the string or rewrap the comment of:\n${long.join("\n")}`);
  });

  it(".ci/run runs the formatter check, the linter, the layering rules and the unused-code check", () => {
    assert.match(pkg.scripts.lint!, /^biome ci\b/);
    assert.match(pkg.scripts["lint:deps"]!, /^depcruise\b/);
    assert.match(pkg.scripts["lint:unused"]!, /^knip\b/);
    for (const script of ["lint", "lint:deps", "lint:unused"])
      assert.match(ci, new RegExp(`npm run --silent ${script}(\\s|$)`, "m"));
  });
});
