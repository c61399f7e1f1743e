package dev.outpost.spec.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.outpost.spec.json.Problems;
import dev.outpost.spec.model.Integration;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The credential heuristics must not refuse ordinary configuration (the invalid table covers what they catch). */
class SecretRulesTest {

  @ParameterizedTest
  @ValueSource(strings = {"TOKEN_URL", "oauth.token-endpoint", "API_KEY_HEADER", "passwordFile", "BACKEND_URL",
      "region", "PAGE_SIZE"})
  void harmlessKeyNamesAreAccepted(String key) {
    assertThat(SecretRules.isCredentialName(key)).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"https://orders.internal.example/api", "Bearer {{secret.crm.token}}",
      "Basic validation applies", "http://user@host.example/path", "eyJ is how a JWT starts", "30000",
      "jdbc:postgresql://db:5432/orders"})
  void harmlessValuesAreAccepted(String value) {
    assertThat(SecretRules.looksLikeCredential(value)).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"Basic dXNlcjpodW50ZXIy", "bearer 0123456789abcdef0123", "ftp://u:p4ss@host/in",
      "-----BEGIN RSA PRIVATE KEY-----"})
  void credentialsAreRecognised(String value) {
    assertThat(SecretRules.looksLikeCredential(value)).isTrue();
  }

  /** A declared secret is mounted into the integration's pod (or read locally): the data plane's own are refused. */
  @ParameterizedTest
  @ValueSource(strings = {"outpost", "outpost-integration-tokens", "outpost-agent-applied", "acme-outpost-control-plane",
      "outpost-control-plane", "sh.helm.release.v1.outpost.v1", "sh.helm.release.v1.prod.v12"})
  void theDataPlanesOwnSecretsCannotBeDeclared(String name) {
    Integration integration = new Integration("i", "p", "1", "- from:\n    uri: timer:t\n", Map.of(),
        List.of(new dev.outpost.spec.model.SecretRef(name, "token")), 1, null);
    assertThat(StateValidator.validate(integration)).singleElement().satisfies(v -> {
      assertThat(v.path()).isEqualTo("secrets[0].name");
      assertThat(v.message()).contains("reserved for the data plane's own secrets");
    });
  }

  @ParameterizedTest
  @ValueSource(strings = {"crm-credentials", "my-outpost", "outposts", "acme-outpost-creds"})
  void otherSecretNamesMayBeDeclared(String name) {
    Integration integration = new Integration("i", "p", "1", "- from:\n    uri: timer:t\n", Map.of(),
        List.of(new dev.outpost.spec.model.SecretRef(name, "token")), 1, null);
    assertThat(StateValidator.validate(integration)).isEmpty();
  }

  /**
   * Every deploy and every integration file goes through these checks. Sources of 300,000 chars
   * shaped against each pattern (a long word, a long "eyJ" run, unclosed placeholders, a URL with
   * no "@") are checked in linear time: before, each took from seconds to minutes, and one such
   * file stalled every other deploy. The bound is far above linear time and far below quadratic.
   */
  @ParameterizedTest
  @ValueSource(strings = {"a", "eyJ", "{{secret.", "x://u:", "bearer ", "Basic "})
  void sourcesShapedAgainstThePatternsAreCheckedInLinearTime(String unit) {
    String source = unit.repeat(300_000 / unit.length());
    Integration integration = new Integration("i", "p", "1", source, Map.of("k", source), List.of(), 1, null);
    assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
      Problems problems = new Problems();
      SecretRules.checkIntegration(integration, "integrations[0]", problems);
      return problems;
    });
  }
}
