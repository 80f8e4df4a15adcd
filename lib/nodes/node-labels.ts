/**
 * Node labels and taints of a managed node group, checked as Kubernetes, EKS and the kubelet check
 * them. Pure. A label or taint any of the three refuses fails `pulumi up` half-way (EKS rejects
 * CreateNodegroup, or the kubelet refuses to start and the group never becomes ACTIVE).
 *
 * Sources:
 * - Kubernetes API validation, k8s.io/apimachinery/pkg/util/validation/validation.go: IsQualifiedName
 *   (optional DNS-1123 subdomain prefix of at most 253 characters and `/`, then a name of at most 63
 *   characters, alphanumeric at both ends, `-_.` inside) and IsValidLabelValue (at most 63, same
 *   characters, or empty). Taints: pkg/apis/core/validation ValidateTaint (key a qualified name,
 *   value a label value).
 * - EKS API (CreateNodegroup `labels`, UpdateLabelsPayload; `Taint`): label keys and values 1 to 63
 *   characters (prefix included, so EKS is stricter than Kubernetes), taint keys 1 to 63, taint
 *   values 0 to 63.
 * - The kubelet (cmd/kubelet/app/options/options.go ValidateKubeletFlags, with
 *   k8s.io/kubelet/pkg/apis/well_known_labels.go IsKubeletLabel): EKS passes a group's labels as
 *   `--node-labels`, and the kubelet refuses to start with a label in the `kubernetes.io` or `k8s.io`
 *   namespaces (or a subdomain of them, e.g. `node-role.kubernetes.io/`, `app.kubernetes.io/`) unless
 *   it is under `kubelet.kubernetes.io/` or `node.kubernetes.io/` or one of the labels it sets itself.
 */

/** Kubernetes: a name part (after the optional prefix) and a label value. */
export const K8S_NAME_MAX = 63;
/** Kubernetes: a DNS-1123 subdomain (the prefix). */
const K8S_PREFIX_MAX = 253;
/** EKS: label keys and values, taint keys and values (whole key, prefix included). */
export const EKS_LABEL_MAX = 63;

const NAME_RE = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Labels the kubelet sets on its own node (well_known_labels.go kubeletLabels). */
const KUBELET_LABELS = new Set([
  "kubernetes.io/hostname",
  "topology.kubernetes.io/zone",
  "topology.kubernetes.io/region",
  "failure-domain.beta.kubernetes.io/zone",
  "failure-domain.beta.kubernetes.io/region",
  "beta.kubernetes.io/instance-type",
  "node.kubernetes.io/instance-type",
  "kubernetes.io/os",
  "kubernetes.io/arch",
  "beta.kubernetes.io/os",
  "beta.kubernetes.io/arch",
]);
/** Namespaces (and their subdomains) the kubelet may self-set (well_known_labels.go kubeletLabelNamespaces). */
const KUBELET_NAMESPACES = ["kubelet.kubernetes.io", "node.kubernetes.io"];
const within = (ns: string, domain: string) => ns === domain || ns.endsWith(`.${domain}`);
/** A piece of the user's key for a message, never more than 60 characters of it. */
const clip = (t: string) => (t.length > 60 ? `${t.slice(0, 57)}...` : t);

/** What is wrong with a qualified name (label or taint key), or undefined. */
export function qualifiedNameProblem(key: string): string | undefined {
  const parts = key.split("/");
  if (parts.length > 2) return "has more than one '/' (a key is [prefix/]name)";
  const [prefix, name] = parts.length === 2 ? [parts[0]!, parts[1]!] : [undefined, parts[0]!];
  if (prefix !== undefined) {
    if (prefix === "") return "has an empty prefix before '/'";
    if (prefix.length > K8S_PREFIX_MAX)
      return `has a prefix of ${prefix.length} characters (Kubernetes allows ${K8S_PREFIX_MAX})`;
    if (!DNS_SUBDOMAIN_RE.test(prefix))
      return (
        `has prefix "${clip(prefix)}", which is not a DNS subdomain ` +
        `(lowercase a-z, 0-9, '-', '.', alphanumeric at both ends)`
      );
  }
  if (name === "") return "has an empty name";
  if (name.length > K8S_NAME_MAX) return `has a name of ${name.length} characters (Kubernetes allows ${K8S_NAME_MAX})`;
  if (!NAME_RE.test(name))
    return (
      `has name "${clip(name)}": only letters, digits, '-', '_' and ` +
      `'.' are allowed, starting and ending with a letter or digit`
    );
  return undefined;
}

