/**
 * The stand-in of bench/plan-vs-standin.ts: a program of N custom resources in components of 10
 * (each input depending on the one before, as a VPC's children do) run under the same mock runtime
 * as the plan (offline/run-program.ts, offline/mock-cloud.ts). No provider SDK is loaded and no policy
 * runs: the floor a plan of N resources cannot go below in one process.
 */
import * as pulumi from "@pulumi/pulumi";
import { runProgram } from "../offline/run-program";

const count = Number(process.argv[2] ?? "100");

/** A custom resource of a real type token, registered without loading its provider SDK. */
class Standin extends pulumi.CustomResource {
  constructor(name: string, props: pulumi.Inputs, opts: pulumi.CustomResourceOptions) {
    super("aws:ec2/vpc:Vpc", name, props, opts);
  }
}

class Group extends pulumi.ComponentResource {
  constructor(name: string, size: number) {
    super("bench:index:Group", name, {}, {});
    let previous: Standin | undefined;
    for (let i = 0; i < size; i++) {
      const inputs = {
        cidrBlock: `10.0.${i}.0/24`,
        tags: { Name: `${name}-${i}` },
        ...(previous ? { vpcId: previous.id } : {}),
      };
      previous = new Standin(`${name}-r${i}`, inputs, { parent: this });
    }
    this.registerOutputs({});
  }
}

void runProgram(
  () => {
    for (let g = 0; g * 10 < count; g++) new Group(`group-${g}`, Math.min(10, count - g * 10));
    return {};
  },
  { project: "bench", stack: "eu-west-1", region: "eu-west-1", config: { "aws:region": "eu-west-1" } },
).then((r) => {
  process.stdout.write(`${r.resources.length}\n`);
});
