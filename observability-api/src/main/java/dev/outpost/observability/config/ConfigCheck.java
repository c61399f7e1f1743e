package dev.outpost.observability.config;

import dev.outpost.spec.ingest.IntegrationIngestTokens;
import dev.outpost.spec.tls.ExtraCas;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Fails the start with every bad key named, rather than failing at the first request. */
@Startup
@ApplicationScoped
public class ConfigCheck {

  // RFC 6750's b64token. The senders pass the token in OTEL's comma-separated header list
  // (quarkus.otel.exporter.otlp.headers): a comma or space split it, and every export was refused.
  private static final Pattern BEARER_TOKEN = Pattern.compile("[A-Za-z0-9._~+/-]+=*");
  private static final String BEARER_CHARS = " (letters, digits, -._~+/ and = at the end): the gateway and the"
      + " runtime send it in a comma-separated header list";

  /** Read as {@link ByteSize} wherever it is used. */
  public static final String RETENTION_SIZE = "outpost.observability.storage.retention-size";

  @Inject ObservabilityConfig config;

  @ConfigProperty(name = "quarkus.http.cors.origins")
  Optional<List<String>> corsOrigins;

  @PostConstruct
  void validate() {
    List<String> errors = problems(config, corsOrigins.orElse(List.of()));
    if (!errors.isEmpty()) {
      throw new IllegalStateException("invalid configuration: " + String.join("; ", errors));
    }
  }

