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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class LeaseElectionTest {
  static final String NS = "outpost";
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
    Duration lease = Duration.ofSeconds(2);
    LeaseElection a = new LeaseElection(client, NS, "outpost-agent", "agent-a", lease, start, stop);
    LeaseElection b = new LeaseElection(client, NS, "outpost-agent", "agent-b", lease, start, stop);
    try {
      a.start();
      b.start();
      await(() -> a.isLeader() || b.isLeader(), "one agent leads");
      Thread.sleep(lease.toMillis() * 2);
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
    AtomicInteger applying = new AtomicInteger();
    LeaseElection a = soleLeader(applying);
    try {

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
      // leading is cleared before the stop callback runs, and set before the start one: wait for both
      await(() -> !a.isLeader() && applying.get() == 0, "the agent notices it lost the lease and stops applying");

      await(() -> a.isLeader() && applying.get() == 1, "the agent leads and applies again once the lease expired");
      assertThat(client.leases().inNamespace(NS).withName("outpost-agent").get().getSpec().getHolderIdentity())
          .isEqualTo("agent-a");
    } finally {
      a.stop();
    }
  }

  @Test
  void anAgentThatLostTheLeaseToAnApiServerOutageLeadsAgainAfterIt() throws Exception {
    AtomicInteger applying = new AtomicInteger();
    LeaseElection a = soleLeader(applying);
    try {

      // the API server fails every Lease read for a while (403 here, which fabric8 does not retry):
      // renewals fail past the renew deadline, and so does the read while stopping
      server.expect().get().withPath("/apis/coordination.k8s.io/v1/namespaces/" + NS + "/leases/outpost-agent")
          .andReturn(403, "forbidden").times(8);
      await(() -> !a.isLeader() && applying.get() == 0, "the agent stops leading and applying");

      await(() -> a.isLeader() && applying.get() == 1, "the agent leads and applies again once the API server answers");
    } finally {
      a.stop();
    }
  }

  /** Agent {@code agent-a} with a 2 s lease, started and leading; {@code applying} counts while it leads. */
  private LeaseElection soleLeader(AtomicInteger applying) throws Exception {
    LeaseElection agent = new LeaseElection(client, NS, "outpost-agent", "agent-a", Duration.ofSeconds(2),
        applying::incrementAndGet, applying::decrementAndGet);
    agent.start();
    try {
      await(() -> agent.isLeader() && applying.get() == 1, "the only agent leads and applies");
    } catch (AssertionError | InterruptedException e) {
      agent.stop();
      throw e;
    }
    return agent;
  }
}
