/**
 * The one mock cloud, shared by the tests and the offline plan CLI. It answers the Pulumi mock
 * runtime the way AWS and Kubernetes would answer `pulumi up`, with realistic, deterministic values
 * (ARNs, ids, auto-names with Pulumi's 7-character suffix, the cluster endpoint, CA and OIDC issuer,
 * AZ names of the region). An invoke it does not know fails loudly rather than returning nothing.
 */
import type { ExistingSubnet } from "../lib/network/existing-vpc";
import { createHash } from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";
import { availabilityZonesOf, findRegion } from "../policies/shared/regions";
import { MOCK_ADDON_VERSION } from "./mock-values";

const MOCK_ACCOUNT_ID = "123456789012";

export interface MockCloudContext {
  /** Home region of the stack (`aws:region`). */
  readonly region: string;
  /**
   * Outputs of another stack by its `org/project/stack` name (what `--all` feeds StackReferences);
   * undefined = that stack is not deployed yet (its outputs read as empty).
   */
  readonly resolveStackReference?: (ref: string) => Record<string, unknown> | undefined;
  /**
   * A first `pulumi preview`: nothing exists yet, so a resource's outputs are its checked inputs
   * (auto-names included: providers compute them in Check) and everything a provider computes on
   * create (ids, ARNs, endpoints, generated passwords, statuses) is unknown. @default false
   */
  readonly preview?: boolean;
  /**
   * Objects that exist in the cloud or cluster without being in this stack's state (what an earlier
   * life of the stack left behind: retained resources). Creating one of them again fails as AWS and
   * Kubernetes fail it (already exists) unless the program imports or patches it; data sources see
   * them. @default none
   */
  readonly existing?: readonly ExistingObject[];
  /**
   * Subnets of an existing VPC (`network.existingVpc`) that the subnet and route-table data sources
   * answer with; offline these are assumed (lib/network/existing-vpc.ts assumedExistingSubnets).
   * @default none
   */
  readonly existingSubnets?: readonly ExistingSubnet[];
  /**
   * This stack's outputs from its previous deployment (undefined: none): the EKS cluster data source
   * answers with the `clusterVersion` they record. @default none
   */
  readonly deployedOutputs?: () => Record<string, unknown> | undefined;
  /**
   * What deployed stacks published for stacks in other backends (lib/links/contract.ts), by
   * `<region>|<name>`: SSM parameters and Secrets Manager secrets. @default nothing published
   */
  readonly published?: Published;
}

/** Published SSM parameters and secrets, by `<region>|<name>`. */
export interface Published {
  readonly parameters: ReadonlyMap<string, string>;
  readonly secrets: ReadonlyMap<string, string>;
}

/** A physical object outside the stack's state: its type and its fixed physical name. */
export interface ExistingObject {
  readonly type: string;
  readonly physicalName: string;
}

/**
 * The physical name a create of `type` claims, when the program fixes it: AWS resources by their
 * name property, Kubernetes objects by namespace/name. Patch resources claim nothing (they upsert:
 * pulumi-kubernetes provider/pkg/await/await.go Creation, server-side apply of *Patch kinds).
 */
export function fixedPhysicalName(type: string, inputs: Readonly<Record<string, unknown>>): string | undefined {
  if (type.startsWith("kubernetes:")) {
    if (type.endsWith("Patch") || type === "kubernetes:helm.sh/v3:Release") return undefined;
    const metadata = (inputs.metadata ?? {}) as Record<string, unknown>;
    if (typeof metadata.name !== "string") return undefined;
    return typeof metadata.namespace === "string" ? `${metadata.namespace}/${metadata.name}` : metadata.name;
  }
  // Route 53 allows several hosted zones with one name: a zone never collides.
  const prop = type === "aws:route53/zone:Zone" ? undefined : AUTONAMED[type];
  const value = prop ? inputs[prop] : undefined;
  return typeof value === "string" ? value : undefined;
}

