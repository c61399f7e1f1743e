package dev.outpost.agent.targets;

import static dev.outpost.agent.TestStates.state;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.agent.DesiredStateKeeper;
import dev.outpost.agent.RetryBackoff;
import dev.outpost.agent.TestStates;
import dev.outpost.agent.reconcile.ReconcileResult;
import dev.outpost.agent.reconcile.Reconciler;
import dev.outpost.agent.snapshot.SecretAppliedStore;
import dev.outpost.agent.status.KubernetesStatusSource;
import dev.outpost.agent.status.StatusReporter;
import dev.outpost.spec.model.Integration;
import dev.outpost.spec.protocol.Ack;
import dev.outpost.spec.protocol.Nack;
import dev.outpost.spec.protocol.ProtocolCodec;
import dev.outpost.spec.protocol.ProtocolMessage;
import dev.outpost.spec.protocol.Snapshot;
import dev.outpost.spec.protocol.SnapshotAcceptance;
import dev.outpost.spec.signature.Ed25519Keys;
import dev.outpost.spec.signature.SnapshotSigner;
import dev.outpost.spec.signature.SnapshotVerifier;
import dev.outpost.spec.state.StateCodec;
import dev.outpost.spec.testing.LogLines;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Another release's agent keeps the namespace while it renews its hold on Secret
 * outpost-agent-applied, and is taken over once it no longer does: judged as a Lease is, by how long
 * the record has stood unchanged on the taking agent's own clock (never by the time the other node
 * wrote), and taken by a write of the record at the version read before anything else is written.
 */
@EnableKubernetesMockClient(crud = true)
class NamespaceHoldTest {
  static final String NS = KubernetesTargetTest.NS;
  static final AgentIdentity FIRST = AgentIdentityTest.FIRST;
  static final AgentIdentity SECOND = AgentIdentityTest.SECOND;
  static final Duration RESYNC = Duration.ofSeconds(60);
  /** The default hold (15 min) and a minute: no renewal seen for so long, the hold has lapsed. */
  static final Duration LAPSE = Duration.ofMinutes(16);
  static final String SECRET_PATH = "/api/v1/namespaces/" + NS + "/secrets/" + KubernetesNames.APPLIED_SECRET;
  KubernetesMockServer server;
  KubernetesClient client;
  /** Time as the agents see it: their monotonic clock, and their wall clock unless skewed. */
  final Ticks ticks = new Ticks();

  /** Monotonic time the test moves on, and wall clocks that move with it. */
  static final class Ticks {
    final AtomicLong nanos = new AtomicLong(-7_000_000_000L); // nanoTime may be negative
    final Instant start = Instant.now();

    void advance(Duration by) {
      nanos.addAndGet(by.toNanos());
    }

    long nanoTime() {
      return nanos.get();
    }

    /** A node's wall clock, {@code skew} off the true time. */
    Clock wall(Duration skew) {
      return new Clock() {
        @Override
        public Instant instant() {
          return start.plus(skew).plusNanos(nanos.get() + 7_000_000_000L);
        }

        @Override
        public ZoneId getZone() {
          return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
          return this;
        }
      };
    }
  }

  /** An agent as AgentRuntime wires it: one hold shared by its target's passes and its store. */
  final class Agent {
    final NamespaceHold hold;
    final KubernetesTarget target;
    final Reconciler reconciler;
    final SecretAppliedStore store;

    Agent(AgentIdentity identity, Duration resync, Duration skew) {
      hold = new NamespaceHold(identity, resync, ticks.wall(skew), ticks::nanoTime);
      target = new KubernetesTarget(client, KubernetesTargetTest.config(), Optional.empty(), true, hold);
      reconciler = new Reconciler(target, Clock.systemUTC());
      store = new SecretAppliedStore(client, NS, hold);
    }

    /**
     * A pass (revision 2) that stops once it has written integration {@code after}, while {@code
     * meanwhile} runs: SIGSTOP, a long GC, a slow API server.
     */
    ReconcileResult passStoppedAfter(String after, Runnable meanwhile, String... integrations) {
      return new Reconciler(stoppedAfter(after, meanwhile), Clock.systemUTC()).reconcile(state(2, integrations));
    }

