/**
 * Optional+Computed properties of bridged (Terraform) resources: when the program leaves one unset,
 * the provider fills it in and keeps it in state, so a real diff compares against the value the
 * provider holds, not against "unset". pulumi-terraform-bridge's cross-tests pin both cases
 * (pkg/tests/diff_test/testdata/TestSDKv2DetailedDiffString@7bc66e28): `optionalComputed/removed`
 * (set -> unset: "No changes") and `optionalComputedForceNew/added` (unset -> a value: diffed against
 * the computed value, "computed" -> "val1", replace only because the values differ).
 * The offline base holds inputs only, so each entry says what the provider holds when the input was
 * unset, where that is a documented default; `undefined` = not known offline (the change is diffed as
 * usual).
 */
import { DEFAULT_AMI_TYPE, instanceArchitecture } from "../../lib/nodes/node-groups";

type Held = (baseInputs: Record<string, unknown>) => unknown;

/** Per type: its Optional+Computed top-level properties, with the value the provider holds when unset. */
const OPTIONAL_COMPUTED: Readonly<Record<string, Readonly<Record<string, Held>>>> = {
  // terraform-provider-aws internal/service/eks/node_group.go@012e0a32: ami_type, capacity_type,
  // disk_size, instance_types, release_version, update_config, version are Optional+Computed; Read sets
  // them from DescribeNodegroup. EKS's defaults (CreateNodegroup API): capacityType ON_DEMAND; amiType
  // AL2023_x86_64_STANDARD for x86_64 instance types from Kubernetes 1.30 on (lib/nodes/node-groups.ts).
  "aws:eks/nodeGroup:NodeGroup": {
    amiType: (b) => {
      const types = Array.isArray(b.instanceTypes) ? (b.instanceTypes as unknown[]) : [];
      return types.length > 0 && types.every((t) => typeof t === "string" && instanceArchitecture(t) === "x86_64")
        ? DEFAULT_AMI_TYPE
        : undefined;
    },
    capacityType: () => "ON_DEMAND",
    diskSize: () => undefined,
    instanceTypes: () => undefined,
    releaseVersion: () => undefined,
    updateConfig: () => undefined,
    version: () => undefined,
  },
};

/**
 * Whether a change of `path` (from `old` to `next`) is no change for the provider: an Optional+Computed
 * property left unset (the provider keeps what it holds) or set to exactly what the provider holds.
 */
export function providerHoldsValue(
  type: string,
  path: string,
  old: unknown,
  next: unknown,
  baseInputs: Record<string, unknown>,
): boolean {
  const held = OPTIONAL_COMPUTED[type]?.[path];
  if (!held) return false;
  if (next === undefined) return true;
  if (old !== undefined) return false;
  const value = held(baseInputs);
  return value !== undefined && JSON.stringify(value) === JSON.stringify(next);
}
