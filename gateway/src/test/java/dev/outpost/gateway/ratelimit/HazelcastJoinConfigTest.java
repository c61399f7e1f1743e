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

  /**
   * The member listens on its configured interface only. Hazelcast binds every interface unless told
   * not to, and its member protocol has no authentication: anyone on the network could have joined or
   * rewritten the counters.
   */
  @Test
  void theMemberListensOnItsConfiguredInterfaceOnly() throws Exception {
    java.net.InetAddress other = java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces()).stream()
        .flatMap(n -> java.util.Collections.list(n.getInetAddresses()).stream())
        .filter(a -> a instanceof java.net.Inet4Address && !a.isLoopbackAddress()).findFirst().orElse(null);
    org.junit.jupiter.api.Assumptions.assumeTrue(other != null, "this machine has no address besides loopback");
    int port;
    try (java.net.ServerSocket probe = new java.net.ServerSocket(0)) {
      port = probe.getLocalPort();
    }
    com.hazelcast.config.Config hz = RateLimiters.hazelcastConfig(config(false, Optional.empty(), port));
    hz.getNetworkConfig().getJoin().getTcpIpConfig().setMembers(List.of("127.0.0.1:" + port));
    com.hazelcast.core.HazelcastInstance member = com.hazelcast.core.Hazelcast.newHazelcastInstance(hz);
    try {
      try (java.net.Socket loopback = new java.net.Socket("127.0.0.1", port)) {
        assertThat(loopback.isConnected()).isTrue();
      }
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> new java.net.Socket(other, port).close())
          .as("connecting on %s:%d", other, port).isInstanceOf(java.net.ConnectException.class);
    } finally {
      member.shutdown();
    }
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
