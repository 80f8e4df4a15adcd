/**
 * `npm run bench`: offline plan time for 1, 2, 4, 8 and 16 synthetic regions (pattern 1) and for an
 * active-active group, with the ratio to one region, and the critical path of one region's resource
 * graph vs the serial sum.
 * A benchmark, not a test: it prints numbers and asserts nothing.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { stringify } from "yaml";
import { planAll } from "../offline/plan";
import { listStackFiles } from "../offline/stack-file";
import { REGIONS, regionsIn } from "../policies/shared/regions";
import { criticalPath } from "../lib/deploy/critical-path";

const SIZES = [1, 2, 4, 8, 16];

function syntheticDir(count: number): string {
  const dir = mkdtempSync(join(tmpdir(), `infrasage-bench-${count}-`));
  writeFileSync(join(dir, "Pulumi.yaml"), "name: infrasage\nruntime: nodejs\n");
  REGIONS.slice(0, count).forEach((region, i) => {
    writeFileSync(
      join(dir, `Pulumi.${region.code}.yaml`),
      stringify({
        config: {
          "aws:region": region.code,
          "infrasage:tenantId": `bench-${i}`,
          "infrasage:network": { cidr: `10.${100 + i}.0.0/16` },
        },
      }),
    );
  });
  return dir;
}

/** An active-active group of `count` EU regions (a group never leaves one jurisdiction: at most 6). */
function activeActiveDir(count: number): string {
  const dir = mkdtempSync(join(tmpdir(), `infrasage-bench-aa-${count}-`));
  writeFileSync(join(dir, "Pulumi.yaml"), "name: infrasage\nruntime: nodejs\n");
  const members = regionsIn("EU").slice(0, count);
  members.forEach((region, i) => {
    writeFileSync(
      join(dir, `Pulumi.${region}.yaml`),
      stringify({
        config: {
          "aws:region": region,
          "infrasage:tenantId": `bench-aa-${i}`,
          "infrasage:pattern": "active-active",
          "infrasage:network": { cidr: `10.${150 + i}.0.0/16` },
          // Odd voter total: one member runs 2 when the group size is even.
          "infrasage:replication": {
            peers: members.filter((m) => m !== region).map((m) => `bench/infrasage/${m}`),
            keeperVoters: i === 0 && count % 2 === 0 ? 2 : 1,
          },
        },
      }),
    );
  });
  return dir;
}

async function timePlan(dir: string): Promise<{ seconds: number; resources: number }> {
  const files = listStackFiles(dir);
  const t0 = process.hrtime.bigint();
  const result = await planAll(files);
  return {
    seconds: Number(process.hrtime.bigint() - t0) / 1e9,
    resources: result.stacks.reduce((s, p) => s + p.record.resources.length, 0),
  };
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
    rows.push(
      `${String(n).padStart(7)}  ${String(resources).padStart(9)}  ` +
        `${seconds.toFixed(2).padStart(7)}  ${(seconds / base).toFixed(2).padStart(10)}`,
    );
  }
  process.stdout.write(`Offline plan time (pattern 1)\n${rows.join("\n")}\n\n`);

  const aaRows: string[] = ["members  resources  seconds  ratio-to-1-region"];
  for (const n of SIZES) {
    if (n < 2 || n > regionsIn("EU").length) {
      aaRows.push(
        `${String(n).padStart(7)}  n/a: a group has 2 to ${regionsIn("EU").length} members (one jurisdiction)`,
      );
      continue;
    }
    const { seconds, resources } = await timePlan(activeActiveDir(n));
    aaRows.push(
      `${String(n).padStart(7)}  ${String(resources).padStart(9)}  ` +
        `${seconds.toFixed(2).padStart(7)}  ${(seconds / base).toFixed(2).padStart(17)}`,
    );
  }
  process.stdout.write(
    `Offline plan time (active-active group, StackReferences resolved by repeated passes)\n${aaRows.join("\n")}\n\n`,
  );

  const one = await planAll(listStackFiles(syntheticDir(1)));
  const path = criticalPath(one.stacks[0]!.record.resources);
  process.stdout.write(`Critical path of one region (typical create times, lib/deploy/critical-path.ts):\n`);
  for (const step of path.chain)
    process.stdout.write(`  ${String(step.seconds).padStart(4)} s  ${step.type}  ${step.urn.split("::").pop()}\n`);
  process.stdout.write(
    `  critical path ${(path.seconds / 60).toFixed(1)} min vs ${(path.serialSeconds / 60).toFixed(1)} min if serial\n`,
  );
}

main().catch((e: unknown) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
