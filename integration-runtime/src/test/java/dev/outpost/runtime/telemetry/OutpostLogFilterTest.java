package dev.outpost.runtime.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.runtime.secret.SecretRedaction;
import java.net.URISyntaxException;
import java.util.Set;
import java.util.logging.Level;
import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class OutpostLogFilterTest {
  static final String SECRET = "partner-Key-5e6f7a8b";

  @AfterEach
  void forget() {
    SecretRedaction.remove("logs.g1");
  }

  /**
   * Camel masks a URI's secret in its own message, but the URISyntaxException under it quotes the
   * URI whole: the record keeps the trace, redacted, and drops the exception that held the value.
   */
  @Test
  void aSecretQuotedByACauseIsRedactedFromTheWrittenTrace() {
    SecretRedaction.add("logs.g1", Set.of(SECRET));
    ExtLogRecord record = new ExtLogRecord(Level.SEVERE, "cannot deploy %s", ExtLogRecord.FormatStyle.PRINTF,
        OutpostLogFilterTest.class.getName());
    record.setParameters(new Object[] {"orders"});
    record.setThrown(new IllegalStateException("Failed to resolve endpoint: https://partner/api?key=xxxxxx",
        new URISyntaxException("https://partner/api?key=" + SECRET + "^", "Illegal character in query")));

    assertThat(new OutpostLogFilter().isLoggable(record)).isTrue();

    assertThat(record.getThrown()).isNull();
    assertThat(record.getFormattedMessage()).startsWith("cannot deploy orders")
        .contains("Failed to resolve endpoint", "Caused by: java.net.URISyntaxException", "key=" + SecretRedaction.REDACTED)
        .doesNotContain(SECRET);
  }

  /** An exception that quotes no secret is left to the handlers as it is. */
  @Test
  void anExceptionWithoutSecretsIsKept() {
    SecretRedaction.add("logs.g1", Set.of(SECRET));
    ExtLogRecord record = new ExtLogRecord(Level.SEVERE, "cannot deploy", ExtLogRecord.FormatStyle.NO_FORMAT,
        OutpostLogFilterTest.class.getName());
    IllegalStateException thrown = new IllegalStateException("no route", new RuntimeException("no backend"));
    record.setThrown(thrown);

    new OutpostLogFilter().isLoggable(record);

    assertThat(record.getThrown()).isSameAs(thrown);
    assertThat(record.getFormattedMessage()).isEqualTo("cannot deploy");
  }
}
