/**
 * The deploy role's policy, the preview role's policy and the permissions boundary, derived from
 * the action table (./actions.ts). Pure: the program only attaches what these return.
 *
 * The deploy role cannot grant itself more: every role it creates, changes or gives policies to
 * must carry the boundary (`iam:PermissionsBoundary`, the AWS-documented delegation pattern: IAM User
 * Guide, "Permissions boundaries for IAM entities", delegating responsibility), it may not remove a
 * boundary, and it may touch nothing under the bootstrap's path (its own role, the preview role, the
 * boundary policy) nor the GitHub OIDC provider.
 */
import { GLOBAL_SERVICES, INVOKE_ACTIONS, TYPE_ACTIONS, serviceOf } from "./actions";
import { BOOTSTRAP_PATH, oidcProviderArn } from "./names";
import type { PolicyDocument, PolicyStatement } from "../../lib/aws/policy-document";

/** IAM actions that take `iam:PermissionsBoundary` (IAM service authorization reference, condition keys). */
export const BOUNDARY_CONDITIONED: ReadonlySet<string> = new Set([
  "iam:CreateRole",
  "iam:PutRolePolicy",
  "iam:DeleteRolePolicy",
  "iam:AttachRolePolicy",
  "iam:DetachRolePolicy",
  "iam:PutRolePermissionsBoundary",
]);
/** Role changes without a boundary condition (delete, trust, tags) are limited to roles with the program's tag. */
export { PROGRAM_TAG } from "../../lib/aws/program-tag";
import { PROGRAM_TAG } from "../../lib/aws/program-tag";
/** OIDC provider actions: only the clusters' issuers (IRSA), never GitHub's provider. */
const OIDC_PROVIDER_ACTION = /^iam:.*OpenIDConnectProvider/;

export interface StateAccess {
  readonly bucket: string;
  /** ARNs (or alias ARNs) of the state key and the secrets-provider key. */
  readonly keyArns: readonly string[];
}

export interface DeployPolicyInput {
  readonly account: string;
  /** Regions the role may act in: its own plus link regions. */
  readonly regions: readonly string[];
  readonly boundaryArn: string;
  /** The jurisdiction's state backend (per-jurisdiction layout), if any. */
  readonly state?: StateAccess;
}

const sorted = (xs: Iterable<string>): string[] => [...new Set(xs)].sort();

/** Every write and read action of the table and the data sources. */
function derivedActions(): {
  write: string[];
  read: string[];
  passRoleTo: string[];
  serviceLinkedRoles: string[];
} {
  const entries = Object.values(TYPE_ACTIONS);
  return {
    write: sorted(entries.flatMap((e) => e.write)),
    read: sorted([...entries.flatMap((e) => e.read), ...Object.values(INVOKE_ACTIONS).flat()]),
    passRoleTo: sorted(entries.flatMap((e) => e.passRoleTo ?? [])),
    serviceLinkedRoles: sorted(entries.flatMap((e) => e.serviceLinkedRoles ?? [])),
  };
}

const regional = (actions: readonly string[]) => actions.filter((a) => !GLOBAL_SERVICES.has(serviceOf(a)));
const global = (actions: readonly string[]) => actions.filter((a) => GLOBAL_SERVICES.has(serviceOf(a)));

function stateStatements(state: StateAccess | undefined, write: boolean): PolicyStatement[] {
  if (!state) return [];
  return [
    {
      Sid: "StateBucketList",
      Effect: "Allow",
      Action: ["s3:ListBucket", "s3:GetBucketLocation"],
      Resource: `arn:aws:s3:::${state.bucket}`,
    },
    {
      Sid: "StateObjects",
      Effect: "Allow",
      Action: write ? ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"] : ["s3:GetObject"],
      Resource: `arn:aws:s3:::${state.bucket}/*`,
    },
    {
      Sid: "StateKeys",
      Effect: "Allow",
      Action: write
        ? ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"]
        : ["kms:Decrypt", "kms:DescribeKey"],
      Resource: [...state.keyArns],
    },
  ];
}

const inRegions = (regions: readonly string[]) => ({ StringEquals: { "aws:RequestedRegion": [...regions] } });

