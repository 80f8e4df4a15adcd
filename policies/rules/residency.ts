/**
 * Residency: every AWS resource and every telemetry store is in the stack's home region; networking
 * that reaches another region stays in the home jurisdiction; Kubernetes storage points at the home
 * region. Replication and copies are in residency-replication.ts.
 */
import type { PolicyResource } from "@pulumi/policy";
import {
  AWS_PROVIDER_TYPE,
  HOME_PROVIDER_NAME,
  anchoredHomeRegion,
  stackOfUrn,
  effectiveRegion,
  noAnchorMessage,
  requireStackHome,
  resourceHomeRegion,
  resourceRule,
  stackNameRegion,
  stackRule,
  type RuleContext,
} from "./framework";
import {
  ALERT_LINK_FLOW,
  FLOW_TAG,
  LINK_COMPONENT_TYPES,
  METRICS_LINK_FLOW,
  PEERING_COMPONENT_TYPE,
} from "../shared/flows";
import { madeByPeeringComponent, peeringLinkOf } from "./links";
import { PEERING_TYPES, ROUTE_TYPE, isPeeringRoute } from "./link-scope";
import {
  asArray,
  asObject,
  asString,
  asStrings,
  get,
  outsideJurisdiction,
  regionsInName,
  walk,
  type JurisdictionOf,
} from "./props";

/**
 * Services whose API is global (no region): exempt as in AWS's region-deny SCP examples
 * (NotAction iam:*, organizations:*, route53:*, cloudfront:*, globalaccelerator:*, shield:*, ...).
 * Route 53 Resolver and Route 53 Profiles are regional and deliberately not listed.
 */
const GLOBAL_TYPE_PREFIXES: readonly string[] = [
  "aws:iam/",
  "aws:organizations/",
  "aws:cloudfront/",
  "aws:globalaccelerator/",
  "aws:shield/",
  "aws:budgets/",
  "aws:costexplorer/",
  "aws:route53domains/",
  "aws:account/",
  "aws:waf/",
  "aws:chatbot/",
  "aws:route53/zone:",
  "aws:route53/record:",
  "aws:route53/healthCheck:",
  "aws:route53/delegationSet:",
  "aws:route53/zoneAssociation:",
  "aws:route53/vpcAssociationAuthorization:",
  "aws:route53/hostedZoneDnsSec:",
  "aws:route53/keySigningKey:",
  "aws:route53/trafficPolicy:",
  "aws:route53/trafficPolicyInstance:",
  "aws:route53/cidrCollection:",
  "aws:route53/cidrLocation:",
];

/** AWS resources that hold telemetry (or copies of it): checked by `telemetry-stores-in-home-region`. */
const TELEMETRY_STORE_TYPES: readonly string[] = [
  "aws:ebs/volume:Volume",
  "aws:ebs/snapshot:Snapshot",
  "aws:s3/bucket:Bucket",
  "aws:s3/bucketV2:BucketV2",
  "aws:cloudwatch/logGroup:LogGroup",
  "aws:msk/cluster:Cluster",
  "aws:msk/serverlessCluster:ServerlessCluster",
  "aws:kinesis/stream:Stream",
  "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream",
  "aws:opensearch/domain:Domain",
  "aws:rds/cluster:Cluster",
  "aws:rds/instance:Instance",
  "aws:efs/fileSystem:FileSystem",
  "aws:dynamodb/table:Table",
  "aws:elasticache/replicationGroup:ReplicationGroup",
];

/** Resources that live in the *other* region of a cross-region link: same jurisdiction, any region. */
const CROSS_REGION_NETWORK_TYPES: readonly string[] = [
  ...PEERING_TYPES,
  "aws:ec2transitgateway/peeringAttachment:PeeringAttachment",
  "aws:ec2transitgateway/peeringAttachmentAccepter:PeeringAttachmentAccepter",
];

