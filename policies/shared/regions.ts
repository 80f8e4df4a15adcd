/**
 * The one region -> jurisdiction table. The program, the policy pack, the offline plan and the
 * tests all import it: adding a region here is the only change needed to support it.
 *
 * A jurisdiction is the legal area telemetry must stay in. EU regions are the ones in EU member
 * states; the UK and Switzerland are their own jurisdictions (outside the EU, adequacy decisions
 * aside), as is every other country. Only the commercial `aws` partition is listed: GovCloud, China
 * and the European Sovereign Cloud are separate partitions with their own accounts.
 */

export type Jurisdiction =
  | "US"
  | "CA"
  | "MX"
  | "BR"
  | "EU"
  | "UK"
  | "CH"
  | "IN"
  | "JP"
  | "KR"
  | "SG"
  | "AU"
  | "ID"
  | "MY"
  | "NZ"
  | "TH"
  | "HK"
  | "TW"
  | "BH"
  | "AE"
  | "IL"
  | "ZA";

export interface RegionInfo {
  /** AWS region code, e.g. `eu-west-1`. */
  readonly code: string;
  /** Legal area the region's data must stay in. */
  readonly jurisdiction: Jurisdiction;
  /** Human name, for plan output and docs. */
  readonly location: string;
  /** Suffixes of the AZs offered to new accounts (`a` -> `eu-west-1a`). */
  readonly azSuffixes: readonly string[];
}

const r = (code: string, jurisdiction: Jurisdiction, location: string, azSuffixes = "abc"): RegionInfo => ({
  code,
  jurisdiction,
  location,
  azSuffixes: [...azSuffixes],
});

/** All commercial AWS regions (aws partition), as of 2026. */
export const REGIONS: readonly RegionInfo[] = [
  r("us-east-1", "US", "N. Virginia", "abcdef"),
  r("us-east-2", "US", "Ohio"),
  r("us-west-1", "US", "N. California", "ac"),
  r("us-west-2", "US", "Oregon", "abcd"),
  r("ca-central-1", "CA", "Canada Central", "abd"),
  r("ca-west-1", "CA", "Calgary"),
  r("mx-central-1", "MX", "Mexico Central"),
  r("sa-east-1", "BR", "São Paulo"),
  r("eu-west-1", "EU", "Ireland"),
  r("eu-west-3", "EU", "Paris"),
  r("eu-central-1", "EU", "Frankfurt"),
  r("eu-north-1", "EU", "Stockholm"),
  r("eu-south-1", "EU", "Milan"),
  r("eu-south-2", "EU", "Spain"),
  r("eu-west-2", "UK", "London"),
  r("eu-central-2", "CH", "Zurich"),
  r("ap-south-1", "IN", "Mumbai"),
  r("ap-south-2", "IN", "Hyderabad"),
  r("ap-northeast-1", "JP", "Tokyo", "acd"),
  r("ap-northeast-3", "JP", "Osaka"),
  r("ap-northeast-2", "KR", "Seoul", "abcd"),
  r("ap-southeast-1", "SG", "Singapore"),
  r("ap-southeast-2", "AU", "Sydney"),
  r("ap-southeast-4", "AU", "Melbourne"),
  r("ap-southeast-3", "ID", "Jakarta"),
  r("ap-southeast-5", "MY", "Malaysia"),
  r("ap-southeast-6", "NZ", "New Zealand"),
  r("ap-southeast-7", "TH", "Thailand"),
  r("ap-east-1", "HK", "Hong Kong"),
  r("ap-east-2", "TW", "Taipei"),
  r("me-south-1", "BH", "Bahrain"),
  r("me-central-1", "AE", "UAE"),
  r("il-central-1", "IL", "Tel Aviv"),
  r("af-south-1", "ZA", "Cape Town"),
];

const BY_CODE: ReadonlyMap<string, RegionInfo> = new Map(REGIONS.map((x) => [x.code, x]));

/** All jurisdiction codes that have at least one region. */
export const JURISDICTIONS: readonly Jurisdiction[] = [...new Set(REGIONS.map((x) => x.jurisdiction))];

export function findRegion(code: string): RegionInfo | undefined {
  return BY_CODE.get(code);
}

/** Jurisdiction of a region, or undefined for a region outside the table. */
export function jurisdictionOf(code: string): Jurisdiction | undefined {
  return BY_CODE.get(code)?.jurisdiction;
}

/** Full AZ names of a region (`eu-west-1a`, ...), first `count` of them. */
export function availabilityZonesOf(code: string, count?: number): string[] {
  const info = BY_CODE.get(code);
  if (!info) return [];
  const names = info.azSuffixes.map((s) => `${code}${s}`);
  return count === undefined ? names : names.slice(0, count);
}

/** Regions of one jurisdiction, in table order. */
export function regionsIn(jurisdiction: Jurisdiction): string[] {
  return REGIONS.filter((x) => x.jurisdiction === jurisdiction).map((x) => x.code);
}
