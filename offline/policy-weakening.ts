/**
 * Policy config that weakens residency. CI passes `policies/config/<stack>.json` from the pull
 * request's own tree as `--policy-pack-config`, so a pull request could switch a residency rule off,
 * exempt everything from it, move the home region or map a region into another jurisdiction, and the
 * policy run would then pass. Each such setting is a mandatory finding of the plan, unless the owners
 * of `policies/` (CODEOWNERS) accepted it in `policies/accepted-weakenings.yaml` with a reason and a
 * ticket; then it is advisory and names the acceptance. Residency rules are the pack's rules tagged
 * `residency` (policies/rules/framework.ts). Pure, except loadAcceptedWeakenings (reads the file).
 */
import { existsSync, readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { closest } from "../lib/rules/problems";
import { exemptionFor, type Exemption } from "../policies/rules/framework";
import { jurisdictionOf } from "../policies/shared/regions";
import { parsePolicyPackConfig, PolicyConfigError } from "./policy-config";
import type { Violation } from "./policy-runner";
import { OFFLINE_ONLY } from "./update-order";

/** Pseudo-policy name of the finding. */
export const WEAKENING_POLICY = "policy-config-weakening";
/** Where reviewers declare accepted weakenings, relative to the repository root. */
export const ACCEPTED_WEAKENINGS_FILE = "policies/accepted-weakenings.yaml";
/** Levels at which a rule no longer stops anything. */
const WEAK_LEVELS: ReadonlySet<string> = new Set(["advisory", "disabled"]);
/** A name no resource has: an exemption that matches it matches whatever the name. */
const PROBE_NAME = "no-such-resource-name-3f9c";

export interface PackPolicy {
  readonly name: string;
  readonly tags?: readonly string[];
}

/** One setting that weakens a residency rule. */
export interface Weakening {
  /** The policy config file. */
  readonly file: string;
  readonly stack: string;
  /** The config's entry: a policy name, or `all`. */
  readonly policy: string;
  /** `enforcementLevel`, `exemptions`, `homeRegion` or `jurisdictions.<region>`. */
  readonly setting: string;
  /** The weakening value: the level, the URN glob, the region, the jurisdiction. */
  readonly value: string;
  /** What it weakens, in words. */
  readonly what: string;
}

export interface AcceptedWeakening {
  readonly stack: string;
  readonly policy: string;
  readonly setting: string;
  readonly value: string;
  readonly reason: string;
  readonly ticket: string;
}

/** Bad input: the CLI exits 2 with this message (it names the file). */
export class PolicyWeakeningError extends Error {}

/**
 * Config entries that name no policy of the pack (`all` is the engine's own). Pulumi accepts them
 * (pulumi/pulumi pkg/resource/analyzer/config.go: applyConfig adds any name, validatePolicyPackConfig
 * checks only the pack's policies) and no policy reads them, so a typo would silently leave the
 * intended setting off: an error here.
 */
export function unknownPolicyNames(file: string, doc: unknown, policies: readonly PackPolicy[]): void {
  try {
    parsePolicyPackConfig(doc); // levels and shapes as the CLI parses them, named by file
  } catch (e) {
    if (e instanceof PolicyConfigError) throw new PolicyWeakeningError(`${file}: ${e.message}`);
    throw e;
  }
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) return;
  const known = policies.map((p) => p.name);
  for (const name of Object.keys(doc)) {
    if (name === "all" || known.includes(name)) continue;
    const guess = closest(name, known);
    throw new PolicyWeakeningError(
      `${file}: "${name}" is not a policy of the ` +
        `pack; ${guess ? `did you mean "${guess}"?` : `known policies: ${known.join(", ")}`} ` +
        `(pulumi accepts unknown names and no policy reads them, so the setting would do nothing)`,
    );
  }
}

export interface StackUnderPolicy {
  readonly stack: string;
  /** The stack's home region (its AWS provider's). */
  readonly region: string;
  /** URNs of the stack's resources: an exemption matching one of them whatever its name covers the type. */
  readonly urns: readonly string[];
}

