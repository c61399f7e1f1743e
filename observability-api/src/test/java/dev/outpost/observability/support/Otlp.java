package dev.outpost.observability.support;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/** Builds OTLP requests and posts them to the receiver, as an SDK or a Collector would. */
public final class Otlp {

  public static final String DATA_PLANE_TOKEN = "test-data-plane-token-0123456789";
  public static final String ORDERS_SYNC_TOKEN = "test-orders-sync-token-0123456789";

  private static final HttpClient CLIENT = HttpClient.newHttpClient();

  private final int port;

  public Otlp(int port) {
    this.port = port;
  }

  public static KeyValue attr(String key, String value) {
    return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
  }

  public static Resource resource(String service, String project) {
    return Resource.newBuilder().addAttributes(attr("service.name", service))
        .addAttributes(attr("outpost.project", project)).build();
  }

  public static LogRecord log(long timeNanos, String body, Map<String, String> attributes) {
    LogRecord.Builder r = LogRecord.newBuilder().setTimeUnixNano(timeNanos)
        .setSeverityNumberValue(9).setSeverityText("INFO")
        .setBody(AnyValue.newBuilder().setStringValue(body));
    attributes.forEach((k, v) -> r.addAttributes(attr(k, v)));
    return r.build();
  }

  public static ExportLogsServiceRequest logs(Resource resource, List<LogRecord> records) {
    return ExportLogsServiceRequest.newBuilder().addResourceLogs(ResourceLogs.newBuilder().setResource(resource)
        .addScopeLogs(ScopeLogs.newBuilder().addAllLogRecords(records))).build();
  }

  public static Span span(String traceId, String spanId, String parentId, String name, long startNanos,
      long durationNanos, Map<String, String> attributes) {
    Span.Builder s = Span.newBuilder().setTraceId(id(traceId)).setSpanId(id(spanId)).setName(name)
        .setKind(Span.SpanKind.SPAN_KIND_SERVER).setStartTimeUnixNano(startNanos)
        .setEndTimeUnixNano(startNanos + durationNanos);
    if (parentId != null) {
      s.setParentSpanId(id(parentId));
    }
    attributes.forEach((k, v) -> s.addAttributes(attr(k, v)));
    return s.build();
  }

  public static ExportTraceServiceRequest traces(Resource resource, List<Span> spans) {
    return ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder().setResource(resource)
        .addScopeSpans(ScopeSpans.newBuilder().addAllSpans(spans))).build();
  }

  private static ByteString id(String hex) {
    return ByteString.copyFrom(HexFormat.of().parseHex(hex));
  }

  public HttpResponse<byte[]> post(String path, String contentType, byte[] body, Map<String, String> headers) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .header("Content-Type", contentType)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    headers.forEach(request::header);
    try {
      return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Posts protobuf with the data plane's token; fails the test unless the answer is 200. */
  public void send(ExportLogsServiceRequest request) {
    expectOk(post("/v1/logs", "application/x-protobuf", request.toByteArray(), bearer(DATA_PLANE_TOKEN)));
  }

  public void send(ExportTraceServiceRequest request) {
    expectOk(post("/v1/traces", "application/x-protobuf", request.toByteArray(), bearer(DATA_PLANE_TOKEN)));
  }

  /**
   * Writes the head of an authenticated protobuf log upload and half its body, and leaves it there:
   * a request that holds its in-flight place until the rest arrives.
   */
  public static void startUpload(OutputStream out, byte[] body) throws IOException {
    startUpload(out, body, DATA_PLANE_TOKEN);
  }

  /** Sends a request's head and half its body with {@code token}, and leaves the rest unsent. */
  public static void startUpload(OutputStream out, byte[] body, String token) throws IOException {
    out.write(("POST /v1/logs HTTP/1.1\r\nHost: otlp\r\nContent-Type: application/x-protobuf\r\nAuthorization: Bearer "
        + token + "\r\nContent-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    out.write(body, 0, body.length / 2);
    out.flush();
  }

  public static Map<String, String> bearer(String token) {
    return Map.of("Authorization", "Bearer " + token);
  }

  private static void expectOk(HttpResponse<byte[]> response) {
    if (response.statusCode() != 200) {
      throw new AssertionError("OTLP answered " + response.statusCode() + ": " + new String(response.body()));
    }
  }
}