/** Replicas and copies created in the destination region (checked in residency-replication.ts). */
const REPLICA_TYPES: readonly string[] = [
  "aws:kms/replicaKey:ReplicaKey",
  "aws:kms/replicaExternalKey:ReplicaExternalKey",
  "aws:ebs/snapshotCopy:SnapshotCopy",
  "aws:ec2/amiCopy:AmiCopy",
  "aws:dynamodb/tableReplica:TableReplica",
];

/**
 * Flow values whose links may cross jurisdictions (each kept narrow by its own scope rule: alert-link.ts,
 * metrics-link.ts).
 */
const CROSSING_FLOWS: readonly string[] = [ALERT_LINK_FLOW, METRICS_LINK_FLOW];
const isCrossingFlow = (tags: unknown): boolean => {
  const flow = asObject(tags)[FLOW_TAG];
  return typeof flow === "string" && CROSSING_FLOWS.includes(flow);
};

const isGlobalType = (type: string): boolean => GLOBAL_TYPE_PREFIXES.some((p) => type.startsWith(p));

function mustBeHome(what: string, region: string | undefined, home: string | undefined, ctx: RuleContext): void {
  if (home === undefined)
    ctx.report(`cannot determine the home region (no AWS provider region, no homeRegion in policy config) for ${what}`);
  else if (region !== home)
    ctx.report(`${what} is in ${region ?? "an unknown region"}, outside the home region ${home}`);
}

export const awsResourceInHomeRegion = resourceRule({
  name: "aws-resource-in-home-region",
  description: "Every regional AWS resource is created in the stack's home region",
  kind: "residency",
  severity: "critical",
  remediation: "Remove the resource's `region` input (or use the stack's provider); one stack per region.",
  appliesTo: (t) =>
    t.startsWith("aws:") &&
    !isGlobalType(t) &&
    ![...TELEMETRY_STORE_TYPES, ...CROSS_REGION_NETWORK_TYPES, ...REPLICA_TYPES].includes(t),
  check: (args, ctx) => {
    if (isPeeringRoute(args.type, args.props)) return; // cross-region-routes-in-jurisdiction
    mustBeHome(args.type, effectiveRegion(args), resourceHomeRegion(args, ctx.config), ctx);
  },
});

const ROUTES_DESCRIPTION =
  "Routes through a VPC peering connection are in the home jurisdiction, or belong to the tagged alert or metrics link";

/**
 * Before each route is created: judged on its own Analyze, which carries neither the connection
 * (its id is a plain string at up) nor its tags. So a peering route must be made by the peering
 * component, which routes only through its own connection (whose peer cross-region-networking-in-
 * jurisdiction judged before it was created); one in another jurisdiction must be the return path of
 * a link whose component made that peering component (links.ts peeringLinkOf).
 */
export const crossRegionRoutesInJurisdiction = resourceRule({
  name: "cross-region-routes-in-jurisdiction",
  description: ROUTES_DESCRIPTION,
  kind: "residency",
  severity: "critical",
  remediation:
    `Route through a peering only with the peering component (${PEERING_COMPONENT_TYPE}); create peer-side ` +
    `routes only for links to the same jurisdiction, the alert link or the metrics link (made ` +
    `by ${[...LINK_COMPONENT_TYPES[ALERT_LINK_FLOW]!, ...LINK_COMPONENT_TYPES[METRICS_LINK_FLOW]!].join(", ")}).`,
  appliesTo: (t) => t === ROUTE_TYPE,
  check: (args, ctx) => {
    if (!isPeeringRoute(args.type, args.props)) return;
    if (!madeByPeeringComponent(args)) {
      return ctx.report(
        `route ${args.name} goes through a VPC peering connection but was not made ` +
          `by the peering component (${PEERING_COMPONENT_TYPE}): which connection, and ` +
          `so which jurisdiction, it leads to cannot be proven before it is created`,
      );
    }
    const home = resourceHomeRegion(args, ctx.config);
    if (home === undefined) return mustBeHome(`route ${args.name}`, undefined, undefined, ctx);
    const region = effectiveRegion(args);
    if (region === home) return;
    const why = outsideJurisdiction(region, home, ctx.jurisdictionOf);
    if (why === undefined || peeringLinkOf(args) !== undefined) return;
    ctx.report(
      `route ${args.name} in ${region ?? "an unknown region"} belongs ` +
        `to a peering that is not the alert or metrics link: ${why}`,
    );
  },
});

