/**
 * Policy pack config (`--policy-pack-config FILE`) turned into what the engine sends to the pack's
 * Configure: the same parsing, defaults, "all" override and schema validation as the Pulumi CLI
 * (pulumi/pulumi pkg/resource/analyzer/config.go: parsePolicyPackConfig, ReconcilePolicyPackConfig,
 * validatePolicyPackConfig; the CLI validates with gojsonschema, here with ajv, both JSON Schema draft 7).
 * Pure: no process, no file system.
 */
import Ajv, { type ValidateFunction } from "ajv";
import type { EnforcementLevel, PolicyInfo, ReconciledConfig } from "./analyzer";

const VALID_LEVELS: readonly string[] = ["advisory", "mandatory", "remediate", "disabled"];

interface GivenConfig {
  readonly enforcementLevel?: EnforcementLevel;
  readonly properties?: Record<string, unknown>;
}

/** A config file the CLI would refuse (`pulumi preview` stops before running anything). */
export class PolicyConfigError extends Error {}

/** parsePolicyPackConfig: `"<policy>": "<level>"` or `"<policy>": { enforcementLevel?, ...properties }`. */
export function parsePolicyPackConfig(doc: unknown): Record<string, GivenConfig> {
  if (doc === undefined || doc === null) return {};
  if (typeof doc !== "object" || Array.isArray(doc))
    throw new PolicyConfigError("policy pack config must be a JSON object of <policy name> -> level or config");
  const result: Record<string, GivenConfig> = {};
  for (const [name, value] of Object.entries(doc as Record<string, unknown>)) {
    if (typeof value === "string") {
      if (!VALID_LEVELS.includes(value))
        throw new PolicyConfigError(
          `parsing enforcement level for "${name}": "${value}" is ` +
            `not a valid enforcement level (${VALID_LEVELS.join(", ")})`,
        );
      result[name] = { enforcementLevel: value as EnforcementLevel };
    } else if (value && typeof value === "object" && !Array.isArray(value)) {
      const { enforcementLevel, ...properties } = value as Record<string, unknown>;
      if (
        enforcementLevel !== undefined &&
        (typeof enforcementLevel !== "string" || !VALID_LEVELS.includes(enforcementLevel))
      ) {
        throw new PolicyConfigError(
          `parsing enforcement level for "${name}": ${JSON.stringify(enforcementLevel)} ` +
            `is not a valid enforcement level`,
        );
      }
      result[name] = {
        ...(enforcementLevel ? { enforcementLevel: enforcementLevel as EnforcementLevel } : {}),
        ...(Object.keys(properties).length > 0 ? { properties } : {}),
      };
    } else {
      throw new PolicyConfigError(
        `parsing "${name}": ${JSON.stringify(value)} is not a valid value; must be a string or object`,
      );
    }
  }
  return result;
}

const ajv = new Ajv({ allErrors: true, strict: false });
// One compiled validator per schema: ajv caches by schema object, and each stack's run brings new objects
// (compiling them was about a sixth of a plan's CPU, and the cache grew with every run).
const validators = new Map<string, ValidateFunction>();
const validatorFor = (schema: object): ValidateFunction => {
  const key = JSON.stringify(schema);
  const known = validators.get(key);
  if (known) return known;
  const compiled = ajv.compile(schema);
  validators.set(key, compiled);
  return compiled;
};

/**
 * ReconcilePolicyPackConfig: every policy starts at its own level with its schema defaults; `all`
 * sets every level; per-policy entries override. Throws with every schema violation at once.
 */
export function reconcilePolicyConfig(
  policies: readonly PolicyInfo[],
  given: Record<string, GivenConfig>,
): ReconciledConfig {
  const result: Record<string, { enforcementLevel: EnforcementLevel; properties: Record<string, unknown> }> = {};
  for (const p of policies) {
    const defaults = Object.entries(p.configSchema?.properties ?? {})
      .filter(([, s]) => s && typeof s === "object" && "default" in (s as object))
      .map(([k, s]) => [k, (s as { default: unknown }).default]);
    result[p.name] = { enforcementLevel: p.enforcementLevel, properties: Object.fromEntries(defaults) };
  }
  const all = given.all?.enforcementLevel;
  if (all) for (const r of Object.values(result)) r.enforcementLevel = all;
  for (const [name, c] of Object.entries(given)) {
    const current = result[name] ?? { enforcementLevel: "advisory" as EnforcementLevel, properties: {} };
    result[name] = {
      enforcementLevel: c.enforcementLevel ?? current.enforcementLevel,
      properties: { ...current.properties, ...c.properties },
    };
  }
  const errors: string[] = [];
  for (const p of policies) {
    if (!p.configSchema) continue;
    const schema = {
      type: "object",
      properties: p.configSchema.properties,
      ...(p.configSchema.required.length > 0 ? { required: p.configSchema.required } : {}),
    };
    const validate = validatorFor(schema);
    if (!validate(result[p.name]?.properties ?? {})) {
      for (const e of validate.errors ?? [])
        errors.push(`${p.name}: ${e.instancePath || "(root)"} ${e.message ?? "is invalid"}`);
    }
  }
  if (errors.length > 0)
    throw new PolicyConfigError(`policy pack configuration is invalid:\n${errors.map((e) => `  - ${e}`).join("\n")}`);
  return result;
}
