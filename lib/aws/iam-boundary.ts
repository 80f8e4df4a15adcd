/**
 * `deploy.permissionsBoundaryArn`: every IAM role the program creates carries this permissions
 * boundary. The bootstrap's deploy role may create and change roles only when they carry it
 * (bootstrap/lib/policies.ts), so a role the program makes can never hold more than the boundary.
 * stack.ts gives this transformation to every AWS component (their children included), not to the
 * stack: a stack transformation (pulumi.runtime.registerStackTransformation) needs the root stack
 * resource, which the offline plan's mock runtime never creates, and an engine-side transform
 * (registerResourceTransform) is never applied by the SDK's mock monitor (@pulumi/pulumi 3.270
 * runtime/stack.js, runtime/mocks.js): either way the plan and the policy pack would not see it.
 */
import type * as pulumi from "@pulumi/pulumi";

const ROLE = "aws:iam/role:Role";

export function permissionsBoundaryOptions(boundaryArn: string | undefined): {
  transformations?: pulumi.ResourceTransformation[];
} {
  if (!boundaryArn) return {};
  const transformation: pulumi.ResourceTransformation = (args) =>
    args.type === ROLE ? { props: { ...args.props, permissionsBoundary: boundaryArn }, opts: args.opts } : undefined;
  return { transformations: [transformation] };
}
