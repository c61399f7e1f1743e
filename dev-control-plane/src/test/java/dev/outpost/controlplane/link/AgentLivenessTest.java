package dev.outpost.controlplane.link;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.spec.protocol.Hello;
import dev.outpost.spec.protocol.ProtocolCodec;
import dev.outpost.spec.protocol.Status;
import dev.outpost.spec.testing.RawWebSocket;
import dev.outpost.spec.testing.ThrottledLink;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.http.WebSocketFrame;
import jakarta.inject.Inject;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * An agent connection silent for three ping intervals (6 s here) is dropped then, not up to a ping
 * interval later: the silence was looked at only when a ping was due, so 90 s became up to 120 s.
 * One whose bytes keep arriving is not silent, however long its frame takes. The agents here say
 * hello and a status at most, answering no ping. Pings of 2 s put the wrong drop (at the next ping)
 * 2 s after the right one, room for a late timer on a loaded machine between the two.
 */
@QuarkusTest
@TestProfile(AgentLivenessTest.TwoSecondPings.class)
class AgentLivenessTest {

  public static class TwoSecondPings implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("outpost.cp.ping-interval", "2s");
    }
  }

  @TestHTTPResource("/v1/connect")
  URI connect;

  @Inject Vertx vertx;

  /**
   * Measured from just before the hello is sent: the server cannot hear it sooner, so the drop comes
   * no sooner than 6 s later, however late this thread runs. At the next ping it would come at 8 s.
   */
  @Test
  void aSilentAgentIsDroppedAtThreePingIntervalsNotAtTheNextPing() throws Exception {
    try (RawWebSocket agent = RawWebSocket.connect(connect.getPort(), "/v1/connect",
        "Authorization: " + ConnectEndpointTest.DATA_PLANE)) {
      long helloAt = System.nanoTime();
      agent.sendText(ProtocolCodec.encode(new Hello(1, "local", "test", 0, List.of())));
      assertThat(agent.awaitCloseCode()).isEqualTo(1001);
      Duration took = Duration.ofNanos(System.nanoTime() - helloAt);
      // the upper bound just below the wrong drop's 8 s: a slow machine's late timer and close are no failure
      assertThat(took).isBetween(Duration.ofSeconds(6), Duration.ofMillis(7_900));
    }
  }

  /**
   * A status in one frame sent over a slow link, for longer than the silence timeout (6 s here), is
   * received and acknowledged on the same connection: every byte read counts as heard. Netty hands
   * over a frame only once it is whole: counting frames cut such a connection as silent mid-frame,
   * and the agent sent its status again, for ever. The link brings 8 KiB every 35 ms: 2 MB take
   * about 8.5 s, and the agent sends nothing else meanwhile (it answers no ping).
   */
  @Test
  void aStatusInOneFrameArrivingMoreSlowlyThanTheSilenceTimeoutIsReceived() throws Exception {
    List<Status.IntegrationStatus> integrations = IntStream.range(0, 12_000).mapToObj(i -> new Status.IntegrationStatus(
        "integration-" + i, "shop", "1", "Ready", 1, 1, "serving on every replica since the last upgrade, nothing to do")).toList();
    String status = ProtocolCodec.encode(new Status(1, "local", Instant.now(), 0, 0, integrations,
        new Status.GatewayStatus(0, 0, true)));
    assertThat(status.length()).isGreaterThan(2_000_000);

    CompletableFuture<String> acked = new CompletableFuture<>();
    CompletableFuture<Short> closed = new CompletableFuture<>();
    try (ThrottledLink slow = ThrottledLink.slowToServer(connect.getPort(), 8 * 1024, 35)) {
      WebSocket agent = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxFrameSize(ProtocolCodec.MAX_FRAME_BYTES)
              .setMaxMessageSize(ProtocolCodec.MAX_FRAME_BYTES))
          .connect(new WebSocketConnectOptions().setAbsoluteURI(slow.url()).addHeader("Authorization", ConnectEndpointTest.DATA_PLANE))
          .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      agent.textMessageHandler(frame -> {
        if (frame.contains("\"statusAck\"")) {
          acked.complete(frame);
        }
      });
      agent.closeHandler(ignored -> closed.complete(agent.closeStatusCode()));
      agent.writeTextMessage(ProtocolCodec.encode(new Hello(1, "local", "test", 0, List.of())));
      agent.writeFrame(WebSocketFrame.textFrame(status, true)); // one frame, not fragments
      long sentAt = System.nanoTime();

      CompletableFuture.anyOf(acked, closed).get(30, TimeUnit.SECONDS);
      assertThat(closed).as("the connection, %d ms after the status was sent", (System.nanoTime() - sentAt) / 1_000_000)
          .isNotDone();
      assertThat(Duration.ofNanos(System.nanoTime() - sentAt)).as("the status took longer than the silence timeout to arrive")
          .isGreaterThan(Duration.ofSeconds(6));
      assertThat(acked.get()).contains("\"seq\":1");
      agent.close();
    }
  }
}
