package dev.outpost.gateway.config;

import dev.outpost.gateway.client.ClientAddress;
import dev.outpost.spec.tls.ExtraCas;
import io.vertx.ext.web.Router;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks {@link GatewayConfig} before anything else starts, and refuses to start with one message
 * naming every bad key and what was expected. It runs first among the observers of the public
 * router, the earliest event of the gateway's start: the request chain's beans are singletons
 * (no client proxy on the hot path), made when {@code GatewayRouter} receives that router, and
 * some read the configuration as they are made.
 */
@ApplicationScoped
public class GatewayConfigValidator {

  void validate(@Observes @Priority(1) Router router, GatewayConfig config) {
    List<String> problems = problems(config);
    if (!problems.isEmpty()) {
      throw new IllegalStateException("invalid gateway configuration: " + String.join("; ", problems));
    }
  }

  /** Every problem found, each naming its key; empty when the configuration is usable. */
  public static List<String> problems(GatewayConfig config) {
    List<String> problems = new ArrayList<>();
    checkUrl(problems, "outpost.gateway.runtime-url", config.runtimeUrl());
    config.integrationUrls().forEach((name, url) -> checkUrl(problems, "outpost.gateway.integration-urls." + name, url));
    if (config.routesPollInterval().toMillis() < 10) {
      problems.add("outpost.gateway.routes-poll-interval: expected at least 10ms");
    }
    for (String proxy : config.trustedProxies().orElse(List.of())) {
      try {
        ClientAddress.rule(proxy);
      } catch (IllegalArgumentException e) {
        problems.add("outpost.gateway.trusted-proxies: " + e.getMessage());
      }
    }
    if (config.upstreamIdleTimeout().toSeconds() < 1) {
      problems.add("outpost.gateway.upstream-idle-timeout: expected at least 1s, got " + config.upstreamIdleTimeout());
    }
    if (config.upstreamPoolSize() < 1) {
      problems.add("outpost.gateway.upstream-pool-size: expected at least 1");
    }
    if (config.responseBufferBytes() < 0 || config.responseBuffersBytes() < config.responseBufferBytes()) {
      problems.add("outpost.gateway.response-buffer-bytes: expected 0 or more, and at most response-buffers-bytes ("
          + config.responseBuffersBytes() + ")");
    }
    if (config.jwt().maxTokenBytes() < 256) {
      problems.add("outpost.gateway.jwt.max-token-bytes: expected at least 256");
    }
    config.jwt().caFile().ifPresent(caFile -> {
      try {
        ExtraCas.withJvms(caFile, "outpost.gateway.jwt.ca-file");
      } catch (IllegalArgumentException e) {
        problems.add(e.getMessage());
      }
    });
    if (config.jwt().minRefreshInterval().compareTo(config.jwt().refreshInterval()) > 0) {
      problems.add("outpost.gateway.jwt.min-refresh-interval: expected at most jwt.refresh-interval");
    }
    // 0 would fetch the JWKS again for every token with an unknown kid: a client could keep the IdP busy
    if (config.jwt().minRefreshInterval().toMillis() < 100) {
      problems.add("outpost.gateway.jwt.min-refresh-interval: expected at least 100ms, got " + config.jwt().minRefreshInterval());
    }
    if (config.jwt().fetchTimeout().toMillis() < 1) {
      problems.add("outpost.gateway.jwt.fetch-timeout: expected at least 1ms, got " + config.jwt().fetchTimeout());
    }
    if (config.upstreamConnectTimeout().isNegative()) {
      problems.add("outpost.gateway.upstream-connect-timeout: expected 0 or more, got " + config.upstreamConnectTimeout());
    }
    // 0 would let a trial request through every time: a breaker that never opens
    if (config.circuitBreaker().openDuration().toMillis() < 1) {
      problems.add("outpost.gateway.circuit-breaker.open-duration: expected at least 1ms, got "
          + config.circuitBreaker().openDuration());
    }
    if (config.circuitBreaker().failureThreshold() < 1) {
      problems.add("outpost.gateway.circuit-breaker.failure-threshold: expected at least 1");
    }
    double lease = config.hazelcast().leaseFraction();
    if (!(lease > 0 && lease <= 0.05)) {
      problems.add("outpost.gateway.hazelcast.lease-fraction: expected more than 0 and at most 0.05 (the accuracy bound)");
    }
    if (config.hazelcast().port() < 1 || config.hazelcast().port() > 65535) {
      problems.add("outpost.gateway.hazelcast.port: expected 1 to 65535");
    }
    if (config.hazelcast().kubernetesDiscovery() && config.hazelcast().kubernetesService().isEmpty()) {
      problems.add("outpost.gateway.hazelcast.kubernetes-service: required with kubernetes-discovery");
    }
    if (config.hazelcast().enabled()) {
      HazelcastAddresses.check(config.hazelcast(), problems);
    }
    return problems;
  }

  private static void checkUrl(List<String> problems, String key, URI url) {
    if (url.getHost() == null || !("http".equals(url.getScheme()) || "https".equals(url.getScheme()))) {
      problems.add(key + ": expected an http(s) URL with a host, got " + url);
    }
  }
}
