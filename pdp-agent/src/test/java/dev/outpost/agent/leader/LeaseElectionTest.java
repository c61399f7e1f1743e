package dev.outpost.agent.leader;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class LeaseElectionTest {
  static final String NS = "outpost";
  /**
   * The lease where losing it is not what a test is about: renewals fail for 4 s before it is lost.
   * With 2 s (1.33 s), a loaded CI machine's stall lost it, and two agents were seen leading neither.
   */
  static final Duration STEADY_LEASE = Duration.ofSeconds(6);
  /** The lease where losing it is: short, so that the test is quick. */
  static final Duration SHORT_LEASE = Duration.ofSeconds(2);
  KubernetesClient client;
  KubernetesMockServer server;

  static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertThat(condition.getAsBoolean()).as(what).isTrue();
  }

  @Test
  void ofTwoAgentsExactlyOneAppliesAndTheOtherTakesOverWhenItStops() throws Exception {
    AtomicInteger applying = new AtomicInteger();
    AtomicInteger maxApplying = new AtomicInteger();
    Runnable start = () -> maxApplying.accumulateAndGet(applying.incrementAndGet(), Math::max);
    Runnable stop = applying::decrementAndGet;
    LeaseElection a = new LeaseElection(client, NS, "outpost-agent", "agent-a", STEADY_LEASE, start, stop);
    LeaseElection b = new LeaseElection(client, NS, "outpost-agent", "agent-b", STEADY_LEASE, start, stop);
    try {
      a.start();
      b.start();
      await(() -> a.isLeader() || b.isLeader(), "one agent leads");
      // the follower tries again meanwhile: every retry period (a fifth of the lease), jittered up to 2.2 times that
      Thread.sleep(STEADY_LEASE.toMillis() / 2);
      assertThat(a.isLeader() ^ b.isLeader()).as("exactly one leads").isTrue();
      assertThat(maxApplying.get()).isEqualTo(1);

      LeaseElection leader = a.isLeader() ? a : b;
      LeaseElection follower = leader == a ? b : a;
      Lease held = client.leases().inNamespace(NS).withName("outpost-agent").get();
      assertThat(held.getSpec().getHolderIdentity()).isEqualTo(leader.identity());

      leader.stop();
      await(follower::isLeader, "the other agent takes over");
      assertThat(leader.isLeader()).isFalse();
      assertThat(maxApplying.get()).isEqualTo(1);
      assertThat(client.leases().inNamespace(NS).withName("outpost-agent").get().getSpec().getHolderIdentity())
          .isEqualTo(follower.identity());
    } finally {
      a.stop();
      b.stop();
    }
  }

  @Test
  void anAgentThatLostTheLeaseLeadsAgainOnceItIsFree() throws Exception {
    List<String> told = new CopyOnWriteArrayList<>();
    LeaseElection a = soleLeader(told);
    try {
      int before = told.size();

      // another holder takes the lease (as after an API server outage past the renew deadline), then
      // vanishes; like any elector it tries again when the agent's renewal got in first (409)
      for (int attempt = 1; ; attempt++) {
        try {
          client.leases().inNamespace(NS).withName("outpost-agent").edit(l -> {
            l.getSpec().setHolderIdentity("vanished-agent");
            l.getSpec().setRenewTime(ZonedDateTime.now(ZoneOffset.UTC));
            return l;
          });
          break;
        } catch (KubernetesClientException e) {
          if (e.getCode() != 409 || attempt == 10) {
            throw e;
          }
        }
      }
      lostThenLedAgain(a, told, before, "the agent notices it lost the lease and stops applying, then leads and "
          + "applies again once the lease expired");
      assertThat(client.leases().inNamespace(NS).withName("outpost-agent").get().getSpec().getHolderIdentity())
          .isEqualTo("agent-a");
    } finally {
      a.stop();
    }
  }

  @Test
  void anAgentThatLostTheLeaseToAnApiServerOutageLeadsAgainAfterIt() throws Exception {
    List<String> told = new CopyOnWriteArrayList<>();
    LeaseElection a = soleLeader(told);
    try {
      int before = told.size();
      // the API server fails every Lease read for a while (403 here, which fabric8 does not retry):
      // renewals fail past the renew deadline, and so does the read while stopping
      server.expect().get().withPath("/apis/coordination.k8s.io/v1/namespaces/" + NS + "/leases/outpost-agent")
          .andReturn(403, "forbidden").times(8);
      lostThenLedAgain(a, told, before, "the agent stops leading and applying, then leads and applies again once "
          + "the API server answers");
    } finally {
      a.stop();
    }
  }

  /**
   * Agent {@code agent-a} with a {@link #SHORT_LEASE}, started and leading; {@code told} records its
   * callbacks in order, "start" when it leads and "stop" when it no longer does.
   */
  private LeaseElection soleLeader(List<String> told) throws Exception {
    LeaseElection agent = new LeaseElection(client, NS, "outpost-agent", "agent-a", SHORT_LEASE,
        () -> told.add("start"), () -> told.add("stop"));
    agent.start();
    try {
      await(() -> agent.isLeader() && !told.isEmpty() && told.get(told.size() - 1).equals("start"),
          "the only agent leads and applies");
    } catch (AssertionError | InterruptedException e) {
      agent.stop();
      throw e;
    }
    return agent;
  }

  /**
   * Waits for {@code agent} to stop leading then lead again, told after the first {@code before}
   * callbacks, and to lead at the end. Seen in its callbacks, not by sampling isLeader(): with a short
   * lease it leads again about a second after the loss, and a poll that ran late missed the gap.
   */
  private static void lostThenLedAgain(LeaseElection agent, List<String> told, int before, String what)
      throws InterruptedException {
    await(() -> told.size() >= before + 2, what);
    // leading is cleared before the stop callback runs, and set before the start one
    assertThat(told.subList(before, before + 2)).as(what).containsExactly("stop", "start");
    await(agent::isLeader, "the agent leads at the end");
  }
}
