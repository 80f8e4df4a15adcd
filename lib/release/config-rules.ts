/**
 * The release's volumes: ClickHouse's storage class is this region's, and the ClickHouse and Kafka
 * volume sizes are whole GiB a gp3 volume can hold and the workload can live in. Pure.
 */
import { findRegion } from "../../policies/shared/regions";
import { namespacedProblems, type ConfigProblem } from "../rules/problems";
import { regionsNamedBy } from "../config/identity-rules";
import type { RuleContext } from "../rules/rule-context";

/**
 * ClickHouse and Kafka volumes (gp3 EBS). At most 16 TiB: the largest gp3 volume. At least 10 GiB:
 * ClickHouse needs free space to merge parts and Kafka rolls 1 GiB log segments per partition, so a
 * smaller volume fills within hours of telemetry and the pod stops. Whole GiB only: EBS allocates
 * GiB, so `1536Mi` would silently become a 2 GiB volume.
 */
const MIN_VOLUME_GIB = 10;
const MAX_VOLUME_GIB = 16 * 1024;

function volumeSizeProblem(size: string): { message: string; fix: string } | undefined {
  const m = /^([1-9]\d*)(Mi|Gi|Ti)$/.exec(size);
  if (!m) return undefined; // the schema reports the format
  const n = Number(m[1]);
  const fix = `use a whole number of Gi between ${MIN_VOLUME_GIB}Gi and 16Ti, e.g. 500Gi`;
  if (m[2] === "Mi" && n % 1024 !== 0)
    return {
      message:
        `"${size}" is not a whole number of GiB; EBS allocates ` +
        `whole GiB, so the volume would be ${Math.ceil(n / 1024)}Gi`,
      fix,
    };
  const gib = m[2] === "Mi" ? n / 1024 : m[2] === "Gi" ? n : n * 1024;
  if (gib < MIN_VOLUME_GIB)
    return {
      message:
        `"${size}" is below the ${MIN_VOLUME_GIB}Gi minimum: the volume would fill ` +
        `within hours of telemetry (ClickHouse merges and Kafka log segments need room)`,
      fix,
    };
  if (gib > MAX_VOLUME_GIB)
    return { message: `"${size}" is more than a gp3 EBS volume holds (16Ti = ${MAX_VOLUME_GIB}Gi)`, fix };
  return undefined;
}

/** `clickhouse.storageClass` (another region's, in a copied file) and `clickhouse.size` / `kafka.size`. */
export function releaseConfigProblems({ input: c, config, regionKnown }: RuleContext): ConfigProblem[] {
  const { problems, add } = namespacedProblems();
  // A file copied from another region ("Adding a region") keeps that region's storage class: name the key.
  const otherRegions =
    c.clickhouse?.storageClass === undefined || !regionKnown
      ? []
      : regionsNamedBy(c.clickhouse.storageClass).filter((r) => r !== config.region && findRegion(r));
  if (otherRegions.length > 0) {
    add(
      "clickhouse.storageClass",
      `"${c.clickhouse!.storageClass}" is a storage class of ${otherRegions.join(", ")}, not ` +
        `of ${config.region} (the program creates gp3-${config.region}; ` +
        `the residency policies refuse another region's)`,
      `remove the key (it defaults to gp3-${config.region})`,
    );
  }
  for (const k of ["clickhouse", "kafka"] as const) {
    const size = c[k]?.size;
    const p = size === undefined ? undefined : volumeSizeProblem(size);
    if (p) add(`${k}.size`, p.message, p.fix);
  }
  return problems;
}
