/**
 * `deploy.permissionsBoundaryArn`: every IAM role the program creates carries this permissions
 * boundary. The bootstrap's deploy role may create and change roles only when they carry it
 * (bootstrap/lib/policies.ts), so a role the program makes can never hold more than the boundary.
 * A transformation on the components that create roles sets it on each (their children included).
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
