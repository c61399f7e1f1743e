package dev.outpost.gateway.proxy;

import dev.outpost.gateway.config.GatewayConfig;
import jakarta.inject.Singleton;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

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

  CircuitBreakers(GatewayConfig config) {
    this.config = config.circuitBreaker();
  }

  public CircuitBreaker forIntegration(String integration, Upstream upstream) {
    return breakers.computeIfAbsent(new Key(integration, upstream),
        k -> new CircuitBreaker(config.failureThreshold(), config.openDuration().toNanos()));
  }
}
