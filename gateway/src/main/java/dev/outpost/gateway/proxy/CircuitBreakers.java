package dev.outpost.gateway.proxy;

import dev.outpost.gateway.config.GatewayConfig;
import jakarta.inject.Singleton;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Consumer;

/**
 * One {@link CircuitBreaker} per integration and upstream, created on first use. Keyed by the
 * integration too, not by the upstream alone: in local mode one runtime process serves every
 * integration, so one slow integration must not open the breaker of all the others (in kubernetes
 * mode each integration has its own Service, and the key adds nothing).
 */
@Singleton
public class CircuitBreakers {

  /** Compared as values: looking a breaker up builds no string on the request path. */
  private record Key(String integration, Upstream upstream) {}

  private final ConcurrentMap<Key, CircuitBreaker> breakers = new ConcurrentHashMap<>();
  private final GatewayConfig.Breaker config;
  private volatile Consumer<String> newBreaker = integration -> { };

  CircuitBreakers(GatewayConfig config) {
    this.config = config.circuitBreaker();
  }

  public CircuitBreaker forIntegration(String integration, Upstream upstream) {
    // a present key is answered without locking; the listener is told once, as the breaker is made
    return breakers.computeIfAbsent(new Key(integration, upstream), key -> {
      newBreaker.accept(integration);
      return new CircuitBreaker(config.failureThreshold(), config.openDuration().toNanos());
    });
  }

  /** Whether a breaker of {@code integration} (any of its upstreams) is open. */
  public boolean anyOpen(String integration) {
    for (Map.Entry<Key, CircuitBreaker> entry : breakers.entrySet()) {
      if (entry.getKey().integration().equals(integration) && entry.getValue().isOpen()) {
        return true;
      }
    }
    return false;
  }

  /**
   * Tells {@code listener} the integration of each breaker made from now on, and of those made
   * already; an integration may be told more than once.
   */
  public void onNewBreaker(Consumer<String> listener) {
    newBreaker = listener;
    breakers.keySet().forEach(key -> listener.accept(key.integration()));
  }
}