    /** As {@link #passStoppedAfter}, a correction of revision 1 (a resync, a put-back). */
    ReconcileResult correctionStoppedAfter(String after, Runnable meanwhile, String... integrations) {
      return new Reconciler(stoppedAfter(after, meanwhile), Clock.systemUTC()).correct(state(1, integrations));
    }

    /** This agent's target, which runs {@code meanwhile} once it has written integration {@code after}. */
    Target stoppedAfter(String after, Runnable meanwhile) {
      return new ForwardingTarget(target) {
        @Override
        public boolean putIntegration(Integration integration) throws TargetException {
          boolean changed = super.putIntegration(integration);
          if (integration.name().equals(after)) {
            meanwhile.run();
          }
          return changed;
        }
      };
    }

    ReconcileResult pass(String... integrations) {
      return reconciler.reconcile(state(1, integrations));
    }

    void save() throws Exception {
      store.save("{\"revision\":1}", 1);
    }
  }

  private Agent agent(AgentIdentity identity) {
    return new Agent(identity, RESYNC, Duration.ZERO);
  }

  @BeforeEach
  void claim() {
    client.resource(new ConfigMapBuilder().withNewMetadata().withName(NamespaceClaim.NAME).withNamespace(NS)
        .endMetadata().withData(Map.of("release", "second")).build()).create();
  }

  /**
   * Secret outpost-agent-applied as an agent of another release left it, with integration orders:
   * its record renewed at {@code renewed} (none when null), a hold of 15 min.
   */
  private void leftBy(AgentIdentity agent, Instant renewed) {
    Map<String, String> annotations = new LinkedHashMap<>(Map.of(AgentIdentity.DATA_PLANE_ANNOTATION, agent.dataPlane(),
        AgentIdentity.AGENT_ANNOTATION, agent.agent(), SecretAppliedStore.REVISION_ANNOTATION, "7"));
    if (renewed != null) {
      annotations.put(NamespaceHold.RENEWED_ANNOTATION, renewed.toString());
      annotations.put(NamespaceHold.HOLD_SECONDS_ANNOTATION, "900");
    }
    leftWith(annotations);
  }

  /** Secret outpost-agent-applied with a snapshot and {@code annotations}, and integration orders. */
  private void leftWith(Map<String, String> annotations) {
    client.resource(new SecretBuilder().withNewMetadata().withName(KubernetesNames.APPLIED_SECRET).withNamespace(NS)
        .withLabels(Map.of(KubernetesNames.MANAGED_BY, KubernetesNames.AGENT)).withAnnotations(annotations)
        .endMetadata().withData(Map.of(SecretAppliedStore.KEY, "e30=")).build()).create();
    client.resource(new DeploymentBuilder().withNewMetadata().withName("int-orders").withNamespace(NS)
        .withLabels(Map.of(KubernetesNames.MANAGED_BY, KubernetesNames.AGENT, KubernetesNames.INTEGRATION_LABEL, "orders"))
        .endMetadata().build()).create();
  }

  private Secret applied() {
    return client.secrets().inNamespace(NS).withName(KubernetesNames.APPLIED_SECRET).get();
  }

  private Map<String, String> recorded() {
    return applied().getMetadata().getAnnotations();
  }

  private boolean exists(String integration) {
    return client.apps().deployments().inNamespace(NS).withName("int-" + integration).get() != null;
  }

  /** An agent after its first pass (integration {@code orders}) and save, as it holds the namespace. */
  private Agent holding(Agent agent) throws Exception {
    assertThat(agent.pass("orders").succeeded()).isTrue();
    agent.save();
    return agent;
  }

  /** Agent SECOND, refused at its first pass, after the holder's record then stood unchanged for its hold and a minute. */
  private Agent secondAfterTheHoldLapsed() {
    Agent second = agent(SECOND);
    assertRefusedFor(second.pass("billing"), FIRST);
    ticks.advance(LAPSE);
    return second;
  }

