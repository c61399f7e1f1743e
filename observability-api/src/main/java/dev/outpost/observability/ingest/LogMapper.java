package dev.outpost.observability.ingest;

import dev.outpost.observability.store.LogEntry;
import dev.outpost.observability.store.Owner;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** OTLP log records to stored records; deterministic, so a journal replay maps them the same. */
final class LogMapper {

  private LogMapper() {}

  static int count(ExportLogsServiceRequest request) {
    int n = 0;
    for (ResourceLogs rl : request.getResourceLogsList()) {
      for (ScopeLogs sl : rl.getScopeLogsList()) {
        n += sl.getLogRecordsCount();
      }
    }
    return n;
  }

  static Mapped<LogEntry> map(ExportLogsServiceRequest request, IngestBinding binding, long receivedAtMillis,
      AcceptWindow window) {
    List<LogEntry> accepted = new ArrayList<>();
    Rejections rejections = new Rejections();
    int index = 0;
    for (ResourceLogs rl : request.getResourceLogsList()) {
      Map<String, String> resource = AttributeValues.toMap(rl.getResource().getAttributesList());
      for (ScopeLogs sl : rl.getScopeLogsList()) {
        for (LogRecord r : sl.getLogRecordsList()) {
          LogEntry entry = entry(index++, r, sl.getScope(), resource, binding, receivedAtMillis, window, rejections);
          if (entry != null) {
            accepted.add(entry);
          }
        }
      }
    }
    return new Mapped<>(accepted, index, rejections.total(), rejections.message());
  }

  private static LogEntry entry(long seq, LogRecord r, InstrumentationScope scope, Map<String, String> resource,
      IngestBinding binding, long receivedAtMillis, AcceptWindow window, Rejections rejections) {
    Map<String, String> attributes = AttributeValues.toMap(r.getAttributesList(), scope);
    Owner owner = OwnerResolver.resolve(attributes, resource, binding);
    if (owner == null) {
      rejections.add("log records " + OwnerResolver.NO_PROJECT);
      return null;
    }
    long observed = r.getObservedTimeUnixNano() != 0 ? r.getObservedTimeUnixNano() : receivedAtMillis * 1_000_000L;
    long time = r.getTimeUnixNano() != 0 ? r.getTimeUnixNano() : observed;
    String tooFar = window.check(time);
    if (tooFar != null) {
      rejections.add("log records " + tooFar);
      return null;
    }
    // past 2^63 (unsigned) it read as 1677; an old one is kept, as it decides no day
    String observedTooFar = window.ahead(observed);
    if (observedTooFar != null) {
      rejections.add("log records with an observedTimeUnixNano " + observedTooFar);
      return null;
    }
    int number = r.getSeverityNumberValue();
    if (number == 0) {
      number = Severity.numberOf(r.getSeverityText());
    }
    String event = r.getEventName().isEmpty() ? OwnerResolver.first(OwnerResolver.EVENT, attributes, Map.of())
        : r.getEventName();
    return new LogEntry(seq, time, observed, number, Severity.nameOf(number), AttributeValues.text(r.getBody()),
        owner, event, AttributeValues.hex(r.getTraceId()), AttributeValues.hex(r.getSpanId()), attributes, resource);
  }

  /** OTLP severity numbers and their short names. */
  static final class Severity {
    private static final String[] NAMES = {"TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"};

    private Severity() {}

    static String nameOf(int number) {
      return number < 1 || number > 24 ? "UNSPECIFIED" : NAMES[(number - 1) / 4];
    }

    /**
     * The level names of syslog, java.util.logging, .NET and Python that are not OTLP's own, by the
     * OTLP name they fall under (the logs data model's mapping tables): sent with no number, they
     * were UNSPECIFIED, and every minimum-severity filter left them out.
     */
    private static final Map<String, String> ALIASES = Map.ofEntries(
        Map.entry("WARNING", "WARN"), Map.entry("CRITICAL", "FATAL"), Map.entry("CRIT", "FATAL"),
        Map.entry("EMERG", "FATAL"), Map.entry("EMERGENCY", "FATAL"), Map.entry("ALERT", "FATAL"),
        Map.entry("PANIC", "FATAL"), Map.entry("SEVERE", "ERROR"), Map.entry("ERR", "ERROR"),
        Map.entry("NOTICE", "INFO"), Map.entry("INFORMATION", "INFO"), Map.entry("INFORMATIONAL", "INFO"),
        Map.entry("CONFIG", "DEBUG"), Map.entry("FINE", "DEBUG"), Map.entry("FINER", "TRACE"),
        Map.entry("FINEST", "TRACE"), Map.entry("VERBOSE", "TRACE"));

    static int numberOf(String text) {
      String upper = text == null ? "" : text.trim().toUpperCase(Locale.ROOT);
      upper = ALIASES.getOrDefault(upper, upper);
      for (int i = 0; i < NAMES.length; i++) {
        if (NAMES[i].equals(upper)) {
          return i * 4 + 1;
        }
      }
      return 0;
    }
  }
}
