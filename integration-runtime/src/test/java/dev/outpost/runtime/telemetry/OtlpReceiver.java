package dev.outpost.runtime.telemetry;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A real OTLP/HTTP (protobuf) receiver on a loopback ephemeral port, started before the runtime and
 * configured as its exporter endpoint. It decodes what it receives and serves it back as JSON on
 * {@code GET /received} (the test reads it over HTTP: it runs in another class loader).
 */
public class OtlpReceiver implements QuarkusTestResourceLifecycleManager {

  static final String TOKEN = "test-otlp-token-42";

  /** Init argument: how long each export of logs takes, as an observability-api making a batch durable does. */
  static final String LOGS_DELAY_MILLIS = "logs-delay-millis";

  private HttpServer server;
  private long logsDelayMillis;
  private final List<JsonObject> records = new CopyOnWriteArrayList<>();
  private final List<String> raw = new CopyOnWriteArrayList<>();

  @Override
  public void init(Map<String, String> initArgs) {
    logsDelayMillis = Long.parseLong(initArgs.getOrDefault(LOGS_DELAY_MILLIS, "0"));
  }

  @Override
  public Map<String, String> start() {
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    server.createContext("/v1/traces", exchange -> guarded(exchange, this::traces));
    server.createContext("/v1/logs", exchange -> guarded(exchange, this::logs));
    server.createContext("/received", this::received);
    server.start();
    String url = "http://127.0.0.1:" + server.getAddress().getPort();
    return Map.of("quarkus.otel.exporter.otlp.endpoint", url,
        "quarkus.otel.exporter.otlp.headers", "authorization=Bearer " + TOKEN);
  }

  @Override
  public void stop() {
    server.stop(0);
  }

  /** The records the receiver at {@code url} (the exporter's endpoint) has decoded, in the order received. */
  static List<JsonObject> records(String url) throws IOException, InterruptedException {
    String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url + "/received")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    return new JsonObject(body).getJsonArray("records").stream().map(o -> (JsonObject) o).toList();
  }

  private void traces(HttpExchange exchange) throws IOException {
    byte[] body = exchange.getRequestBody().readAllBytes();
    raw.add(new String(body, StandardCharsets.ISO_8859_1));
    String auth = exchange.getRequestHeaders().getFirst("Authorization");
    ExportTraceServiceRequest request = ExportTraceServiceRequest.parseFrom(body);
    request.getResourceSpansList().forEach(rs -> rs.getScopeSpansList().forEach(ss -> ss.getSpansList().forEach(span ->
        records.add(new JsonObject().put("kind", "span").put("authorization", auth)
            .put("traceId", HexFormat.of().formatHex(span.getTraceId().toByteArray()))
            .put("name", span.getName())
            .put("resource", attributes(rs.getResource().getAttributesList()))
            .put("attributes", attributes(span.getAttributesList()))))));
    reply(exchange, ExportTraceServiceResponse.getDefaultInstance().toByteArray(), "application/x-protobuf");
  }

  private void logs(HttpExchange exchange) throws Exception {
    byte[] body = exchange.getRequestBody().readAllBytes();
    Thread.sleep(logsDelayMillis);
    raw.add(new String(body, StandardCharsets.ISO_8859_1));
    String auth = exchange.getRequestHeaders().getFirst("Authorization");
    ExportLogsServiceRequest request = ExportLogsServiceRequest.parseFrom(body);
    request.getResourceLogsList().forEach(rl -> rl.getScopeLogsList().forEach(sl -> sl.getLogRecordsList().forEach(log ->
        records.add(new JsonObject().put("kind", "log").put("authorization", auth)
            .put("traceId", HexFormat.of().formatHex(log.getTraceId().toByteArray()))
            .put("body", log.getBody().getStringValue())
            .put("severity", log.getSeverityText())
            .put("resource", attributes(rl.getResource().getAttributesList()))
            .put("attributes", attributes(log.getAttributesList()))))));
    reply(exchange, ExportLogsServiceResponse.getDefaultInstance().toByteArray(), "application/x-protobuf");
  }

  private interface Handler {
    void handle(HttpExchange exchange) throws Exception;
  }

  /** Answers 500 with the reason instead of dropping the connection when decoding fails. */
  private static void guarded(HttpExchange exchange, Handler handler) throws IOException {
    try {
      handler.handle(exchange);
    } catch (Exception | LinkageError e) {
      System.err.println("OTLP receiver failed: " + e);
      reply(exchange, e.toString().getBytes(StandardCharsets.UTF_8), "text/plain", 500);
    }
  }

  private void received(HttpExchange exchange) throws IOException {
    JsonObject all = new JsonObject().put("records", new JsonArray(List.copyOf(records)))
        .put("raw", new JsonArray(List.copyOf(raw)));
    reply(exchange, all.encode().getBytes(StandardCharsets.UTF_8), "application/json");
  }

  private static JsonObject attributes(List<KeyValue> list) {
    JsonObject json = new JsonObject();
    for (KeyValue kv : list) {
      json.put(kv.getKey(), kv.getValue().hasStringValue() ? kv.getValue().getStringValue() : kv.getValue().toString());
    }
    return json;
  }

  private static void reply(HttpExchange exchange, byte[] bytes, String type) throws IOException {
    reply(exchange, bytes, type, 200);
  }

  private static void reply(HttpExchange exchange, byte[] bytes, String type, int status) throws IOException {
    exchange.getResponseHeaders().add("Content-Type", type);
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
    exchange.close();
  }
}