  /** The next read of the Secret answers {@code stale}: what a pass read before another agent wrote it. */
  private void nextReadAnswers(Secret stale) {
    server.expect().get().withPath(SECRET_PATH).andReturn(200, stale).once();
  }

  private static void assertRefusedFor(ReconcileResult result, AgentIdentity holder) {
    assertThat(result.succeeded()).as("refused while " + holder.agent() + " holds the namespace").isFalse();
    assertThat(result.message()).contains("kept by agent " + holder.agent());
  }

  /**
   * The Secret of a release that is gone is taken over once its record has stood unchanged for its
   * hold and a minute on this agent's clock, from when this agent first read it: how long ago the
   * other node's clock says it renewed is not trusted, and a restarted agent waits a full hold again.
   */
  @Test
  void aRecordLeftUnrenewedIsTakenOverOnceItStoodForItsHoldOnThisAgentsClock() throws Exception {
    leftBy(FIRST, ticks.wall(Duration.ZERO).instant().minus(Duration.ofMinutes(20)));

    assertRefusedFor(agent(SECOND).pass("billing"), FIRST);
    ticks.advance(Duration.ofMinutes(10));
    Agent restarted = agent(SECOND);
    assertRefusedFor(restarted.pass("billing"), FIRST);
    ticks.advance(LAPSE.minusSeconds(1));
    assertRefusedFor(restarted.pass("billing"), FIRST);
    assertThat(exists("billing")).isFalse();
    assertThat(exists("orders")).isTrue();

    ticks.advance(Duration.ofSeconds(1));
    try (LogLines log = LogLines.of(NamespaceHold.class)) {
      ReconcileResult taken = restarted.pass("billing");
      assertThat(taken.succeeded()).as(taken.message()).isTrue();
      assertThat(log.containing("first-outpost-agent")).singleElement().asString().contains("takes the namespace over");
    }
    assertThat(exists("billing")).isTrue();
    assertThat(exists("orders")).as("what the release that is gone left, pruned").isFalse();
  }

  /** A node clock a year ahead wrote the record: it still lapses once it stops changing. */
  @Test
  void aRenewalTimeFarInTheFutureDoesNotHoldTheNamespace() throws Exception {
    leftBy(FIRST, ticks.wall(Duration.ofDays(365)).instant());

    Agent second = secondAfterTheHoldLapsed();
    assertThat(second.pass("billing").succeeded()).isTrue();
    assertThat(exists("billing")).isTrue();
  }

  /** A live agent on a node clock a year behind renews its hold: it keeps the namespace. */
  @Test
  void aLiveAgentWhoseClockIsFarBehindKeepsTheNamespace() throws Exception {
    Agent first = holding(new Agent(FIRST, RESYNC, Duration.ofDays(-365)));
    Agent second = agent(SECOND);

    for (int pass = 0; pass < 6; pass++) {
      assertRefusedFor(second.pass("billing"), FIRST);
      ticks.advance(Duration.ofMinutes(6));
      assertThat(first.pass("orders").succeeded()).as("the first agent goes on").isTrue();
    }
    assertThat(exists("billing")).isFalse();
  }

  /** A record naming an agent but no renewal (an earlier agent's) is timed from when it was first read. */
  @Test
  void aRecordWithNoRenewalIsTakenOverAFullHoldAfterItWasFirstRead() throws Exception {
    leftBy(FIRST, null);

    Agent second = secondAfterTheHoldLapsed();
    assertThat(second.pass("billing").succeeded()).isTrue();
  }

