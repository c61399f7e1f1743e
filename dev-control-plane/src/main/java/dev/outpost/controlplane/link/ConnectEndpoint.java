package dev.outpost.controlplane.link;

import dev.outpost.controlplane.Tokens;
import dev.outpost.spec.protocol.ProtocolCodec;
import io.quarkus.vertx.http.HttpServerOptionsCustomizer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

/**
 * {@code /v1/connect}: the WebSocket agents dial. The upgrade needs the data plane's bearer token;
 * anything else gets a 401 before any WebSocket exists.
 */
@Singleton
public class ConnectEndpoint {
  private final Tokens tokens;
  private final AgentConnections connections;

  public ConnectEndpoint(Tokens tokens, AgentConnections connections) {
    this.tokens = tokens;
    this.connections = connections;
  }

  void route(@Observes Router router) {
    router.get("/v1/connect").order(-100).handler(rc -> {
      if (!tokens.isDataPlane(rc.request().getHeader("Authorization"))) {
        rc.response().setStatusCode(401).putHeader("WWW-Authenticate", "Bearer")
            .putHeader("Content-Type", "application/json")
            .end("{\"error\":\"unauthorized\",\"message\":\"the data plane's bearer token is required\"}");
        return;
      }
      HttpConnection connection = rc.request().connection();
      rc.request().toWebSocket().onSuccess(socket -> connections.open(socket, connection))
          .onFailure(e -> rc.response().setStatusCode(400).end(e.getMessage()));
    });
  }

  /**
   * Snapshots of large states exceed Vert.x's default WebSocket message limit. The protocol limits
   * messages, not frames: an agent may send a whole status as one frame.
   */
  @Singleton
  public static class FrameLimits implements HttpServerOptionsCustomizer {
    @Override
    public void customizeHttpServer(HttpServerOptions options) {
      options.setMaxWebSocketMessageSize(ProtocolCodec.MAX_FRAME_BYTES);
      options.setMaxWebSocketFrameSize(ProtocolCodec.MAX_FRAME_BYTES);
    }
  }
}
