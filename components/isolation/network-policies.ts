/**
 * NetworkPolicies from their plain specs (lib/isolation/isolation.ts); `namespace` overrides the spec's when the
 * namespace is known only as an output of the resource that creates it.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { NetworkPolicySpec } from "../../lib/isolation/isolation";

/** One NetworkPolicy whose spec is known only once other outputs resolve (peers' addresses). */
export function networkPolicy(
  name: string,
  policy: pulumi.Input<NetworkPolicySpec>,
  opts: pulumi.CustomResourceOptions,
  namespace: pulumi.Input<string>,
): k8s.networking.v1.NetworkPolicy {
  const p = pulumi.output(policy);
  return new k8s.networking.v1.NetworkPolicy(
    name,
    {
      metadata: { name: p.metadata.name, labels: p.metadata.labels, namespace },
      spec: p.spec as unknown as pulumi.Input<k8s.types.input.networking.v1.NetworkPolicySpec>,
    },
    opts,
  );
}

export function networkPolicies(
  prefix: string,
  specs: readonly NetworkPolicySpec[],
  opts: pulumi.CustomResourceOptions,
  namespace?: pulumi.Input<string>,
): k8s.networking.v1.NetworkPolicy[] {
  return specs.map(
    (p) =>
      new k8s.networking.v1.NetworkPolicy(
        `${prefix}-${p.metadata.name}`,
        {
          metadata: { ...p.metadata, labels: { ...p.metadata.labels }, namespace: namespace ?? p.metadata.namespace },
          spec: p.spec as unknown as k8s.types.input.networking.v1.NetworkPolicySpec,
        },
        opts,
      ),
  );
}
