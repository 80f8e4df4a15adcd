/**
 * offline/yaml-nesting.ts and its use by offline/stack-file.ts: a stack file nested past what any
 * setting needs is refused from its tokens, before the recursive parse runs at all.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { listStackFiles, readStackFile, StackFileError } from "../../offline/stack-file";
import { yamlNestingBound } from "../../offline/yaml-nesting";
import { ROOT } from "../support/plan";

// The module object offline/stack-file.ts calls parseDocument through (CommonJS: read at each call).
const yamlModule = require("yaml") as { parseDocument: (...args: unknown[]) => unknown };

/** Calls of yaml's parseDocument while `fn` runs. */
function parsesDuring(fn: () => void): number {
  const original = yamlModule.parseDocument;
  let calls = 0;
  yamlModule.parseDocument = (...args) => {
    calls++;
    return original(...args);
  };
  try {
    fn();
  } finally {
    yamlModule.parseDocument = original;
  }
  return calls;
}

const stackFile = (text: string): string => {
  const path = join(mkdtempSync(join(tmpdir(), "yaml-nesting-")), "Pulumi.eu-west-1.yaml");
  writeFileSync(path, text);
  return path;
};

describe("YAML nesting read from tokens (offline/yaml-nesting.ts)", () => {
  it("counts flow brackets, indentation levels and block indicators on one line", () => {
    assert.equal(yamlNestingBound("a: 1\n", 100), 1);
    assert.equal(yamlNestingBound("a: [[[1]]]\n", 100), 4);
    assert.equal(yamlNestingBound("a:\n  b:\n    c: 1\n  d: 2\n", 100), 3);
    assert.equal(yamlNestingBound("a:\n  - - - x\n", 100), 5);
    assert.equal(yamlNestingBound("a: {b: [c, {d: e}]}\n", 100), 4);
  });

  it("does not count brackets inside quoted scalars, block scalars or comments", () => {
    assert.equal(yamlNestingBound(`a: "[[[[{{{{"\nb: '[[[['\n`, 100), 1);
    assert.equal(yamlNestingBound("a: 1 # [[[[[[[[\n", 100), 1);
    assert.ok(yamlNestingBound("a: |\n  [[[[[[\n  {{{{{{\n", 100) <= 2);
  });

  it("stops counting once past the limit (linear in the limit, not the file)", () => {
    assert.equal(yamlNestingBound(`a: ${"[".repeat(200_000)}${"]".repeat(200_000)}\n`, 10), 11);
    assert.equal(yamlNestingBound(`a:\n  ${"- ".repeat(300_000)}x\n`, 10), 11);
  });

  it("every shipped and example stack file is far below the limit", () => {
    const files = [...listStackFiles(ROOT), ...listStackFiles(join(ROOT, "examples", "hub-spoke"))];
    assert.ok(files.length >= 4, files.join());
    for (const f of files) assert.ok(yamlNestingBound(readFileSync(f, "utf8"), 256) <= 8, f);
  });
});

describe("stack files nested too deeply are refused before they are parsed", () => {
  const hostile: [string, string][] = [
    ["200,000 flow brackets", `config:\n  infrasage:x: ${"[".repeat(200_000)}${"]".repeat(200_000)}\n`],
    ["300,000 block sequences on one line", `config:\n  infrasage:x:\n    ${"- ".repeat(300_000)}x\n`],
    [
      "1,400 indentation levels",
      `config:\n  infrasage:x:\n${Array.from({ length: 1400 }, (_, i) => `${" ".repeat(i + 4)}a:`).join("\n")} 1\n`,
    ],
  ];
  for (const [what, text] of hostile) {
    it(`${what}: the error names the file and the limit, and yaml's parser never runs`, () => {
      const path = stackFile(text);
      const parses = parsesDuring(() =>
        assert.throws(
          () => readStackFile(path),
          (e: unknown) =>
            e instanceof StackFileError &&
            e.message.startsWith(`${path}: nests values too deeply to parse`) &&
            /at most 32/.test(e.message),
        ),
      );
      assert.equal(parses, 0);
    });
  }

  it("a file nested past 32 but within what the parser is given is parsed, and the key is named", () => {
    const path = stackFile(`config:\n  aws:region: eu-west-1\n  infrasage:x: ${"[".repeat(40)}${"]".repeat(40)}\n`);
    const parses = parsesDuring(() => assert.throws(() => readStackFile(path), /more than 32 levels deep/));
    assert.equal(parses, 1);
  });
});
