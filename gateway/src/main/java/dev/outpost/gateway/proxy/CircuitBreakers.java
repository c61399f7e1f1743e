package dev.outpost.gateway.proxy;

import dev.outpost.gateway.config.GatewayConfig;
import dev.outpost.gateway.route.RouteTableHolder;
import jakarta.inject.Singleton;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Consumer;

/**
 * One {@link CircuitBreaker} per integration and upstream, created on first use. Keyed by the
 * integration too, not by the upstream alone: in local mode one runtime process serves every
 * integration, so one slow integration must not open the breaker of all the others (in kubernetes
 * mode each integration has its own Service, and the key adds nothing). An integration taken out
 * of the routing table takes its breakers along.
 */
@Singleton
public class CircuitBreakers {

  /** Compared as values: looking a breaker up builds no string on the request path. */
  private record Key(String integration, Upstream upstream) {}

  private final ConcurrentMap<Key, CircuitBreaker> breakers = new ConcurrentHashMap<>();
  private final GatewayConfig.Breaker config;
  private final RouteTableHolder table;
  private volatile Consumer<String> newBreaker = integration -> { };
  private volatile Consumer<String> integrationGone = integration -> { };

  CircuitBreakers(GatewayConfig config, RouteTableHolder table) {
    this.config = config.circuitBreaker();
    this.table = table;
    table.onChange(next -> forgetIntegrationsNotIn(next.integrations()));
  }

  public CircuitBreaker forIntegration(String integration, Upstream upstream) {
    Key key = new Key(integration, upstream);
    CircuitBreaker breaker = breakers.get(key);
    if (breaker != null) {
      return breaker;
    }
    if (!table.current().integrations().contains(integration)) {
      // an exchange begun before its route was taken out: a breaker of its own, kept nowhere, so that
      // the integration's breaker and gauge do not come back until the next table
      return fresh(key);
    }
    // the listener is told once, as the breaker is made
    CircuitBreaker made = breakers.computeIfAbsent(key, k -> {
      newBreaker.accept(integration);
      return fresh(k);
    });
    if (!table.current().integrations().contains(integration) && breakers.remove(key, made)) {
      // its routes were taken out between the check above and now, and their forgetting ran before
      // this breaker was kept: it, and its gauge, go as they would have then
      integrationGone.accept(integration);
    }
    return made;
  }

  private CircuitBreaker fresh(Key key) {
    Upstream upstream = key.upstream();
    return new CircuitBreaker(key.integration() + " at " + upstream.host() + ":" + upstream.port(),
        config.failureThreshold(), config.openDuration().toNanos());
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
   * Tells {@code made} the integration of each breaker made from now on, and of those made already
   * (an integration may be told more than once), and {@code gone} each integration whose breakers
   * were dropped with its routes.
   */
  public void watch(Consumer<String> made, Consumer<String> gone) {
    newBreaker = made;
    integrationGone = gone;
    breakers.keySet().forEach(key -> made.accept(key.integration()));
  }

  /**
   * Drops the breakers of integrations no route goes to any more; an exchange still under way gets
   * one of its own, kept nowhere ({@link #forIntegration}).
   */
  private void forgetIntegrationsNotIn(Set<String> kept) {
    Set<String> gone = new HashSet<>();
    for (Key key : breakers.keySet()) {
      if (!kept.contains(key.integration()) && breakers.remove(key) != null) {
        gone.add(key.integration());
      }
    }
    gone.forEach(integrationGone);
  }
}
