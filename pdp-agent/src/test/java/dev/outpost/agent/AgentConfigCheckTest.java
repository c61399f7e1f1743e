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
    SmallRyeConfig config = new SmallRyeConfigBuilder().withMapping(AgentConfig.class).addDefaultInterceptors()
        .withConverter(java.time.Duration.class, 100, new io.quarkus.runtime.configuration.DurationConverter())
        .withSources(new PropertiesConfigSource(Map.of("outpost.agent.control-plane.url", url), "test", 500))
        .build();
    return config.getConfigMapping(AgentConfig.class);
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
}