/**
 * Second line of cross-region-routes-in-jurisdiction: after apply (AnalyzeStack), each route's connection by dependency
 * and its tag.
 */
export const crossRegionRoutesInJurisdictionStack = stackRule({
  name: "cross-region-routes-in-jurisdiction-stack",
  description: `${ROUTES_DESCRIPTION}; second line: the whole stack, after apply`,
  kind: "residency",
  severity: "critical",
  remediation:
    `Create peer-side routes only for links to the same jurisdiction, the alert link or the ` +
    `metrics link (their peering tagged ${FLOW_TAG}=${ALERT_LINK_FLOW} or ${METRICS_LINK_FLOW}).`,
  check: (args, ctx) => {
    const routes = args.resources.filter((r) => isPeeringRoute(r.type, r.props));
    if (routes.length === 0) return;
    const home = requireStackHome(args, ctx);
    if (home === undefined) return;
    for (const route of routes) {
      ctx.each(route, () => {
        const region = effectiveRegion(route);
        if (region === home) return;
        const why = outsideJurisdiction(region, home, ctx.jurisdictionOf);
        if (why === undefined) return;
        // The connection it routes through, by dependency (its id is unknown at preview).
        const via = [...(route.propertyDependencies.vpcPeeringConnectionId ?? []), ...route.dependencies].find((d) =>
          PEERING_TYPES.includes(d.type),
        );
        if (via && isCrossingFlow(via.props.tags)) return;
        ctx.report(
          `route in ${region ?? "an unknown region"} ` +
            (via
              ? `through ${via.name}, which is not the alert link`
              : "through a peering connection not in this stack") +
            `: ${why}`,
          route.urn,
        );
      });
    }
  },
});

/**
 * At the provider's own registration (providers are registered resources and the engine analyzes
 * them like any other before using them: pulumi/pulumi pkg/resource/deploy/step_generator.go,
 * generateSteps -> continueStepsFromRefresh -> analyzeAll, with no exception for provider types).
 * The anchor cannot be the provider judged: policy config `homeRegion`, else the region the stack's
 * name names. Without either, the provider named "aws" defines the home region (stackHomeRegion)
 * and any other AWS provider cannot be proven home: a violation naming the fix.
 */
export const awsProvidersInHomeRegion = resourceRule({
  name: "aws-providers-in-home-region",
  description:
    "Every AWS provider targets the home region (a second provider " +
    "would move resources elsewhere), checked before it is used",
  kind: "residency",
  severity: "critical",
  remediation:
    'Use the stack\'s one provider named "aws" in the region the ' +
    "stack is named for; deploy another region as its own stack.",
  appliesTo: (t) => t === AWS_PROVIDER_TYPE,
  check: (args, ctx) => {
    const home = ctx.config.homeRegion ?? stackNameRegion(args.urn);
    if (home === undefined) {
      if (args.name === HOME_PROVIDER_NAME) return;
      return ctx.report(noAnchorMessage(`AWS provider ${args.name}`));
    }
    mustBeHome(`AWS provider ${args.name}`, asString(args.props.region), home, ctx);
  },
});

/** Second line of aws-providers-in-home-region: after apply (AnalyzeStack), against the provider named "aws". */
export const awsProvidersInHomeRegionStack = stackRule({
  name: "aws-providers-in-home-region-stack",
  description:
    "Every AWS provider of the stack targets the home region (a second provider " +
    "would move resources elsewhere); second line: the whole stack, after apply",
  kind: "residency",
  severity: "critical",
  remediation: 'Use the stack\'s one provider named "aws"; deploy another region as its own stack.',
  check: (args, ctx) => {
    const providers = args.resources.filter((r) => r.type === AWS_PROVIDER_TYPE);
    if (providers.length === 0) return;
    const home = requireStackHome(args, ctx);
    if (home === undefined) return;
    for (const p of providers) {
      ctx.each(p, () =>
        mustBeHome(`AWS provider ${p.name}`, asString(p.props.region), home, {
          ...ctx,
          report: (m) => ctx.report(m, p.urn),
        }),
      );
    }
  },
});