/** What is wrong with a label value (Kubernetes; empty allowed), or undefined. */
function labelValueSyntaxProblem(value: string): string | undefined {
  if (value === "") return undefined;
  if (value.length > K8S_NAME_MAX) return `is ${value.length} characters long (at most ${K8S_NAME_MAX})`;
  if (!NAME_RE.test(value))
    return "may hold only letters, digits, '-', '_' and '.', starting and ending with a letter or digit";
  return undefined;
}

/** True when the kubelet refuses to self-apply this label (cmd/kubelet/app/options/options.go). */
export function kubeletRefusesLabel(key: string): boolean {
  const slash = key.indexOf("/");
  if (slash < 0) return false;
  const ns = key.slice(0, slash);
  if (!within(ns, "kubernetes.io") && !within(ns, "k8s.io")) return false;
  return !KUBELET_LABELS.has(key) && !KUBELET_NAMESPACES.some((d) => within(ns, d));
}

export interface LabelProblem {
  /** `key` or `value`. */
  readonly part: "key" | "value";
  readonly message: string;
  readonly fix: string;
}

const KEY_FIX =
  "use [prefix/]name, e.g. infrasage.io/pool: a DNS-subdomain prefix, a name of letters, " +
  "digits, - _ . starting and ending alphanumeric, at most 63 characters in all (EKS)";
const VALUE_FIX = "use 1 to 63 letters, digits, - _ . starting and ending with a letter or digit";

/** Problems of one node-group label (Kubernetes syntax, EKS lengths, the kubelet's namespaces). */
export function nodeLabelProblems(key: string, value: string): LabelProblem[] {
  const out: LabelProblem[] = [];
  const syntax = qualifiedNameProblem(key);
  if (syntax) out.push({ part: "key", message: `is not a Kubernetes label key: it ${syntax}`, fix: KEY_FIX });
  else if (key.length > EKS_LABEL_MAX)
    out.push({
      part: "key",
      message: `is ${key.length} characters long; EKS takes label keys of at most ${EKS_LABEL_MAX}, prefix included`,
      fix: "shorten the prefix or the name",
    });
  else if (kubeletRefusesLabel(key)) {
    out.push({
      part: "key",
      message:
        "is in the kubernetes.io/k8s.io namespace, which the kubelet refuses to set on its own " +
        "node (NodeRestriction): the nodes would never start and the group never become ACTIVE",
      fix:
        `use a prefix of your own (e.g. infrasage.io/${clip(key.slice(key.indexOf("/") + 1))}), ` +
        `or node.kubernetes.io/ or kubelet.kubernetes.io/; a node-role.kubernetes.io/ ` +
        `label can only be set after the node joined (kubectl label node)`,
    });
  }
  const v = labelValueSyntaxProblem(value);
  if (value === "")
    out.push({
      part: "value",
      message: "is empty; EKS takes label values of 1 to 63 characters",
      fix: 'give the label a value, e.g. "true"',
    });
  else if (v) out.push({ part: "value", message: `"${clip(value)}" ${v}`, fix: VALUE_FIX });
  return out;
}

/** Problems of one taint's key and value (Kubernetes syntax, EKS lengths; the value may be empty). */
export function nodeTaintProblems(key: string, value: string | undefined): LabelProblem[] {
  const out: LabelProblem[] = [];
  const syntax = qualifiedNameProblem(key);
  if (syntax)
    out.push({
      part: "key",
      message: `is not a Kubernetes taint key: it ${syntax}`,
      fix: KEY_FIX.replace("infrasage.io/pool", "infrasage.io/dedicated"),
    });
  else if (key.length > EKS_LABEL_MAX)
    out.push({
      part: "key",
      message: `is ${key.length} characters long; EKS takes taint keys of at most ${EKS_LABEL_MAX}, prefix included`,
      fix: "shorten the prefix or the name",
    });
  const v = value === undefined ? undefined : labelValueSyntaxProblem(value);
  if (v)
    out.push({
      part: "value",
      message: `"${clip(value!)}" ${v}`,
      fix: "use at most 63 letters, digits, - _ . starting and ending with a letter or digit, or no value",
    });
  return out;
}
