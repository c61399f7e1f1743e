package dev.outpost.runtime.secret;

import io.quarkus.logging.LoggingFilter;
import java.util.logging.Filter;
import java.util.logging.LogRecord;
import org.jboss.logmanager.ExtLogRecord;

/**
 * Replaces secret values in log records before any handler writes them (a route may well log a
 * header that carries one). Configured on the handlers with
 * {@code quarkus.log.*.filter=outpost-secrets}; the record is rewritten in place, so handlers
 * that run after the first filtered one also see the redacted text.
 */
@LoggingFilter(name = "outpost-secrets")
public final class SecretRedactingLogFilter implements Filter {

  @Override
  public boolean isLoggable(LogRecord record) {
    String formatted = record instanceof ExtLogRecord ext ? ext.getFormattedMessage() : record.getMessage();
    String redacted = SecretRedaction.redact(formatted);
    if (redacted != formatted && !redacted.equals(formatted)) {
      if (record instanceof ExtLogRecord ext) {
        ext.setMessage(redacted, ExtLogRecord.FormatStyle.NO_FORMAT);
      } else {
        record.setMessage(redacted);
      }
      record.setParameters(null);
    }
    Throwable thrown = record.getThrown();
    if (thrown != null && thrown.getMessage() != null
        && !SecretRedaction.redact(thrown.getMessage()).equals(thrown.getMessage())) {
      record.setThrown(null);
    }
    return true;
  }
}
