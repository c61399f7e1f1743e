package dev.outpost.gateway.proxy;

import dev.outpost.gateway.config.GatewayConfig;
import jakarta.inject.Singleton;
import java.net.URI;

/**
 * Maps an integration to its upstream: in local mode the one runtime process hosts every
 * integration; in kubernetes mode integration {@code X} is the Service {@code int-X} (port 80).
 * {@code outpost.gateway.integration-urls.X} overrides both.
 */
@Singleton
public class UpstreamResolver {

  private final GatewayConfig config;
  private final Upstream local;

  UpstreamResolver(GatewayConfig config) {
    this.config = config;
    this.local = of(config.runtimeUrl());
  }

  private static Upstream of(URI url) {
    boolean ssl = "https".equalsIgnoreCase(url.getScheme());
    int port = url.getPort() > 0 ? url.getPort() : ssl ? 443 : 80;
    return new Upstream(url.getHost(), port, ssl);
  }

  public Upstream resolve(String integration) {
    URI override = config.integrationUrls().get(integration);
    if (override != null) {
      return of(override);
    }
    if (config.mode() == GatewayConfig.Mode.KUBERNETES) {
      return new Upstream("int-" + integration + "." + config.namespace() + ".svc", 80, false);
    }
    return local;
  }
}