/** Every residency-weakening setting of one policy config document for one stack. */
export function weakeningsOf(
  file: string,
  doc: unknown,
  policies: readonly PackPolicy[],
  target: StackUnderPolicy,
): Weakening[] {
  let given: ReturnType<typeof parsePolicyPackConfig>;
  try {
    given = parsePolicyPackConfig(doc);
  } catch (e) {
    if (e instanceof PolicyConfigError) throw new PolicyWeakeningError(`${file}: ${e.message}`);
    throw e;
  }
  const residency = policies.filter((p) => p.tags?.includes("residency")).map((p) => p.name);
  const out: Weakening[] = [];
  const w = (policy: string, setting: string, value: string, what: string) =>
    out.push({ file, stack: target.stack, policy, setting, value, what });

  const all = given.all?.enforcementLevel;
  if (all !== undefined && WEAK_LEVELS.has(all)) {
    const affected = residency.filter((name) => given[name]?.enforcementLevel === undefined);
    if (affected.length > 0)
      w(
        "all",
        "enforcementLevel",
        all,
        `sets every policy to ${all}, the residency rules ${affected.join(", ")} ` +
          `included: their violations no longer stop a preview or an update`,
      );
  }
  for (const name of residency) {
    const c = given[name];
    if (!c) continue;
    if (c.enforcementLevel !== undefined && WEAK_LEVELS.has(c.enforcementLevel)) {
      w(
        name,
        "enforcementLevel",
        c.enforcementLevel,
        `${c.enforcementLevel === "disabled" ? "turns off" : "makes advisory"} ` +
          `residency rule ${name}: its violations no longer stop a preview or an update`,
      );
    }
    const props = c.properties ?? {};
    for (const e of Array.isArray(props.exemptions) ? (props.exemptions as Exemption[]) : []) {
      const broad = broadExemption(e, target.urns);
      if (broad) w(name, "exemptions", String(e.urn), `exempts ${broad} from residency rule ${name}`);
    }
    if (typeof props.homeRegion === "string" && props.homeRegion !== target.region) {
      w(
        name,
        "homeRegion",
        props.homeRegion,
        `moves the home region of residency rule ${name} from ${target.region} to ${props.homeRegion}`,
      );
    }
    if (props.jurisdictions && typeof props.jurisdictions === "object") {
      for (const [region, j] of Object.entries(props.jurisdictions as Record<string, unknown>)) {
        const builtIn = jurisdictionOf(region);
        if (builtIn !== undefined && builtIn !== j)
          w(
            name,
            `jurisdictions.${region}`,
            String(j),
            `maps ${region} to jurisdiction ${String(j)} for residency ` +
              `rule ${name}, where policies/shared/regions.ts has ${builtIn}`,
          );
      }
    }
  }
  return out;
}

/**
 * What an exemption covers beyond named resources, or undefined for a named one: a glob whose name
 * part is only wildcards (`*`, `urn:pulumi:*::*::aws:s3/bucket:Bucket::*`), or one that matches a
 * resource of the stack under any name (every resource of that type). The pack's own matcher decides.
 * An exemption without a reason is ignored by the pack, so it weakens nothing.
 */
function broadExemption(e: Exemption, urns: readonly string[]): string | undefined {
  if (!e || typeof e.urn !== "string" || typeof e.reason !== "string" || e.reason.trim() === "") return undefined;
  const namePart = e.urn.split("::").pop() ?? e.urn;
  if (/^[*?]*$/.test(namePart)) return `every resource matching ${e.urn} whatever its name`;
  const covered = new Set<string>();
  for (const urn of urns) {
    const probe = `${urn.slice(0, urn.lastIndexOf("::") + 2)}${PROBE_NAME}`;
    if (exemptionFor({ exemptions: [e] }, probe)) covered.add(typeOfUrn(urn));
  }
  return covered.size > 0
    ? `every resource of type ${[...covered].sort().join(", ")} (${e.urn} matches them whatever their name)`
    : undefined;
}

/** The resource's own type (the last of the URN's parent$child type chain). */
function typeOfUrn(urn: string): string {
  const parts = urn.split("::");
  return (parts[parts.length - 2] ?? "").split("$").pop() ?? "";
}

