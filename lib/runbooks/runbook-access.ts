/**
 * Runbook access of one cluster's AIops Engine, as plain data (pure, no Pulumi import): the
 * ServiceAccount it runs as, one Role + RoleBinding per namespace of `runbooks.namespaceScope`
 * (never a ClusterRole or ClusterRoleBinding), the in-cluster kubeconfig the seed's
 * KUBERNETES_KUBECONFIG points at, and the chart values that mount it.
 * components/runbooks/runbook-access.ts only turns these into resources; tests validate each object with
 * kubernetes-models.
 *
 * No token is stored anywhere: the kubeconfig names the pod's projected ServiceAccount token file
 * (`tokenFile`, rotated by the kubelet and re-read by client-go) and the in-cluster CA file, so the
 * Secret holding it carries no credential and Pulumi state never sees one.
 */
import { NAMESPACE_POD_SECURITY, podSecurityLabels } from "../isolation/isolation";
import { stringify } from "yaml";
import { INFRASAGE_NAMESPACE } from "../../policies/shared/ports";

/** ServiceAccount the AIops Engine runs as; the only subject of every runbook RoleBinding. */
export const RUNBOOK_SERVICE_ACCOUNT = "infrasage-runbooks";
/** Role (and RoleBinding) name in each scoped namespace. */
const RUNBOOK_ROLE = "infrasage-runbooks";
/** Secret holding the kubeconfig (one key, `<cluster>.yaml`); it holds no credential. */
export const RUNBOOK_KUBECONFIG_SECRET = "infrasage-runbook-kubeconfig";
/** Where the chart mounts that Secret in the AIops Engine (seed: /etc/kubeconfig/eu-cluster.yaml). */
const KUBECONFIG_MOUNT_PATH = "/etc/kubeconfig";
/** The API server as seen from inside the cluster. */
export const IN_CLUSTER_SERVER = "https://kubernetes.default.svc";
/** Files Kubernetes mounts into every pod that runs with a ServiceAccount token (automount). */
const SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";
export const IN_CLUSTER_CA_FILE = `${SERVICE_ACCOUNT_DIR}/ca.crt`;
export const IN_CLUSTER_TOKEN_FILE = `${SERVICE_ACCOUNT_DIR}/token`;
/** Label put on scoped namespaces (the only field this program manages on them). */
const RUNBOOK_SCOPE_LABEL = "infrasage.io/runbook-scope";

/**
 * Namespaces never accepted in the scope: `patch` on their Deployments would let a runbook run any
 * pod as any of their (cluster-wide privileged) ServiceAccounts, i.e. cluster-admin in effect.
 */
const FORBIDDEN_SCOPE_NAMESPACES: readonly string[] = ["kube-system", "kube-public", "kube-node-lease"];

/** One `rbac.authorization.k8s.io/v1` PolicyRule. */
export interface PolicyRule {
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly verbs: readonly string[];
}

/**
 * What a runbook may do in a scoped namespace, and why each grant is needed:
 * - pods get/list/watch: find the failing pod; delete: "restart pod" (its controller recreates it).
 * - pods/log get: read logs for the diagnosis.
 * - events get/list/watch: see why a pod is failing (OOMKilled, FailedScheduling, probes).
 * - deployments/statefulsets get/list/watch: read rollout state; patch: `kubectl rollout restart`
 *   (it patches spec.template's restartedAt annotation). RBAC cannot narrow a patch to fields:
 *   whoever may patch a Deployment may change its pod template, hence FORBIDDEN_SCOPE_NAMESPACES.
 * - deployments/scale, statefulsets/scale get/patch/update: `kubectl scale` (scale subresource).
 * Deliberately absent: secrets and configmaps (credentials), pods/exec, pods/attach,
 * pods/portforward (arbitrary code and data access), create (no new workloads), serviceaccounts
 * and their tokens, any RBAC object, escalate/bind/impersonate, and any `*`.
 */
