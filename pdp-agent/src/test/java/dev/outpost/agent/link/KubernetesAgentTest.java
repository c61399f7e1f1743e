package dev.outpost.agent.link;

import static dev.outpost.agent.TestStates.integration;
import static dev.outpost.agent.TestStates.state;
import static dev.outpost.agent.link.TestControlPlane.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.agent.RestoreThenConnect;
import dev.outpost.agent.leader.LeaseElection;
import dev.outpost.agent.snapshot.SecretAppliedStore;
import dev.outpost.agent.status.KubernetesStatusSource;
import dev.outpost.agent.targets.IntegrationObjects;
import dev.outpost.agent.targets.KubernetesDriftWatch;
import dev.outpost.agent.targets.KubernetesNames;
import dev.outpost.agent.targets.KubernetesTarget;
import dev.outpost.agent.targets.KubernetesTargetConfig;
import dev.outpost.spec.protocol.Ack;
import dev.outpost.spec.protocol.Status;
import dev.outpost.spec.protocol.Nack;
import dev.outpost.spec.protocol.Hello;
import dev.outpost.spec.signature.Ed25519Keys;
import dev.outpost.spec.signature.SnapshotSigner;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent against fabric8's mock API server in CRUD mode: leader election, the Secret store, drift. */
@EnableKubernetesMockClient(crud = true)
class KubernetesAgentTest {
  static final String NS = "outpost";
  static final SnapshotSigner SIGNER = new SnapshotSigner(Ed25519Keys.generate());
  KubernetesClient client;
  KubernetesMockServer server;
  @TempDir Path home;
  Vertx vertx;
  TestControlPlane cp;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    cp = new TestControlPlane(vertx, SIGNER).start();
  }

  @AfterEach
  void stop() throws Exception {
    cp.close();
    vertx.close().toCompletionStage().toCompletableFuture().get();
  }

  /**
   * The agents' liveness timeout and lease: neither liveness nor losing the lease is what these tests
   * are about. With 1.2 s and 2 s (a renew deadline of 1.33 s), a stall of a loaded CI machine
   * dropped the connection or lost the lease, and "only the leader connects" saw two connections.
   */
  static final Duration LIVENESS = Duration.ofSeconds(30);
  static final Duration LEASE = Duration.ofSeconds(6);

  AgentHarness agent(String name) throws IOException {
    return new AgentHarness(vertx, home.resolve(name), cp.url(), SIGNER.keys().getPublic(), Duration.ofMillis(300),
        LIVENESS, new KubernetesTarget(client, KubernetesTargetConfig.of(NS, "img:1", "IfNotPresent")),
        new SecretAppliedStore(client, NS, dev.outpost.agent.TestStates.DATA_PLANE), new KubernetesStatusSource(client, NS, Optional.empty()));
  }

  LeaseElection elect(AgentHarness agent, String identity) {
    return new LeaseElection(client, NS, "outpost-agent", identity, LEASE, () -> {
      try {
        agent.start();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }, agent.link::stop);
  }

  @Test
  void ofTwoAgentsOnlyTheLeaderConnectsAndAppliesAndTheOtherTakesOverFromTheSecret() throws Exception {
    try (AgentHarness a = agent("a"); AgentHarness b = agent("b")) {
      LeaseElection ea = elect(a, "agent-a");
      LeaseElection eb = elect(b, "agent-b");
      ea.start();
      eb.start();
      try {
        await(() -> cp.connected(), "the leader connects");
        // the follower tries again meanwhile: every retry period (a fifth of the lease), jittered up to 2.2 times that
        Thread.sleep(LEASE.toMillis() / 2);
        assertThat(cp.connections.get()).as("only the leader dials the control plane").isEqualTo(1);
        assertThat(ea.isLeader() ^ eb.isLeader()).isTrue();

        cp.sendSigned(state(4, "orders", "billing"));
        cp.awaitMessage(Ack.class, ack -> ack.revision() == 4);
        assertThat(client.apps().deployments().inNamespace(NS).withName("int-orders").get()).isNotNull();
        assertThat(client.configMaps().inNamespace(NS).withName("outpost-gateway-routes").get()).isNotNull();
        assertThat(client.secrets().inNamespace(NS).withName("outpost-agent-applied").get()).isNotNull();

        LeaseElection leader = ea.isLeader() ? ea : eb;
        LeaseElection follower = leader == ea ? eb : ea;
        AgentHarness successor = leader == ea ? b : a;
        cp.received.clear();
        leader.stop();
        await(follower::isLeader, "the follower takes over");
        Hello hello = cp.awaitMessage(Hello.class, h -> true);
        assertThat(hello.lastAppliedRevision()).as("restored from Secret outpost-agent-applied").isEqualTo(4);
        assertThat(successor.keeper.desired()).isPresent();
      } finally {
        ea.stop();
        eb.stop();
      }
    }
  }

  @Test
  void driftSeenByTheInformersIsCorrected() throws Exception {
    ExecutorService worker = Executors.newSingleThreadExecutor();
    try (AgentHarness agent = agent("solo").start()) {
      await(cp::connected, "the agent connects");
      cp.sendSigned(state(1, "orders"));
      cp.awaitMessage(Ack.class, ack -> ack.revision() == 1);
      KubernetesDriftWatch watch = new KubernetesDriftWatch(client, NS, new dev.outpost.agent.targets.WrittenVersions(),
          () -> worker.execute(agent.keeper::resync));
      watch.start();
      try {
        client.apps().deployments().inNamespace(NS).withName("int-orders").edit(d -> {
          d.getSpec().setReplicas(9);
          return d;
        });
        await(() -> client.apps().deployments().inNamespace(NS).withName("int-orders").get().getSpec().getReplicas() == 1,
            "the replicas are put back");
        // exposed past the gateway: put back
        client.services().inNamespace(NS).withName("int-orders").edit(svc -> {
          svc.getSpec().setType("LoadBalancer");
          return svc;
        });
        await(() -> "ClusterIP".equals(client.services().inNamespace(NS).withName("int-orders").get().getSpec().getType()),
            "the Service is a ClusterIP one again");
        client.services().inNamespace(NS).withName("int-orders").edit(svc -> {
          svc.getSpec().setExternalIPs(List.of("10.0.0.9"));
          return svc;
        });
        await(() -> client.services().inNamespace(NS).withName("int-orders").get().getSpec().getExternalIPs().isEmpty(),
            "the Service has no external address again");
        client.apps().deployments().inNamespace(NS).withName("int-orders").edit(d -> {
          d.getSpec().getTemplate().getSpec().getContainers().get(0).getPorts().get(0).setHostPort(8080);
          return d;
        });
        await(() -> client.apps().deployments().inNamespace(NS).withName("int-orders").get().getSpec().getTemplate()
            .getSpec().getContainers().get(0).getPorts().get(0).getHostPort() == null, "the pod leaves the node's port again");
        client.apps().deployments().inNamespace(NS).withName("int-orders").edit(d -> {
          d.getSpec().getTemplate().getSpec().setHostNetwork(true);
          return d;
        });
        await(() -> !Boolean.TRUE.equals(client.apps().deployments().inNamespace(NS).withName("int-orders").get().getSpec()
            .getTemplate().getSpec().getHostNetwork()), "the pod leaves the node's network again");
        // a label is outside the generation; the status finds an integration's Deployment by it
        client.apps().deployments().inNamespace(NS).withName("int-orders").edit(d -> {
          d.getMetadata().getLabels().remove(KubernetesNames.INTEGRATION_LABEL);
          return d;
        });
        await(() -> client.apps().deployments().inNamespace(NS).withName("int-orders").get().getMetadata().getLabels()
            .containsKey(KubernetesNames.INTEGRATION_LABEL), "the label is put back");
        client.services().inNamespace(NS).withName("int-orders").delete();
        await(() -> client.services().inNamespace(NS).withName("int-orders").get() != null, "the Service is recreated");
      } finally {
        watch.stop();
      }
    } finally {
      worker.shutdownNow();
    }
  }

  /**
   * A drift correction that fails for one integration (here someone else's Deployment took its name)
   * is told in that integration's status, and the integrations after it are still put back. Before,
   * the first failure stopped the pass, and the failure was only in the agent's log.
   */
  @Test
  void anIntegrationThatCannotBeWrittenIsToldAndTheOthersAreStillPutBack() throws Exception {
    try (AgentHarness agent = agent("solo").start()) {
      await(cp::connected, "the agent connects");
      cp.sendSigned(state(1, "billing", "orders"));
      cp.awaitMessage(Ack.class, ack -> ack.revision() == 1);
      client.apps().deployments().inNamespace(NS).withName("int-billing").delete();
      await(() -> client.apps().deployments().inNamespace(NS).withName("int-billing").get() == null, "billing deleted");
      client.apps().deployments().inNamespace(NS).resource(new io.fabric8.kubernetes.api.model.apps.DeploymentBuilder()
          .withNewMetadata().withName("int-billing").addToAnnotations("owner", "someone else").endMetadata()
          .withNewSpec().withReplicas(1).endSpec().build()).create();
      client.apps().deployments().inNamespace(NS).withName("int-orders").edit(d -> {
        d.getSpec().setReplicas(9);
        return d;
      });

      agent.keeper.resync();
      agent.link.reportStatus();

      assertThat(client.apps().deployments().inNamespace(NS).withName("int-orders").get().getSpec().getReplicas())
          .as("orders, after the integration that failed, is put back").isEqualTo(1);
      Status status = cp.awaitMessage(Status.class, s -> s.integrations().stream()
          .anyMatch(i -> i.name().equals("billing") && i.message() != null));
      assertThat(status.integrations()).filteredOn(i -> i.name().equals("billing")).singleElement()
          .satisfies(i -> assertThat(i.message()).startsWith("the agent cannot write it: ").contains("int-billing"));
      assertThat(status.integrations()).filteredOn(i -> i.name().equals("orders")).singleElement()
          .satisfies(i -> assertThat(i.message()).isNull());
      assertThat(client.apps().deployments().inNamespace(NS).withName("int-billing").get().getMetadata().getAnnotations())
          .as("someone else's Deployment is left as it is").containsEntry("owner", "someone else");
    }
  }

  @Test
  void anApplyThatFailsHalfwayIsNackedAndWhatRanBeforeIsPutBack() throws Exception {
    try (AgentHarness agent = agent("solo").start()) {
      await(cp::connected, "the agent connects");
      cp.sendSigned(state(1, "orders"));
      cp.awaitMessage(Ack.class, ack -> ack.revision() == 1);
      // someone else's Service holds the name the next revision's second integration needs
      client.services().inNamespace(NS).resource(new io.fabric8.kubernetes.api.model.ServiceBuilder().withNewMetadata()
          .withName("int-billing").addToAnnotations("owner", "someone else").endMetadata().withNewSpec().addNewPort()
          .withPort(9999).endPort().endSpec().build()).create();

      // what a refused revision writes is rolled back: nothing after its failure is written to be rolled back too
      List<String> created = new java.util.concurrent.CopyOnWriteArrayList<>();
      io.fabric8.kubernetes.client.Watch watch = client.apps().deployments().inNamespace(NS).watch(
          new io.fabric8.kubernetes.client.Watcher<io.fabric8.kubernetes.api.model.apps.Deployment>() {
            @Override
            public void eventReceived(Action action, io.fabric8.kubernetes.api.model.apps.Deployment d) {
              if (action == Action.ADDED) {
                created.add(d.getMetadata().getName());
              }
            }

            @Override
            public void onClose(io.fabric8.kubernetes.client.WatcherException cause) {
            }
          });
      cp.sendSigned(state(2, integration("orders", "v2"), integration("billing"), integration("shipping")));
      Nack nack = cp.awaitMessage(Nack.class, n -> n.revision() == 2);
      watch.close();
      assertThat(created).as("Deployments created for the refused revision").doesNotContain("int-shipping");
      assertThat(nack.errors()).singleElement().satisfies(e -> assertThat(e.message()).contains("int-billing"));
      assertThat(client.apps().deployments().inNamespace(NS).withName("int-orders").get().getMetadata()
          .getAnnotations()).as("the integration written before the failure runs revision 1 again")
          .containsEntry(IntegrationObjects.VERSION_ANNOTATION, "v1");
      String mounted = IntegrationObjects.documentConfigMapOf(client.apps().deployments().inNamespace(NS).withName("int-orders").get());
      assertThat(client.configMaps().inNamespace(NS).withName(mounted).get().getData().get("orders.json"))
          .contains("\"version\" : \"v1\"");
      assertThat(client.services().inNamespace(NS).withName("int-billing").get().getMetadata().getAnnotations())
          .containsEntry("owner", "someone else");
      assertThat(agent.keeper.lastAppliedRevision()).isEqualTo(1);
    }
  }

  /**
   * An API server that cannot take a write for a moment (409s past the agent's own five tries) fails
   * the revision, which is put back and nacked; tried again after the backoff, it applies, and the
   * control plane gets its ack without sending it again.
   */
  @Test
  void aRevisionThatFailedOnABusyApiServerIsTriedAgainAndApplies() throws Exception {
    try (AgentHarness agent = agent("solo").start()) {
      await(cp::connected, "the agent connects");
      cp.sendSigned(state(1, "orders"));
      cp.awaitMessage(Ack.class, ack -> ack.revision() == 1);
      server.expect().post().withPath("/apis/apps/v1/namespaces/" + NS + "/deployments")
          .andReturn(409, "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"reason\":\"Conflict\","
              + "\"code\":409}").times(5);

      cp.sendSigned(state(2, integration("orders", "v2"), integration("billing")));
      Nack nack = cp.awaitMessage(Nack.class, n -> n.revision() == 2);
      assertThat(nack.errors()).singleElement().satisfies(e -> assertThat(e.message()).contains("int-billing")
          .contains("revision 1 was put back").contains("tried again in"));

      cp.awaitMessage(Ack.class, ack -> ack.revision() == 2);
      assertThat(client.apps().deployments().inNamespace(NS).withName("int-billing").get()).isNotNull();
      assertThat(client.apps().deployments().inNamespace(NS).withName("int-orders").get().getMetadata()
          .getAnnotations()).containsEntry(IntegrationObjects.VERSION_ANNOTATION, "v2");
      assertThat(agent.keeper.lastAppliedRevision()).isEqualTo(2);
      assertThat(cp.messages(Nack.class)).hasSize(1);
    }
  }

  /**
   * A snapshot too large for the Secret even gzipped (several MiB of varied sources, within the
   * protocol's 16 MiB) is refused before anything is applied; it was applied first, then refused at
   * the save, which rolled every changed Deployment out and back.
   */
  @Test
  void aSnapshotTooLargeToKeepIsRefusedBeforeAnythingIsApplied() throws Exception {
    java.util.Random random = new java.util.Random(7);
    java.util.List<dev.outpost.spec.model.Integration> large = new java.util.ArrayList<>();
    for (int i = 0; i < 5; i++) {
      StringBuilder source = new StringBuilder("- from:\n    uri: platform-http:/big-" + i + "\n    steps:\n      - log: big\n");
      byte[] noise = new byte[600];
      while (source.length() < 800_000) {
        random.nextBytes(noise);
        source.append("# ").append(java.util.Base64.getEncoder().encodeToString(noise)).append('\n');
      }
      dev.outpost.spec.model.Integration base = integration("big-" + i);
      large.add(new dev.outpost.spec.model.Integration(base.name(), base.project(), base.version(), source.toString(),
          base.config(), base.secrets(), base.replicas(), base.resources()));
    }
    try (AgentHarness agent = agent("solo").start()) {
      await(cp::connected, "the agent connects");
      cp.sendSigned(state(1, "orders"));
      cp.awaitMessage(Ack.class, ack -> ack.revision() == 1);

      cp.sendSigned(state(2, large.toArray(dev.outpost.spec.model.Integration[]::new)));
      Nack nack = cp.awaitMessage(Nack.class, n -> n.revision() == 2);
      assertThat(nack.errors()).singleElement().satisfies(e -> assertThat(e.message()).contains("cannot be kept"));
      assertThat(client.apps().deployments().inNamespace(NS).withName("int-big-0").get()).isNull();
      assertThat(client.apps().deployments().inNamespace(NS).withName("int-orders").get()).isNotNull();
      assertThat(agent.keeper.lastAppliedRevision()).isEqualTo(1);
    }
  }

  @Test
  void aReplicaLeadingAgainWithoutReadingTheSecretDoesNotEnforceWhatItHeldBefore() throws Exception {
    try (AgentHarness a = agent("a"); AgentHarness b = agent("b")) {
      a.start();
      await(cp::connected, "a connects");
      cp.sendSigned(state(1, "orders"));
      cp.awaitMessage(Ack.class, ack -> ack.revision() == 1);
      a.link.stop(); // a loses the lease; b leads and applies revision 2
      await(() -> cp.open.get() == 0, "a's connection closes"); // else a's could pass for b's below
      int before = cp.connections.get();
      b.start();
      await(() -> cp.connections.get() > before && cp.connected(), "b connects");
      cp.sendSigned(state(2, "orders", "billing"));
      cp.awaitMessage(Ack.class, ack -> ack.revision() == 2);

      // a leads again while the API server refuses to read the Secret (e.g. a Role being upgraded)
      server.expect().get().withPath("/api/v1/namespaces/" + NS + "/secrets/outpost-agent-applied")
          .andReturn(403, "forbidden").once();
      assertThatThrownBy(a.keeper::restore).isInstanceOf(IOException.class);
      a.keeper.resync(); // as its scheduled resync and drift watch do
      assertThat(client.apps().deployments().inNamespace(NS).withName("int-billing").get())
          .as("revision 2, applied by b, still runs").isNotNull();
      assertThat(a.keeper.lastAppliedRevision()).isZero();
    }
  }

  @Test
  void anAgentThatCannotReadItsAppliedSnapshotConnectsOnlyOnceItHasReadIt() throws Exception {
    try (AgentHarness first = agent("first").start()) {
      await(cp::connected, "the first agent connects");
      cp.sendSigned(state(2, "orders"));
      cp.awaitMessage(Ack.class, ack -> ack.revision() == 2);
    }
    await(() -> cp.open.get() == 0, "the first agent is gone");
    cp.received.clear();

    // restarted while the API server refuses to read the Secret, twice
    server.expect().get().withPath("/api/v1/namespaces/" + NS + "/secrets/outpost-agent-applied")
        .andReturn(403, "forbidden").times(2);
    ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor();
    try (AgentHarness second = agent("second")) {
      new RestoreThenConnect(second.keeper, second.link, worker, Duration.ofMillis(200)).start();
      Hello hello = cp.awaitMessage(Hello.class, h -> true);
      assertThat(hello.lastAppliedRevision()).as("the revision it enforces, not 0").isEqualTo(2);
      assertThat(cp.messages(Hello.class)).hasSize(1);
      assertThat(second.keeper.desired()).isPresent();
    } finally {
      worker.shutdownNow();
    }
  }
}
