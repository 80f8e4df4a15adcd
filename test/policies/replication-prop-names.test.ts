/**
 * The replication residency rules read @pulumi/aws inputs by name (policies/rules/residency-replication.ts):
 * a type token or property the SDK does not have would make a rule silently judge nothing. Every token and
 * every property name each reader uses is pinned here against the installed SDK's own files.
 */
import { strict as assert } from "node:assert";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { REPLICATION_ENDS } from "../../policies/rules/residency-replication";
import { ROOT } from "../support/plan";

const AWS = join(ROOT, "node_modules", "@pulumi", "aws");
const INPUT_TYPES = readFileSync(join(AWS, "types", "input.d.ts"), "utf8");

/** `aws:kms/replicaKey:ReplicaKey` -> the SDK module declaring it, and its class. */
function sdkModule(token: string): { js: string; dts: string; className: string } {
  const [, path = "", className = ""] = token.split(":");
  return { js: join(AWS, `${path}.js`), dts: join(AWS, `${path}.d.ts`), className };
}

const hasProperty = (text: string, name: string) => new RegExp(`\\b${name}\\??: `).test(text);

describe("replication residency: the @pulumi/aws names it reads exist in the SDK", () => {
  for (const [token, reader] of Object.entries(REPLICATION_ENDS)) {
    const source = reader.toString();
    it(`${token}: its tokens and property names`, () => {
      const tokens = [token, ...[...source.matchAll(/"(aws:[^"]+)"/g)].map((m) => m[1]!)];
      for (const t of tokens) {
        const { js } = sdkModule(t);
        assert.ok(existsSync(js), `${t}: no module ${js}`);
        assert.match(readFileSync(js, "utf8"), new RegExp(`__pulumiType = '${t}'`), t);
      }
      // Top-level inputs: r.props.<name>, get(r.props, "<name>", ...), or the input a reader follows.
      const top = [
        ...source.matchAll(/r\.props\.(\w+)/g),
        ...source.matchAll(/get\)?\(\s*r\.props\s*,\s*"(\w+)"/g),
        ...source.matchAll(/(?:arnEnds|s3Ends)\(\s*r\s*,\s*"(\w+)"/g),
      ].map((m) => m[1]!);
      assert.ok(top.length > 0, `${token}: no input name found in its reader (the pattern above is stale)`);
      const { dts, className } = sdkModule(token);
      const args = new RegExp(`export interface ${className}Args \\{([\\s\\S]*?)\\n\\}`).exec(
        readFileSync(dts, "utf8"),
      );
      assert.ok(args, `${token}: no ${className}Args in ${dts}`);
      for (const name of top) assert.ok(hasProperty(args[1]!, name), `${token}: ${className}Args has no ${name}`);
      // Nested inputs (get(<item>, "<name>", ...) and the key a listed replica's region is read from).
      const nested = [
        ...source.matchAll(/get\)?\(\s*(?!r\.props)\w+\s*,\s*"(\w+)"(?:\s*,\s*"(\w+)")?/g),
        ...source.matchAll(/listed\((?:[^"]|"[^"]*")*?,\s*"(\w+)"\s*,\s*"[^"]*"\s*\)/g),
      ].flatMap((m) => m.slice(1).filter((n): n is string => n !== undefined));
      for (const name of nested) assert.ok(hasProperty(INPUT_TYPES, name), `${token}: no input type has ${name}`);
    });
  }
});
