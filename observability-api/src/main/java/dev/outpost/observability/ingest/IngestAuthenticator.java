package dev.outpost.observability.ingest;

import dev.outpost.observability.config.ObservabilityConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import java.util.Optional;

/** Checks an ingest request's bearer token: the data plane's token or an integration's token. */
@ApplicationScoped
public class IngestAuthenticator {

  @Inject ObservabilityConfig config;

  /** The binding of the token in an {@code Authorization} header; empty when it is not a known token. */
  public Optional<IngestBinding> authenticate(String authorization) {
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return Optional.empty();
    }
    byte[] presented = authorization.substring(7).trim().getBytes(StandardCharsets.UTF_8);
    Optional<IngestBinding> found = Optional.empty();
    // compare against every token without stopping early, so timing says nothing about which matched
    String dataPlane = config.ingest().dataPlaneToken().orElse("");
    if (!dataPlane.isEmpty() && matches(presented, dataPlane)) {
      found = Optional.of(IngestBinding.DATA_PLANE);
    }
    for (Map.Entry<String, ObservabilityConfig.IntegrationToken> e : config.ingest().integrationTokens().entrySet()) {
      if (matches(presented, e.getValue().token()) && found.isEmpty()) {
        found = Optional.of(new IngestBinding(e.getValue().project(), e.getKey()));
      }
    }
    return found;
  }

  private static boolean matches(byte[] presented, String token) {
    return MessageDigest.isEqual(presented, token.getBytes(StandardCharsets.UTF_8));
  }
}