/** The deploy role's policy for one region. */
export function deployPolicy(input: DeployPolicyInput): PolicyDocument {
  const { write, read, passRoleTo, serviceLinkedRoles } = derivedActions();
  const iamWrite = write.filter((a) => serviceOf(a) === "iam");
  const roleWrite = iamWrite.filter((a) => !OIDC_PROVIDER_ACTION.test(a));
  const bootstrapOwned = [
    `arn:aws:iam::${input.account}:role${BOOTSTRAP_PATH}*`,
    `arn:aws:iam::${input.account}:policy${BOOTSTRAP_PATH}*`,
    oidcProviderArn(input.account),
  ];
  const statements: PolicyStatement[] = [
    {
      Sid: "ProgramRegional",
      Effect: "Allow",
      Action: regional([...write, ...read]).filter((a) => serviceOf(a) !== "iam"),
      Resource: "*",
      Condition: inRegions(input.regions),
    },
    {
      Sid: "ProgramGlobal",
      Effect: "Allow",
      Action: global([...write, ...read]).filter((a) => serviceOf(a) !== "iam"),
      Resource: "*",
    },
    { Sid: "IamRead", Effect: "Allow", Action: read.filter((a) => serviceOf(a) === "iam"), Resource: "*" },
    {
      Sid: "RolesOnlyWithBoundary",
      Effect: "Allow",
      Action: roleWrite.filter((a) => BOUNDARY_CONDITIONED.has(a)),
      Resource: `arn:aws:iam::${input.account}:role/*`,
      Condition: { StringEquals: { "iam:PermissionsBoundary": input.boundaryArn } },
    },
    {
      Sid: "ProgramRolesOnly",
      Effect: "Allow",
      Action: roleWrite.filter((a) => !BOUNDARY_CONDITIONED.has(a)),
      Resource: `arn:aws:iam::${input.account}:role/*`,
      Condition: { StringEquals: { [`aws:ResourceTag/${PROGRAM_TAG.key}`]: PROGRAM_TAG.value } },
    },
    {
      Sid: "ClusterOidcProviders",
      Effect: "Allow",
      Action: iamWrite.filter((a) => OIDC_PROVIDER_ACTION.test(a)),
      Resource: `arn:aws:iam::${input.account}:oidc-provider/oidc.eks.*.amazonaws.com/id/*`,
    },
    {
      Sid: "PassRoleToServices",
      Effect: "Allow",
      Action: "iam:PassRole",
      Resource: `arn:aws:iam::${input.account}:role/*`,
      Condition: { StringEquals: { "iam:PassedToService": passRoleTo } },
    },
    {
      Sid: "ServiceLinkedRoles",
      Effect: "Allow",
      Action: "iam:CreateServiceLinkedRole",
      Resource: "*",
      Condition: { StringEquals: { "iam:AWSServiceName": serviceLinkedRoles } },
    },
    ...stateStatements(input.state, true),
    // Explicit denies win over every allow above (and over any policy a mistake might add later).
    { Sid: "NeverTouchTheBootstrap", Effect: "Deny", Action: "iam:*", Resource: bootstrapOwned },
    { Sid: "NeverDropABoundary", Effect: "Deny", Action: "iam:DeleteRolePermissionsBoundary", Resource: "*" },
  ];
  return {
    Version: "2012-10-17",
    Statement: statements.filter((s) => (Array.isArray(s.Action) ? s.Action.length > 0 : true)),
  };
}

/** The preview role's policy: what a preview and `pulumi preview --refresh` (the drift check) read. */
export function previewPolicy(input: Omit<DeployPolicyInput, "boundaryArn">): PolicyDocument {
  const { read } = derivedActions();
  const statements: PolicyStatement[] = [
    {
      Sid: "ReadRegional",
      Effect: "Allow",
      Action: regional(read),
      Resource: "*",
      Condition: inRegions(input.regions),
    },
    { Sid: "ReadGlobal", Effect: "Allow", Action: global(read), Resource: "*" },
    // A self-managed backend: a preview reads the checkpoint and decrypts secrets; it takes no lock
    // (pulumi/pulumi pkg/backend/diy/backend.go: Preview calls apply without b.Lock, Update/Refresh/Destroy lock).
    ...stateStatements(input.state, false),
  ];
  return {
    Version: "2012-10-17",
    Statement: statements.filter((s) => (Array.isArray(s.Action) ? s.Action.length > 0 : true)),
  };
}