export const telemetryStoresInHomeRegion = resourceRule({
  name: "telemetry-stores-in-home-region",
  description:
    "Data stores that can hold telemetry (EBS, S3, CloudWatch Logs, MSK, ...) are in the home region and its AZs",
  kind: "residency",
  severity: "critical",
  remediation: "Create the store with the stack's provider and an availability zone of the home region.",
  appliesTo: (t) => TELEMETRY_STORE_TYPES.includes(t),
  check: (args, ctx) => {
    const home = resourceHomeRegion(args, ctx.config);
    mustBeHome(args.type, effectiveRegion(args), home, ctx);
    for (const key of ["availabilityZone", "availabilityZoneName"]) {
      const az = asString(args.props[key]);
      if (az !== undefined && home !== undefined && !regionsInName(az).every((r) => r === home)) {
        ctx.report(`${args.type} ${key} ${az} is not an availability zone of the home region ${home}`);
      }
    }
  },
});

/** The other end's region of a cross-region networking resource. */
function otherEnd(type: string, props: Record<string, unknown>, own: string | undefined): string | undefined {
  if (type.endsWith("Accepter")) return own; // the accepter lives in the peer's region
  return asString(props.peerRegion) ?? own; // no peerRegion: same-region peering
}

export const crossRegionNetworkingInJurisdiction = resourceRule({
  name: "cross-region-networking-in-jurisdiction",
  description:
    "VPC peering and transit-gateway peering reach only regions of " +
    "the home jurisdiction (except the tagged alert and metrics links)",
  kind: "residency",
  severity: "critical",
  remediation:
    `Peer only with regions of the same jurisdiction; the hub-and-spoke alert ` +
    `link (${FLOW_TAG}=${ALERT_LINK_FLOW}) carries only the alert webhook, the ` +
    `shared-Grafana link (${FLOW_TAG}=${METRICS_LINK_FLOW}) only Prometheus.`,
  appliesTo: (t) => CROSS_REGION_NETWORK_TYPES.includes(t),
  check: (args, ctx) => {
    const home = resourceHomeRegion(args, ctx.config);
    if (home === undefined) return mustBeHome(args.type, undefined, undefined, ctx);
    const peer = otherEnd(args.type, args.props, effectiveRegion(args));
    const why = outsideJurisdiction(peer, home, ctx.jurisdictionOf);
    if (why === undefined) return;
    const flow = asObject(args.props.tags)[FLOW_TAG];
    if (!isCrossingFlow(args.props.tags)) return ctx.report(`${args.type} connects to another jurisdiction: ${why}`);
    // The tag alone is not enough: the link's scope rules judge routes by the component that made
    // them, so a crossing peering must be that link's own (links.ts peeringLinkOf).
    if (peeringLinkOf(args) === flow) return;
    ctx.report(
      `${args.type} is tagged ${FLOW_TAG}=${String(flow)} but was not made by that link's peering ` +
        `component (${PEERING_COMPONENT_TYPE} ` +
        `under ${LINK_COMPONENT_TYPES[String(flow)]?.join(" or ") ?? "?"}), so its routes ` +
        `would escape the link's scope rule; it connects to another jurisdiction: ${why}`,
    );
  },
});

/** A StorageClass, whether created or applied as a Patch (server-side apply: the same object). */
const STORAGE_CLASS_TYPES: readonly string[] = [
  "kubernetes:storage.k8s.io/v1:StorageClass",
  "kubernetes:storage.k8s.io/v1:StorageClassPatch",
];
const isStorageClass = (type: string): boolean => STORAGE_CLASS_TYPES.includes(type);

