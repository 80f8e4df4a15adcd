/**
 * What deployed stacks publish for stacks in other backends (lib/links/contract.ts): their SSM
 * parameters and Secrets Manager secrets, by `<region>|<name>`, taken from each stack's plan record
 * after its (offline) deployment. The mock cloud's data sources read them.
 */
import type { Published } from "./mock-cloud";
import type { ProgramRecord } from "./run-program";

const PARAMETER = "aws:ssm/parameter:Parameter";
const SECRET_VERSION = "aws:secretsmanager/secretVersion:SecretVersion";

export class PublishedStore {
  private readonly byStack = new Map<string, Published>();

  /** Replaces what `stack` published with what its latest deployment holds. */
  deploy(stack: string, record: ProgramRecord): void {
    const parameters = new Map<string, string>();
    const secrets = new Map<string, string>();
    for (const r of record.resources) {
      const region = r.region ?? "";
      const value = r.rawInputs.insecureValue ?? r.rawInputs.value;
      if (r.type === PARAMETER && typeof r.rawInputs.name === "string" && typeof value === "string")
        parameters.set(`${region}|${r.rawInputs.name}`, value);
      if (
        r.type === SECRET_VERSION &&
        typeof r.rawInputs.secretId === "string" &&
        typeof r.rawInputs.secretString === "string"
      )
        secrets.set(`${region}|${r.rawInputs.secretId}`, r.rawInputs.secretString);
    }
    this.byStack.set(stack, { parameters, secrets });
  }

  /** Everything published so far. */
  view(): Published {
    const all = [...this.byStack.values()];
    return {
      parameters: new Map(all.flatMap((p) => [...p.parameters])),
      secrets: new Map(all.flatMap((p) => [...p.secrets])),
    };
  }
}
