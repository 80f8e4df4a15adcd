/**
 * Whether CI can reach the stack's cluster with the deploy path its config names (lib/deploy/
 * deploy-path.ts), judged on the plan itself: the in-network runner exists and the cluster security
 * group admits it on the API server port. A private endpoint and a runner outside the network is what
 * made the first real `pulumi up` time out after creating every AWS resource.
 */
import { API_SERVER_PORT, deployPathProblems } from "../../lib/deploy/deploy-path";
import type { StackConfig } from "../../lib/config/types";
import type { RecordedResource } from "../run-program";
import type { Finding } from "./finding";

const PROJECT = "aws:codebuild/project:Project";
const INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";

const apiIngress = (r: RecordedResource): boolean =>
  r.type === INGRESS &&
  r.rawInputs.fromPort === API_SERVER_PORT &&
  r.rawInputs.toPort === API_SERVER_PORT &&
  r.rawInputs.ipProtocol === "tcp";

/** The stack's CodeBuild runner runs in its VPC and the API server admits the runner's security group. */
function codebuildRunnerReaches(resources: readonly RecordedResource[]): boolean {
  const runnerGroups = new Set(
    resources
      .filter((r) => r.type === PROJECT && r.rawInputs.vpcConfig !== undefined)
      .flatMap((r) => r.propertyDependencies.vpcConfig ?? []),
  );
  return resources.some(
    (r) => apiIngress(r) && (r.propertyDependencies.referencedSecurityGroupId ?? []).some((u) => runnerGroups.has(u)),
  );
}

/** Every configured runner range is admitted on the API server port. */
function cidrsReach(resources: readonly RecordedResource[], cidrs: readonly string[]): boolean {
  const admitted = new Set(resources.filter(apiIngress).map((r) => r.rawInputs.cidrIpv4));
  return cidrs.length > 0 && cidrs.every((c) => admitted.has(c));
}

export function checkDeployPath(file: string, config: StackConfig, resources: readonly RecordedResource[]): Finding[] {
  const d = config.deploy;
  const reaches =
    d.runner === "codebuild"
      ? codebuildRunnerReaches(resources)
      : d.runner === "self-hosted" || d.runner === "operator"
        ? cidrsReach(resources, d.runnerCidrs)
        : false;
  return deployPathProblems(d, { publicAccessCidrs: config.cluster.publicAccessCidrs }, reaches).map((p) => ({
    kind: "deploy-path",
    file,
    key: p.key,
    message: p.message,
    fix: p.fix,
  }));
}