/** Why a StorageClass may create volumes outside `home`, or undefined. */
function storageClassProblem(sc: Pick<PolicyResource, "name" | "props">, home: string): string | undefined {
  const name = asString(get(sc.props, "metadata", "name")) ?? sc.name;
  const named = regionsInName(name).filter((r) => r !== home);
  if (named.length > 0) return `storage class ${name} is named for ${named.join(", ")}, not the home region ${home}`;
  for (const term of asArray(sc.props.allowedTopologies)) {
    for (const expr of asArray(get(term, "matchLabelExpressions"))) {
      const key = asString(get(expr, "key")) ?? "";
      for (const value of asStrings(get(expr, "values"))) {
        if (!/zone|region/.test(key)) continue;
        const regions = regionsInName(value);
        if (regions.length !== 1)
          return (
            `storage class ${name} topology ${key}=${value} names no ` +
            `known region (zone ids cannot be mapped; use zone names)`
          );
        if (regions[0] !== home)
          return `storage class ${name} topology ${key}=${value} is in ${regions[0]}, not the home region ${home}`;
      }
    }
  }
  return undefined;
}

/** Before the class is created: its own name and topology against the anchored home region. */
export const storageClassesInHomeRegion = resourceRule({
  name: "storage-classes-in-home-region",
  description:
    "Kubernetes StorageClasses are named for and restricted to the home region, checked before they are created",
  kind: "residency",
  severity: "high",
  remediation: "Name the class gp3-<home region> and list only the home region's AZs under allowedTopologies.",
  appliesTo: isStorageClass,
  check: (args, ctx) => {
    const home = anchoredHomeRegion(args, ctx.config);
    if (home === undefined) return ctx.report(noAnchorMessage(`storage class ${args.name}`));
    const problem = storageClassProblem(args, home);
    if (problem) ctx.report(problem);
  },
});

/** Second line of storage-classes-in-home-region: after apply (AnalyzeStack). */
export const storageClassesInHomeRegionStack = stackRule({
  name: "storage-classes-in-home-region-stack",
  description:
    "Kubernetes StorageClasses are named for and restricted to " +
    "the home region; second line: the whole stack, after apply",
  kind: "residency",
  severity: "high",
  remediation: "Name the class gp3-<home region> and list only the home region's AZs under allowedTopologies.",
  check: (args, ctx) => {
    const classes = args.resources.filter((r) => isStorageClass(r.type));
    if (classes.length === 0) return;
    const home = requireStackHome(args, ctx);
    if (home === undefined) return;
    for (const sc of classes) {
      ctx.each(sc, () => {
        const problem = storageClassProblem(sc, home);
        if (problem) ctx.report(problem, sc.urn);
      });
    }
  },
});

const STORAGE_CLASS_KEYS = new Set(["storageClass", "storageClassName"]);

/** Storage class names a workload's props set (`storageClass`/`storageClassName` at any depth). */
function storageClassRefs(props: unknown): { key: string; name: string }[] {
  const out: { key: string; name: string }[] = [];
  for (const { key, value } of walk(props)) {
    const name = asString(value);
    if (STORAGE_CLASS_KEYS.has(key) && name) out.push({ key, name });
  }
  return out;
}

/**
 * Before the workload is created: every class it names must not be named for another region. A
 * class with a neutral name ("fast") is judged where it is defined: in this stack by
 * storage-classes-in-home-region at its own registration (the release depends on it, so it is
 * registered first); a class created outside Pulumi is seen by neither line.
 */
export const workloadStorageInHomeRegion = resourceRule({
  name: "workload-storage-in-home-region",
  description:
    "Helm values and Kubernetes objects (ClickHouse/Kafka persistence, PVCs) " +
    "use only storage classes of the home region, checked before they are created",
  kind: "residency",
  severity: "critical",
  remediation: "Set infrasage:clickhouse.storageClass to gp3-<home region> (the default).",
  appliesTo: (t) => t.startsWith("kubernetes:") && !isStorageClass(t),
  check: (args, ctx) => {
    // Values files are assets the policy cannot read: their storage classes cannot be proven.
    if (args.props.valueYamlFiles !== undefined && asArray(args.props.valueYamlFiles).length > 0) {
      ctx.report(`${args.type} takes values from valueYamlFiles, which the policy cannot read; pass values inline`);
    }
    const refs = storageClassRefs(args.props);
    if (refs.length === 0) return;
    const home = anchoredHomeRegion(args, ctx.config);
    if (home === undefined) return ctx.report(noAnchorMessage(`${args.type} ${args.name}`));
    for (const { key, name } of refs) {
      const named = regionsInName(name).filter((r) => r !== home);
      if (named.length > 0)
        ctx.report(`${key} ${name} is a storage class of ${named.join(", ")}, not of the home region ${home}`);
    }
  },
});