/** Reads the accepted weakenings (none when the file does not exist); malformed entries are errors. */
export function loadAcceptedWeakenings(path: string): AcceptedWeakening[] {
  if (!existsSync(path)) return [];
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(path, "utf8"));
  } catch (e) {
    throw new PolicyWeakeningError(`${path}: not valid YAML: ${(e as Error).message.split("\n")[0]}`);
  }
  if (doc === null || doc === undefined) return [];
  if (typeof doc !== "object" || Array.isArray(doc))
    throw new PolicyWeakeningError(`${path}: must be a mapping with one key, accepted: a list of entries`);
  const unknownTop = Object.keys(doc).filter((k) => k !== "accepted");
  if (unknownTop.length > 0)
    throw new PolicyWeakeningError(`${path}: unknown key ${unknownTop[0]}; the file has one key, accepted`);
  const list = (doc as Record<string, unknown>).accepted;
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list))
    throw new PolicyWeakeningError(
      `${path}: accepted must be a list of { stack, policy, setting, value, reason, ticket }`,
    );
  return list.map((entry, i) => acceptedEntry(path, entry, i));
}

const ACCEPTED_KEYS = ["stack", "policy", "setting", "value", "reason", "ticket"] as const;

/** One entry of accepted: every key present, text, and nothing else (a misspelt key would never match). */
function acceptedEntry(path: string, entry: unknown, i: number): AcceptedWeakening {
  const at = `${path}: accepted[${i}]`;
  if (!entry || typeof entry !== "object" || Array.isArray(entry))
    throw new PolicyWeakeningError(`${at} must be a mapping { stack, policy, setting, value, reason, ticket }`);
  const e = entry as Record<string, unknown>;
  const unknown = Object.keys(e).filter((k) => !(ACCEPTED_KEYS as readonly string[]).includes(k));
  if (unknown.length > 0)
    throw new PolicyWeakeningError(`${at}.${unknown[0]} is not a key of an entry; use ${ACCEPTED_KEYS.join(", ")}`);
  for (const key of ACCEPTED_KEYS) {
    const v = e[key];
    if (v === undefined || v === null || (typeof v === "string" && v.trim() === ""))
      throw new PolicyWeakeningError(
        `${at}.${key} is missing; give it (stack, policy, setting and ` +
          `value as the plan's finding prints them, the reason and the ticket)`,
      );
    if (typeof v !== "string")
      throw new PolicyWeakeningError(`${at}.${key} must be text; quote it (${key}: "${String(v)}")`);
  }
  if ((e.reason as string).trim().length < 10)
    throw new PolicyWeakeningError(`${at}.reason must say why (at least 10 characters)`);
  return Object.fromEntries(ACCEPTED_KEYS.map((k) => [k, e[k]])) as unknown as AcceptedWeakening;
}

/** The findings: mandatory, or advisory where an accepted entry matches stack, policy, setting and value. */
export function weakeningViolations(
  weakenings: readonly Weakening[],
  accepted: readonly AcceptedWeakening[],
  acceptedFile = ACCEPTED_WEAKENINGS_FILE,
): Violation[] {
  return weakenings.map((w) => {
    const ok = accepted.find(
      (a) => a.stack === w.stack && a.policy === w.policy && a.setting === w.setting && a.value === w.value,
    );
    const head = `${w.file}: "${w.policy}" ${w.setting} = ${JSON.stringify(w.value)} ${w.what}`;
    if (ok)
      return {
        policy: WEAKENING_POLICY,
        level: "advisory",
        enforcedAt: OFFLINE_ONLY,
        message: `${head}; accepted in ${acceptedFile}: ${ok.reason} (${ok.ticket})`,
      };
    return {
      policy: WEAKENING_POLICY,
      level: "mandatory",
      enforcedAt: OFFLINE_ONLY,
      message:
        `${head}. Fix: remove it, or have the owners of policies/ (.github/CODEOWNERS) accept it in ${acceptedFile}: ` +
        `{ stack: ${w.stack}, policy: ${w.policy}, setting: ${w.setting}, ` +
        `value: ${JSON.stringify(w.value)}, reason: <why>, ticket: <ticket> }`,
    };
  });
}
