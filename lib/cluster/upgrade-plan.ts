/**
 * Kubernetes upgrades of a deployed stack (pure). `cluster.version` moves the control plane, then the
 * add-ons and the nodes follow it in one `pulumi up`, in dependency order: control plane ->
 * vpc-cni and kube-proxy (node-level add-ons the node groups wait for) -> node groups, rolling one
 * node at a time (updateConfig.maxUnavailable 1) -> coredns and the EBS CSI driver (Deployments that
 * wait for nodes); Karpenter's nodes drift to the new version's AMI (`al2023@latest` resolves per
 * control-plane version). EKS upgrades a control plane one minor at a time and never downgrades,
 * and a kubelet may never be newer than its API server (Kubernetes version skew policy): the plan
 * refuses both before anything changes.
 */
import type { ConfigProblem } from "../rules/problems";

const minorOf = (v: string): number => Number(v.split(".")[1]);

/** Problems of moving a cluster deployed at `deployed` to `desired` (undefined: not deployed yet). */
export function versionSkewProblems(deployed: string | undefined, desired: string): ConfigProblem[] {
  if (deployed === undefined || deployed === desired) return [];
  const from = minorOf(deployed);
  const to = minorOf(desired);
  if (!Number.isFinite(from) || !Number.isFinite(to)) return [];
  const key = "infrasage:cluster.version";
  if (to < from) {
    return [
      {
        key,
        message:
          `is ${desired} but the cluster runs ${deployed}: EKS cannot downgrade a control ` +
          `plane, and nodes at ${deployed} would be newer than an API server at ${desired}`,
        fix: `set it back to ${deployed} (or higher)`,
      },
    ];
  }
  if (to - from > 1) {
    const next = `1.${from + 1}`;
    return [
      {
        key,
        message:
          `jumps from ${deployed} to ${desired}: EKS upgrades a control ` +
          `plane one minor version at a time, and nodes follow it`,
        fix: `set ${next}, run pulumi up (control plane, add-ons, then nodes), then the next minor up to ${desired}`,
      },
    ];
  }
  return [];
}
