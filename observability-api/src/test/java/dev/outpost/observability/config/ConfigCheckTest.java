package dev.outpost.observability.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Bad configuration fails the start with the key named. */
class ConfigCheckTest {

  private static List<String> problems(Map<String, String> overrides, List<String> cors) {
    Map<String, String> values = new HashMap<>();
    values.put("outpost.observability.ingest.data-plane-token", "a-token-of-sufficient-length");
    values.putAll(overrides);
    SmallRyeConfig config = new SmallRyeConfigBuilder()
        .withMapping(ObservabilityConfig.class)
        .withDefaultValues(values)
        .build();
    return ConfigCheck.problems(config.getConfigMapping(ObservabilityConfig.class), cors);
  }

  @Test
  void theDefaultsWithATokenAreValid() {
    assertThat(problems(Map.of(), List.of("http://127.0.0.1:7070"))).isEmpty();
  }

  /** Sizes read as Prometheus reads its retention size: units are powers of 1024 however spelt. */
  @Test
  void aRetentionSizeTakesBytesOrAUnit() {
    Map<String, Long> sizes = Map.of("1", 1L, "512MB", 512L << 20, "512mib", 512L << 20, "8G", 8L << 30,
        "8 Gi", 8L << 30, "8GiB", 8L << 30, "2T", 2L << 40, "1024b", 1024L, " 3K ", 3072L);
    sizes.forEach((text, bytes) -> {
      assertThat(ByteSize.parse("k", text)).as(text).isEqualTo(bytes);
      assertThat(problems(Map.of("outpost.observability.storage.retention-size", text), List.of())).as(text).isEmpty();
    });
  }

  /**
   * A previous token equal to the current one lets in nothing the current one does not: ignored (said at
   * WARN), not refused, since a refused start would stop the ingest of every sender.
   */
  @Test
  void aPreviousTokenIsValidBesideTheCurrentOneAndEvenEqualToIt() {
    assertThat(problems(Map.of("outpost.observability.ingest.previous-data-plane-token", "a-previous-token-of-sufficient-length"),
        List.of())).isEmpty();
    assertThat(problems(Map.of("outpost.observability.ingest.previous-data-plane-token", "a-token-of-sufficient-length"),
        List.of())).isEmpty();
  }

  @Test
  void eachBadValueIsReportedByKey() {
    record Case(Map<String, String> values, List<String> cors, String key) {}
    List<Case> cases = List.of(
        new Case(Map.of("outpost.observability.ingest.data-plane-token", ""), List.of(), "data-plane-token is required"),
        new Case(Map.of("outpost.observability.ingest.data-plane-token", "short"), List.of(), "at least 16"),
        new Case(Map.of("outpost.observability.ingest.data-plane-token", "a-token-of,sufficient-length"), List.of(),
            "data-plane-token must be a bearer token's characters"),
        // checked as the current one is: the senders put either in the same header list
        new Case(Map.of("outpost.observability.ingest.previous-data-plane-token", "short"), List.of(),
            "outpost.observability.ingest.previous-data-plane-token must be at least 16 characters"),
        new Case(Map.of("outpost.observability.ingest.previous-data-plane-token", "a-previous-token,of-length"), List.of(),
            "outpost.observability.ingest.previous-data-plane-token must be a bearer token's characters"),
        new Case(Map.of("outpost.observability.ingest.integration-tokens.crm.token", "a token of sufficient length",
            "outpost.observability.ingest.integration-tokens.crm.project", "acme"), List.of(),
            "integration-tokens.crm.token must be a bearer token's characters"),
        new Case(Map.of("outpost.observability.storage.retention", "PT2H"), List.of(), "storage.retention"),
        new Case(Map.of("outpost.observability.storage.retention", "PT36H"), List.of(), "storage.retention must be whole days"),
        new Case(Map.of("outpost.observability.storage.refresh-interval", "PT2S"), List.of(), "refresh-interval"),
        new Case(Map.of("outpost.observability.storage.index-threads", "-1"), List.of(), "index-threads"),
        new Case(Map.of("outpost.observability.storage.retention-interval", "PT0S"), List.of(), "retention-interval"),
        new Case(Map.of("outpost.observability.storage.retention-size", "10 gigs"), List.of(),
            "outpost.observability.storage.retention-size must be a number of bytes, optionally with a unit"),
        new Case(Map.of("outpost.observability.storage.retention-size", "-5G"), List.of(),
            "outpost.observability.storage.retention-size must be a number of bytes"),
        new Case(Map.of("outpost.observability.storage.retention-size", "0"), List.of(),
            "outpost.observability.storage.retention-size must be at least 1 byte"),
        new Case(Map.of("outpost.observability.storage.retention-size", "99999999P"), List.of(),
            "outpost.observability.storage.retention-size must be at most 8 EiB"),
        new Case(Map.of("outpost.observability.storage.retention-size", "9GiB",
            "outpost.observability.ingest.max-data-bytes", Long.toString(10L << 30)), List.of(),
            "outpost.observability.storage.retention-size (9663676416) must be less than ingest.max-data-bytes"),
        // on the guard's line: ingest refused as the size was reached, never before it
        new Case(Map.of("outpost.observability.storage.retention-size", "8704MiB",
            "outpost.observability.ingest.max-data-bytes", Long.toString(10L << 30)), List.of(),
            "outpost.observability.storage.retention-size (9126805504) must be less than ingest.max-data-bytes"
                + " (10737418240) less ingest.min-free-disk-bytes (1610612736)"),
        new Case(Map.of("outpost.observability.storage.telemetry-poll-interval", "PT0S"), List.of(),
            "telemetry-poll-interval"),
        new Case(Map.of("outpost.observability.ingest.idle-timeout", "-PT1S"), List.of(), "ingest.idle-timeout"),
        new Case(Map.of("outpost.observability.ingest.port", "70000"), List.of(), "ingest.port"),
        new Case(Map.of("outpost.observability.query.max-limit", "0"), List.of(), "max-* limits"),
        new Case(Map.of("outpost.observability.ingest.decode-memory-bytes", "1000"), List.of(), "decode-memory-bytes"),
        new Case(Map.of("outpost.observability.query.memory-bytes", "1000"), List.of(), "query.memory-bytes"),
        new Case(Map.of("outpost.observability.ingest.integration-tokens.crm.token", "x",
            "outpost.observability.ingest.integration-tokens.crm.project", "acme"), List.of(),
            "integration-tokens.crm.token"),
        new Case(Map.of("outpost.observability.ingest.integration-tokens.crm.token", "oit1.acme.crm.0123456789",
            "outpost.observability.ingest.integration-tokens.crm.project", "acme"), List.of(),
            "must not start with oit1."),
        new Case(Map.of("outpost.observability.security.jwks-ca-file", "/nonexistent/ca.pem"), List.of(),
            "outpost.observability.security.jwks-ca-file: /nonexistent/ca.pem cannot be read"),
        new Case(Map.of(), List.of("*"), "quarkus.http.cors.origins"),
        new Case(Map.of(), List.of("https://*.example.com"), "no wildcard"),
        new Case(Map.of(), List.of("https://console.example.com", "/https?://.+/"), "/https?://.+/"));
    for (Case c : cases) {
      assertThat(String.join("; ", problems(c.values(), c.cors()))).as(c.toString()).contains(c.key());
    }
  }
}
