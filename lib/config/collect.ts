/**
 * The raw `infrasage:*` keys (flat and dotted, structured values JSON-encoded) collected into one
 * object for the schema, remembering which raw key set each path. Pure.
 */
import { decodeConfigValue, NAMESPACE, type ConfigProblem } from "../rules/problems";

/** Path segments that would reach an object's prototype. */
const FORBIDDEN_SEGMENTS = new Set(["__proto__", "constructor", "prototype"]);
/** A blank value: `key:` with nothing, `~`, `null`, or only spaces (Pulumi hands the program ""). */
export const isBlank = (value: string) => value.trim() === "";

/** Collects `infrasage:*` keys into one object; `infrasage:network.cidr` (flat, dotted) nests too. */
export function collectNamespace(
  raw: Readonly<Record<string, string>>,
  problems: ConfigProblem[],
  origins: Map<string, string>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  // `origins`: which raw key set each path (a setting written twice names both spellings; a secret's key).
  for (const [fullKey, value] of Object.entries(raw)) {
    if (!fullKey.startsWith(`${NAMESPACE}:`)) continue;
    const path = fullKey.slice(NAMESPACE.length + 1).split(".");
    if (path.some((p) => FORBIDDEN_SEGMENTS.has(p))) {
      problems.push({ key: fullKey, message: "is not a known InfraSage setting", fix: "remove it" });
      continue;
    }
    if (isBlank(value)) {
      problems.push({ key: fullKey, message: "is empty", fix: `set a value after ${fullKey}:, or remove the line` });
      continue;
    }
    let node = out;
    let conflict = false;
    for (const [i, part] of path.slice(0, -1).entries()) {
      const next = Object.hasOwn(node, part) ? node[part] : undefined;
      if (next === undefined) node[part] = {};
      else if (!isMapping(next)) {
        problems.push({
          key: fullKey,
          message: `conflicts with the value of ${originOf(origins, path.slice(0, i + 1))}`,
          fix: "set the key once, either nested or dotted",
        });
        conflict = true;
        break;
      }
      node = node[part] as Record<string, unknown>;
    }
    if (conflict) continue;
    mergeSetting(node, path, decodeConfigValue(value), fullKey, origins, problems);
  }
  return out;
}

const isMapping = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** The raw key that set `path` (or the nearest map above it). */
export function originOf(origins: ReadonlyMap<string, string>, path: readonly string[]): string {
  for (let n = path.length; n > 0; n--) {
    const o = origins.get(path.slice(0, n).join("."));
    if (o !== undefined) return o;
  }
  return `${NAMESPACE}:${path.join(".")}`;
}

/**
 * Sets `path` (the last segment in `node`) to `value`, merging maps key by key: a setting both
 * spellings give (`nodeGroups: {spot: {desiredSize}}` and `nodeGroups.spot.desiredSize`) is an error
 * naming both, whichever comes first; settings only one of them gives are kept.
 */
function mergeSetting(
  node: Record<string, unknown>,
  path: readonly string[],
  value: unknown,
  fullKey: string,
  origins: Map<string, string>,
  problems: ConfigProblem[],
): void {
  const leaf = path[path.length - 1]!;
  const existing = Object.hasOwn(node, leaf) ? node[leaf] : undefined;
  if (existing === undefined) {
    // defineProperty: a `__proto__` key inside a JSON value stays a plain key (zod then reports it).
    Object.defineProperty(node, leaf, { value, enumerable: true, writable: true, configurable: true });
    origins.set(path.join("."), fullKey);
  } else if (isMapping(existing) && isMapping(value)) {
    for (const [k, v] of Object.entries(value)) {
      mergeSetting(existing, [...path, k], v, fullKey, origins, problems);
    }
  } else {
    const first = originOf(origins, path);
    problems.push({
      key: `${NAMESPACE}:${path.join(".")}`,
      message: `is set twice (nested and dotted): by ${first} and by ${fullKey}`,
      fix: "keep it in one of the two spellings, the nested map or the dotted key",
    });
  }
}
