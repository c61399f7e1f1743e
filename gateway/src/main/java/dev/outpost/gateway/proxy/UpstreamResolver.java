package dev.outpost.gateway.proxy;

import dev.outpost.gateway.config.GatewayConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;

/**
 * Maps an integration to its upstream: in local mode the one runtime process hosts every
 * integration; in kubernetes mode integration {@code X} is the Service {@code int-X} (port 80).
 */
@ApplicationScoped
public class UpstreamResolver {

  private final GatewayConfig config;
  private final Upstream local;

  UpstreamResolver(GatewayConfig config) {
    this.config = config;
    URI url = config.runtimeUrl();
    boolean ssl = "https".equalsIgnoreCase(url.getScheme());
    int port = url.getPort() > 0 ? url.getPort() : ssl ? 443 : 80;
    this.local = new Upstream(url.getHost(), port, ssl);
  }

  public Upstream resolve(String integration) {
    if (config.mode() == GatewayConfig.Mode.KUBERNETES) {
      return new Upstream("int-" + integration + "." + config.namespace() + ".svc", 80, false);
    }
    return local;
  }
}
