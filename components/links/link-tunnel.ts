/**
 * One end of a TLS link (lib/links/link-tls.ts): the ghostunnel Deployment and its Service, in the release
 * namespace (an Output, so they are created after it). The certificate Secret is the operator's.
 * Pass `providers: { kubernetes }` (or a parent that has it).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { tunnelManifests, type Tunnel } from "../../lib/links/link-tls";

/** Several client tunnels under one component (a Grafana host's, one per source). */
export class LinkTunnels extends pulumi.ComponentResource {
  constructor(
    name: string,
    tunnels: readonly Tunnel[],
    namespace: pulumi.Input<string>,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super("infrasage:network:LinkTunnels", name, {}, opts);
    for (const t of tunnels) linkTunnel(`${name}-${t.name}`, t, namespace, { parent: this });
    this.registerOutputs({});
  }
}

export function linkTunnel(
  name: string,
  tunnel: Tunnel,
  namespace: pulumi.Input<string>,
  opts: pulumi.CustomResourceOptions,
): void {
  const { deployment, service } = tunnelManifests(tunnel);
  const inNamespace = (m: Record<string, unknown>) => ({ ...(m.metadata as Record<string, unknown>), namespace });
  new k8s.apps.v1.Deployment(
    `${name}-tunnel`,
    { ...deployment, metadata: inNamespace(deployment) } as k8s.apps.v1.DeploymentArgs,
    opts,
  );
  new k8s.core.v1.Service(
    `${name}-tunnel`,
    { ...service, metadata: inNamespace(service) } as k8s.core.v1.ServiceArgs,
    opts,
  );
}