  /**
   * The taking agent records itself on the Secret before it writes anything, by an update at the
   * version it read: the old holder then sees it at its next read and stops, instead of both
   * writing (and pruning the other's integrations) until the first save.
   */
  @Test
  void aTakeOverRecordsThisAgentBeforeItWritesAnything() throws Exception {
    Agent first = holding(agent(FIRST));
    Agent second = secondAfterTheHoldLapsed();

    assertThat(second.pass("billing").succeeded()).isTrue();
    assertThat(recorded()).as("recorded by the pass, before any save")
        .containsEntry(AgentIdentity.AGENT_ANNOTATION, "second-outpost-agent")
        .containsEntry(AgentIdentity.DATA_PLANE_ANNOTATION, "dp-second")
        .containsEntry(NamespaceHold.HOLD_SECONDS_ANNOTATION, "900")
        .doesNotContainKey(SecretAppliedStore.REVISION_ANNOTATION); // the other data plane's revision
    assertRefusedFor(first.pass("orders"), SECOND);
    assertThat(exists("billing")).isTrue();
    second.save();
    assertThat(recorded()).containsEntry(AgentIdentity.AGENT_ANNOTATION, "second-outpost-agent")
        .containsEntry(SecretAppliedStore.REVISION_ANNOTATION, "1");
  }

  /** The old holder renewed between the taking agent's read and its write: the take-over fails (409), and it writes nothing. */
  @Test
  void anOldHolderThatRenewsBeforeTheTakeOverIsWrittenKeepsTheNamespace() throws Exception {
    Agent first = holding(agent(FIRST));
    Agent second = secondAfterTheHoldLapsed(); // the first agent was slow: it had not renewed for its hold
    Secret beforeRenewal = applied();
    assertThat(first.pass("orders").succeeded()).isTrue();
    assertThat(applied().getMetadata().getResourceVersion()).as("renewed")
        .isNotEqualTo(beforeRenewal.getMetadata().getResourceVersion());

    nextReadAnswers(beforeRenewal);
    assertRefusedFor(second.pass("billing"), FIRST);
    assertThat(exists("billing")).isFalse();
    assertThat(exists("orders")).as("the first agent's integration, not pruned").isTrue();
    assertThat(recorded()).containsEntry(AgentIdentity.AGENT_ANNOTATION, "first-outpost-agent");
  }

  /**
   * A renewal that fails with 409 because another agent took the namespace over meanwhile was taken
   * for this agent's own save, and the pass went on to prune the other's integrations: it reads the
   * Secret again and decides again.
   */
  @Test
  void aRenewalLostToATakeOverStopsThePass() throws Exception {
    Agent first = holding(agent(FIRST));
    Agent second = secondAfterTheHoldLapsed();
    Secret firstsRecord = applied();
    assertThat(second.pass("billing").succeeded()).as("taken over").isTrue();
    second.save();

    nextReadAnswers(firstsRecord); // the first agent read before the take-over, and renews at that version
    assertRefusedFor(first.pass("orders"), SECOND);
    assertThat(exists("billing")).as("the agent that took over keeps its integration").isTrue();
    assertThat(recorded()).containsEntry(AgentIdentity.AGENT_ANNOTATION, "second-outpost-agent");
  }

  /**
   * A renewal the API server refuses: the pass writes on while this agent's last renewal is within
   * its hold, and stops once another agent may have seen the hold lapse (as a Lease's holder stops
   * leading at its renew deadline), instead of both writing.
   */
  @Test
  void aFailedRenewalStopsThePassOnceTheHoldMayHaveLapsed() throws Exception {
    Agent first = holding(agent(FIRST));

    ticks.advance(Duration.ofMinutes(6));
    refuseNextWrite();
    assertThat(first.pass("orders").succeeded()).as("within its hold").isTrue();
    ticks.advance(Duration.ofMinutes(10));
    refuseNextWrite();
    ReconcileResult stopped = first.pass("orders");
    assertThat(stopped.succeeded()).as("16 min after its last renewal").isFalse();
    assertThat(stopped.message()).contains("cannot record this agent's hold on Secret " + KubernetesNames.APPLIED_SECRET)
        .contains("403");
    assertThat(first.pass("orders").succeeded()).as("renewed at the next pass").isTrue();
  }

  private void refuseNextWrite() {
    server.expect().put().withPath(SECRET_PATH).andReturn(403, new StatusBuilder().withCode(403)
        .withReason("Forbidden").build()).once(); // not retried by fabric8, as a 5xx would be
  }

