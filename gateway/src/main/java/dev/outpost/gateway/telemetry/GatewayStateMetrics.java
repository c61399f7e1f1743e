package dev.outpost.gateway.telemetry;

import dev.outpost.gateway.proxy.CircuitBreakers;
import dev.outpost.gateway.ratelimit.RateLimiters;
import dev.outpost.gateway.route.RouteTableHolder;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Prometheus gauges of the gateway's state, read at each scrape, for alerts a platform team sets:
 * {@code outpost_gateway_routes_revision} and {@code outpost_gateway_routes} (the table in use, what
 * the agent reports upward), {@code outpost_gateway_routes_refused_total} (tables that could not be
 * read or compiled: the control plane sent something this gateway keeps refusing) and {@code
 * outpost_gateway_routes_refusing} (1 while the last table its source gave is refused and none
 * applied since: what an alert holds, a count's increase ending while the refusal goes on),
 * {@code outpost_gateway_circuit_breaker_open{integration}} (1 while a breaker of that integration is
 * open; dropped with the integration's last route) and {@code outpost_gateway_cluster_members} (the
 * rate-limit cluster as this replica sees it: fewer than the replicas means a split, whose sides each
 * admit the whole limit), and {@code outpost_gateway_rate_limit_uncounted_total} (requests admitted
 * without a count while the counters did not answer: the limits failed open).
 */
@Singleton
public class GatewayStateMetrics {

  void register(@Observes StartupEvent start, MeterRegistry registry, RouteTableHolder routes,
      CircuitBreakers breakers, RateLimiters rateLimiters) {
    Gauge.builder("outpost.gateway.routes.revision", routes, r -> r.current().revision())
        .description("revision of the routing table in use").register(registry);
    Gauge.builder("outpost.gateway.routes", routes, r -> r.current().size())
        .description("routes in the table in use").register(registry);
    FunctionCounter.builder("outpost.gateway.routes.refused", routes, RouteTableHolder::refusals)
        .description("routing tables refused (unreadable or invalid); the table in use stayed").register(registry);
    Gauge.builder("outpost.gateway.routes.refusing", routes, r -> r.refusing() ? 1 : 0)
        .description("1 while the last routing table its source gave is refused and none applied since")
        .register(registry);
    Gauge.builder("outpost.gateway.cluster.members", rateLimiters, RateLimiters::clusterMembers)
        .description("members of the rate-limit cluster this replica sees, itself included; 0 with Hazelcast off")
        .register(registry);
    FunctionCounter.builder("outpost.gateway.rate_limit.uncounted", rateLimiters,
            r -> r.limiter() == null ? 0 : r.limiter().admittedUncounted())
        .description("requests admitted without a count while the rate-limit counters did not answer (failing open)")
        .register(registry);
    Map<String, Gauge> breakerGauges = new ConcurrentHashMap<>();
    breakers.watch(integration -> breakerGauges.put(integration, Gauge.builder("outpost.gateway.circuit_breaker.open",
            breakers, b -> b.anyOpen(integration) ? 1 : 0)
        .description("1 while a circuit breaker of the integration is open")
        .tag("integration", integration).register(registry)),
        integration -> {
          Gauge gone = breakerGauges.remove(integration);
          if (gone != null) {
            registry.remove(gone);
          }
        });
  }
}
