package dev.outpost.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Writes telemetry into observability-api's OTLP receiver as the data plane's components do:
 * OTLP/JSON (hex ids) with the data plane's ingest token, each batch's resource naming its service,
 * project and integration ({@code outpost.project}, {@code outpost.integration}).
 */
final class OtlpIngest {
  private static final String RECEIVER = "http://127.0.0.1:4318";

  /** A log line, in a trace or not ({@code traceId} null). */
  record Log(String body, String traceId) {}

  /** A span of {@code durationMillis}, starting {@code offsetMillis} after the batch's start. */
  record Span(String traceId, String spanId, String parentSpanId, String name, long offsetMillis, long durationMillis) {}

  private final String token;

  OtlpIngest(String token) {
    this.token = token;
  }

  /** Sends {@code logs}, timed now, one millisecond apart. */
  void logs(String project, String integration, String service, List<Log> logs) {
    long now = nowNanos();
    ArrayNode records = Http.JSON.createArrayNode();
    for (int i = 0; i < logs.size(); i++) {
      Log log = logs.get(i);
      ObjectNode record = records.addObject().put("timeUnixNano", Long.toString(now + TimeUnit.MILLISECONDS.toNanos(i)))
          .put("severityNumber", 9).put("severityText", "INFO");
      record.putObject("body").put("stringValue", log.body());
      if (log.traceId() != null) {
        record.put("traceId", log.traceId());
      }
    }
    send("/v1/logs", batch("resourceLogs", "scopeLogs", "logRecords", resource(project, integration, service), records));
  }

  /** Sends {@code spans}, the batch starting now. */
  void spans(String project, String integration, String service, List<Span> spans) {
    long now = nowNanos();
    ArrayNode list = Http.JSON.createArrayNode();
    for (Span span : spans) {
      long start = now + TimeUnit.MILLISECONDS.toNanos(span.offsetMillis());
      ObjectNode s = list.addObject().put("traceId", span.traceId()).put("spanId", span.spanId())
          .put("name", span.name()).put("kind", 2).put("startTimeUnixNano", Long.toString(start))
          .put("endTimeUnixNano", Long.toString(start + TimeUnit.MILLISECONDS.toNanos(span.durationMillis())));
      if (span.parentSpanId() != null) {
        s.put("parentSpanId", span.parentSpanId());
      }
    }
    send("/v1/traces", batch("resourceSpans", "scopeSpans", "spans", resource(project, integration, service), list));
  }

  /** One resource's items under one scope, as OTLP nests them: {@code {"resourceLogs":[{"resource":…,"scopeLogs":[{"logRecords":[…]}]}]}}. */
  private static ObjectNode batch(String resources, String scopes, String items, ObjectNode resource, ArrayNode list) {
    ObjectNode body = Http.JSON.createObjectNode();
    ObjectNode one = body.putArray(resources).addObject();
    one.set("resource", resource);
    one.putArray(scopes).addObject().set(items, list);
    return body;
  }

  private static ObjectNode resource(String project, String integration, String service) {
    ObjectNode resource = Http.JSON.createObjectNode();
    ArrayNode attributes = resource.putArray("attributes");
    attributes.addObject().put("key", "service.name").putObject("value").put("stringValue", service);
    attributes.addObject().put("key", "outpost.project").putObject("value").put("stringValue", project);
    attributes.addObject().put("key", "outpost.integration").putObject("value").put("stringValue", integration);
    return resource;
  }

  /** Fails unless every record was taken: a 200 may still refuse some (OTLP's partial success). */
  private void send(String path, ObjectNode body) {
    HttpResponse<String> answer = Http.postJson(RECEIVER + path, token, body.toString());
    if (answer.statusCode() != 200) {
      throw new AssertionError("POST " + path + " answered " + answer.statusCode() + ": " + answer.body());
    }
    JsonNode refused = Http.json(answer).path("partialSuccess");
    if (refused.path("rejectedLogRecords").asLong() > 0 || refused.path("rejectedSpans").asLong() > 0) {
      throw new AssertionError("POST " + path + " refused records: " + answer.body());
    }
  }

  private static long nowNanos() {
    return TimeUnit.MILLISECONDS.toNanos(System.currentTimeMillis());
  }
}
