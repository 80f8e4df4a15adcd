/**
 * The InfraSage Helm release of one region: namespace, generated API key (Secret), the encrypted
 * region-pinned StorageClass its volumes use, and the chart. Values and the StorageClass come from
 * the pure `lib/release/helm-values.ts`; this file only wires resources.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as random from "@pulumi/random";
import type { ChartSource } from "../../lib/config/types";
import {
  API_KEY_SECRET_KEY,
  INFRASAGE_RELEASE_NAME,
  buildHelmValues,
  buildStorageClassSpec,
  type HelmValuesInput,
  type InfraSageValues,
} from "../../lib/release/helm-values";
import { INFRASAGE_NAMESPACE, PORTS } from "../../policies/shared/ports";
import {
  INTERSERVER_SECRET_KEY,
  INTERSERVER_SECRET_NAME,
  clickhouseReplicaService,
} from "../../lib/replication/clickhouse-replica";
import { runbookAccessValues } from "../../lib/runbooks/runbook-access";
import { GRAFANA_ADMIN_PASSWORD_LENGTH, GRAFANA_ADMIN_SECRET, GRAFANA_ADMIN_USER } from "../../lib/grafana/grafana";
import { RunbookAccess } from "../runbooks/runbook-access";
import { networkPolicies, networkPolicy } from "../isolation/network-policies";
import {
  CHART_COMPONENT_LABELS,
  NAMESPACE_POD_SECURITY,
  allowIngress,
  namespaceBaseline,
  podSecurityLabels,
} from "../../lib/isolation/isolation";

export interface InfraSageReleaseArgs {
  /** Stack-derived inputs of the chart values (the API key Secret's name is supplied here). */
  readonly values: Omit<HelmValuesInput, "apiKeySecretName" | "runbookAccess">;
  /** Where the chart comes from: a local path or a Helm repository. */
  readonly chart: ChartSource;
  /** A new value generates a new API key (random keepers); unset: the key deployed stays. */
  readonly apiKeyRotation?: string;
  /** AZs of the region the StorageClass may create volumes in. */
  readonly availabilityZones: readonly string[];
  /**
   * Namespace of the release (created here).
   * @default INFRASAGE_NAMESPACE ("infrasage", the namespace INGESTION_ENDPOINT names)
   */
  readonly namespace?: string;
  /**
   * Pattern 3 (active-active, from ActiveActiveMember): the release also creates the interserver
   * password Secret and the replica's headless Service, and gets the replication values once the
   * group is complete.
   * @default none (no replication)
   */
  readonly replication?: ReleaseReplicationArgs;
  /**
   * EKS cluster the release runs in: names the runbook kubeconfig (`/etc/kubeconfig/<name>.yaml`).
   * Required when `values.runbooks.namespaceScope` is non-empty (the release then also creates the
   * runbook identity, components/runbooks/runbook-access.ts).
   * @default none (allowed only without a runbook scope)
   */
  readonly clusterName?: string;
}

/** ClickHouse replication inputs of the release (pattern 3). */
interface ReleaseReplicationArgs {
  /** Generated XML and the TLS Secret name once the group is complete; undefined until then. */
  readonly clickhouse: pulumi.Input<
    | {
        readonly configXml: string;
        readonly tlsSecretName: string;
        readonly hostRegions?: Readonly<Record<string, string>>;
      }
    | undefined
  >;
  /** The group's interserver password (a secret, identical in every member). */
  readonly interserverPassword: pulumi.Input<string>;
  /** Stack name: the replica is published as `clickhouse.<stack>.infrasage.internal`. */
  readonly stack: string;
  /** Private subnets of the data peers: ClickHouse's TLS native and interserver ports admit them. */
  readonly peerCidrs: pulumi.Input<string[]>;
}

/** Seconds Helm waits per operation: StatefulSets wait on EBS volumes being created and attached. */
const HELM_TIMEOUT_SECONDS = 900;
const API_KEY_LENGTH = 40;

/**
 * How `k8s.helm.v3.Release` receives each kind of chart source. An `oci://` registry takes the full
 * reference as the chart, no repo (Helm's ChartPathOptions.LocateChart, helm.sh/helm/v3/pkg/action);
 * a private one's credentials go in `repositoryOpts` for both kinds, the password as a secret.
 */
export function chartArgs(chart: ChartSource): Pick<k8s.helm.v3.ReleaseArgs, "chart" | "version" | "repositoryOpts"> {
  switch (chart.kind) {
    case "path":
      return { chart: chart.path };
    case "repo": {
      const auth =
        chart.username !== undefined && chart.password !== undefined
          ? { username: chart.username, password: pulumi.secret(chart.password) }
          : {};
      if (chart.repo.startsWith("oci://")) {
        return {
          chart: `${chart.repo.replace(/\/+$/, "")}/${chart.name}`,
          version: chart.version,
          ...(Object.keys(auth).length ? { repositoryOpts: auth } : {}),
        };
      }
      return { chart: chart.name, version: chart.version, repositoryOpts: { repo: chart.repo, ...auth } };
    }
  }
}

