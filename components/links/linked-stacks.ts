/**
 * Reading the stacks a stack links to (hub and spokes, shared-Grafana host and sources), through the
 * transport its config names (lib/links/contract.ts): a StackReference (same backend), or the other
 * side's published link contract, SSM parameters in that stack's region read with a data source (state
 * in separate backends). Both answer "not deployed" the same way: no outputs. And the contract's
 * publishing side.
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "../aws/sdk";
import type { StackConfig } from "../../lib/config/types";
import { parseStackRef } from "../../lib/links/references";
import {
  CONTRACT_KEYS,
  contractParameterName,
  contractPath,
  parameterTier,
  readContract,
  regionOfRef,
  spokeCredentialSecretName,
  type ContractKey,
} from "../../lib/links/contract";

/** What the reader gets: the other stack's outputs (undefined = not deployed) and, for a spoke, its credential. */
export interface LinkedStack {
  readonly outputs?: Record<string, unknown>;
  /** The spoke's credential issued by this hub (a secret), when the hub issued one. */
  readonly credential?: (spokeStack: string) => pulumi.Output<string>;
}

/** Reads `keys` of the stack `ref` (undefined outputs = not deployed). `name` names the StackReference. */
export async function readLinkedStack(
  config: StackConfig,
  name: string,
  ref: string,
  keys: readonly string[],
  opts: pulumi.InvokeOptions,
): Promise<LinkedStack> {
  if (config.links.via === "ssm") return readContractOf(config, ref, keys, opts);
  const reference = new pulumi.StackReference(name, { name: ref });
  const details = await Promise.all(keys.map((k) => reference.getOutputDetails(k)));
  const found = keys.flatMap((k, i) => {
    const v = details[i]?.value ?? details[i]?.secretValue;
    return v === undefined ? [] : [[k, v] as const];
  });
  return {
    ...(found.length > 0 ? { outputs: Object.fromEntries(found) } : {}),
    // Read again as an Output: the credential stays a Pulumi secret end to end.
    credential: (spoke) =>
      pulumi.secret(
        reference.requireOutput("spokeCredentials").apply((m) => String((m as Record<string, unknown>)[spoke])),
      ),
  };
}

/** The contract the other stack published in its own region; its credential for this spoke from Secrets Manager. */
async function readContractOf(
  config: StackConfig,
  ref: string,
  keys: readonly string[],
  opts: pulumi.InvokeOptions,
): Promise<LinkedStack> {
  const { project, stack } = parseStackRef(ref);
  const region = regionOfRef(ref, config.links);
  if (!region) throw new Error(`links: the region of ${ref} is unknown; set infrasage:links.regions.${stack}`);
  const path = contractPath(project, stack);
  const published = await aws.ssm.getParametersByPath({ path, region }, opts);
  const contract = readContract(path, published.names, published.values);
  const outputs: Record<string, unknown> = Object.fromEntries(
    Object.entries(contract ?? {}).filter(([k]) => keys.includes(k)),
  );
  // A hub issues this spoke's credential as a secret in its own region; whether it exists is not secret.
  const secretName = spokeCredentialSecretName(project, stack, config.stack);
  if (keys.includes("spokeCredentials")) {
    const secrets = await aws.secretsmanager.getSecrets(
      { filters: [{ name: "name", values: [secretName] }], region },
      opts,
    );
    if (secrets.names.includes(secretName)) outputs.spokeCredentials = { [config.stack]: true };
  }
  return {
    ...(Object.keys(outputs).length > 0 ? { outputs } : {}),
    credential: () =>
      pulumi.secret(aws.secretsmanager.getSecretVersionOutput({ secretId: secretName, region }, opts).secretString),
  };
}

export interface LinkContractArgs {
  readonly project: string;
  readonly stack: string;
  /** The contract: stack outputs peers read (never secrets). */
  readonly values: Partial<Record<ContractKey, pulumi.Input<unknown>>>;
  readonly tags: Readonly<Record<string, string>>;
}

/** Publishes this stack's link contract as SSM parameters in its own region (one per key). */
export class LinkContract extends pulumi.ComponentResource {
  constructor(name: string, args: LinkContractArgs, opts?: pulumi.ComponentResourceOptions) {
    super("infrasage:links:LinkContract", name, {}, opts);
    for (const key of CONTRACT_KEYS) {
      const value = args.values[key];
      if (value === undefined) continue;
      const json = pulumi.output(value).apply((v) => JSON.stringify(v));
      new aws.ssm.Parameter(
        `${name}-${key}`,
        {
          name: contractParameterName(args.project, args.stack, key),
          type: "String",
          // Not a secret (reviewers must see it): `value` would be stored and shown as one.
          insecureValue: json,
          tier: json.apply(parameterTier),
          description: `InfraSage link contract of ${args.stack}: ${key} (read by linked stacks in other backends)`,
          tags: { ...args.tags, Purpose: "link-contract" },
        },
        { parent: this },
      );
    }
    this.registerOutputs({});
  }
}

/** A hub's credential for one spoke, as a secret in the hub's region (the spoke reads it with a data source). */
export function publishSpokeCredential(
  name: string,
  args: {
    project: string;
    hubStack: string;
    spokeStack: string;
    credential: pulumi.Input<string>;
    tags: Readonly<Record<string, string>>;
  },
  opts: pulumi.CustomResourceOptions,
): void {
  const secret = new aws.secretsmanager.Secret(
    name,
    {
      name: spokeCredentialSecretName(args.project, args.hubStack, args.spokeStack),
      description: `Alert-forwarding credential of spoke ${args.spokeStack} for hub ${args.hubStack}`,
      // A fixed name: no recovery window, so a hub deployed again after destroy can create it again.
      recoveryWindowInDays: 0,
      tags: { ...args.tags, Purpose: "alert-federation" },
    },
    opts,
  );
  new aws.secretsmanager.SecretVersion(
    `${name}-value`,
    { secretId: secret.name, secretString: pulumi.secret(args.credential) },
    opts,
  );
}
