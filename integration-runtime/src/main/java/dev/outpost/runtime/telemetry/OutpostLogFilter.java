package dev.outpost.runtime.telemetry;

import dev.outpost.runtime.secret.SecretRedaction;
import io.quarkus.logging.LoggingFilter;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.logging.Filter;
import java.util.logging.LogRecord;
import org.jboss.logmanager.ExtLogRecord;

/**
 * Prepares every log record before handlers write it: replaces secret values (a route may well log
 * a header that carries one; an exception that quotes one anywhere in its trace is written, redacted,
 * as part of the message) and, for records written while an integration's exchange runs, adds
 * {@code outpost.project}, {@code outpost.integration} and {@code outpost.integration.version} to
 * the record's MDC, which the OpenTelemetry log handler exports as attributes. Configured on the
 * console handler ({@code quarkus.log.console.filter=outpost}); the record is changed in place, so
 * the handlers after it (OTLP, file) see the same result.
 */
@LoggingFilter(name = "outpost")
public final class OutpostLogFilter implements Filter {

  @Override
  public boolean isLoggable(LogRecord record) {
    if (!(record instanceof ExtLogRecord ext)) {
      record.setMessage(SecretRedaction.redact(record.getMessage()));
      return true;
    }
    String formatted = ext.getFormattedMessage();
    String redacted = SecretRedaction.redact(formatted);
    if (redacted != null && !redacted.equals(formatted)) {
      ext.setMessage(redacted, ExtLogRecord.FormatStyle.NO_FORMAT);
      ext.setParameters(null);
    }
    Throwable thrown = ext.getThrown();
    if (thrown != null && SecretRedaction.any()) {
      // the whole trace, printed only while secrets are given out: a cause or a suppressed exception quotes what the top one masks (Camel
      // hides a URI's secret in its own message, and a URISyntaxException under it gives the URI)
      StringWriter trace = new StringWriter();
      thrown.printStackTrace(new PrintWriter(trace));
      if (SecretRedaction.holdsSecret(trace.toString())) {
        ext.setMessage(SecretRedaction.redact(ext.getFormattedMessage()) + System.lineSeparator()
            + SecretRedaction.redact(trace.toString()).stripTrailing(), ExtLogRecord.FormatStyle.NO_FORMAT);
        ext.setParameters(null);
        ext.setThrown(null);
      }
    }
    if (ext.getMdc(TelemetryAttributes.INTEGRATION.getKey()) == null) {
      String routeId = ext.getMdc("camel.routeId");
      String source = routeId != null ? routeId + "." : ext.getLoggerName();
      IntegrationIdentities.find(source).ifPresent(identity -> {
        ext.putMdc(TelemetryAttributes.PROJECT.getKey(), identity.project());
        ext.putMdc(TelemetryAttributes.INTEGRATION.getKey(), identity.integration());
        ext.putMdc(TelemetryAttributes.VERSION.getKey(), identity.version());
      });
    }
    return true;
  }
}