  /**
   * Two agents find no Secret (two releases installed at once, or it was deleted by hand): the one
   * whose record is created first keeps the namespace; the other's create fails (409) and it reads again.
   */
  @Test
  void ofTwoAgentsThatFindNoSecretOnlyTheFirstToRecordItselfWrites() throws Exception {
    leftBy(FIRST, ticks.wall(Duration.ZERO).instant());
    server.expect().get().withPath(SECRET_PATH).andReturn(404, new StatusBuilder().withCode(404)
        .withReason("NotFound").build()).once(); // read before the first agent recorded itself

    assertRefusedFor(agent(SECOND).pass("billing"), FIRST);
    assertThat(exists("billing")).isFalse();
    assertThat(exists("orders")).isTrue();
  }

  /**
   * A Secret that records no agent (its annotations removed by hand, or restored from a manifest
   * without them) held no one back: neither agent wrote its record, both wrote, and the second's pass
   * pruned the first's integrations. The first pass to find it records its agent at the version read,
   * before anything else; the other agent, which read it before that, meets a 409, reads again and is
   * refused. The snapshot is kept, with its revision when the Secret named this data plane.
   */
  @Test
  void ofTwoAgentsThatFindASecretRecordingNoAgentOnlyTheFirstToRecordItselfWrites() throws Exception {
    leftWith(Map.of(AgentIdentity.DATA_PLANE_ANNOTATION, FIRST.dataPlane(), SecretAppliedStore.REVISION_ANNOTATION, "7"));
    Secret unrecorded = applied(); // kubectl annotate secret outpost-agent-applied outpost.dev/agent-
    Agent first = agent(FIRST);
    Agent second = agent(SECOND);

    assertThat(first.pass("orders", "audit").succeeded()).isTrue();
    assertThat(recorded()).as("recorded by the pass, before any save")
        .containsEntry(AgentIdentity.AGENT_ANNOTATION, "first-outpost-agent")
        .containsEntry(SecretAppliedStore.REVISION_ANNOTATION, "7"); // this data plane's
    assertThat(applied().getData()).isEqualTo(unrecorded.getData());
    nextReadAnswers(unrecorded); // the second agent read it before the first recorded itself
    assertRefusedFor(second.pass("billing"), FIRST);
    assertThat(exists("billing")).isFalse();
    assertThat(exists("orders") && exists("audit")).as("the first agent's integrations, not pruned").isTrue();
  }

  /** As above, a Secret restored without any annotation, the other data plane's agent first: it keeps no revision. */
  @Test
  void aSecretRestoredWithoutAnnotationsIsRecordedByTheFirstAgentToFindIt() throws Exception {
    leftWith(Map.of());
    Secret restored = applied();
    Agent first = agent(FIRST);
    Agent second = agent(SECOND);

    assertThat(second.pass("billing").succeeded()).isTrue();
    assertThat(recorded()).containsEntry(AgentIdentity.AGENT_ANNOTATION, "second-outpost-agent")
        .containsEntry(AgentIdentity.DATA_PLANE_ANNOTATION, "dp-second");
    nextReadAnswers(restored);
    assertRefusedFor(first.pass("orders", "audit"), SECOND);
    assertThat(exists("audit")).isFalse();
    assertThat(exists("billing")).isTrue();
  }

