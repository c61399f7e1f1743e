package dev.outpost.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GatewayConfigValidatorTest {

  private static GatewayConfig config(Map<String, String> properties) {
    SmallRyeConfig config = new SmallRyeConfigBuilder()
        .addDefaultInterceptors()
        .withConverter(java.time.Duration.class, 100, new io.quarkus.runtime.configuration.DurationConverter())
        .withMapping(GatewayConfig.class)
        .withSources(new PropertiesConfigSource(properties, "test", 500))
        .build();
    return config.getConfigMapping(GatewayConfig.class);
  }

  @Test
  void theDefaultsAreValid() {
    GatewayConfig defaults = config(Map.of());
    assertThat(GatewayConfigValidator.problems(defaults)).isEmpty();
    assertThat(defaults.runtimeUrl().toString()).isEqualTo("http://127.0.0.1:8081");
    assertThat(defaults.hazelcast().leaseFraction()).isEqualTo(0.01);
  }

  @Test
  void everyBadKeyIsNamed() {
    GatewayConfig bad = config(Map.of(
        "outpost.gateway.runtime-url", "ftp://runtime",
        "outpost.gateway.hazelcast.lease-fraction", "0.5",
        "outpost.gateway.hazelcast.kubernetes-discovery", "true",
        "outpost.gateway.jwt.min-refresh-interval", "10m",
        "outpost.gateway.upstream-pool-size", "0"));
    assertThat(GatewayConfigValidator.problems(bad)).anySatisfy(p -> assertThat(p).startsWith("outpost.gateway.runtime-url:"))
        .anySatisfy(p -> assertThat(p).startsWith("outpost.gateway.hazelcast.lease-fraction:"))
        .anySatisfy(p -> assertThat(p).startsWith("outpost.gateway.hazelcast.kubernetes-service:"))
        .anySatisfy(p -> assertThat(p).startsWith("outpost.gateway.jwt.min-refresh-interval:"))
        .anySatisfy(p -> assertThat(p).startsWith("outpost.gateway.upstream-pool-size:"))
        .hasSize(5);
  }

  /**
   * Hazelcast refused these with "No matching network interface found" or a NumberFormatException
   * for "abc", naming neither the key nor the value.
   */
  @Test
  void hazelcastAddressesAreCheckedWithTheKeyNamed() {
    record Case(String key, String value, String problem) {}
    for (Case c : List.of(
        new Case("outpost.gateway.hazelcast.host", "localhost", "outpost.gateway.hazelcast.host: expected an IP address"),
        new Case("outpost.gateway.hazelcast.host", "0.0.0.0", "outpost.gateway.hazelcast.host: expected an IP address"),
        new Case("outpost.gateway.hazelcast.host", "999.1.1.1", "outpost.gateway.hazelcast.host: expected an IP address"),
        new Case("outpost.gateway.hazelcast.members", "127.0.0.1:0", "outpost.gateway.hazelcast.members: '127.0.0.1:0'"),
        new Case("outpost.gateway.hazelcast.host", "192.0.2.77",
            "outpost.gateway.hazelcast.host: no network interface of this machine has 192.0.2.77"),
        new Case("outpost.gateway.hazelcast.members", "127.0.0.1:5701,nonsense-host:abc",
            "outpost.gateway.hazelcast.members: 'nonsense-host:abc' is not host[:port]"),
        new Case("outpost.gateway.hazelcast.members", "127.0.0.1:70000",
            "outpost.gateway.hazelcast.members: '127.0.0.1:70000' is not host[:port]"))) {
      assertThat(GatewayConfigValidator.problems(config(Map.of(c.key(), c.value())))).as(c.toString())
          .singleElement().satisfies(p -> assertThat(p).startsWith(c.problem()));
    }
    assertThat(GatewayConfigValidator.problems(config(Map.of("outpost.gateway.hazelcast.members",
        "127.0.0.1:5701,gateway-1.example:5702,gateway-2,[::1]:5701")))).isEmpty();
    // Hazelcast splits an entry on ';' and spaces too
    assertThat(GatewayConfigValidator.problems(config(Map.of("outpost.gateway.hazelcast.members",
        "10.0.0.1:5701;10.0.0.2:5701")))).isEmpty();
    // an IPv6 address is one (whether this machine has ::1 is the machine's)
    assertThat(GatewayConfigValidator.problems(config(Map.of("outpost.gateway.hazelcast.host", "::1"))))
        .noneSatisfy(p -> assertThat(p).contains("expected an IP address"));
    // off, it starts no member: nothing of it is checked
    assertThat(GatewayConfigValidator.problems(config(Map.of("outpost.gateway.hazelcast.enabled", "false",
        "outpost.gateway.hazelcast.host", "localhost")))).isEmpty();
  }

  /** A CA file that holds no certificate stops the start, rather than every https JWKS fetch failing later. */
  @Test
  void aCaFileWithoutCertificatesIsRefused(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    java.nio.file.Path notPem = java.nio.file.Files.writeString(dir.resolve("ca.pem"), "not a certificate\n");
    assertThat(GatewayConfigValidator.problems(config(Map.of("outpost.gateway.jwt.ca-file", notPem.toString()))))
        .singleElement().satisfies(p -> assertThat(p).startsWith("outpost.gateway.jwt.ca-file: " + notPem));
    assertThat(GatewayConfigValidator.problems(config(Map.of("outpost.gateway.jwt.ca-file", dir.resolve("none.pem").toString()))))
        .singleElement().satisfies(p -> assertThat(p).startsWith("outpost.gateway.jwt.ca-file: "));
  }

  /** Values that would not stop the start but break later: a stack trace naming no key, or a rule switched off. */
  @Test
  void durationsThatWouldBreakLaterAreRefusedAtStart() {
    GatewayConfig bad = config(Map.of(
        "outpost.gateway.jwt.min-refresh-interval", "0s",
        "outpost.gateway.jwt.fetch-timeout", "0s",
        "outpost.gateway.upstream-connect-timeout", "-1s",
        "outpost.gateway.circuit-breaker.open-duration", "0s"));
    assertThat(GatewayConfigValidator.problems(bad))
        .anySatisfy(p -> assertThat(p).startsWith("outpost.gateway.jwt.min-refresh-interval: expected at least 100ms"))
        .anySatisfy(p -> assertThat(p).startsWith("outpost.gateway.jwt.fetch-timeout: expected at least 1ms"))
        .anySatisfy(p -> assertThat(p).startsWith("outpost.gateway.upstream-connect-timeout: expected 0 or more"))
        .anySatisfy(p -> assertThat(p).startsWith("outpost.gateway.circuit-breaker.open-duration: expected at least 1ms"))
        .hasSize(4);
  }

  @Test
  void trustedProxiesMustBeAddressesOrRangesNeverNames() {
    GatewayConfig good = config(Map.of("outpost.gateway.trusted-proxies", "10.0.0.0/8,192.168.1.7,fd00::/8"));
    assertThat(GatewayConfigValidator.problems(good)).isEmpty();
    for (String bad : List.of("ingress.example.com", "10.0.0.0/33", "10.0.0.0/x", "fd00::/129")) {
      assertThat(GatewayConfigValidator.problems(config(Map.of("outpost.gateway.trusted-proxies", bad))))
          .as(bad).singleElement().asString().startsWith("outpost.gateway.trusted-proxies: '" + bad + "'");
    }
  }
}
