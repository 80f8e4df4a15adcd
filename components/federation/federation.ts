/**
 * Pattern 2 in the program, in two steps. `planFederation` reads the other side's stack outputs
 * (StackReferences, awaited: whether a link exists depends on them, and the release's values too)
 * and turns them into a plain plan with lib/federation/federation.ts. `wireFederation` then creates the hub or
 * spoke component and returns the stack outputs of pattern 2, plus the hub's target-group binding for
 * the stack's one LoadBalancerController.
 */
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../../lib/config/types";
import {
  alertFlow,
  hubValues,
  readHub,
  readSpokes,
  spokeValues,
  stackOf,
  type FederationValues,
  type HubFederationExport,
} from "../../lib/federation/federation";
import type { NetworkExport } from "../../lib/links/peering-plan";
import type { EksCluster } from "../cluster/cluster";
import { readLinkedStack } from "../links/linked-stacks";
import { FederationHub } from "./federation-hub";
import { FederationSpoke } from "./federation-spoke";
import type { TargetGroupBindingRequest } from "../addons/lb-controller";
import type { RegionalNetwork } from "../network/network";

export interface FederationPlan {
  /** Chart values of this side (buildHelmValues `alertFederation`). */
  readonly values: FederationValues;
  /** What is missing before this side is fully linked (a stack output; never an error). */
  readonly pending: readonly string[];
  /** The cross-region flows this stack takes part in (a stack output for reviewers). */
  readonly flows: readonly string[];
  /** Hub: every listed spoke's stack name, and the deployed ones' networks. */
  readonly spokes?: { readonly stacks: readonly string[]; readonly linked: readonly NetworkExport[] };
  /** Spoke with a hub ready for it: the hub's exports and this spoke's credential (secret). */
  readonly hub?: {
    readonly federation: HubFederationExport;
    readonly network: NetworkExport;
    readonly credential: pulumi.Output<string>;
  };
}

/** Outputs a hub or spoke reads from the other side. */
const HUB_OUTPUTS = ["federation", "network", "spokeCredentials"] as const;

/**
 * Reads the hub (spoke) or the listed spokes (hub) and plans this side. Only for pattern hub-spoke.
 * `opts` (the stack's AWS provider) serves the data sources of links through published contracts.
 */
export async function planFederation(config: StackConfig, opts: pulumi.InvokeOptions): Promise<FederationPlan> {
  const f = config.federation;
  if (!f) throw new Error("planFederation: the stack has no federation config");
  if (f.role === "hub") {
    const reads = await Promise.all(
      f.spokes.map(async (ref) => ({
        ref,
        ...(await readLinkedStack(config, `federation-spoke-${stackOf(ref)}`, ref, ["network"], opts)),
      })),
    );
    const { linked, pending } = readSpokes(config.network.cidr, reads);
    return {
      values: hubValues(),
      pending,
      flows: linked.map((spoke) => alertFlow(spoke, config)),
      spokes: { stacks: f.spokes.map(stackOf), linked },
    };
  }
  const ref = f.hubStack;
  if (!ref) throw new Error("planFederation: a spoke needs federation.hubStack");
  const hub = await readLinkedStack(config, "federation-hub", ref, HUB_OUTPUTS, opts);
  const read = readHub(ref, hub.outputs, { stack: config.stack, vpcCidr: config.network.cidr });
  if (!read.ok || !hub.credential)
    return {
      values: spokeValues({ stack: config.stack, includeMetadata: f.includeMetadata }),
      pending: read.ok ? [] : read.pending,
      flows: [],
    };
  return {
    values: spokeValues({
      stack: config.stack,
      includeMetadata: f.includeMetadata,
      hubWebhookUrl: read.hub.webhookUrl,
    }),
    pending: [],
    flows: [alertFlow(config, { stack: read.network.stack, region: read.hub.region })],
    hub: { federation: read.hub, network: read.network, credential: hub.credential(config.stack) },
  };
}

/** What the components need from the rest of the stack. */
export interface FederationWiring {
  readonly config: StackConfig;
  readonly network: Pick<
    RegionalNetwork,
    "vpcId" | "loadBalancerSubnetIds" | "loadBalancerSubnetCidrs" | "privateSubnetCidrs" | "privateRouteTableIds"
  >;
  readonly cluster: Pick<EksCluster, "clusterSecurityGroupId">;
  /** Namespace of the InfraSage release. */
  readonly namespace: pulumi.Input<string>;
}

/** What wireFederation created: pattern 2's stack outputs, and the hub's binding (none on a spoke). */
export interface FederationWired {
  readonly outputs: Record<string, pulumi.Input<unknown>>;
  readonly bindings: readonly TargetGroupBindingRequest[];
}

/** Creates the hub or spoke component of `plan`. */
export function wireFederation(
  name: string,
  plan: FederationPlan,
  w: FederationWiring,
  opts?: pulumi.ComponentResourceOptions,
): FederationWired {
  const { config, network, cluster } = w;
  const privateSubnetCidrs = network.privateSubnetCidrs;
  const outputs = { pending: [...plan.pending], flows: [...plan.flows] };
  if (plan.spokes) {
    const hub = new FederationHub(
      `${name}-hub`,
      {
        region: config.region,
        jurisdiction: config.jurisdiction,
        vpcId: network.vpcId,
        loadBalancerSubnetIds: network.loadBalancerSubnetIds,
        loadBalancerSubnetCidrs: network.loadBalancerSubnetCidrs,
        clusterSecurityGroupId: cluster.clusterSecurityGroupId,
        namespace: w.namespace,
        spokeStacks: plan.spokes.stacks,
        linkedSpokes: plan.spokes.linked,
        // State in separate backends: spokes cannot read this stack's outputs, so each credential is
        // also a secret in this region that its spoke reads (lib/links/contract.ts).
        ...(config.links.via === "ssm"
          ? { publishCredentials: { project: pulumi.getProject(), hubStack: config.stack } }
          : {}),
        tags: config.tags,
      },
      opts,
    );
    return {
      outputs: { ...outputs, federation: hub.federationExport, spokeCredentials: hub.spokeCredentials },
      bindings: hub.targetGroupBinding ? [hub.targetGroupBinding] : [],
    };
  }
  if (plan.hub) {
    new FederationSpoke(
      `${name}-spoke`,
      {
        region: config.region,
        vpcId: network.vpcId,
        privateRouteTableIds: network.privateRouteTableIds,
        privateSubnetCidrs,
        hub: plan.hub.federation,
        hubNetwork: plan.hub.network,
        credential: plan.hub.credential,
        namespace: w.namespace,
        tags: config.tags,
      },
      opts,
    );
  }
  return { outputs, bindings: [] };
}
