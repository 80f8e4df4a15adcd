/**
 * The KMS key the stack's CloudWatch log groups are encrypted with (control plane, VPC flow logs, CI
 * runner): customer-managed, rotated, usable by CloudWatch Logs of this account and region only.
 * The key policy is the one the CloudWatch Logs user guide gives ("Encrypt log data in CloudWatch
 * Logs using AWS KMS"): the account administers the key; the logs service may use it for log groups
 * of this account and region (encryption-context condition).
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "../aws/sdk";
import { logsKeyPolicy } from "../../lib/cluster/cluster-plan";

export interface LogsKeyArgs {
  readonly stack: string;
  readonly region: string;
  readonly tags: Readonly<Record<string, string>>;
}

export class LogsKey extends pulumi.ComponentResource {
  public readonly arn: pulumi.Output<string>;

  constructor(name: string, args: LogsKeyArgs, opts?: pulumi.ComponentResourceOptions) {
    super("infrasage:logs:LogsKey", name, {}, opts);
    const account = aws.getCallerIdentityOutput({}, { parent: this });
    const key = new aws.kms.Key(
      `${name}-key`,
      {
        description: `CloudWatch Logs encryption for InfraSage stack ${args.stack}`,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        policy: account.accountId.apply((accountId) => JSON.stringify(logsKeyPolicy(accountId, args.region))),
        tags: { ...args.tags },
      },
      { parent: this },
    );
    this.arn = key.arn;
    this.registerOutputs({ arn: this.arn });
  }
}
