package dev.outpost.controlplane.link;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.spec.protocol.Hello;
import dev.outpost.spec.protocol.ProtocolCodec;
import dev.outpost.spec.testing.RawWebSocket;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * An agent connection silent for three ping intervals (3 s here) is dropped then, not up to a ping
 * interval later: the silence was looked at only when a ping was due, so 90 s became up to 120 s.
 * The agent here is written by hand: it says hello and nothing more, answering no ping.
 */
@QuarkusTest
@TestProfile(AgentLivenessTest.OneSecondPings.class)
class AgentLivenessTest {

  public static class OneSecondPings implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("outpost.cp.ping-interval", "1s");
    }
  }

  @TestHTTPResource("/v1/connect")
  URI connect;

  @Test
  void aSilentAgentIsDroppedAtThreePingIntervalsNotAtTheNextPing() throws Exception {
    try (RawWebSocket agent = RawWebSocket.connect(connect.getPort(), "/v1/connect",
        "Authorization: " + ConnectEndpointTest.DATA_PLANE)) {
      agent.sendText(ProtocolCodec.encode(new Hello(1, "local", "test", 0, List.of())));
      long helloAt = System.nanoTime();
      assertThat(agent.awaitCloseCode()).isEqualTo(1001);
      Duration took = Duration.ofNanos(System.nanoTime() - helloAt);
      assertThat(took).isBetween(Duration.ofMillis(2700), Duration.ofMillis(3600));
    }
  }
}