  /**
   * The hold was checked only at the start of a pass: an agent stopped mid-pass past its hold (SIGSTOP,
   * a long GC, a pass against a slow API server) wrote on after another release's agent had taken the
   * namespace over, and pruned what that one wrote. Each write first asks whether this agent's last
   * renewal is within its hold, on its own clock; the pass ends at the first that is not.
   */
  @Test
  void anAgentStoppedPastItsHoldMidPassWritesNothingMore() throws Exception {
    Agent first = holding(agent(FIRST));
    Agent second = agent(SECOND);
    assertRefusedFor(second.pass("billing"), FIRST);

    ReconcileResult resumed = first.passStoppedAfter("orders", () -> {
      ticks.advance(LAPSE);
      assertThat(second.pass("billing").succeeded()).as("taken over meanwhile").isTrue();
    }, "orders", "late");

    assertThat(resumed.succeeded()).isFalse();
    assertThat(resumed.leadLost()).as("a failure, tried again: no other replica of this release would apply it").isFalse();
    assertThat(resumed.transientFailure()).as("one that may pass: the keeper tries the revision again").isTrue();
    assertThat(resumed.message()).contains("hold on the namespace").contains("last renewed");
    assertThat(exists("late")).as("written after its hold lapsed").isFalse();
    assertThat(exists("billing")).as("the other agent's integration, not pruned").isTrue();
    assertThat(recorded()).containsEntry(AgentIdentity.AGENT_ANNOTATION, "second-outpost-agent");
    assertRefusedFor(first.pass("orders"), SECOND);
  }

  /** Paused past its hold with no other agent about, the agent's next pass renews it and writes what was left. */
  @Test
  void anAgentStoppedPastItsHoldThatNoOneTookOverWritesAtItsNextPass() throws Exception {
    Agent first = holding(agent(FIRST));

    ReconcileResult resumed = first.passStoppedAfter("orders", () -> ticks.advance(LAPSE), "orders", "late");
    assertThat(resumed.succeeded()).isFalse();
    assertThat(resumed.leadLost()).isFalse();
    assertThat(resumed.transientFailure()).as("one that may pass").isTrue();
    assertThat(exists("late")).isFalse();

    assertThat(first.pass("orders", "late").succeeded()).as("the retry").isTrue();
    assertThat(exists("late")).isTrue();
    assertRefusedFor(agent(SECOND).pass("other"), FIRST);
  }

  /**
   * A new revision stopped by its lapsed hold was nacked as a failure that cannot pass (its exception
   * had no API status in its chain): it was put back, never tried again, and lost, since the control
   * plane sends no nacked revision again. The keeper tries it again after the backoff and applies it.
   */
  @Test
  void aRevisionStoppedByItsLapsedHoldIsAppliedByTheKeepersRetry() throws Exception {
    Agent first = agent(FIRST);
    AtomicBoolean pauseOnce = new AtomicBoolean();
    Target pausing = first.stoppedAfter("orders", () -> {
      if (pauseOnce.getAndSet(false)) {
        ticks.advance(LAPSE); // SIGSTOP, a long GC
      }
    });
    SnapshotSigner signer = new SnapshotSigner(Ed25519Keys.generate());
    Clock clock = Clock.systemUTC();
    DesiredStateKeeper keeper = new DesiredStateKeeper(TestStates.DATA_PLANE,
        new SnapshotAcceptance(new SnapshotVerifier(signer.keys().getPublic()), TestStates.DATA_PLANE), first.store,
        new Reconciler(pausing, clock), decision -> { },
        new StatusReporter(TestStates.DATA_PLANE, new KubernetesStatusSource(client, NS, Optional.empty()), clock), clock,
        new RetryBackoff(Duration.ofMillis(200), Duration.ofMillis(800)));
    Snapshot first1 = Snapshot.signed(StateCodec.toTree(state(1, "orders")), signer);
    assertThat(keeper.onSnapshot(first1, ProtocolCodec.encode(first1))).isInstanceOf(Ack.class);

    pauseOnce.set(true);
    Snapshot second = Snapshot.signed(StateCodec.toTree(state(2, "orders", "late")), signer);
    ProtocolMessage answer = keeper.onSnapshot(second, ProtocolCodec.encode(second));
    assertThat(answer).isInstanceOf(Nack.class);
    assertThat(((Nack) answer).errors()).singleElement().asString().contains("last renewed").contains("tried again in 200 ms");
    assertThat(exists("late")).isFalse();

    Optional<Ack> retried = Optional.empty();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (retried.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(50);
      retried = keeper.retryIfDue();
    }
    assertThat(retried).as("applied by the retry after the backoff").hasValue(new Ack(2));
    assertThat(exists("late")).isTrue();
    assertThat(keeper.lastAppliedRevision()).isEqualTo(2);
  }