  static List<String> problems(ObservabilityConfig config, List<String> corsOrigins) {
    List<String> errors = new ArrayList<>();
    ObservabilityConfig.Ingest ingest = config.ingest();
    if (ingest.dataPlaneToken().map(String::isBlank).orElse(true)) {
      errors.add("outpost.observability.ingest.data-plane-token is required (env OUTPOST_INGEST_TOKEN)");
    } else {
      bearerTokenProblem("outpost.observability.ingest.data-plane-token", ingest.dataPlaneToken().get())
          .ifPresent(errors::add);
    }
    ingest.previousDataPlaneToken()
        .flatMap(token -> bearerTokenProblem("outpost.observability.ingest.previous-data-plane-token", token))
        .ifPresent(errors::add);
    ingest.integrationTokens().forEach((name, token) -> {
      bearerTokenProblem("outpost.observability.ingest.integration-tokens." + name + ".token", token.token())
          .ifPresent(errors::add);
      if (token.token().startsWith(IntegrationIngestTokens.PREFIX)) {
        errors.add("outpost.observability.ingest.integration-tokens." + name + ".token must not start with "
            + IntegrationIngestTokens.PREFIX + " (the tokens the agent issues)");
      }
      if (token.project().isBlank()) {
        errors.add("outpost.observability.ingest.integration-tokens." + name + ".project must not be blank");
      }
    });
    if (ingest.port() < 0 || ingest.port() > 65535) {
      errors.add("outpost.observability.ingest.port must be between 0 and 65535");
    }
    if (ingest.maxBodyBytes() < 1024) {
      errors.add("outpost.observability.ingest.max-body-bytes must be at least 1024");
    }
    if (ingest.maxDecompressedBytes() < ingest.maxBodyBytes()) {
      errors.add("outpost.observability.ingest.max-decompressed-bytes must be at least max-body-bytes");
    }
    if (ingest.decodeMemoryBytes().map(bytes -> bytes < 1024 * 1024).orElse(false)) {
      errors.add("outpost.observability.ingest.decode-memory-bytes must be at least 1048576");
    }
    if (config.query().memoryBytes().map(bytes -> bytes < 1024 * 1024).orElse(false)) {
      errors.add("outpost.observability.query.memory-bytes must be at least 1048576");
    }
    if (ingest.maxInFlight() < 1) {
      errors.add("outpost.observability.ingest.max-in-flight must be at least 1");
    }
    if (ingest.maxDataBytes().isPresent() && ingest.maxDataBytes().get() <= ingest.minFreeDiskBytes()) {
      errors.add("outpost.observability.ingest.max-data-bytes must be more than ingest.min-free-disk-bytes ("
          + ingest.minFreeDiskBytes() + "), which is kept free below it");
    }
    if (ingest.maxInFlightPerProject() < 1) {
      errors.add("outpost.observability.ingest.max-in-flight-per-project must be at least 1");
    }
    if (ingest.bodyTimeout().isNegative() || ingest.bodyTimeout().isZero()) {
      errors.add("outpost.observability.ingest.body-timeout must be positive");
    }
    if (ingest.idleTimeout().isNegative()) {
      errors.add("outpost.observability.ingest.idle-timeout must be 0 (none) or more");
    }
    ObservabilityConfig.Storage storage = config.storage();
    if (storage.retention().compareTo(Duration.ofDays(1)) < 0 || storage.retention().toSeconds() % 86_400 != 0
        || storage.retention().toNanosPart() != 0) {
      // 36 h accepted records of two days back with a 200, which retention, by whole days, then deleted
      errors.add("outpost.observability.storage.retention must be whole days, at least 1 (partitions are daily)");
    }
    if (storage.refreshInterval().compareTo(Duration.ofSeconds(1)) >= 0 || storage.refreshInterval().isNegative()
        || storage.refreshInterval().isZero()) {
      errors.add("outpost.observability.storage.refresh-interval must be between 0 and 1 s (searches see records within 1 s)");
    }
    if (storage.checkpointInterval().isNegative() || storage.checkpointInterval().isZero()) {
      errors.add("outpost.observability.storage.checkpoint-interval must be positive");
    }
    // a scheduler refuses 0 with an exception that names nothing ("retention off" is a longer retention)
    if (storage.retentionInterval().isNegative() || storage.retentionInterval().isZero()) {
      errors.add("outpost.observability.storage.retention-interval must be positive");
    }
    storage.retentionSize().ifPresent(text -> {
      try {
        long bytes = ByteSize.parse(RETENTION_SIZE, text);
        if (bytes < 1) {
          errors.add(RETENTION_SIZE + " must be at least 1 byte (left unset, records are kept by age alone)");
        } else if (ingest.maxDataBytes().isPresent() && bytes >= ingest.maxDataBytes().get() - ingest.minFreeDiskBytes()) {
          // ingest refuses past that line: a size on it or above is never passed before ingest refuses
          errors.add(RETENTION_SIZE + " (" + bytes + ") must be less than ingest.max-data-bytes (" + ingest.maxDataBytes().get()
              + ") less ingest.min-free-disk-bytes (" + ingest.minFreeDiskBytes() + "), where ingest refuses; leave room"
              + " for the journal and a retention interval's growth");
        }
      } catch (IllegalArgumentException e) {
        errors.add(e.getMessage());
      }
    });
    if (storage.telemetryPollInterval().isNegative() || storage.telemetryPollInterval().isZero()) {
      errors.add("outpost.observability.storage.telemetry-poll-interval must be positive");
    }
    if (storage.ramBufferMb() < 1) {
      errors.add("outpost.observability.storage.ram-buffer-mb must be at least 1");
    }
    if (storage.indexThreads() < 0) {
      errors.add("outpost.observability.storage.index-threads must be 0 (half the cores) or more");
    }
    ObservabilityConfig.Query query = config.query();
    if (query.tailKeepAlive().toMillis() < 1) {
      errors.add("outpost.observability.query.tail-keep-alive must be at least 1ms");
    }
    if (query.maxLimit() < 1 || query.maxClauses() < 1 || query.maxBuckets() < 1 || query.maxTraceSpans() < 1
        || query.maxPageBytes() < 1 || query.maxSearchesPerCaller() < 1 || query.maxSearches() < 1
        || query.maxTailsPerCaller() < 1 || query.maxTailsPerProject() < 1 || query.maxTails() < 1) {
      errors.add("outpost.observability.query.max-* limits must be at least 1");
    }
    if (config.security().projectsClaim().isBlank()) {
      errors.add("outpost.observability.security.projects-claim must not be blank");
    }
    config.security().jwksCaFile().ifPresent(caFile -> {
      try {
        ExtraCas.withJvms(caFile, "outpost.observability.security.jwks-ca-file");
      } catch (IllegalArgumentException e) {
        errors.add(e.getMessage());
      }
    });
    for (String origin : corsOrigins) {
      // Quarkus reads an origin between slashes as a regular expression: /.+/ would be any origin
      if (origin.contains("*") || origin.startsWith("/")) {
        errors.add("quarkus.http.cors.origins must list exact origins, not '" + origin
            + "' (no wildcard or regular expression with credentials)");
      }
    }
    return errors;
  }

  /** What is wrong with a token the senders put in an Authorization header, if anything. */
  private static Optional<String> bearerTokenProblem(String key, String token) {
    if (token.length() < 16) {
      return Optional.of(key + " must be at least 16 characters");
    }
    if (!BEARER_TOKEN.matcher(token).matches()) {
      return Optional.of(key + " must be a bearer token's characters" + BEARER_CHARS);
    }
    return Optional.empty();
  }
}