/**
 * InfraSage in one cluster. Pass the cluster's provider as `providers: { kubernetes: p }`:
 * every child inherits it through `parent`.
 */
export class InfraSageRelease extends pulumi.ComponentResource {
  /** Namespace the release lives in. */
  public readonly namespace: pulumi.Output<string>;
  /** Generated ingestion API key (a Pulumi secret). */
  public readonly apiKey: pulumi.Output<string>;
  /** Helm release name. */
  public readonly releaseName: pulumi.Output<string>;
  /** StorageClass of ClickHouse and Kafka volumes. */
  public readonly storageClassName: string;
  /** In-cluster URL services of this region send telemetry to (INGESTION_ENDPOINT by default). */
  public readonly ingestionEndpoint: string;
  /** Values given to the chart (plain data, nothing secret). */
  public readonly values: InfraSageValues;
  /** Generated Grafana admin password (a Pulumi secret); only where Grafana runs (mode local). */
  public readonly grafanaAdminPassword?: pulumi.Output<string>;

  constructor(name: string, args: InfraSageReleaseArgs, opts?: pulumi.ComponentResourceOptions) {
    super("infrasage:app:InfraSageRelease", name, {}, opts);
    const namespaceName = args.namespace ?? INFRASAGE_NAMESPACE;
    const apiKeySecretName = `${name}-api-key`;
    const region = args.values.region;
    const namespaceScope = args.values.runbooks.namespaceScope;

    // Plan first (pure, may reject the input), then wire.
    const planned = (() => {
      try {
        if (namespaceScope.length > 0 && !args.clusterName)
          throw new Error("clusterName is required with a runbooks.namespaceScope (it names the kubeconfig)");
        const runbookAccess =
          namespaceScope.length > 0 && args.clusterName ? runbookAccessValues(args.clusterName) : undefined;
        return {
          runbookAccess,
          values: buildHelmValues({ ...args.values, apiKeySecretName, ...(runbookAccess ? { runbookAccess } : {}) }),
          storageClass: buildStorageClassSpec(region, args.values.clickhouse.storageClass, args.availabilityZones),
        };
      } catch (e) {
        throw new pulumi.ResourceError(e instanceof Error ? e.message : String(e), this);
      }
    })();
    this.values = planned.values;
    const storageClassSpec = planned.storageClass;

    const ns = new k8s.core.v1.Namespace(
      `${name}-namespace`,
      {
        metadata: {
          name: namespaceName,
          labels: { ...this.values.global.labels, ...podSecurityLabels(NAMESPACE_POD_SECURITY.infrasage) },
        },
      },
      { parent: this },
    );
    // Ingress denied by default; InfraSage's pods talk to each other; every namespace's workloads
    // send telemetry to the Ingestion Gateway (seed: services point at their local gateway).
    networkPolicies(
      `${name}-netpol`,
      [
        ...namespaceBaseline(namespaceName),
        allowIngress(
          "allow-ingestion",
          namespaceName,
          [PORTS.ingestionGateway],
          { anyNamespace: true },
          CHART_COMPONENT_LABELS.ingestionGateway,
        ),
      ],
      { parent: this, dependsOn: [ns] },
    );

    const password = new random.RandomPassword(
      `${name}-api-key`,
      {
        length: API_KEY_LENGTH,
        special: false,
        // keepers replace the password when they change (terraform-provider-random resource_password.go);
        // none until a rotation is asked for, so deployed keys stay.
        ...(args.apiKeyRotation !== undefined ? { keepers: { rotation: args.apiKeyRotation } } : {}),
      },
      { parent: this },
    );
    // `result` is already an additional secret output; `secret` keeps that explicit end to end.
    this.apiKey = pulumi.secret(password.result);

    const secret = new k8s.core.v1.Secret(
      `${name}-api-key`,
      {
        metadata: { name: apiKeySecretName, namespace: ns.metadata.name },
        type: "Opaque",
        stringData: { [API_KEY_SECRET_KEY]: this.apiKey },
      },
      { parent: this },
    );

    // Cluster-scoped, fixed name, referenced by Retain-ed PVs: kept on `pulumi destroy` and applied as
    // a Patch (server-side apply upserts it), so a stack deployed again into a cluster that kept it
    // adopts it instead of failing with "already exists" (pulumi-kubernetes >= 4.29 creates non-patch
    // objects with a plain create: provider/pkg/await/await.go Creation).
    const storageClass = new k8s.storage.v1.StorageClassPatch(
      `${name}-storage-class`,
      {
        metadata: storageClassSpec.metadata,
        provisioner: storageClassSpec.provisioner,
        parameters: storageClassSpec.parameters,
        volumeBindingMode: storageClassSpec.volumeBindingMode,
        reclaimPolicy: storageClassSpec.reclaimPolicy,
        allowVolumeExpansion: storageClassSpec.allowVolumeExpansion,
        allowedTopologies: storageClassSpec.allowedTopologies.map((t) => ({
          matchLabelExpressions: t.matchLabelExpressions.map((e) => ({ key: e.key, values: [...e.values] })),
        })),
      },
      { parent: this, retainOnDelete: true },
    );
    this.storageClassName = storageClassSpec.metadata.name;

    // --- Grafana (mode local): generated admin password, only ever in a Secret and a secret output ---
    const grafanaSecrets: pulumi.Resource[] = [];
    if (this.values.grafana.enabled) {
      const grafanaPassword = new random.RandomPassword(
        `${name}-grafana-admin`,
        { length: GRAFANA_ADMIN_PASSWORD_LENGTH, special: false },
        { parent: this },
      );
      this.grafanaAdminPassword = pulumi.secret(grafanaPassword.result);
      grafanaSecrets.push(
        new k8s.core.v1.Secret(
          `${name}-grafana-admin`,
          {
            metadata: { name: GRAFANA_ADMIN_SECRET.name, namespace: ns.metadata.name },
            type: "Opaque",
            stringData: {
              [GRAFANA_ADMIN_SECRET.userKey]: GRAFANA_ADMIN_USER,
              [GRAFANA_ADMIN_SECRET.passwordKey]: this.grafanaAdminPassword,
            },
          },
          { parent: this },
        ),
      );
    }

    // --- Runbooks: ServiceAccount, kubeconfig Secret, Role + RoleBinding per scoped namespace ------
    const runbooks =
      planned.runbookAccess && args.clusterName
        ? new RunbookAccess(
            `${name}-runbooks`,
            { clusterName: args.clusterName, namespace: ns.metadata.name, namespaceScope },
            { parent: this },
          )
        : undefined;

    // --- Pattern 3: interserver Secret and replica Service; values once the group is complete ---
    const replicationSecrets: pulumi.Resource[] = [];
    let replicationValues: pulumi.Output<InfraSageValues> | undefined;
    if (args.replication) {
      const rep = args.replication;
      replicationSecrets.push(
        new k8s.core.v1.Secret(
          `${name}-interserver`,
          {
            metadata: { name: INTERSERVER_SECRET_NAME, namespace: ns.metadata.name },
            type: "Opaque",
            stringData: { [INTERSERVER_SECRET_KEY]: pulumi.secret(rep.interserverPassword) },
          },
          { parent: this },
        ),
      );
      networkPolicy(
        `${name}-netpol-allow-replicas`,
        pulumi
          .output(rep.peerCidrs)
          .apply((cidrs) =>
            allowIngress(
              "allow-replication-peers",
              namespaceName,
              [PORTS.clickhouseNativeTls, PORTS.clickhouseInterserverTls],
              { cidrs },
              CHART_COMPONENT_LABELS.clickhouse,
            ),
          ),
        { parent: this, dependsOn: [ns] },
        namespaceName,
      );
      const replica = clickhouseReplicaService(rep.stack, namespaceName);
      new k8s.core.v1.Service(
        `${name}-clickhouse-replica`,
        {
          metadata: { ...replica.metadata, namespace: ns.metadata.name },
          spec: replica.spec,
        },
        { parent: this },
      );
      replicationValues = pulumi.output(rep.clickhouse).apply((ch) => {
        if (!ch) return this.values;
        try {
          return buildHelmValues({
            ...args.values,
            apiKeySecretName,
            ...(planned.runbookAccess ? { runbookAccess: planned.runbookAccess } : {}),
            clickhouseReplication: {
              configXml: ch.configXml,
              tlsSecretName: ch.tlsSecretName,
              interserverSecret: { name: INTERSERVER_SECRET_NAME, key: INTERSERVER_SECRET_KEY },
              ...(ch.hostRegions ? { hostRegions: ch.hostRegions } : {}),
            },
          });
        } catch (e) {
          throw new pulumi.ResourceError(e instanceof Error ? e.message : String(e), this);
        }
      });
    }

    // helm.v3.Release (not v4.Chart) runs chart hooks like `helm install` does.
    const release = new k8s.helm.v3.Release(
      `${name}-release`,
      {
        name: INFRASAGE_RELEASE_NAME,
        ...chartArgs(args.chart),
        namespace: ns.metadata.name,
        values: replicationValues ?? { ...this.values },
        atomic: false, // a failed install stays inspectable instead of being purged with its PVCs
        timeout: HELM_TIMEOUT_SECONDS,
      },
      {
        parent: this,
        // PVCs and pods reference these by name, not through inputs: ordering must be explicit.
        dependsOn: [
          storageClass,
          secret,
          ...replicationSecrets,
          ...(runbooks?.podPrerequisites ?? []),
          ...grafanaSecrets,
        ],
      },
    );

    this.namespace = ns.metadata.name;
    this.releaseName = release.status.name;
    // Equals INGESTION_ENDPOINT in the default namespace; follows a custom one.
    this.ingestionEndpoint =
      `http://${INFRASAGE_RELEASE_NAME}-gateway.${namespaceName}` + `.svc.cluster.local:${PORTS.ingestionGateway}`;
    this.registerOutputs({
      namespace: this.namespace,
      apiKey: this.apiKey,
      releaseName: this.releaseName,
      storageClassName: this.storageClassName,
      ingestionEndpoint: this.ingestionEndpoint,
      ...(this.grafanaAdminPassword ? { grafanaAdminPassword: this.grafanaAdminPassword } : {}),
    });
  }
}
