package dev.outpost.agent;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The agent's configuration as checked at start, built from properties the way Quarkus builds it. */
class AgentConfigCheckTest {

  private static AgentConfig config(String url) {
    return config(Map.of("outpost.agent.control-plane.url", url));
  }

  private static AgentConfig config(Map<String, String> properties) {
    SmallRyeConfig config = new SmallRyeConfigBuilder().withMapping(AgentConfig.class).addDefaultInterceptors()
        .withConverter(java.time.Duration.class, 100, new io.quarkus.runtime.configuration.DurationConverter())
        .withSources(new PropertiesConfigSource(properties, "test", 500))
        .build();
    return config.getConfigMapping(AgentConfig.class);
  }

  /**
   * A proxy without a port, or without its scheme, is named at start with what it must be (Vert.x
   * took the missing port as -1 and failed every connection); its password is never printed.
   */
  @Test
  void aProxyMustBeHttpWithItsPort() {
    String url = "wss://cp.example.com/v1/connect";
    for (String good : new String[] {"http://proxy.corp.example:3128", "http://u:p%40ss@proxy.corp.example:8080"}) {
      assertThatCode(() -> AgentConfigCheck.validate(config(Map.of("outpost.agent.control-plane.url", url,
          "outpost.agent.control-plane.proxy", good)))).as(good).doesNotThrowAnyException();
    }
    for (String bad : new String[] {"http://proxy.corp.example", "proxy.corp.example:3128", "https://proxy.corp.example:443",
        "http://user:hunter2@proxy.corp.example"}) {
      assertThatThrownBy(() -> AgentConfigCheck.validate(config(Map.of("outpost.agent.control-plane.url", url,
          "outpost.agent.control-plane.proxy", bad)))).as(bad)
          .hasMessageContaining("outpost.agent.control-plane.proxy: must be http://host:port")
          .message().doesNotContain("hunter2");
    }
  }

  /** Over ws:// the bearer token and every integration's source cross the network in clear. */
  @Test
  void plainWebSocketsAreForAControlPlaneOnThisMachineOnly() {
    for (String local : new String[] {"ws://127.0.0.1:7070/v1/connect", "ws://localhost:7070/v1/connect",
        "ws://[::1]:7070/v1/connect", "ws://127.1.2.3/v1/connect", "wss://cp.example.com/v1/connect"}) {
      assertThatCode(() -> AgentConfigCheck.validate(config(local))).as(local).doesNotThrowAnyException();
    }
    for (String remote : new String[] {"ws://cp.example.com/v1/connect", "ws://10.0.0.7:7070/v1/connect",
        "ws://127.0.0.1.nip.io/v1/connect", "ws://localhost.example.com/v1/connect"}) {
      assertThatThrownBy(() -> AgentConfigCheck.validate(config(remote))).as(remote)
          .hasMessageContaining("outpost.agent.control-plane.url: ws:// is for a control plane on this machine");
    }
  }

  /** Vert.x sends a loopback URL through the proxy too: the upgrade's bearer token would reach it in clear. */
  @Test
  void aProxyIsOnlyForWss() {
    assertThatThrownBy(() -> AgentConfigCheck.validate(config(Map.of("outpost.agent.control-plane.url",
        "ws://127.0.0.1:7070/v1/connect", "outpost.agent.control-plane.proxy", "http://proxy.corp.example:3128"))))
        .hasMessageContaining("outpost.agent.control-plane.proxy: only with a wss:// control plane");
  }

  /** A Lease shorter than 2 s rounds to 0 s and a retry period of 0: every replica leads, or all ask in a loop. */
  @Test
  void aLeaseShorterThanTwoSecondsIsRefused() {
    String url = "wss://cp.example.com/v1/connect";
    assertThatCode(() -> AgentConfigCheck.validate(config(Map.of("outpost.agent.control-plane.url", url,
        "outpost.agent.leader-election.lease-duration", "2s")))).doesNotThrowAnyException();
    for (String bad : new String[] {"0s", "1500ms", "-5s"}) {
      assertThatThrownBy(() -> AgentConfigCheck.validate(config(Map.of("outpost.agent.control-plane.url", url,
          "outpost.agent.leader-election.lease-duration", bad)))).as(bad)
          .hasMessageContaining("outpost.agent.leader-election.lease-duration: must be at least 2s");
    }
  }

  /**
   * The API server refuses a Lease whose name is no DNS subdomain, and fabric8's elector only logs a
   * WARN and retries: no agent ever led, nothing was applied, and readiness stayed green.
   */
  @Test
  void aLeaseNameKubernetesWouldRefuseIsRefused() {
    String url = "wss://cp.example.com/v1/connect";
    assertThatCode(() -> AgentConfigCheck.validate(config(Map.of("outpost.agent.control-plane.url", url,
        "outpost.agent.leader-election.lease-name", "acme-outpost-agent.v2")))).doesNotThrowAnyException();
    for (String bad : new String[] {"Outpost_Lease", "outpost-lease.", "-lease", "a".repeat(254)}) {
      assertThatThrownBy(() -> AgentConfigCheck.validate(config(Map.of("outpost.agent.control-plane.url", url,
          "outpost.agent.leader-election.lease-name", bad)))).as(bad)
          .hasMessageContaining("outpost.agent.leader-election.lease-name: must be a DNS subdomain");
    }
  }
}
