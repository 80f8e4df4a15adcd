/** The whole program per shipped stack, under the mock cloud: what `pulumi up` would create. */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { parse as parseYaml } from "yaml";
import { containsCidr } from "cidr-tools";
import { planShipped, ofType, one, infrasageRelease, planFiles, ROOT, writeStackFile } from "../support/plan";
import { listStackFiles } from "../../offline/stack-file";
import { limitProblems } from "../../lib/aws/aws-limits";
import { runProgram } from "../../offline/run-program";
import { defineStack } from "../../stack";
import { INGESTION_ENDPOINT } from "../../policies/shared/ports";

const STACKS = [
  { stack: "eu-west-1", tenant: "acme-eu", jurisdiction: "EU" },
  { stack: "ap-south-1", tenant: "acme-in", jurisdiction: "IN" },
];

describe("shipped regional stacks (pattern 1)", () => {
  for (const { stack, tenant, jurisdiction } of STACKS) {
    describe(stack, () => {
      it(
        "creates the VPC, 3-AZ subnets, NAT, EKS, node group, " +
          "add-ons, OIDC, KMS, storage class, API-key secret and release",
        async () => {
          const plan = await planShipped(stack);
          const count = (t: string) => ofType(plan, t).length;
          assert.equal(count("aws:ec2/vpc:Vpc"), 1);
          const subnets = ofType(plan, "aws:ec2/subnet:Subnet");
          assert.equal(subnets.length, 9, "private, public and load-balancer subnet per AZ");
          assert.deepEqual([...new Set(subnets.map((s) => s.rawInputs.availabilityZone))].sort(), [
            `${stack}a`,
            `${stack}b`,
            `${stack}c`,
          ]);
          assert.equal(count("aws:ec2/natGateway:NatGateway"), 3, "medium profile: one NAT per AZ");
          assert.equal(count("aws:eks/cluster:Cluster"), 1);
          assert.equal(count("aws:eks/nodeGroup:NodeGroup"), 1);
          assert.deepEqual(
            ofType(plan, "aws:eks/addon:Addon")
              .map((a) => a.rawInputs.addonName)
              .sort(),
            ["aws-ebs-csi-driver", "coredns", "kube-proxy", "vpc-cni"],
          );
          assert.equal(count("aws:iam/openIdConnectProvider:OpenIdConnectProvider"), 1);
          assert.equal(count("aws:kms/key:Key"), 2, "secrets key and log-groups key (cluster.encryptLogs)");
          assert.equal(count("kubernetes:storage.k8s.io/v1:StorageClassPatch"), 1);
          assert.equal(count("kubernetes:core/v1:Secret"), 2, "API key and Grafana admin (mode local)");
          assert.deepEqual(
            ofType(plan, "kubernetes:helm.sh/v3:Release")
              .map((r) => r.rawInputs.name)
              .sort(),
            ["cluster-autoscaler", "infrasage"],
            "medium profile: the Cluster Autoscaler",
          );
        },
      );

      it("puts every AWS resource in the stack's region", async () => {
        const plan = await planShipped(stack);
        const aws = plan.record.resources.filter((r) => r.type.startsWith("aws:"));
        assert.ok(aws.length > 30);
        for (const r of aws) assert.equal(r.region, stack, `${r.urn} is in ${r.region}`);
      });

      it("parents every resource under a component (no stray top-level resources)", async () => {
        const plan = await planShipped(stack);
        for (const r of plan.record.resources) {
          if (r.type.startsWith("pulumi:providers:")) continue;
          if (!r.custom) continue;
          assert.ok(r.parent, `${r.urn} has no parent`);
        }
        const urns = plan.record.resources.map((r) => r.urn);
        assert.equal(new Set(urns).size, urns.length, "duplicate URNs");
      });

      it("carves subnets inside the VPC CIDR of the stack file", async () => {
        const plan = await planShipped(stack);
        const vpc = one(plan, "aws:ec2/vpc:Vpc");
        assert.equal(vpc.rawInputs.cidrBlock, plan.config.network.cidr);
        for (const s of ofType(plan, "aws:ec2/subnet:Subnet"))
          assert.ok(containsCidr(plan.config.network.cidr, String(s.rawInputs.cidrBlock)));
      });

      it("cluster security: private endpoint, rotated KMS secrets encryption, control-plane logs, IMDSv2", async () => {
        const plan = await planShipped(stack);
        const cluster = one(plan, "aws:eks/cluster:Cluster").rawInputs;
        const vpcConfig = cluster.vpcConfig as Record<string, unknown>;
        assert.equal(vpcConfig.endpointPrivateAccess, true);
        assert.equal(vpcConfig.endpointPublicAccess, false);
        assert.deepEqual([...(cluster.enabledClusterLogTypes as string[])].sort(), [
          "api",
          "audit",
          "authenticator",
          "controllerManager",
          "scheduler",
        ]);
        const enc = cluster.encryptionConfig as { resources: string[]; provider: { keyArn: string } };
        assert.deepEqual(enc.resources, ["secrets"]);
        for (const key of ofType(plan, "aws:kms/key:Key"))
          assert.equal(key.rawInputs.enableKeyRotation, true, key.name);
        const lt = one(plan, "aws:ec2/launchTemplate:LaunchTemplate").rawInputs;
        assert.equal((lt.metadataOptions as Record<string, unknown>).httpTokens, "required");
      });

      it("keeps ClickHouse data: storage class Retain, encrypted gp3, in-region topology", async () => {
        const plan = await planShipped(stack);
        const sc = one(plan, "kubernetes:storage.k8s.io/v1:StorageClassPatch").rawInputs;
        assert.equal(sc.reclaimPolicy, "Retain");
        assert.equal((sc.metadata as Record<string, unknown>).name, `gp3-${stack}`);
        assert.equal((sc.parameters as Record<string, unknown>).encrypted, "true");
        assert.match(JSON.stringify(sc.allowedTopologies), new RegExp(stack));
      });

      it("gives the Helm release the seed's values and orders it after the storage class", async () => {
        const plan = await planShipped(stack);
        const release = infrasageRelease(plan);
        const values = release.rawInputs.values as {
          ingestionGateway: { replicaCount: number; env: Record<string, string> };
          clickhouse: { persistence: Record<string, string> };
        };
        assert.equal(values.ingestionGateway.replicaCount, 3);
        assert.equal(values.ingestionGateway.env.TENANT_ID, tenant);
        assert.equal(values.ingestionGateway.env.REGION, stack);
        assert.equal(values.clickhouse.persistence.storageClass, `gp3-${stack}`);
        assert.equal(values.clickhouse.persistence.size, "500Gi");
        const sc = one(plan, "kubernetes:storage.k8s.io/v1:StorageClassPatch");
        assert.ok(release.dependencies.includes(sc.urn), "release must wait for the storage class");
      });

      it("exports region, jurisdiction, endpoint, and keeps the API key and kubeconfig secret", async () => {
        const plan = await planShipped(stack);
        const o = plan.record.outputs;
        assert.equal(o.region?.value, stack);
        assert.equal(o.jurisdiction?.value, jurisdiction);
        assert.equal(o.ingestionEndpoint?.value, INGESTION_ENDPOINT);
        assert.equal(o.apiKey?.secret, true);
        assert.equal(o.kubeconfig?.secret, true);
        assert.equal(o.vpcCidr?.value, plan.config.network.cidr);
        for (const r of plan.record.resources)
          assert.ok(!JSON.stringify(r.inputs).includes(String(o.apiKey?.value)), `API key in plain text in ${r.urn}`);
      });

      it("protects what holds state: cluster protected, log groups and storage class kept on destroy", async () => {
        const plan = await planShipped(stack);
        assert.equal(one(plan, "aws:eks/cluster:Cluster").protect, true);
        const logGroups = ofType(plan, "aws:cloudwatch/logGroup:LogGroup");
        assert.equal(logGroups.length, 3);
        for (const lg of logGroups) {
          // Control-plane and flow logs are evidence; the CI runner's build logs are not.
          assert.equal(lg.retainOnDelete, !lg.urn.includes("DeployRunner"), lg.urn);
          assert.ok(Number(lg.rawInputs.retentionInDays) > 0, `${lg.urn} never expires`);
        }
        assert.equal(one(plan, "kubernetes:storage.k8s.io/v1:StorageClassPatch").retainOnDelete, true);
      });

      it("stays within AWS name and tag limits after auto-naming", async () => {
        const plan = await planShipped(stack);
        assert.deepEqual(limitProblems(plan.record.resources), []);
      });
    });
  }

  it("gives the two stacks' kubeconfigs distinct cluster/context/user names", async () => {
    const names: string[][] = [];
    for (const { stack } of STACKS) {
      const kc = parseYaml(String((await planShipped(stack)).record.outputs.kubeconfig?.value)) as {
        contexts: { name: string }[];
        clusters: { name: string }[];
        users: { name: string }[];
      };
      names.push([kc.contexts[0]!.name, kc.clusters[0]!.name, kc.users[0]!.name]);
    }
    for (let i = 0; i < 3; i++) assert.notEqual(names[0]![i], names[1]![i]);
  });

  it("fails with every config problem before the program registers anything", async () => {
    await assert.rejects(
      runProgram(defineStack, {
        project: "infrasage",
        stack: "bad",
        region: "eu-west-1",
        config: { "aws:region": "eu-west-1", "infrasage:tenantId": "Bad Tenant" },
      }),
      /infrasage:tenantId[\s\S]*infrasage:network/,
    );
  });
});