export const RUNBOOK_RULES: readonly PolicyRule[] = [
  { apiGroups: [""], resources: ["pods"], verbs: ["get", "list", "watch", "delete"] },
  { apiGroups: [""], resources: ["pods/log"], verbs: ["get"] },
  { apiGroups: [""], resources: ["events"], verbs: ["get", "list", "watch"] },
  { apiGroups: ["apps"], resources: ["deployments", "statefulsets"], verbs: ["get", "list", "watch", "patch"] },
  { apiGroups: ["apps"], resources: ["deployments/scale", "statefulsets/scale"], verbs: ["get", "patch", "update"] },
];

const LABELS = { "app.kubernetes.io/part-of": "infrasage", "app.kubernetes.io/component": "runbooks" } as const;

/**
 * Problems of a scope list (the config parser reports them under runbooks.namespaceScope). The
 * release's own namespace is refused too: patching InfraSage's pod templates could mount its
 * API key Secret, which the runbook identity must never read.
 */
export function namespaceScopeProblems(
  scope: readonly string[],
  releaseNamespace = INFRASAGE_NAMESPACE,
): { readonly message: string; readonly fix: string }[] {
  const problems: { message: string; fix: string }[] = [];
  const forbidden = scope.filter((n) => FORBIDDEN_SCOPE_NAMESPACES.includes(n));
  if (forbidden.length > 0) {
    problems.push({
      message: `lists system namespace(s) ${forbidden.join(", ")}: patch rights there amount to cluster-admin`,
      fix: "list only the namespaces of your own workloads",
    });
  }
  if (scope.includes(releaseNamespace)) {
    problems.push({
      message:
        `lists InfraSage's own namespace ${releaseNamespace}: runbooks ` +
        `could then reach its API key Secret through a pod template`,
      fix: `remove ${releaseNamespace}; list only the namespaces of your own workloads`,
    });
  }
  const twice = scope.filter((n, i) => scope.indexOf(n) !== i);
  if (twice.length > 0)
    problems.push({
      message: `lists ${[...new Set(twice)].join(", ")} more than once`,
      fix: "list each namespace once",
    });
  return problems;
}

/** Secret key (and file name under KUBECONFIG_MOUNT_PATH) of a cluster's runbook kubeconfig. */
const kubeconfigKey = (clusterName: string): string => `${clusterName}.yaml`;

/** Seed: KUBERNETES_KUBECONFIG=/etc/kubeconfig/<cluster>.yaml. */
const kubeconfigPath = (clusterName: string): string => `${KUBECONFIG_MOUNT_PATH}/${kubeconfigKey(clusterName)}`;

/** The in-cluster kubeconfig of the runbook identity: paths only, no token, no key. */
export function runbookKubeconfig(clusterName: string): string {
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      { name: clusterName, cluster: { server: IN_CLUSTER_SERVER, "certificate-authority": IN_CLUSTER_CA_FILE } },
    ],
    contexts: [{ name: clusterName, context: { cluster: clusterName, user: RUNBOOK_SERVICE_ACCOUNT } }],
    users: [{ name: RUNBOOK_SERVICE_ACCOUNT, user: { tokenFile: IN_CLUSTER_TOKEN_FILE } }],
    "current-context": clusterName,
  });
}

/** Chart values and env of the AIops Engine when runbooks are on (lib/release/helm-values.ts `runbookAccess`). */
export interface RunbookAccessValues {
  /** Seed env: KUBERNETES_KUBECONFIG (KUBERNETES_NAMESPACE_SCOPE comes from the config). */
  readonly kubeconfigPath: string;
  /** `aiopsEngine.serviceAccount`: run as the runbook identity, which this program creates. */
  readonly serviceAccount: { readonly create: false; readonly name: string };
  /** `aiopsEngine.kubeconfig`: the Secret the chart mounts, and where. */
  readonly kubeconfig: { readonly existingSecret: string; readonly mountPath: string };
}

export function runbookAccessValues(clusterName: string): RunbookAccessValues {
  return {
    kubeconfigPath: kubeconfigPath(clusterName),
    serviceAccount: { create: false, name: RUNBOOK_SERVICE_ACCOUNT },
    kubeconfig: { existingSecret: RUNBOOK_KUBECONFIG_SECRET, mountPath: KUBECONFIG_MOUNT_PATH },
  };
}

