/**
 * `tsx scripts/check-policy-pack.ts DIR`: starts the policy pack in DIR as the Pulumi CLI does
 * (offline/analyzer.ts: run-policy-pack from DIR, ts-node type-checked) and prints how many
 * policies it serves. CI runs it on a copy of policies/ installed from its own lock file, i.e. the
 * folder `pulumi policy publish` uploads. Exit 0 when the pack starts and serves the same policies
 * as policies/rules/all.ts; exit 1 otherwise, with the pack's own error on stderr.
 */
import { resolve } from "node:path";
import { PolicyAnalyzer } from "../offline/analyzer";
import { ALL_POLICIES } from "../policies/rules/all";

async function main(dir: string | undefined): Promise<number> {
  if (!dir) {
    console.error("usage: tsx scripts/check-policy-pack.ts DIR");
    return 1;
  }
  const analyzer = await PolicyAnalyzer.start(resolve(dir));
  try {
    const served = analyzer.info.policies.map((p) => p.name).sort();
    console.log(`policy pack ${analyzer.info.name} (${resolve(dir)}): ${served.length} policies`);
    const expected = ALL_POLICIES.map((p) => p.name).sort();
    if (JSON.stringify(served) !== JSON.stringify(expected)) {
      console.error(`expected the ${expected.length} policies of policies/rules/all.ts: ${expected.join(", ")}`);
      return 1;
    }
    return 0;
  } finally {
    analyzer.close();
  }
}

main(process.argv[2]).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  },
);