describe("deploy.permissionsBoundaryArn: every IAM role of a planned stack carries it", function () {
  this.timeout(300_000);
  const BOUNDARY = "arn:aws:iam::123456789012:policy/infrasage-bootstrap/infrasage-boundary-test";
  const ROLE = "aws:iam/role:Role";

  /** The example group's stack files, copied with the boundary set, planned together (links resolve). */
  async function planWithBoundary(group: string) {
    const dir = mkdtempSync(join(tmpdir(), "boundary-"));
    const paths = listStackFiles(join(ROOT, "examples", group)).map((src) => {
      const config = (parseYaml(readFileSync(src, "utf8")) as { config: Record<string, unknown> }).config;
      const deploy = { ...(config["infrasage:deploy"] as object | undefined), permissionsBoundaryArn: BOUNDARY };
      return writeStackFile(
        basename(src).slice("Pulumi.".length, -".yaml".length),
        { ...config, "infrasage:deploy": deploy },
        dir,
      );
    });
    return (await planFiles(paths)).stacks;
  }

  it(
    "the shipped stacks (which set it) and the active-active and " +
      "shared-Grafana groups: ExternalDNS and load-balancer controller roles too",
    async () => {
      // One after another: one program runs at a time in a process.
      const stacks = [];
      for (const { stack } of STACKS) stacks.push(await planShipped(stack));
      for (const group of ["active-active", "shared-grafana"]) stacks.push(...(await planWithBoundary(group)));
      const names: string[] = [];
      for (const plan of stacks) {
        const roles = ofType(plan, ROLE);
        assert.ok(roles.length >= 4, `${plan.stack}: ${roles.length} roles`);
        for (const r of roles) {
          const expected = plan.config.deploy.permissionsBoundaryArn ?? BOUNDARY;
          assert.equal(r.rawInputs.permissionsBoundary, expected, `${plan.stack} ${r.name}`);
          names.push(r.name);
        }
      }
      // The roles of the components wired last in stack.ts are among those checked.
      for (const role of [/external-dns$/, /^lb-controller-role$/, /^deploy-runner-/, /flow-logs/])
        assert.ok(
          names.some((n) => role.test(n)),
          `${role}: ${[...new Set(names)].join(" ")}`,
        );
    },
  );
});
