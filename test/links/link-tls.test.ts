/**
 * TLS on the links that leave a cluster through a load balancer: identities, ghostunnel's flags, manifests Kubernetes
 * accepts.
 */
import assert from "node:assert/strict";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { Service } from "kubernetes-models/v1/Service";
import {
  LINK_TLS_SECRET,
  linkIdentity,
  linkTlsPrerequisite,
  tunnelArgs,
  tunnelManifests,
  type TunnelClient,
  type TunnelServer,
} from "../../lib/links/link-tls";
import { IMAGES } from "../../lib/charts/pinned-versions";

const SERVER: TunnelServer = {
  mode: "server",
  name: "infrasage-alert-link",
  namespace: "infrasage",
  listenPort: 8443,
  target: "infrasage-aiops.infrasage.svc.cluster.local:8080",
  allowedPeers: ["b.link.infrasage.internal", "a.link.infrasage.internal", "a.link.infrasage.internal"],
};
const CLIENT: TunnelClient = {
  mode: "client",
  name: "infrasage-hub-link",
  namespace: "infrasage",
  listenPort: 8080,
  target: "infrasage-hub.central.internal:8443",
  peer: "eu-west-1.link.infrasage.internal",
};
type Pod = {
  spec: {
    template: {
      spec: {
        automountServiceAccountToken: boolean;
        securityContext: Record<string, unknown>;
        containers: { image: string; args: string[]; securityContext: Record<string, unknown> }[];
        volumes: { secret: { secretName: string } }[];
      };
    };
  };
};

describe("link TLS (lib/links/link-tls.ts)", () => {
  it("names each stack's certificate identity as one DNS label under link.infrasage.internal", () => {
    assert.equal(linkIdentity("eu-west-1"), "eu-west-1.link.infrasage.internal");
    assert.equal(linkIdentity("Prod_EU.west"), "prod-eu-west.link.infrasage.internal");
    const long = linkIdentity(`${"x".repeat(70)}-`);
    assert.equal(long.split(".")[0]!.length, 63);
    assert.match(linkIdentity("--"), /^stack\./);
  });

  it("gives a server mutual TLS with its certificate, the CA, and only the allowed peers (sorted, once each)", () => {
    assert.deepEqual(tunnelArgs(SERVER), [
      "server",
      "--listen=0.0.0.0:8443",
      "--target=infrasage-aiops.infrasage.svc.cluster.local:8080",
      "--unsafe-target",
      "--cert=/etc/link-tls/tls.crt",
      "--key=/etc/link-tls/tls.key",
      "--cacert=/etc/link-tls/ca.crt",
      "--allow-dns=a.link.infrasage.internal",
      "--allow-dns=b.link.infrasage.internal",
      "--timed-reload=1h",
      "--status=http://0.0.0.0:8081",
    ]);
    assert.ok(!tunnelArgs(SERVER).includes("--allow-all") && !tunnelArgs(SERVER).includes("--disable-authentication"));
    assert.throws(() => tunnelArgs({ ...SERVER, allowedPeers: [] }), /at least one allowed peer/);
  });

  it("gives a client its certificate and accepts only the peer it dials", () => {
    const args = tunnelArgs(CLIENT);
    assert.equal(args[0], "client");
    for (const a of [
      "--target=infrasage-hub.central.internal:8443",
      "--override-server-name=eu-west-1.link.infrasage.internal",
      "--verify-dns=eu-west-1.link.infrasage.internal",
      "--cert=/etc/link-tls/tls.crt",
      "--cacert=/etc/link-tls/ca.crt",
    ]) {
      assert.ok(args.includes(a), a);
    }
    assert.ok(!args.includes("--disable-authentication"));
  });

  it(
    "builds a Deployment and Service Kubernetes accepts, that meet " +
      "Pod Security 'restricted' and wait for the operator's Secret",
    () => {
      for (const t of [SERVER, CLIENT]) {
        const { deployment, service } = tunnelManifests(t);
        new Deployment(deployment as ConstructorParameters<typeof Deployment>[0]).validate();
        new Service(service as ConstructorParameters<typeof Service>[0]).validate();
        const pod = (deployment as unknown as Pod).spec.template.spec;
        assert.equal(pod.automountServiceAccountToken, false);
        assert.deepEqual(
          [pod.securityContext.runAsNonRoot, (pod.securityContext.seccompProfile as { type: string }).type],
          [true, "RuntimeDefault"],
        );
        const c = pod.containers[0]!;
        assert.equal(c.image, IMAGES.ghostunnel);
        assert.match(c.image, /:v\d+\.\d+\.\d+-distroless$/, "a pinned release, never latest");
        assert.deepEqual(
          [
            c.securityContext.allowPrivilegeEscalation,
            c.securityContext.readOnlyRootFilesystem,
            c.securityContext.capabilities,
          ],
          [false, true, { drop: ["ALL"] }],
        );
        assert.deepEqual(
          pod.volumes.map((v) => v.secret.secretName),
          [LINK_TLS_SECRET.name],
        );
        assert.equal(
          (deployment.metadata as { annotations: Record<string, string> }).annotations["pulumi.com/skipAwait"],
          "true",
        );
        assert.deepEqual(
          (service.spec as { ports: { port: number }[] }).ports.map((p) => p.port),
          [t.listenPort],
        );
        assert.ok(
          (deployment.spec as { replicas: number }).replicas >= 3,
          "survives an AZ (compliance-policies minimum replica count)",
        );
      }
    },
  );

  it("tells the operator which certificate to create", () =>
    assert.match(
      linkTlsPrerequisite("ap-south-1"),
      new RegExp(
        /^Secret infrasage\/infrasage-link-tls \(tls\.crt, tls\.key, ca\.crt\): .*DNS /.source +
          /SAN ap-south-1\.link\.infrasage\.internal, usages server auth and client auth$/.source,
      ),
    ));
});
