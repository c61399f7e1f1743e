package dev.outpost.spec.state;

import static org.assertj.core.api.Assertions.assertThat;

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
}
