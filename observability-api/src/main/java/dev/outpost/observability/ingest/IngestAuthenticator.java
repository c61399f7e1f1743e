package dev.outpost.observability.ingest;

import dev.outpost.observability.config.ObservabilityConfig;
import dev.outpost.spec.ingest.IntegrationIngestTokens;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import java.util.Optional;

/**
 * Checks an ingest request's bearer token: the data plane's token, a token the agent issued to one
 * integration ({@link IntegrationIngestTokens}, derived from the data plane's), or an integration
 * token from the static configuration.
 */
@ApplicationScoped
public class IngestAuthenticator {

  @Inject ObservabilityConfig config;

  private String dataPlane;
  /** Null without a data plane token: then no issued token can be verified either. */
  private IntegrationIngestTokens issued;

  @PostConstruct
  void init() {
    dataPlane = config.ingest().dataPlaneToken().orElse("");
    issued = dataPlane.isBlank() ? null : new IntegrationIngestTokens(dataPlane);
  }

  /** The binding of the token in an {@code Authorization} header; empty when it is not a known token. */
  public Optional<IngestBinding> authenticate(String authorization) {
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return Optional.empty();
    }
    String token = authorization.substring(7).trim();
    if (issued != null && token.startsWith(IntegrationIngestTokens.PREFIX)) {
      return issued.verify(token).map(b -> new IngestBinding(b.project(), b.integration()));
    }
    byte[] presented = token.getBytes(StandardCharsets.UTF_8);
    Optional<IngestBinding> found = Optional.empty();
    // compare against every token without stopping early, so timing says nothing about which matched
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