/** The error the provider returns for a create of an object that exists (as the real one words it). */
function alreadyExists(type: string, physicalName: string): Error {
  return new Error(
    type.startsWith("kubernetes:")
      ? `${type} "${physicalName}" already exists: The resource already exists ` +
          `in the cluster (pulumi-kubernetes: create without upsertExistingObjects)`
      : `creating ${type} (${physicalName}): ResourceAlreadyExistsException: the resource already exists`,
  );
}

const hex = (seed: string, length: number): string => createHash("sha256").update(seed).digest("hex").slice(0, length);

/** Pulumi's auto-name: logical name + "-" + 7 random hex characters. */
export const AUTONAME_SUFFIX_LENGTH = 8;
const autoName = (name: string): string => `${name}-${hex(`autoname:${name}`, 7)}`;

/** Types whose physical name property is `name` and is auto-named when not given. */
const AUTONAMED: Readonly<Record<string, string>> = {
  "aws:iam/role:Role": "name",
  "aws:iam/policy:Policy": "name",
  "aws:cloudwatch/logGroup:LogGroup": "name",
  "aws:ec2/securityGroup:SecurityGroup": "name",
  "aws:ec2/launchTemplate:LaunchTemplate": "name",
  "aws:eks/nodeGroup:NodeGroup": "nodeGroupName",
  "aws:kms/alias:Alias": "name",
  "aws:lb/loadBalancer:LoadBalancer": "name",
  "aws:lb/targetGroup:TargetGroup": "name",
  "aws:route53/zone:Zone": "name",
  "aws:sqs/queue:Queue": "name",
};

function regionOf(inputs: Record<string, unknown>, ctx: MockCloudContext): string {
  return typeof inputs.region === "string" ? inputs.region : ctx.region;
}

