package dev.outpost.observability.ingest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.observability.support.Eventually;
import dev.outpost.observability.support.Otlp;
import dev.outpost.observability.support.TestIdpResource;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.logs.Severity;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.opentelemetry.exporter.otlp.http.logs.OtlpHttpLogRecordExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.logs.export.SimpleLogRecordProcessor;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The OpenTelemetry Java SDK's own OTLP/HTTP exporters send to the receiver; the query APIs return it. */
@QuarkusTest
@QuarkusTestResource(TestIdpResource.class)
class OpenTelemetrySdkExportTest {

  @Inject OtlpServer server;

  @Test
  void logsAndSpansExportedByTheSdkAreQueryable() {
    String project = "sdk-" + UUID.randomUUID();
    String service = "sdk-service-" + UUID.randomUUID().toString().substring(0, 8);
    String endpoint = "http://127.0.0.1:" + server.port();
    Resource resource = Resource.getDefault().merge(Resource.create(Attributes.of(
        AttributeKey.stringKey("service.name"), service, AttributeKey.stringKey("outpost.project"), project)));

    SdkTracerProvider tracing = SdkTracerProvider.builder().setResource(resource)
        .addSpanProcessor(SimpleSpanProcessor.create(OtlpHttpSpanExporter.builder()
            .setEndpoint(endpoint + "/v1/traces").addHeader("Authorization", "Bearer " + Otlp.DATA_PLANE_TOKEN)
            .setCompression("gzip").build()))
        .build();
    SdkLoggerProvider logging = SdkLoggerProvider.builder().setResource(resource)
        .addLogRecordProcessor(SimpleLogRecordProcessor.create(OtlpHttpLogRecordExporter.builder()
            .setEndpoint(endpoint + "/v1/logs").addHeader("Authorization", "Bearer " + Otlp.DATA_PLANE_TOKEN)
            .build()))
        .build();

    // the instrumentation scope: for logs through an appender, the logger's name
    Tracer tracer = tracing.tracerBuilder("com.acme.orders").setInstrumentationVersion("1.2.0").build();
    Span parent = tracer.spanBuilder("process order").startSpan();
    String traceId = parent.getSpanContext().getTraceId();
    try (Scope ignored = parent.makeCurrent()) {
      Span child = tracer.spanBuilder("charge card").setAttribute("amount", 42L).startSpan();
      logging.loggerBuilder("com.acme.orders.Payments").setInstrumentationVersion("1.2.0").build().logRecordBuilder().setSeverity(Severity.WARN).setBody("card declined once")
          .setAttribute(AttributeKey.stringKey("order.id"), "A-17").emit();
      child.end();
    } finally {
      parent.end();
    }
    assertThat(tracing.shutdown().join(10, TimeUnit.SECONDS).isSuccess()).isTrue();
    assertThat(logging.shutdown().join(10, TimeUnit.SECONDS).isSuccess()).isTrue();

    String token = TestIdpResource.idp().token("alice", List.of(project));
    Eventually.within(Duration.ofSeconds(3), "log and trace visible", () ->
        given().auth().oauth2(token).get("/api/v1/logs").jsonPath().getList("records").size() == 1
            && given().auth().oauth2(token).get("/api/v1/traces/" + traceId).statusCode() == 200);

    JsonPath log = given().auth().oauth2(token).get("/api/v1/logs").jsonPath();
    assertThat(log.getString("records[0].body")).isEqualTo("card declined once");
    assertThat(log.getString("records[0].severity")).isEqualTo("WARN");
    assertThat(log.getString("records[0].service")).isEqualTo(service);
    assertThat(log.getString("records[0].traceId")).isEqualTo(traceId);
    assertThat(log.getString("records[0].attributes['order.id']")).isEqualTo("A-17");
    assertThat(log.getString("records[0].attributes['otel.scope.name']")).isEqualTo("com.acme.orders.Payments");
    assertThat(log.getString("records[0].attributes['otel.scope.version']")).isEqualTo("1.2.0");

    JsonPath trace = given().auth().oauth2(token).get("/api/v1/traces/" + traceId).jsonPath();
    assertThat(trace.getList("spans.name")).containsExactly("process order", "charge card");
    assertThat(trace.getList("spans.depth")).containsExactly(0, 1);
    assertThat(trace.getString("spans[1].attributes.amount")).isEqualTo("42");
    assertThat(trace.getString("spans[1].attributes['otel.scope.name']")).isEqualTo("com.acme.orders");

    JsonPath jaeger = given().auth().oauth2(token).get("/jaeger/api/traces/" + traceId).jsonPath();
    assertThat(jaeger.getList("data[0].spans.operationName")).containsExactlyInAnyOrder("process order", "charge card");
    assertThat(jaeger.getList("data[0].spans[0].tags.findAll { it.key == 'otel.scope.version' }.value"))
        .as("as Jaeger's own OTLP translator shows it").containsExactly("1.2.0");
    assertThat(given().auth().oauth2(token).get("/jaeger/api/services").jsonPath().getList("data"))
        .containsExactly(service);
  }
}
