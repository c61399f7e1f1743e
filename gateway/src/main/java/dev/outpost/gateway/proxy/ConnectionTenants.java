package dev.outpost.gateway.proxy;

import io.vertx.core.http.HttpConnection;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Which exchange each pooled upstream connection carries, from the moment its request goes up until
 * its response body has been passed on. The pool takes a connection back as soon as the response
 * has arrived in full, which can be long before a slow client has been sent all of it: an exchange
 * whose connection is handed to the next request learns here that its response has arrived.
 */
final class ConnectionTenants {

  private final ConcurrentMap<HttpConnection, UpstreamExchange> tenants = new ConcurrentHashMap<>();

  /** {@code exchange} sends its request on {@code connection}; the exchange that held it before, if it still did, or null. */
  UpstreamExchange moveIn(HttpConnection connection, UpstreamExchange exchange) {
    return tenants.put(connection, exchange);
  }

  /** {@code exchange} is done with {@code connection}, unless another has it already. */
  void moveOut(HttpConnection connection, UpstreamExchange exchange) {
    tenants.remove(connection, exchange);
  }
}
