package dev.outpost.gateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.config.JoinConfig;
import dev.outpost.gateway.config.GatewayConfig;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** How gateway replicas find each other: one cluster, and no Kubernetes API access needed for it. */
class HazelcastJoinConfigTest {

  @Test
  void inKubernetesMembersAreFoundByDnsOnTheHeadlessServiceWhichNeedsNoRbac() {
    JoinConfig join = RateLimiters.hazelcastConfig(config(true, Optional.of("gw-headless.outpost.svc.cluster.local"),
        5801)).getNetworkConfig().getJoin();

    assertThat(join.getKubernetesConfig().isEnabled()).isTrue();
    assertThat(join.getKubernetesConfig().getProperties())
        .containsEntry("service-dns", "gw-headless.outpost.svc.cluster.local")
        .as("the members are probed on the port they listen on, not Hazelcast's default 5701")
        .containsEntry("service-port", "5801")
        .doesNotContainKey("service-name"); // API lookup mode: would need get/list on endpoints
    assertThat(join.getTcpIpConfig().isEnabled()).isFalse();
    assertThat(join.getMulticastConfig().isEnabled()).isFalse();
  }

  @Test
  void locallyMembersAreTheConfiguredTcpIpList() {
    JoinConfig join = RateLimiters.hazelcastConfig(config(false, Optional.empty(), 5701)).getNetworkConfig().getJoin();

    assertThat(join.getKubernetesConfig().isEnabled()).isFalse();
    assertThat(join.getTcpIpConfig().isEnabled()).isTrue();
    assertThat(join.getTcpIpConfig().getMembers()).containsExactly("127.0.0.1:5701", "127.0.0.1:5702");
  }

  private static GatewayConfig.Hazelcast config(boolean kubernetes, Optional<String> service, int port) {
    return new GatewayConfig.Hazelcast() {
      public boolean enabled() { return true; }
      public String clusterName() { return "join-test"; }
      public int port() { return port; }
      public String host() { return "127.0.0.1"; }
      public Optional<List<String>> members() { return Optional.of(List.of("127.0.0.1:5701", "127.0.0.1:5702")); }
      public boolean kubernetesDiscovery() { return kubernetes; }
      public Optional<String> kubernetesService() { return service; }
      public double leaseFraction() { return 0.01; }
    };
  }
}
