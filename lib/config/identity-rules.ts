/**
 * The stack's identity: its name, its region (`aws:region`) and its jurisdiction agree, so a stack
 * named for a region deploys there and its data stays in the jurisdiction it states. Pure.
 */
import { findRegion, JURISDICTIONS, REGIONS, regionsIn, type Jurisdiction } from "../../policies/shared/regions";
import { isBlank } from "./collect";
import { closest, editDistance, namespacedProblems, show, type ConfigProblem } from "../rules/problems";
import type { RuleContext } from "../rules/rule-context";

const DIRECTIONS = "northeast|northwest|southeast|southwest|central|north|south|east|west";
/**
 * Any AWS-style region code (known or not) as a token: `eu-west-1`, `us-gov-west-1`, `eu_west_1`, `euwest1`, AZ
 * `eu-west-1a`.
 */
const REGION_TOKEN_RE = new RegExp(
  `(?<![a-z0-9])([a-z]{2})(?:[-_.]?(gov|iso[a-z]?))?[-_.]?(${DIRECTIONS})[-_.]?(\\d{1,2})[a-z]?(?![a-z0-9])`,
  "g",
);

/**
 * Region codes a stack name names, as whole tokens: `eu-west-1`, `prod-eu-west-1`, `eu-west-1-blue`,
 * `prod_eu_west_1`, `EU-West-1`, `euwest1` and an AZ (`eu-west-1a`) all name eu-west-1. Codes outside
 * the region table count too (`eu-west-9`): a name claiming a region is that region's stack.
 */
export function regionsNamedBy(stack: string): string[] {
  const found = [...stack.toLowerCase().matchAll(REGION_TOKEN_RE)].flatMap((m) => {
    const code = [m[1], m[2], m[3], m[4]].filter((x) => x !== undefined).join("-");
    // Written without separators (`euwest1`), only a known code counts: `mysouth2` is a name, not a region.
    return /[-_.]/.test(m[0]) || findRegion(code) ? [code] : [];
  });
  return [...new Set(found)];
}

/**
 * A stack named after a region deploys to that region; a stack whose name names none must state its
 * jurisdiction (`infrasage:jurisdiction`, checked against the region by the parser).
 */
export function stackIdentityProblems(
  stack: string,
  region: string | undefined,
  jurisdictionSet: boolean,
): ConfigProblem[] {
  const named = regionsNamedBy(stack);
  const info = region ? findRegion(region) : undefined;
  if (named.length > 1) {
    return [
      {
        key: "aws:region",
        message:
          `the stack name "${stack}" names several regions ` +
          `(${named.join(", ")}), so which one it deploys to is ambiguous`,
        fix: `name the stack after the one region it deploys to${region ? `, e.g. Pulumi.${region}.yaml` : ""}`,
      },
    ];
  }
  if (named.length === 1) {
    const want = named[0]!;
    if (region && region !== want) {
      return [
        {
          key: "aws:region",
          message:
            `is ${region}, but the stack name "${stack}" ` +
            `names ${want}${findRegion(want) ? "" : " (not a region InfraSage knows)"}: ` +
            `a stack named for a region deploys there`,
          fix: findRegion(want)
            ? `set aws:region to ${want}, or deploy ${region} from a stack named for it (e.g. Pulumi.${region}.yaml)`
            : `deploy ${region} from a stack named for it (e.g. Pulumi.${region}.yaml)`,
        },
      ];
    }
    return [];
  }
  if (jurisdictionSet) return [];
  return [
    {
      key: "infrasage:jurisdiction",
      message:
        `is required: the stack name "${stack}" names no AWS region, ` +
        `so the stack must state the jurisdiction its data stays in`,
      fix: info
        ? `set infrasage:jurisdiction to ${info.jurisdiction} (the jurisdiction ` +
          `of ${info.code}), or name the stack after its region (e.g. Pulumi.${info.code}.yaml)`
        : "set infrasage:jurisdiction to the jurisdiction of aws:region " +
          "(policies/shared/regions.ts), or name the stack after its region",
    },
  ];
}

/** The closest known region to a mistyped one (`EU-West-1`, `eu-west1`, `euwest-1`). */
function closestRegion(value: string): string | undefined {
  const squashed = value.toLowerCase().replace(/[^a-z0-9]/g, "");
  const exact = REGIONS.find((r) => r.code.replace(/-/g, "") === squashed);
  if (exact) return exact.code;
  const guess = closest(
    value.toLowerCase(),
    REGIONS.map((r) => r.code),
  );
  return guess !== undefined && editDistance(value.toLowerCase(), guess) <= 2 ? guess : undefined;
}

/** `aws:region`: set, not blank, and a region InfraSage knows (with a guess for a mistyped one). */
export function regionProblems(raw: Readonly<Record<string, string>>): ConfigProblem[] {
  const region = raw["aws:region"];
  if (region === undefined) {
    const typo = Object.keys(raw).find((k) => k.startsWith("aws:") && closest(k.slice(4), ["region"]) === "region");
    return [
      {
        key: "aws:region",
        message: `is required${typo ? ` (${typo} is set: a typo?)` : ""}`,
        fix: "set aws:region to the stack's region, e.g. eu-west-1",
      },
    ];
  }
  if (isBlank(region))
    return [{ key: "aws:region", message: "is empty", fix: "set aws:region to the stack's region, e.g. eu-west-1" }];
  if (findRegion(region)) return [];
  const guess = closestRegion(region);
  return [
    {
      key: "aws:region",
      message: `${show(region)} is not a commercial AWS region known to InfraSage`,
      fix: guess
        ? `did you mean ${guess}?`
        : "use a region from policies/shared/regions.ts (e.g. " +
          "eu-west-1, ap-south-1), or add it there with its jurisdiction",
    },
  ];
}

/** `infrasage:jurisdiction`, when set, is the jurisdiction of the stack's region. */
export function jurisdictionProblems({
  input: c,
  config,
  regionKnown,
  stackNamesRegion,
}: RuleContext): ConfigProblem[] {
  const { problems, add } = namespacedProblems();
  const asserted = c.jurisdiction?.trim().toUpperCase();
  if (regionKnown && asserted !== undefined && asserted !== "" && asserted !== config.jurisdiction) {
    const known = (JURISDICTIONS as readonly string[]).includes(asserted);
    add(
      "jurisdiction",
      `${show(c.jurisdiction)} does not match ${config.region}, which is ` +
        `in ${config.jurisdiction}` +
        (known ? "" : ` (${show(c.jurisdiction)} is not a known jurisdiction: ${JURISDICTIONS.join(", ")})`),
      known
        ? `set it to ${config.jurisdiction}${stackNamesRegion ? ", remove it" : ""}, or deploy ` +
            `to a region of ${asserted} (${regionsIn(asserted as Jurisdiction).join(", ")})`
        : `set it to ${config.jurisdiction}, the jurisdiction of ${config.region}`,
    );
  }
  return problems;
}