  /**
   * The hold freed by hand (kubectl delete secret, as the refusal says) and recorded at once by
   * another release's agent while this one's pass runs: the renewal mid-pass finds it, and the pass
   * fails as one refused at its start does, as a failure that may pass (tried again after the backoff).
   */
  @Test
  void aRevisionRefusedAtTheRenewalMidPassMayPass() throws Exception {
    Agent first = holding(agent(FIRST));
    Agent second = agent(SECOND);

    ReconcileResult refused = first.passStoppedAfter("orders", () -> takenByHandMeanwhile(second), "orders", "late");

    assertRefusedFor(refused, SECOND);
    assertThat(refused.transientFailure()).as("as when refused at the pass's start").isTrue();
    assertThat(exists("late")).isFalse();
  }

  /**
   * A correction does not stop at an integration that cannot be written, and the refusal found at
   * the renewal mid-pass was taken for one: the next write saw this agent's own recent renewal and
   * wrote on, into the namespace the other agent holds. Nothing more is written once the hold is lost.
   */
  @Test
  void aCorrectionWritesNothingMoreOnceTheRenewalMidPassFindsAnotherAgentsHold() throws Exception {
    Agent first = agent(FIRST);
    assertThat(first.pass("a", "b", "c", "d").succeeded()).isTrue();
    first.save();
    for (String name : List.of("a", "b", "c", "d")) {
      client.apps().deployments().inNamespace(NS).withName("int-" + name).edit(d -> {
        d.getSpec().setReplicas(9); // drift, which the correction puts back
        return d;
      });
    }

    ReconcileResult stopped = first.correctionStoppedAfter("a", () -> takenByHandMeanwhile(agent(SECOND)),
        "a", "b", "c", "d");

    assertRefusedFor(stopped, SECOND);
    assertThat(replicas("a")).as("put back before the hold was lost").isEqualTo(1);
    assertThat(List.of("b", "c", "d")).as("not written once the other agent holds the namespace")
        .allMatch(name -> replicas(name) == 9);
    assertThat(first.correctionStoppedAfter("none", () -> { }, "a", "b", "c", "d").succeeded()).isFalse();
    assertThat(List.of("b", "c", "d")).as("nor at the next pass").allMatch(name -> replicas(name) == 9);
  }

  /**
   * Once the renewal before a write finds another agent's hold, every later write of the target is
   * refused, whoever calls it, until a pass's check finds the hold this agent's again: the next write
   * saw this agent's own renewal, recent, and wrote.
   */
  @Test
  void everyWriteAfterARenewalFoundTheHoldLostIsRefusedUntilAPassChecksAgain() throws Exception {
    Agent first = agent(FIRST);
    assertThat(first.pass("a", "b", "c").succeeded()).isTrue();
    first.save();
    first.target.refresh();
    takenByHandMeanwhile(agent(SECOND));

    for (String name : List.of("b", "c", "late")) {
      assertThatThrownBy(() -> first.target.putIntegration(TestStates.integration(name, "v2"))).as(name)
          .isInstanceOf(NamespaceNotHeldException.class).hasMessageContaining("kept by agent second-outpost-agent");
    }
    assertThat(exists("late")).isFalse();
    assertThat(client.apps().deployments().inNamespace(NS).withName("int-c").get().getMetadata().getAnnotations())
        .containsEntry(IntegrationObjects.VERSION_ANNOTATION, "v1");

    client.secrets().inNamespace(NS).withName(KubernetesNames.APPLIED_SECRET).delete(); // freed again
    first.target.refresh();
    assertThat(first.target.putIntegration(TestStates.integration("late", "v2"))).as("held again").isTrue();
  }

  private int replicas(String integration) {
    return client.apps().deployments().inNamespace(NS).withName("int-" + integration).get().getSpec().getReplicas();
  }

