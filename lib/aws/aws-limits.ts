/**
 * What AWS rejects at create time and the mock runtime never does: physical name lengths after
 * Pulumi's auto-name suffix, and tag limits. Pure: resources are plain `{ type, name, rawInputs }`.
 */
import type { PlannedResource } from "./planned-resource";

interface NameLimit {
  /** Input property holding the physical name. */
  readonly prop: string;
  readonly max: number;
  /** Whether Pulumi auto-names it when `prop` is not set. */
  readonly autoNamed: boolean;
  readonly pattern?: RegExp;
}

/** Documented AWS limits, by resource type. */
const NAME_LIMITS: Readonly<Record<string, NameLimit>> = {
  "aws:iam/role:Role": { prop: "name", max: 64, autoNamed: true, pattern: /^[\w+=,.@-]+$/ },
  "aws:iam/policy:Policy": { prop: "name", max: 128, autoNamed: true },
  "aws:iam/rolePolicy:RolePolicy": { prop: "name", max: 128, autoNamed: true },
  "aws:iam/instanceProfile:InstanceProfile": { prop: "name", max: 128, autoNamed: true },
  "aws:eks/cluster:Cluster": { prop: "name", max: 100, autoNamed: true, pattern: /^[0-9A-Za-z][A-Za-z0-9_-]*$/ },
  "aws:eks/nodeGroup:NodeGroup": { prop: "nodeGroupName", max: 63, autoNamed: true },
  "aws:ec2/securityGroup:SecurityGroup": { prop: "name", max: 255, autoNamed: true },
  "aws:ec2/launchTemplate:LaunchTemplate": { prop: "name", max: 128, autoNamed: true },
  "aws:cloudwatch/logGroup:LogGroup": { prop: "name", max: 512, autoNamed: true },
  "aws:kms/alias:Alias": { prop: "name", max: 256, autoNamed: false, pattern: /^alias\/[a-zA-Z0-9/_-]+$/ },
  "aws:lb/loadBalancer:LoadBalancer": { prop: "name", max: 32, autoNamed: true, pattern: /^[a-zA-Z0-9-]+$/ },
  "aws:lb/targetGroup:TargetGroup": { prop: "name", max: 32, autoNamed: true, pattern: /^[a-zA-Z0-9-]+$/ },
  "aws:s3/bucket:Bucket": { prop: "bucket", max: 63, autoNamed: true, pattern: /^[a-z0-9.-]+$/ },
  "aws:route53/zone:Zone": { prop: "name", max: 255, autoNamed: false },
  "aws:sqs/queue:Queue": { prop: "name", max: 80, autoNamed: true, pattern: /^[A-Za-z0-9_-]+$/ },
  "aws:cloudwatch/eventRule:EventRule": { prop: "name", max: 64, autoNamed: true, pattern: /^[.\-_A-Za-z0-9]+$/ },
};

const TAG_LIMITS = { maxTags: 50, keyMax: 128, valueMax: 256 } as const;

export interface LimitProblem {
  readonly type: string;
  readonly name: string;
  readonly message: string;
}

/** The physical name AWS will see (explicit, or the auto-name's length with a placeholder suffix). */
export function physicalName(r: PlannedResource): string | undefined {
  const limit = NAME_LIMITS[r.type];
  if (!limit) return undefined;
  const explicit = r.rawInputs[limit.prop];
  if (typeof explicit === "string") return explicit;
  if (typeof r.rawInputs.namePrefix === "string") return `${r.rawInputs.namePrefix}${"x".repeat(26)}`;
  return limit.autoNamed ? `${r.name}-xxxxxxx` : undefined;
}

export function limitProblems(resources: readonly PlannedResource[]): LimitProblem[] {
  const problems: LimitProblem[] = [];
  for (const r of resources) {
    const limit = NAME_LIMITS[r.type];
    const name = physicalName(r);
    if (limit && name !== undefined) {
      if (name.length > limit.max)
        problems.push({
          type: r.type,
          name: r.name,
          message: `name "${name}" is ${name.length} characters; AWS allows ${limit.max}`,
        });
      if (limit.pattern && !limit.pattern.test(name.replace(/x{7}$/, "aaaaaaa")))
        problems.push({ type: r.type, name: r.name, message: `name "${name}" has characters AWS rejects` });
    }
    const tags = r.rawInputs.tags;
    if (tags && typeof tags === "object") {
      const entries = Object.entries(tags as Record<string, unknown>);
      if (entries.length > TAG_LIMITS.maxTags)
        problems.push({
          type: r.type,
          name: r.name,
          message: `${entries.length} tags; AWS allows ${TAG_LIMITS.maxTags}`,
        });
      for (const [k, v] of entries) {
        if (k.length > TAG_LIMITS.keyMax)
          problems.push({ type: r.type, name: r.name, message: `tag key "${k}" is longer than ${TAG_LIMITS.keyMax}` });
        if (String(v).length > TAG_LIMITS.valueMax)
          problems.push({
            type: r.type,
            name: r.name,
            message: `tag "${k}" value is longer than ${TAG_LIMITS.valueMax}`,
          });
      }
    }
  }
  return problems;
}