/** A PolicyRule as a manifest field (mutable copies, as the Kubernetes SDK's input types want). */
interface RuleManifest {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

/** Every object of the runbook identity, as Kubernetes manifests (apiVersion/kind included). */
export interface RunbookManifests {
  readonly serviceAccount: { apiVersion: "v1"; kind: "ServiceAccount"; metadata: Meta };
  readonly kubeconfigSecret: {
    apiVersion: "v1";
    kind: "Secret";
    metadata: Meta;
    type: "Opaque";
    stringData: Record<string, string>;
  };
  /** Scoped namespaces this program ensures exist (same order as the scope). */
  readonly namespaces: {
    apiVersion: "v1";
    kind: "Namespace";
    metadata: { name: string; labels: Record<string, string> };
  }[];
  readonly roles: { apiVersion: "rbac.authorization.k8s.io/v1"; kind: "Role"; metadata: Meta; rules: RuleManifest[] }[];
  readonly roleBindings: {
    apiVersion: "rbac.authorization.k8s.io/v1";
    kind: "RoleBinding";
    metadata: Meta;
    roleRef: { apiGroup: "rbac.authorization.k8s.io"; kind: "Role"; name: string };
    subjects: { kind: "ServiceAccount"; name: string; namespace: string }[];
  }[];
}

interface Meta {
  name: string;
  namespace: string;
  labels: Record<string, string>;
}

export interface RunbookManifestInput {
  /** EKS cluster name: names the kubeconfig key. */
  readonly clusterName: string;
  /** Namespace of the InfraSage release (ServiceAccount and Secret live there). */
  readonly namespace: string;
  /** `runbooks.namespaceScope`: must be non-empty (no scope = no runbook identity at all). */
  readonly namespaceScope: readonly string[];
}

/** Plans the runbook identity. Throws on an empty or invalid scope. */
export function runbookManifests(input: RunbookManifestInput): RunbookManifests {
  const { clusterName, namespace, namespaceScope } = input;
  if (namespaceScope.length === 0)
    throw new Error("runbook access needs at least one namespace in runbooks.namespaceScope");
  const problems = namespaceScopeProblems(namespaceScope, namespace);
  if (problems.length > 0) throw new Error(`runbooks.namespaceScope ${problems.map((p) => p.message).join("; ")}`);
  const meta = (name: string, ns: string): Meta => ({ name, namespace: ns, labels: { ...LABELS } });
  return {
    serviceAccount: { apiVersion: "v1", kind: "ServiceAccount", metadata: meta(RUNBOOK_SERVICE_ACCOUNT, namespace) },
    kubeconfigSecret: {
      apiVersion: "v1",
      kind: "Secret",
      metadata: meta(RUNBOOK_KUBECONFIG_SECRET, namespace),
      type: "Opaque",
      stringData: { [kubeconfigKey(clusterName)]: runbookKubeconfig(clusterName) },
    },
    // Your namespaces: the pod security level is reported (warn, audit), never enforced by this program.
    namespaces: namespaceScope.map((name) => ({
      apiVersion: "v1",
      kind: "Namespace",
      metadata: {
        name,
        labels: { [RUNBOOK_SCOPE_LABEL]: "true", ...podSecurityLabels(NAMESPACE_POD_SECURITY.runbookScope) },
      },
    })),
    roles: namespaceScope.map((ns) => ({
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "Role",
      metadata: meta(RUNBOOK_ROLE, ns),
      rules: RUNBOOK_RULES.map((r) => ({
        apiGroups: [...r.apiGroups],
        resources: [...r.resources],
        verbs: [...r.verbs],
      })),
    })),
    roleBindings: namespaceScope.map((ns) => ({
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: meta(RUNBOOK_ROLE, ns),
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: RUNBOOK_ROLE },
      subjects: [{ kind: "ServiceAccount", name: RUNBOOK_SERVICE_ACCOUNT, namespace }],
    })),
  };
}