/** Second line of workload-storage-in-home-region: after apply (AnalyzeStack), also through the stack's own classes. */
export const workloadStorageInHomeRegionStack = stackRule({
  name: "workload-storage-in-home-region-stack",
  description:
    "Helm values and Kubernetes objects (ClickHouse/Kafka persistence, PVCs) use only " +
    "storage classes of the home region; second line: the whole stack, after apply",
  kind: "residency",
  severity: "critical",
  remediation: "Set infrasage:clickhouse.storageClass to gp3-<home region> (the default).",
  check: (args, ctx) => {
    const workloads = args.resources.filter((r) => r.type.startsWith("kubernetes:") && !isStorageClass(r.type));
    if (workloads.length === 0) return;
    const home = requireStackHome(args, ctx);
    if (home === undefined) return;
    const foreignClasses = new Map<string, string>();
    for (const sc of args.resources.filter((r) => isStorageClass(r.type))) {
      ctx.each(sc, () => {
        const problem = storageClassProblem(sc, home);
        if (problem) foreignClasses.set(asString(get(sc.props, "metadata", "name")) ?? sc.name, problem);
      });
    }
    for (const w of workloads) {
      ctx.each(w, () => {
        // Values files are assets the policy cannot read: their storage classes cannot be proven.
        if (w.props.valueYamlFiles !== undefined && asArray(w.props.valueYamlFiles).length > 0) {
          ctx.report(
            `${w.type} takes values from valueYamlFiles, which the policy cannot read; pass values inline`,
            w.urn,
          );
        }
        for (const { key, value } of walk(w.props)) {
          const name = asString(value);
          if (!STORAGE_CLASS_KEYS.has(key) || !name) continue;
          const named = regionsInName(name).filter((r) => r !== home);
          if (named.length > 0)
            ctx.report(
              `${key} ${name} is a storage class of ${named.join(", ")}, not of the home region ${home}`,
              w.urn,
            );
          else if (foreignClasses.has(name)) ctx.report(`${key} ${name}: ${foreignClasses.get(name)}`, w.urn);
        }
      });
    }
  },
});

/**
 * Stack tag that anchors a stack's jurisdiction where a pull request cannot set it (`pulumi stack tag set` on a
 * self-managed backend).
 */
const JURISDICTION_STACK_TAG = "infrasage:jurisdiction";

/**
 * Tags Pulumi Cloud adds from Pulumi.yaml on every update (pulumi/pulumi pkg/backend/stack.go
 * GetEnvironmentTagsForCurrentStack), which a self-managed (DIY) backend never sends: it sends only the
 * tags stored with the stack (pkg/backend/diy/state.go). Where they are present the tag set was merged
 * with the stack's `pulumi:tags` config, which wins over stored tags and which a pull request edits
 * (Pulumi.yaml or the stack file): no tag of such a set is an anchor.
 */
const MERGED_TAG_MARKERS: readonly string[] = ["pulumi:project", "pulumi:runtime"];

/** The `infrasage:jurisdiction` tag if it can only have been stored with the stack, else undefined. */
function anchoredJurisdictionTag(tags: ReadonlyMap<string, string>): string | undefined {
  if (MERGED_TAG_MARKERS.some((k) => tags.has(k))) return undefined;
  return tags.get(JURISDICTION_STACK_TAG);
}

