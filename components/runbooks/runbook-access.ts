/**
 * The runbook identity of one cluster: the AIops Engine's ServiceAccount `infrasage-runbooks`, the
 * kubeconfig Secret its KUBERNETES_KUBECONFIG points at, and in each namespace of
 * `runbooks.namespaceScope` a Role + RoleBinding naming only that ServiceAccount. Nothing cluster
 * scoped: no ClusterRole, no ClusterRoleBinding. Objects come from lib/runbooks/runbook-access.ts.
 *
 * Scoped namespaces are ensured, not owned: a NamespacePatch (server-side apply) creates a missing
 * namespace and, on an existing one, manages only the `infrasage.io/runbook-scope` label; with
 * `retainOnDelete` a `pulumi destroy` never deletes a namespace, or the workloads users put there.
 * (A plain Namespace resource fails with AlreadyExists on existing namespaces since
 * @pulumi/kubernetes 4.29, and would delete the namespace on destroy.)
 * Pass `providers: { kubernetes }`: children inherit it through `parent`.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { namespaceScopeProblems, runbookManifests, type RunbookManifests } from "../../lib/runbooks/runbook-access";

export interface RunbookAccessArgs {
  /** EKS cluster name: the kubeconfig is `/etc/kubeconfig/<clusterName>.yaml`. */
  readonly clusterName: string;
  /**
   * Namespace of the InfraSage release, as its Namespace resource's `metadata.name` (so the
   * ServiceAccount and the Secret wait for it).
   */
  readonly namespace: pulumi.Input<string>;
  /** `runbooks.namespaceScope`: at least one namespace, none of the system ones. */
  readonly namespaceScope: readonly string[];
}

export class RunbookAccess extends pulumi.ComponentResource {
  /** The ServiceAccount the AIops Engine runs as. */
  public readonly serviceAccountName: pulumi.Output<string>;
  /** Every object the Helm release needs before its pods start (ServiceAccount, kubeconfig Secret). */
  public readonly podPrerequisites: pulumi.Resource[];

  constructor(name: string, args: RunbookAccessArgs, opts?: pulumi.ComponentResourceOptions) {
    super("infrasage:ops:RunbookAccess", name, {}, opts);
    const parent = { parent: this };
    const problems = [
      ...(args.namespaceScope.length === 0 ? ["namespaceScope is empty: create no RunbookAccess at all then"] : []),
      ...namespaceScopeProblems(args.namespaceScope).map((p) => p.message),
    ];
    if (problems.length > 0) throw new pulumi.ResourceError(`RunbookAccess ${name}: ${problems.join("; ")}`, this);

    const planned: pulumi.Output<RunbookManifests> = pulumi.output(args.namespace).apply((namespace) => {
      try {
        return runbookManifests({ clusterName: args.clusterName, namespace, namespaceScope: args.namespaceScope });
      } catch (e) {
        throw new pulumi.ResourceError(e instanceof Error ? e.message : String(e), this);
      }
    });

    const sa = new k8s.core.v1.ServiceAccount(
      `${name}-sa`,
      {
        metadata: planned.serviceAccount.metadata,
      },
      parent,
    );
    const secret = new k8s.core.v1.Secret(
      `${name}-kubeconfig`,
      {
        metadata: planned.kubeconfigSecret.metadata,
        type: "Opaque",
        // Paths to the pod's own token and CA only: no credential here or in Pulumi state.
        stringData: planned.kubeconfigSecret.stringData,
      },
      parent,
    );

    args.namespaceScope.forEach((scope, i) => {
      const ns = new k8s.core.v1.NamespacePatch(
        `${name}-ns-${scope}`,
        {
          metadata: planned.apply((p) => p.namespaces[i]!.metadata),
        },
        { ...parent, retainOnDelete: true },
      );
      // The namespace name through the patch's output: Role and RoleBinding are created after it.
      const namespace = ns.metadata.apply((m) => m.name ?? scope);
      const metadataIn = (pick: (p: RunbookManifests) => { metadata: object }) =>
        pulumi.all([planned, namespace]).apply(([p, n]) => ({ ...pick(p).metadata, namespace: n }));
      new k8s.rbac.v1.Role(
        `${name}-role-${scope}`,
        {
          metadata: metadataIn((p) => p.roles[i]!),
          rules: planned.apply((p) => p.roles[i]!.rules),
        },
        parent,
      );
      new k8s.rbac.v1.RoleBinding(
        `${name}-binding-${scope}`,
        {
          metadata: metadataIn((p) => p.roleBindings[i]!),
          roleRef: planned.apply((p) => p.roleBindings[i]!.roleRef),
          subjects: planned.apply((p) => p.roleBindings[i]!.subjects),
        },
        parent,
      );
    });

    this.serviceAccountName = sa.metadata.name;
    this.podPrerequisites = [sa, secret];
    this.registerOutputs({ serviceAccountName: this.serviceAccountName });
  }
}