function awsState(
  type: string,
  name: string,
  inputs: Record<string, unknown>,
  ctx: MockCloudContext,
): { id: string; state: Record<string, unknown> } {
  const region = regionOf(inputs, ctx);
  const [pkgMod, kind] = [type.split(":")[1]!.split("/")[0]!, type.split(":")[2]!];
  const id = `${kind.toLowerCase().slice(0, 6)}-${hex(`${region}:${type}:${name}`, 17)}`;
  const state: Record<string, unknown> = { ...inputs };
  const nameProp = AUTONAMED[type];
  if (nameProp && inputs[nameProp] === undefined) state[nameProp] = autoName(name);
  const physical = String(state[nameProp ?? "name"] ?? id);
  // IAM ARNs carry the role's or policy's path (`role/<path>/<name>`; default path "/").
  const iamPath = typeof inputs.path === "string" ? inputs.path : "/";
  state.arn =
    pkgMod === "iam"
      ? `arn:aws:iam::${MOCK_ACCOUNT_ID}:${kind.charAt(0).toLowerCase() + kind.slice(1)}${iamPath}${physical}`
      : `arn:aws:${pkgMod}:${region}:${MOCK_ACCOUNT_ID}:${kind.toLowerCase()}/${physical}`;
  state.tagsAll = { ...(inputs.tags as object | undefined) };
  switch (type) {
    case "aws:ec2/vpc:Vpc":
      return {
        id: `vpc-${hex(id, 17)}`,
        state: {
          ...state,
          defaultSecurityGroupId: `sg-${hex(`${id}sg`, 17)}`,
          mainRouteTableId: `rtb-${hex(`${id}rt`, 17)}`,
          defaultNetworkAclId: `acl-${hex(`${id}acl`, 17)}`,
        },
      };
    case "aws:ec2/subnet:Subnet":
      return { id: `subnet-${hex(id, 17)}`, state };
    case "aws:eks/cluster:Cluster": {
      const clusterName = String(inputs.name ?? autoName(name));
      const oidc = hex(`oidc:${region}:${clusterName}`, 32).toUpperCase();
      return {
        id: clusterName,
        state: {
          ...state,
          name: clusterName,
          arn: `arn:aws:eks:${region}:${MOCK_ACCOUNT_ID}:cluster/${clusterName}`,
          endpoint: `https://${oidc}.gr7.${region}.eks.amazonaws.com`,
          certificateAuthority: {
            data: Buffer.from(`-----BEGIN CERTIFICATE-----\nMOCK-${clusterName}\n-----END CERTIFICATE-----\n`).toString(
              "base64",
            ),
          },
          identities: [{ oidcs: [{ issuer: `https://oidc.eks.${region}.amazonaws.com/id/${oidc}` }] }],
          vpcConfig: {
            ...(inputs.vpcConfig as object),
            clusterSecurityGroupId: `sg-${hex(`${id}cluster`, 17)}`,
            vpcId: `vpc-mock`,
          },
          platformVersion: "eks.1",
          status: "ACTIVE",
        },
      };
    }
    case "aws:kms/key:Key":
      return {
        id: `${hex(id, 8)}-${hex(id, 4)}-4${hex(id, 3)}-8${hex(id, 3)}-${hex(id, 12)}`,
        state: { ...state, keyId: id, arn: `arn:aws:kms:${region}:${MOCK_ACCOUNT_ID}:key/${id}` },
      };
    case "aws:iam/openIdConnectProvider:OpenIdConnectProvider": {
      const host = String(inputs.url ?? "").replace(/^https:\/\//, "");
      return {
        id: `arn:aws:iam::${MOCK_ACCOUNT_ID}:oidc-provider/${host}`,
        state: { ...state, arn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:oidc-provider/${host}` },
      };
    }
    case "aws:ec2/securityGroup:SecurityGroup":
      return { id: `sg-${hex(id, 17)}`, state };
    case "aws:ec2/launchTemplate:LaunchTemplate":
      return { id: `lt-${hex(id, 17)}`, state: { ...state, latestVersion: 1 } };
    case "aws:ec2/natGateway:NatGateway":
      return { id: `nat-${hex(id, 17)}`, state };
    case "aws:ec2/eip:Eip":
      return {
        id: `eipalloc-${hex(id, 17)}`,
        state: { ...state, publicIp: "203.0.113.10", allocationId: `eipalloc-${hex(id, 17)}` },
      };
    case "aws:ec2/routeTable:RouteTable":
      return { id: `rtb-${hex(id, 17)}`, state };
    case "aws:ec2/internetGateway:InternetGateway":
      return { id: `igw-${hex(id, 17)}`, state };
    case "aws:ec2/vpcPeeringConnection:VpcPeeringConnection":
      return { id: `pcx-${hex(id, 17)}`, state: { ...state, acceptStatus: "pending-acceptance" } };
    case "aws:lb/loadBalancer:LoadBalancer":
      return {
        id: state.arn as string,
        state: {
          ...state,
          dnsName: `internal-${String(state.name)}-${hex(id, 10)}.${region}.elb.amazonaws.com`,
          zoneId: "Z32O12XQLNTSW2",
        },
      };
    case "aws:lb/targetGroup:TargetGroup": {
      const arn =
        `arn:aws:elasticloadbalancing:${region}:${MOCK_ACCOUNT_ID}:` +
        `targetgroup/${String(state.name)}/${hex(id, 16)}`;
      return { id: arn, state: { ...state, arn } };
    }
    case "aws:sqs/queue:Queue": {
      const arn = `arn:aws:sqs:${region}:${MOCK_ACCOUNT_ID}:${physical}`;
      return {
        id: `https://sqs.${region}.amazonaws.com/${MOCK_ACCOUNT_ID}/${physical}`,
        state: { ...state, arn, url: `https://sqs.${region}.amazonaws.com/${MOCK_ACCOUNT_ID}/${physical}` },
      };
    }
    case "aws:codeconnections/connection:Connection":
      // AWS creates a connection PENDING; only a person approving it in the console makes it AVAILABLE.
      return {
        id: state.arn as string,
        state: { ...state, connectionStatus: "PENDING", ownerAccountId: MOCK_ACCOUNT_ID },
      };
    case "aws:s3/bucket:Bucket":
      return {
        id: String(inputs.bucket ?? id),
        state: {
          ...state,
          arn: `arn:aws:s3:::${String(inputs.bucket ?? id)}`,
          bucketRegionalDomainName: `${String(inputs.bucket ?? id)}.s3.${region}.amazonaws.com`,
        },
      };
    case "aws:route53/zone:Zone":
      return {
        id: `Z${hex(id, 20).toUpperCase()}`,
        state: { ...state, zoneId: `Z${hex(id, 20).toUpperCase()}`, nameServers: [] },
      };
    default:
      return { id, state };
  }
}

function k8sState(
  type: string,
  name: string,
  inputs: Record<string, unknown>,
): { id: string; state: Record<string, unknown> } {
  const metadata = (inputs.metadata ?? {}) as Record<string, unknown>;
  const objName = String(metadata.name ?? inputs.name ?? autoName(name));
  const ns = metadata.namespace ?? inputs.namespace;
  const state: Record<string, unknown> = {
    ...inputs,
    metadata: { ...metadata, name: objName, uid: hex(`${type}:${name}`, 32) },
  };
  if (type === "kubernetes:helm.sh/v3:Release") {
    state.status = { name: objName, namespace: ns ?? "default", status: "deployed", version: 1, revision: 1 };
  }
  return { id: ns ? `${String(ns)}/${objName}` : objName, state };
}

/**
 * Preview of a create: the engine shows the provider's checked inputs as outputs and leaves every
 * computed property unknown (an absent property resolves unknown in preview: @pulumi/pulumi
 * runtime/rpc.js resolveProperties; an empty id too: runtime/resource.js).
 */
function previewState(
  type: string,
  name: string,
  inputs: Record<string, unknown>,
): { id: undefined; state: Record<string, unknown> } {
  const state: Record<string, unknown> = { ...inputs };
  const nameProp = AUTONAMED[type];
  if (nameProp && inputs[nameProp] === undefined) state[nameProp] = autoName(name);
  if (type.startsWith("kubernetes:") && type !== "kubernetes:helm.sh/v3:Release") {
    const metadata = (inputs.metadata ?? {}) as Record<string, unknown>;
    state.metadata = { ...metadata, name: metadata.name ?? autoName(name) };
  }
  return { id: undefined, state };
}

/** A `pulumi.runtime.Mocks` implementation bound to one stack's context. */
export function createMockCloud(ctx: MockCloudContext): pulumi.runtime.Mocks {
  return {
    newResource(args: pulumi.runtime.MockResourceArgs): pulumi.runtime.MockResourceResult {
      const inputs = (args.inputs ?? {}) as Record<string, unknown>;
      if (args.type === "pulumi:pulumi:StackReference") {
        // Read, not created: its outputs are known at preview too.
        const ref = String(inputs.name ?? args.name);
        const outputs = ctx.resolveStackReference?.(ref);
        return { id: ref, state: { name: ref, outputs: outputs ?? {}, secretOutputNames: [] } };
      }
      const existing = (ctx.existing ?? []).find(
        (o) => o.type === args.type && o.physicalName === (args.id || fixedPhysicalName(args.type, inputs)),
      );
      if (args.id && args.custom !== false) {
        // `import`: the engine reads the object first; a missing one fails the run.
        if (!existing) throw new Error(`${args.type} ${args.name}: importing ${args.id}: the resource does not exist`);
      } else if (existing && !ctx.preview) {
        throw alreadyExists(args.type, existing.physicalName);
      }
      if (ctx.preview) return previewState(args.type, args.name, inputs);
      if (args.type.startsWith("pulumi:providers:")) return { id: `${args.name}-provider-id`, state: inputs };
      if (args.type.startsWith("aws:")) return awsState(args.type, args.name, inputs, ctx);
      if (args.type.startsWith("kubernetes:")) return k8sState(args.type, args.name, inputs);
      if (args.type.startsWith("random:")) {
        const length = Number(inputs.length ?? 32);
        const result = hex(`random:${ctx.region}:${args.name}`, 64).repeat(4).slice(0, length);
        return {
          id: args.name,
          state: { ...inputs, result, hex: result, b64Std: Buffer.from(result).toString("base64") },
        };
      }
      return { id: `${args.name}-id`, state: inputs };
    },
    call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
      const inputs = (args.inputs ?? {}) as Record<string, unknown>;
      const region = regionOf(inputs, ctx);
      switch (args.token) {
        case "aws:index/getAvailabilityZones:getAvailabilityZones": {
          const names = availabilityZonesOf(region);
          return {
            names,
            zoneIds: names.map((_, i) => `${region.replace(/-/g, "").slice(0, 4)}-az${i + 1}`),
            id: region,
            state: "available",
          };
        }
        case "aws:eks/getClusters:getClusters": {
          const prev = ctx.deployedOutputs?.();
          return {
            id: region,
            names:
              prev && typeof prev.clusterVersion === "string" && typeof prev.clusterName === "string"
                ? [prev.clusterName]
                : [],
          };
        }
        case "aws:eks/getCluster:getCluster": {
          const prev = ctx.deployedOutputs?.();
          if (!prev || prev.clusterName !== inputs.name || typeof prev.clusterVersion !== "string") {
            throw new Error(`reading EKS Cluster (${String(inputs.name)}): couldn't find resource`);
          }
          return {
            id: String(inputs.name),
            name: inputs.name,
            version: prev.clusterVersion,
            arn: `arn:aws:eks:${region}:${MOCK_ACCOUNT_ID}:cluster/${String(inputs.name)}`,
            status: "ACTIVE",
          };
        }
        case "aws:eks/getAddon:getAddon": {
          // What the last deployment recorded (stack output addonVersions); not installed otherwise.
          const prev = ctx.deployedOutputs?.();
          const versions =
            prev && prev.clusterName === inputs.clusterName
              ? (prev.addonVersions as Record<string, unknown> | undefined)
              : undefined;
          const version = versions?.[String(inputs.addonName)];
          if (typeof version !== "string")
            throw new Error(
              `reading EKS Add-On (${String(inputs.clusterName)}:${String(inputs.addonName)}): couldn't find resource`,
            );
          return {
            id: `${String(inputs.clusterName)}:${String(inputs.addonName)}`,
            addonName: inputs.addonName,
            clusterName: inputs.clusterName,
            addonVersion: version,
          };
        }
        case "aws:ec2/getSubnet:getSubnet": {
          const s = (ctx.existingSubnets ?? []).find((x) => x.id === inputs.id);
          if (!s)
            throw new Error(
              `no matching EC2 Subnet found: ${String(inputs.id)} ` +
                `(offline mock cloud: not an existing subnet of this stack)`,
            );
          return {
            id: s.id,
            vpcId: s.vpcId,
            cidrBlock: s.cidrBlock,
            availabilityZone: s.availabilityZone,
            arn: `arn:aws:ec2:${region}:${MOCK_ACCOUNT_ID}:subnet/${s.id}`,
            mapPublicIpOnLaunch: false,
            tags: {},
          };
        }
        case "aws:ec2/getRouteTable:getRouteTable": {
          // The VPC's main table (`association.main`), or a subnet's own; an existing subnet with an
          // empty routeTableId has no association of its own (it uses the main table).
          if (
            Array.isArray(inputs.filters) &&
            (inputs.filters as { name?: string }[]).some((f) => f.name === "association.main")
          ) {
            const main = `rtb-main${String(inputs.vpcId).slice(4)}`;
            return { id: main, routeTableId: main, vpcId: inputs.vpcId, routes: [], associations: [], tags: {} };
          }
          const s = (ctx.existingSubnets ?? []).find((x) => x.id === inputs.subnetId && x.routeTableId !== "");
          if (!s) throw new Error(`no matching route table found for subnet ${String(inputs.subnetId)}`);
          return {
            id: s.routeTableId,
            routeTableId: s.routeTableId,
            vpcId: s.vpcId,
            subnetId: s.id,
            routes: [],
            associations: [],
            tags: {},
          };
        }
        case "aws:index/getCallerIdentity:getCallerIdentity":
          return {
            accountId: MOCK_ACCOUNT_ID,
            arn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:user/offline`,
            userId: "AIDAOFFLINE",
            id: MOCK_ACCOUNT_ID,
          };
        case "aws:index/getRegion:getRegion":
          return {
            name: region,
            region,
            id: region,
            description: findRegion(region)?.location ?? region,
            endpoint: `ec2.${region}.amazonaws.com`,
          };
        case "aws:index/getPartition:getPartition":
          return { partition: "aws", dnsSuffix: "amazonaws.com", id: "aws", reverseDnsPrefix: "com.amazonaws" };
        case "aws:eks/getAddonVersion:getAddonVersion":
          return { ...inputs, version: MOCK_ADDON_VERSION, id: String(inputs.addonName) };
        case "aws:cloudwatch/getLogGroups:getLogGroups": {
          const prefix = String(inputs.logGroupNamePrefix ?? "");
          const names = (ctx.existing ?? [])
            .filter((o) => o.type === "aws:cloudwatch/logGroup:LogGroup" && o.physicalName.startsWith(prefix))
            .map((o) => o.physicalName);
          return {
            logGroupNames: names,
            arns: names.map((n) => `arn:aws:logs:${region}:${MOCK_ACCOUNT_ID}:log-group:${n}`),
            id: region,
          };
        }
        case "aws:ssm/getParametersByPath:getParametersByPath": {
          const path = String(inputs.path ?? "");
          const found = [...(ctx.published?.parameters ?? new Map<string, string>())].filter(([k]) =>
            k.startsWith(`${region}|${path}`),
          );
          const names = found.map(([k]) => k.slice(region.length + 1));
          return {
            path,
            names,
            values: found.map(([, v]) => v),
            types: names.map(() => "String"),
            arns: names.map((n) => `arn:aws:ssm:${region}:${MOCK_ACCOUNT_ID}:parameter${n}`),
            id: path,
          };
        }
        case "aws:secretsmanager/getSecrets:getSecrets": {
          const wanted = ((inputs.filters ?? []) as { name: string; values: string[] }[])
            .filter((f) => f.name === "name")
            .flatMap((f) => f.values);
          const names = [...(ctx.published?.secrets ?? new Map<string, string>()).keys()]
            .filter((k) => k.startsWith(`${region}|`))
            .map((k) => k.slice(region.length + 1))
            .filter((n) => wanted.length === 0 || wanted.includes(n));
          return {
            names,
            arns: names.map((n) => `arn:aws:secretsmanager:${region}:${MOCK_ACCOUNT_ID}:secret:${n}`),
            id: region,
          };
        }
        case "aws:secretsmanager/getSecretVersion:getSecretVersion": {
          const value = ctx.published?.secrets.get(`${region}|${String(inputs.secretId)}`);
          // As AWS answers a secret that does not exist (the data source fails the run).
          if (value === undefined)
            throw new Error(
              `reading Secrets Manager secret (${String(inputs.secretId)}) in ${region}: ResourceNotFoundException`,
            );
          return {
            secretId: inputs.secretId,
            secretString: value,
            arn: `arn:aws:secretsmanager:${region}:${MOCK_ACCOUNT_ID}:secret:${String(inputs.secretId)}`,
            id: String(inputs.secretId),
            versionId: "v1",
            versionStages: ["AWSCURRENT"],
          };
        }
        case "aws:iam/getPolicyDocument:getPolicyDocument":
          return { json: JSON.stringify({ Version: "2012-10-17", Statement: inputs.statements ?? [] }), id: "policy" };
        default:
          throw new Error(`offline mock cloud: no mock for invoke ${args.token}; add it to offline/mock-cloud.ts`);
      }
    },
  };
}
