package dev.outpost.controlplane;

import io.vertx.ext.web.Router;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Answers 421 to a request whose {@code Host} is not one of {@code outpost.cp.allowed-hosts}, before
 * any other route (the IdP, the API, the console, the agents' WebSocket): a DNS-rebinding page calls
 * with its own host name.
 */
@Singleton
public class AllowedHosts {
  private final Set<String> allowed;

  public AllowedHosts(ControlPlaneConfig config) {
    this.allowed = config.allowedHosts().stream().map(h -> h.trim().toLowerCase(Locale.ROOT))
        .collect(Collectors.toSet());
  }

  void route(@Observes Router router) {
    router.route().order(-1000).handler(rc -> {
      if (allowed.contains(hostName(rc.request().getHeader("Host")))) {
        rc.next();
        return;
      }
      rc.response().setStatusCode(421).putHeader("Content-Type", "application/json")
          .end("{\"error\":\"misdirected_request\",\"message\":\"Host: not one of outpost.cp.allowed-hosts\"}");
    });
  }

  /** The name part of a Host header, lower case: {@code [::1]:7070} is {@code [::1]}; null for none. */
  static String hostName(String host) {
    if (host == null) {
      return null;
    }
    String h = host.trim().toLowerCase(Locale.ROOT);
    int end = h.startsWith("[") ? h.indexOf(']') + 1 : h.indexOf(':');
    return end > 0 ? h.substring(0, end) : h;
  }
}
