package dev.outpost.gateway.proxy;

import dev.outpost.gateway.config.GatewayConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/** One {@link CircuitBreaker} per upstream, created on first use. */
@ApplicationScoped
public class CircuitBreakers {

  private final ConcurrentMap<String, CircuitBreaker> breakers = new ConcurrentHashMap<>();
  private final GatewayConfig.Breaker config;

  CircuitBreakers(GatewayConfig config) {
    this.config = config.circuitBreaker();
  }

  public CircuitBreaker forUpstream(Upstream upstream) {
    return breakers.computeIfAbsent(upstream.key(),
        k -> new CircuitBreaker(config.failureThreshold(), config.openDuration().toNanos()));
  }
}
