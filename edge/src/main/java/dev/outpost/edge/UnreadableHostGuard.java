package dev.outpost.edge;

import io.quarkus.vertx.http.HttpServerStart;
import io.quarkus.vertx.http.HttpsServerStart;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import jakarta.enterprise.event.ObservesAsync;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

/**
 * Puts {@link UnreadableHost} on the connections of every HTTP server of the component: its public
 * port, and its management port, which Quarkus has bound by the time the public one starts. A server
 * the component starts itself later calls {@link #guard(HttpServer)} once it listens.
 */
@Singleton
public class UnreadableHostGuard {

  private static final Logger LOG = Logger.getLogger(UnreadableHostGuard.class);
  static final String NAME = "outpost-unreadable-host";

  void onListening(@ObservesAsync HttpServerStart start, Vertx vertx) {
    guard(vertx);
  }

  void onListeningTls(@ObservesAsync HttpsServerStart start, Vertx vertx) {
    guard(vertx);
  }

  private static void guard(Vertx vertx) {
    if (!ConnectionHandlers.add(vertx, server -> true, NAME, () -> UnreadableHost.INSTANCE)) {
      LOG.error("no listening HTTP server found: a Host with a percent escape is left unanswered (Vert.x internals changed?)");
    }
  }

  /** Guards {@code server}, which the component started itself, once it listens. */
  public static void guard(HttpServer server) {
    if (!ConnectionHandlers.add(server, NAME, () -> UnreadableHost.INSTANCE)) {
      LOG.error("the server is not listening, or Vert.x internals changed: a Host with a percent escape is left unanswered");
    }
  }
}