  /**
   * Six minutes on (a third of the hold: the next write renews it), an operator deletes the Secret
   * and agent {@code other}, starting a pass, records itself in a new one.
   */
  private void takenByHandMeanwhile(Agent other) {
    ticks.advance(Duration.ofMinutes(6));
    client.secrets().inNamespace(NS).withName(KubernetesNames.APPLIED_SECRET).delete();
    try {
      other.hold.check(client, NS, Optional.empty());
    } catch (TargetException e) {
      throw new AssertionError("the other agent takes the namespace", e);
    }
  }

  /**
   * A pass longer than a third of the hold renews it before its next write (one read and one write
   * of the Secret), so a live agent's long pass does not let its hold lapse; before that, its writes
   * cost no request of their own.
   */
  @Test
  void aLongPassRenewsTheHoldOnceAThirdOfItHasPassed() throws Exception {
    Agent first = holding(agent(FIRST));
    String saved = recorded().get(NamespaceHold.RENEWED_ANNOTATION);
    drainRequests();

    assertThat(first.pass("orders", "audit").succeeded()).isTrue();
    assertThat(secretRequests()).as("the pass's one read").containsExactly("GET");
    ReconcileResult slow = first.passStoppedAfter("orders", () -> ticks.advance(Duration.ofMinutes(6)),
        "orders", "audit", "billing");
    assertThat(slow.succeeded()).as(slow.message()).isTrue();
    assertThat(secretRequests()).as("read at the start, renewed before writing billing").containsExactly("GET", "GET", "PUT");
    assertThat(recorded().get(NamespaceHold.RENEWED_ANNOTATION)).isNotEqualTo(saved);

    ticks.advance(Duration.ofMinutes(10)); // 16 min after the pass began, 10 after the renewal
    assertThat(first.pass("orders", "audit", "billing").succeeded()).as("its own record, found as renewed").isTrue();
    assertRefusedFor(agent(SECOND).pass("other"), FIRST);
  }

  private void drainRequests() throws InterruptedException {
    while (server.takeRequest(100, TimeUnit.MILLISECONDS) != null) {
      // requests before the ones counted
    }
  }

  /** The methods of the requests for Secret outpost-agent-applied since the last look. */
  private List<String> secretRequests() throws InterruptedException {
    List<String> methods = new ArrayList<>();
    RecordedRequest request;
    while ((request = server.takeRequest(100, TimeUnit.MILLISECONDS)) != null) {
      if (request.getPath().equals(SECRET_PATH)) {
        methods.add(request.getMethod());
      }
    }
    return methods;
  }

  /**
   * A resync interval with a fraction of a second made the hold 1002.5 s while the record said 1002:
   * the two never matched, and every pass rewrote the whole Secret (up to 1 MiB) to renew it.
   */
  @Test
  void aHoldOfAFractionalResyncIntervalIsRenewedOnlyWhenDue() throws Exception {
    Agent agent = holding(new Agent(FIRST, Duration.ofMillis(200_500), Duration.ZERO));
    String saved = applied().getMetadata().getResourceVersion();

    ticks.advance(RESYNC);
    assertThat(agent.pass("orders").succeeded()).isTrue();
    assertThat(applied().getMetadata().getResourceVersion()).as("not written again").isEqualTo(saved);
    assertThat(recorded()).as("whole seconds, five resyncs at the least")
        .containsEntry(NamespaceHold.HOLD_SECONDS_ANNOTATION, "1003");
  }

  /** A live agent renews its hold in its passes, long after its last save: the other release stays refused. */
  @Test
  void anAgentRenewsItsHoldInItsPasses() throws Exception {
    Agent first = holding(agent(FIRST));
    String saved = recorded().get(NamespaceHold.RENEWED_ANNOTATION);
    Agent second = agent(SECOND);

    for (int minutes = 0; minutes < 40; minutes++) {
      ticks.advance(Duration.ofMinutes(1));
      assertThat(first.pass("orders").succeeded()).isTrue();
      assertRefusedFor(second.pass("billing"), FIRST);
    }
    assertThat(recorded().get(NamespaceHold.RENEWED_ANNOTATION)).isNotEqualTo(saved);
    assertThat(exists("billing")).isFalse();
  }
}