/**
 * The ceiling of every role the program creates (cluster, nodes, add-ons, autoscalers, load-balancer
 * controller, CI runner, flow logs): the services they call, and of IAM only what Karpenter needs
 * (instance profiles for its nodes, passing the node role). No role under it can create or change
 * roles or policies.
 */
export function boundaryPolicy(account: string): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "WorkloadServices",
        Effect: "Allow",
        Resource: "*",
        Action: [
          "ec2:*",
          "eks:*",
          "elasticloadbalancing:*",
          "autoscaling:*",
          "logs:*",
          "sqs:*",
          "events:*",
          "route53:*",
          "ecr:BatchGetImage",
          "ecr:GetDownloadUrlForLayer",
          "ecr:GetAuthorizationToken",
          "ecr:BatchCheckLayerAvailability",
          "ecr:DescribeRepositories",
          "ssm:GetParameter",
          "ssm:GetParameters",
          "pricing:GetProducts",
          "kms:Decrypt",
          "kms:Encrypt",
          "kms:GenerateDataKey*",
          "kms:ReEncrypt*",
          "kms:DescribeKey",
          "kms:CreateGrant",
          "kms:ListGrants",
          "codebuild:*",
          "codeconnections:UseConnection",
          "codeconnections:GetConnection",
          "codeconnections:GetConnectionToken",
          "sts:AssumeRoleWithWebIdentity",
          "sts:GetCallerIdentity",
          "secretsmanager:GetSecretValue",
        ],
      },
      {
        Sid: "KarpenterInstanceProfiles",
        Effect: "Allow",
        Resource: `arn:aws:iam::${account}:instance-profile/*`,
        Action: [
          "iam:CreateInstanceProfile",
          "iam:DeleteInstanceProfile",
          "iam:GetInstanceProfile",
          "iam:TagInstanceProfile",
          "iam:AddRoleToInstanceProfile",
          "iam:RemoveRoleFromInstanceProfile",
        ],
      },
      {
        Sid: "PassNodeRole",
        Effect: "Allow",
        Action: ["iam:PassRole", "iam:GetRole", "iam:ListInstanceProfiles", "iam:CreateServiceLinkedRole"],
        Resource: "*",
      },
    ],
  };
}

/** Verbs of actions that only read (kms:Decrypt reads an encrypted value; it changes nothing). */
const READ_VERBS: readonly string[] = ["Describe", "Get", "List", "BatchGet", "Lookup", "Search", "Decrypt"];
/**
 * Verbs that change something (IAM service authorization reference, access levels Write/Tagging/Permissions
 * management).
 */
export const WRITE_VERBS: readonly string[] = [
  "Create",
  "Put",
  "Delete",
  "Update",
  "Modify",
  "Attach",
  "Detach",
  "Associate",
  "Disassociate",
  "Tag",
  "Untag",
  "Add",
  "Remove",
  "Set",
  "Enable",
  "Disable",
  "Start",
  "Stop",
  "Run",
  "Terminate",
  "Register",
  "Deregister",
  "Replace",
  "Revoke",
  "Authorize",
  "Accept",
  "Reject",
  "Import",
  "Restore",
  "Allocate",
  "Release",
  "Change",
  "Schedule",
  "Pass",
  "Upload",
  "Encrypt",
  "Generate",
  "Assume",
];

export const isReadOnly = (action: string): boolean =>
  READ_VERBS.some((v) => action.split(":")[1]?.startsWith(v)) &&
  !WRITE_VERBS.some((v) => action.split(":")[1]?.startsWith(v));

/** Every action of a document's Allow statements. */
export const allowedActions = (doc: PolicyDocument): string[] =>
  doc.Statement.filter((s) => s.Effect === "Allow").flatMap((s) =>
    Array.isArray(s.Action) ? [...s.Action] : [s.Action as string],
  );
