package dev.outpost.runtime.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.outpost.runtime.Integrations;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PlaceholderResolverTest {

  /**
   * A source that repeats an opening placeholder without ever closing it is read in linear time: it
   * is resolved under the deployment lock, and a quadratic scan of 300,000 characters held every
   * deployment of the runtime for minutes.
   */
  @Test
  void unclosedPlaceholdersAreScannedInLinearTime() {
    String source = "- route: {from: {uri: 'timer:t', steps: [{setBody: {constant: \""
        + "{{config.x".repeat(30_000) + " end\"}}]}}\n";
    PlaceholderResolver.Resolved resolved = assertTimeoutPreemptively(Duration.ofSeconds(2),
        () -> new PlaceholderResolver(null).resolve(Integrations.of("slow", "1", source), "slow.g1"));
    assertThat(resolved.properties()).isEmpty();
  }

  @Test
  void placeholdersAndDefaultsAreStillRewritten() throws Exception {
    String source = "uri: 'http://{{config.host}}/{{ config.path:orders }}'";
    PlaceholderResolver.Resolved resolved = new PlaceholderResolver(null)
        .resolve(Integrations.of("named", "1", source, Map.of("host", "api.example.com"), List.of()), "named.g1");
    assertThat(resolved.source())
        .isEqualTo("uri: 'http://{{outpost.named.g1.config.host}}/{{outpost.named.g1.config.path:orders }}'");
    assertThat(resolved.properties()).containsValue("api.example.com");
  }

  /**
   * Camel's optional placeholders are the integration's own too: {{?config.x}} was left as written
   * and looked up in the runtime's own configuration (an environment variable CONFIG_X), not the
   * integration's config, and a config key not set made the deploy fail instead of leaving it out.
   */
  @Test
  void optionalPlaceholdersAreTheIntegrationsOwn() throws Exception {
    String source = "uri: 'http://api?connectTimeout={{?config.timeout}}&x={{?config.unset}}'";
    PlaceholderResolver.Resolved resolved = new PlaceholderResolver(null)
        .resolve(Integrations.of("named", "1", source, Map.of("timeout", "5000"), List.of()), "named.g1");
    assertThat(resolved.source()).isEqualTo(
        "uri: 'http://api?connectTimeout={{?outpost.named.g1.config.timeout}}&x={{?outpost.named.g1.config.unset}}'");
    assertThat(resolved.properties()).containsEntry("config.timeout", "5000").doesNotContainKey("config.unset");
    // an optional secret is still one the integration must declare
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new PlaceholderResolver(null)
            .resolve(Integrations.of("named", "1", "x: '{{?secret.db.password}}'"), "named.g1"))
        .hasMessageContaining("is not among the secrets the integration declares");
  }
}
