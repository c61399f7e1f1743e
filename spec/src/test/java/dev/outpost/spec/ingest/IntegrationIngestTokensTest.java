package dev.outpost.spec.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IntegrationIngestTokensTest {
  static final String INGEST_TOKEN = "data-plane-ingest-token-0123456789";
  final IntegrationIngestTokens tokens = new IntegrationIngestTokens(INGEST_TOKEN);
  final String acmeOrders = tokens.issue("acme", "orders-sync");

  @Test
  void anIssuedTokenBindsItsProjectAndIntegration() {
    assertThat(acmeOrders).startsWith("oit1.acme.orders-sync.");
    assertThat(tokens.verify(acmeOrders)).contains(new IntegrationIngestTokens.Binding("acme", "orders-sync"));
    assertThat(new IntegrationIngestTokens(INGEST_TOKEN).issue("acme", "orders-sync")).isEqualTo(acmeOrders);
  }

  /** The agent's audit records are kept in outpost-system: no integration gets a token that writes there. */
  @Test
  void noTokenIsIssuedForTheDataPlanesOwnProject() {
    assertThatThrownBy(() -> new IntegrationIngestTokens(INGEST_TOKEN).issue("outpost-system", "x"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("outpost-system");
  }

  @Test
  void aTokenIsBoundToTheIngestTokenThatIssuedIt() {
    IntegrationIngestTokens other = new IntegrationIngestTokens(INGEST_TOKEN + "x");
    assertThat(other.issue("acme", "orders-sync")).isNotEqualTo(acmeOrders);
    assertThat(other.verify(acmeOrders)).isEmpty();
  }

  @Test
  void renamingTheProjectOrIntegrationOfATokenBreaksIt() {
    String mac = acmeOrders.substring(acmeOrders.lastIndexOf('.') + 1);
    assertThat(tokens.verify("oit1.globex.orders-sync." + mac)).isEmpty();
    assertThat(tokens.verify("oit1.acme.billing." + mac)).isEmpty();
    assertThat(tokens.verify("oit1.orders-sync.acme." + mac)).isEmpty();
    // another integration's MAC does not carry over either
    String billingMac = tokens.issue("acme", "billing").substring("oit1.acme.billing.".length());
    assertThat(tokens.verify("oit1.acme.orders-sync." + billingMac)).isEmpty();
  }

  @Test
  void aChangedMacIsRefused() {
    char last = acmeOrders.charAt(acmeOrders.length() - 1);
    String flipped = acmeOrders.substring(0, acmeOrders.length() - 1) + (last == 'A' ? 'B' : 'A');
    assertThat(tokens.verify(flipped)).isEmpty();
    assertThat(tokens.verify(acmeOrders.substring(0, acmeOrders.length() - 1))).isEmpty();
    assertThat(tokens.verify(acmeOrders + "=")).isEmpty();
    assertThat(tokens.verify(acmeOrders + "A")).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "oit1.", "oit1...", "oit1.acme.orders-sync", "oit1.acme.orders-sync.",
      "oit1.acme..orders-sync.x", "oit2.acme.orders-sync.x", "OIT1.acme.orders-sync.x", "oit1.ACME.orders-sync.x",
      "oit1.acme.orders-sync.x.y", "oit1.-acme.orders-sync.x", "data-plane-ingest-token-0123456789"})
  void malformedTokensAreRefused(String token) {
    assertThat(tokens.verify(token)).isEmpty();
  }

  @Test
  void nullAndOversizedTokensAreRefused() {
    assertThat(tokens.verify(null)).isEmpty();
    assertThat(tokens.verify(acmeOrders + ".".repeat(10_000))).isEmpty();
    String longest = tokens.issue("p".repeat(63), "i".repeat(63));
    assertThat(tokens.verify(longest)).isEqualTo(Optional.of(new IntegrationIngestTokens.Binding("p".repeat(63),
        "i".repeat(63))));
  }

  @Test
  void onlyLabelsCanBeIssuedFor() {
    assertThatThrownBy(() -> tokens.issue("acme", "Orders")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> tokens.issue("ac.me", "orders")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> tokens.issue(null, "orders")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void anEmptyIngestTokenIssuesNothing() {
    assertThatThrownBy(() -> new IntegrationIngestTokens(" ")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ingest token");
  }
}
