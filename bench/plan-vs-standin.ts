/**
 * `npm run bench:standin [-- STACK]`: the offline plan of one stack as a whole process (what a user
 * and CI run), against a stand-in program of the same number of resources under the same mock
 * runtime (bench/standin-program.ts), as a ratio (target: at most 2). Then what `--base` adds, against
 * the cost of reading and parsing the base file. Medians of 5 interleaved runs. A benchmark: it prints numbers
 * and asserts nothing.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ROOT = join(__dirname, "..");
const TSX = join(ROOT, "node_modules", ".bin", "tsx");
const stack = process.argv[2] ?? "eu-west-1";
const RUNS = 5;

function timeProcess(args: string[]): { seconds: number; stdout: string } {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(TSX, args, { cwd: ROOT, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0 && r.status !== 1) throw new Error(`${args.join(" ")}: exit ${r.status}\n${r.stderr}`);
  return { seconds, stdout: r.stdout };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const repeat = (f: () => number) => median(Array.from({ length: RUNS }, f));

function main(): void {
  const dir = mkdtempSync(join(tmpdir(), "infrasage-bench-standin-"));
  const baseFile = join(dir, "base.json");
  const first = timeProcess(["offline/cli.ts", "--stack", stack, "--out", baseFile]);
  const doc = JSON.parse(readFileSync(baseFile, "utf8")) as { stacks: { resources: unknown[] }[] };
  const resources = doc.stacks[0]!.resources.length;
  void first;

  // Interleaved, so that load from other processes on the machine falls on all three alike.
  const times: { plan: number[]; standin: number[]; withBase: number[] } = { plan: [], standin: [], withBase: [] };
  for (let i = 0; i < RUNS; i++) {
    times.plan.push(timeProcess(["offline/cli.ts", "--stack", stack, "--json"]).seconds);
    const r = timeProcess(["bench/standin-program.ts", String(resources)]);
    if (Number(r.stdout.trim()) < resources) throw new Error(`stand-in registered ${r.stdout.trim()} of ${resources}`);
    times.standin.push(r.seconds);
    times.withBase.push(timeProcess(["offline/cli.ts", "--stack", stack, "--json", "--base", baseFile]).seconds);
  }
  const [plan, standin, withBase] = [median(times.plan), median(times.standin), median(times.withBase)];
  const read = repeat(() => {
    const t0 = process.hrtime.bigint();
    JSON.parse(readFileSync(baseFile, "utf8"));
    return Number(process.hrtime.bigint() - t0) / 1e9;
  });

  const ratio = plan / standin;
  process.stdout.write(
    [
      `Offline plan of ${stack} (${resources} resources), whole process, median of ${RUNS}`,
      `  plan --json                 ${plan.toFixed(2)} s`,
      `  stand-in, same resources    ${standin.toFixed(2)} s   ` +
        `(bench/standin-program.ts: same mock runtime, no provider SDK, no policies)`,
      `  ratio                       ${ratio.toFixed(2)}   (target <= 2: ${ratio <= 2 ? "met" : "NOT met"})`,
      `  plan --json --base          ${withBase.toFixed(2)} s   (adds ${(withBase - plan).toFixed(2)} s)`,
      `  reading the base file       ${read.toFixed(3)} s   (${(readFileSync(baseFile).length / 1024).toFixed(0)} KiB)`,
      "",
    ].join("\n"),
  );
}

main();
