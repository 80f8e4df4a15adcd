/**
 * The parts of @pulumi/aws the program uses, each required from its own module: the package's index
 * loads every one of its ~250 service modules up front (about 150 ms of CPU at each start of a plan or
 * a `pulumi preview`), a service module only itself. Same classes and functions as through the index
 * (its `aws.<service>` is this same module); a component that needs another service adds it here.
 */
export * as cloudwatch from "@pulumi/aws/cloudwatch";
export * as codebuild from "@pulumi/aws/codebuild";
export * as ec2 from "@pulumi/aws/ec2";
export * as eks from "@pulumi/aws/eks";
export { getCallerIdentityOutput } from "@pulumi/aws/getCallerIdentity";
export * as iam from "@pulumi/aws/iam";
export * as kms from "@pulumi/aws/kms";
export * as lb from "@pulumi/aws/lb";
export { Provider } from "@pulumi/aws/provider";
export * as route53 from "@pulumi/aws/route53";
export * as secretsmanager from "@pulumi/aws/secretsmanager";
export * as sqs from "@pulumi/aws/sqs";
export * as ssm from "@pulumi/aws/ssm";
export * as vpc from "@pulumi/aws/vpc";
