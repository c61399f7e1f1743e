package dev.outpost.gateway.support;

import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.trace.v1.Span;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** A real OTLP/HTTP (protobuf) receiver on loopback: keeps every span and log record, and the Authorization each export carried. */
public final class OtlpReceiver {

  /** A received item with the resource's service.name and the export's Authorization header. */
  public record Item<T>(T item, String serviceName, String authorization) {}

  public final List<Item<Span>> spans = new CopyOnWriteArrayList<>();
  public final List<Item<LogRecord>> logs = new CopyOnWriteArrayList<>();
  private final HttpServer server;

  public OtlpReceiver(Vertx vertx) throws Exception {
    server = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
      String auth = req.getHeader("Authorization");
      try {
        if (req.path().equals("/v1/traces")) {
          ExportTraceServiceRequest export = ExportTraceServiceRequest.parseFrom(body.getBytes());
          export.getResourceSpansList().forEach(rs -> {
            String service = service(rs.getResource());
            rs.getScopeSpansList().forEach(ss -> ss.getSpansList().forEach(s -> spans.add(new Item<>(s, service, auth))));
          });
        } else if (req.path().equals("/v1/logs")) {
          ExportLogsServiceRequest export = ExportLogsServiceRequest.parseFrom(body.getBytes());
          export.getResourceLogsList().forEach(rl -> {
            String service = service(rl.getResource());
            rl.getScopeLogsList().forEach(sl -> sl.getLogRecordsList().forEach(l -> logs.add(new Item<>(l, service, auth))));
          });
        }
        req.response().putHeader("Content-Type", "application/x-protobuf").end();
      } catch (Exception e) {
        req.response().setStatusCode(400).end();
      }
    })).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static String service(io.opentelemetry.proto.resource.v1.Resource resource) {
    return resource.getAttributesList().stream().filter(a -> a.getKey().equals("service.name"))
        .map(a -> a.getValue().getStringValue()).findFirst().orElse(null);
  }

  public String url() {
    return "http://127.0.0.1:" + server.actualPort();
  }
}