/**
 * Why `home` is not the home region the stack's identity allows, against anchors a pull request
 * cannot change: the stack's name (fixed at `pulumi stack init`; every URN carries it) and a stored
 * `infrasage:jurisdiction` tag (anchoredJurisdictionTag). The stack file and Pulumi.yaml are no anchor.
 */
function identityProblems(
  stack: string,
  home: string,
  tags: ReadonlyMap<string, string>,
  jurisdictionOf: JurisdictionOf,
): string[] {
  const problems: string[] = [];
  const named = regionsInName(stack);
  if (named.length > 0 && !named.includes(home)) {
    problems.push(
      `stack ${stack} is named for ${named.join(", ")} but its resources go to ${home}: ` +
        `a stack file pointed at another region would move this tenant's data there`,
    );
  }
  const tagged = anchoredJurisdictionTag(tags);
  const jurisdiction = jurisdictionOf(home);
  if (tagged !== undefined && tagged.toUpperCase() !== jurisdiction) {
    problems.push(
      `stack ${stack} is tagged ${JURISDICTION_STACK_TAG}=${tagged} but its ` +
        `home region ${home} is in ${jurisdiction ?? "an unknown jurisdiction"}`,
    );
  }
  return problems;
}

const IDENTITY_REMEDIATION =
  `Deploy the stack to the region its name names (Pulumi.<region>.yaml), or, on a self-managed backend, ` +
  `set the stack tag ${JURISDICTION_STACK_TAG} (pulumi stack tag set) to the home region's jurisdiction.`;

/**
 * First line: each AWS resource and provider before it is created (Analyze), so `pulumi up` stops before the first one.
 */
export const resourceHomeMatchesStackIdentity = resourceRule({
  name: "resource-home-matches-stack-identity",
  description:
    "Every AWS provider and AWS resource has a home region the stack's identity " +
    "allows: the region its name names, and its stored infrasage:jurisdiction stack tag",
  kind: "residency",
  severity: "critical",
  remediation: IDENTITY_REMEDIATION,
  appliesTo: (t) => t.startsWith("aws:") || t === AWS_PROVIDER_TYPE,
  check: (args, ctx) => {
    const stack = stackOfUrn(args.urn);
    // A provider's own region is the home of everything it creates; a resource's home is its provider's (or
    // homeRegion).
    const home =
      args.type === AWS_PROVIDER_TYPE
        ? (ctx.config.homeRegion ?? asString(args.props.region))
        : resourceHomeRegion(args, ctx.config);
    if (stack === undefined || home === undefined) return; // no home: the region rules report it
    for (const problem of identityProblems(stack, home, args.stackTags, ctx.jurisdictionOf)) ctx.report(problem);
  },
});

/** Second line: the stack's home region (AnalyzeStack, after apply in an update). */
export const stackIdentityMatchesHome = stackRule({
  name: "stack-identity-matches-home-region",
  description:
    "The stack's home region agrees with its identity: the region " +
    "its name names, and its stored infrasage:jurisdiction stack tag",
  kind: "residency",
  severity: "critical",
  remediation: IDENTITY_REMEDIATION,
  check: (args, ctx) => {
    const stack = args.resources.map((r) => stackOfUrn(r.urn)).find((x) => x !== undefined);
    if (stack === undefined) return;
    const home = requireStackHome(args, ctx);
    if (home === undefined) return;
    for (const problem of identityProblems(stack, home, args.stackTags, ctx.jurisdictionOf)) ctx.report(problem);
  },
});

export const RESIDENCY_POLICIES = [
  resourceHomeMatchesStackIdentity,
  stackIdentityMatchesHome,
  awsResourceInHomeRegion,
  awsProvidersInHomeRegion,
  crossRegionRoutesInJurisdiction,
  telemetryStoresInHomeRegion,
  crossRegionNetworkingInJurisdiction,
  storageClassesInHomeRegion,
  workloadStorageInHomeRegion,
  crossRegionRoutesInJurisdictionStack,
  awsProvidersInHomeRegionStack,
  storageClassesInHomeRegionStack,
  workloadStorageInHomeRegionStack,
];
