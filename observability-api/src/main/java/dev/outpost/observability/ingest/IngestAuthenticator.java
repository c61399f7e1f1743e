package dev.outpost.observability.ingest;

import dev.outpost.observability.config.ObservabilityConfig;
import dev.outpost.spec.ingest.IntegrationIngestTokens;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Checks an ingest request's bearer token: the data plane's token, a token the agent issued to one
 * integration ({@link IntegrationIngestTokens}, derived from the data plane's), or an integration
 * token from the static configuration. While the data plane's token is rotated, the one before it
 * ({@code ingest.previous-data-plane-token}) and the tokens derived from it are accepted as well.
 */
@ApplicationScoped
public class IngestAuthenticator {
  private static final Logger LOG = Logger.getLogger(IngestAuthenticator.class);

  @Inject ObservabilityConfig config;
  @Inject MeterRegistry meters;

  private String dataPlane;
  /** Null without a data plane token: then no issued token can be verified either. */
  private IntegrationIngestTokens issued;
  /** Empty without a previous token. */
  private String previous;
  /** Null without a previous token. */
  private IntegrationIngestTokens issuedBefore;
  /** Requests let in by the previous token or one derived from it: none for a while, and it can go. */
  private Counter previousUsed;

  @PostConstruct
  void init() {
    dataPlane = config.ingest().dataPlaneToken().orElse("");
    issued = dataPlane.isBlank() ? null : new IntegrationIngestTokens(dataPlane);
    previous = config.ingest().previousDataPlaneToken().orElse("");
    if (!previous.isEmpty() && previous.equals(dataPlane)) {
      // lets in nothing the current one does not; refusing the start would stop every sender's ingest
      LOG.warn("outpost.observability.ingest.previous-data-plane-token is the current data plane token: ignored;"
          + " to rotate, give the new token as data-plane-token and the old one as previous-data-plane-token");
      previous = "";
    }
    issuedBefore = previous.isBlank() ? null : new IntegrationIngestTokens(previous);
    previousUsed = Counter.builder("outpost.ingest.previous.token.requests")
        .description("Ingest requests let in by the previous data plane token or an integration token derived from it")
        .register(meters);
  }

  /** The binding of the token in an {@code Authorization} header; empty when it is not a known token. */
  public Optional<IngestBinding> authenticate(String authorization) {
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return Optional.empty();
    }
    String token = authorization.substring(7).trim();
    if (issued != null && token.startsWith(IntegrationIngestTokens.PREFIX)) {
      Optional<IntegrationIngestTokens.Binding> binding = issued.verify(token);
      if (binding.isEmpty() && issuedBefore != null) {
        binding = issuedBefore.verify(token);
        binding.ifPresent(b -> previousUsed.increment());
      }
      return binding.map(b -> new IngestBinding(b.project(), b.integration()));
    }
    byte[] presented = token.getBytes(StandardCharsets.UTF_8);
    Optional<IngestBinding> found = Optional.empty();
    // compare against every token without stopping early, so timing says nothing about which matched
    if (!dataPlane.isEmpty() && matches(presented, dataPlane)) {
      found = Optional.of(IngestBinding.DATA_PLANE);
    }
    boolean byPrevious = !previous.isEmpty() && matches(presented, previous) && found.isEmpty();
    if (byPrevious) {
      found = Optional.of(IngestBinding.DATA_PLANE);
    }
    for (Map.Entry<String, ObservabilityConfig.IntegrationToken> e : config.ingest().integrationTokens().entrySet()) {
      if (matches(presented, e.getValue().token()) && found.isEmpty()) {
        found = Optional.of(new IngestBinding(e.getValue().project(), e.getKey()));
      }
    }
    if (byPrevious) {
      previousUsed.increment();
    }
    return found;
  }

  private static boolean matches(byte[] presented, String token) {
    return MessageDigest.isEqual(presented, token.getBytes(StandardCharsets.UTF_8));
  }
}
