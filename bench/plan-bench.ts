/**
 * `npm run bench`: offline plan time for 1, 2, 4, 8 and 16 synthetic regions (pattern 1), with the
 * ratio to one region, and the critical path of one region's resource graph vs the serial sum.
 * A benchmark, not a test: it prints numbers and asserts nothing.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { stringify } from "yaml";
import { planAll } from "../offline/plan";
import { listStackFiles } from "../offline/stack-file";
import { REGIONS } from "../lib/regions";
import { criticalPath } from "../lib/critical-path";

const SIZES = [1, 2, 4, 8, 16];

function syntheticDir(count: number): string {
  const dir = mkdtempSync(join(tmpdir(), `infrasage-bench-${count}-`));
  writeFileSync(join(dir, "Pulumi.yaml"), "name: infrasage\nruntime: nodejs\n");
  REGIONS.slice(0, count).forEach((region, i) => {
    writeFileSync(join(dir, `Pulumi.${region.code}.yaml`), stringify({
      config: {
        "aws:region": region.code,
        "infrasage:tenantId": `bench-${i}`,
        "infrasage:network": { cidr: `10.${100 + i}.0.0/16` },
      },
    }));
  });
  return dir;
}

async function main(): Promise<void> {
  const rows: string[] = ["regions  resources  seconds  ratio-to-1"];
  let base = 0;
  for (const n of SIZES) {
    const files = listStackFiles(syntheticDir(n));
    const t0 = process.hrtime.bigint();
    const result = await planAll(files);
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    if (n === 1) base = seconds;
    const resources = result.stacks.reduce((s, p) => s + p.record.resources.length, 0);
    rows.push(`${String(n).padStart(7)}  ${String(resources).padStart(9)}  ${seconds.toFixed(2).padStart(7)}  ${(seconds / base).toFixed(2).padStart(10)}`);
  }
  process.stdout.write(`Offline plan time (pattern 1)\n${rows.join("\n")}\n\n`);

  const one = await planAll(listStackFiles(syntheticDir(1)));
  const path = criticalPath(one.stacks[0]!.record.resources);
  process.stdout.write(`Critical path of one region (typical create times, lib/critical-path.ts):\n`);
  for (const step of path.chain) process.stdout.write(`  ${String(step.seconds).padStart(4)} s  ${step.type}  ${step.urn.split("::").pop()}\n`);
  process.stdout.write(`  critical path ${(path.seconds / 60).toFixed(1)} min vs ${(path.serialSeconds / 60).toFixed(1)} min if serial\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
