package dev.outpost.gateway.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.gateway.support.GatewayTestEnvironment;
import dev.outpost.gateway.support.OtlpReceiver;
import dev.outpost.gateway.support.PrometheusText;
import dev.outpost.gateway.support.RawHttp;
import dev.outpost.gateway.support.TestRoutes;
import dev.outpost.gateway.support.Tokens;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.trace.v1.Span;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** Access records and spans exported over OTLP/HTTP to a real receiver on loopback, with the bearer token. */
@QuarkusTest
@QuarkusTestResource(GatewayTestEnvironment.class)
class TelemetryTest {

  private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";

  @TestHTTPResource("/")
  URL gateway;

  @TestHTTPResource(value = "/metrics", management = true)
  URL metrics;

  @Test
  void eachRequestBecomesAnAccessRecordAndAServerSpanWithTheUpstreamCallAsChild() throws Exception {
    RawHttp.Response response = RawHttp.send(gateway.getPort(), "GET /jwt/telemetry?q=1 HTTP/1.1\r\nHost: gw\r\n"
        + "traceparent: 00-" + TRACE_ID + "-00f067aa0ba902b7-01\r\nAuthorization: Bearer " + Tokens.valid("tess", null) + "\r\n\r\n");
    assertThat(response.status()).isEqualTo(200);
    OtlpReceiver otlp = GatewayTestEnvironment.otlp;

    OtlpReceiver.Item<LogRecord> access = await(() -> otlp.logs.stream()
        .filter(l -> "outpost.access".equals(attr(l.item().getAttributesList(), "event.name"))
            && "/jwt/telemetry".equals(attr(l.item().getAttributesList(), "url.path"))).findFirst());
    List<KeyValue> a = access.item().getAttributesList();
    assertThat(attr(a, "outpost.route")).isEqualTo("jwt");
    assertThat(attr(a, "outpost.project")).isEqualTo("proj-a");
    assertThat(attr(a, "outpost.integration")).isEqualTo("int-jwt");
    assertThat(attr(a, "enduser.id")).isEqualTo("tess");
    assertThat(attr(a, "http.request.method")).isEqualTo("GET");
    assertThat(attr(a, "http.response.status_code")).isEqualTo("200");
    assertThat(attr(a, "client.address")).isEqualTo("127.0.0.1");
    assertThat(Double.parseDouble(attr(a, "outpost.duration_ms"))).isPositive();
    assertThat(Long.parseLong(attr(a, "http.response.body.size"))).isPositive();
    assertThat(HexFormat.of().formatHex(access.item().getTraceId().toByteArray())).isEqualTo(TRACE_ID);
    assertThat(access.serviceName()).isEqualTo("outpost-gateway");
    assertThat(access.authorization()).isEqualTo("Bearer " + GatewayTestEnvironment.TELEMETRY_TOKEN);

    OtlpReceiver.Item<Span> server = await(() -> otlp.spans.stream()
        .filter(s -> s.item().getKind() == Span.SpanKind.SPAN_KIND_SERVER && hex(s.item().getTraceId()).equals(TRACE_ID)).findFirst());
    assertThat(attr(server.item().getAttributesList(), "outpost.route")).isEqualTo("jwt");
    assertThat(attr(server.item().getAttributesList(), "enduser.id")).isEqualTo("tess");
    OtlpReceiver.Item<Span> client = await(() -> otlp.spans.stream()
        .filter(s -> s.item().getKind() == Span.SpanKind.SPAN_KIND_CLIENT && hex(s.item().getTraceId()).equals(TRACE_ID)).findFirst());
    assertThat(client.item().getParentSpanId()).isEqualTo(server.item().getSpanId());
    assertThat(attr(client.item().getAttributesList(), "outpost.project"))
        .as("observability-api stores a span only under its project").isEqualTo("proj-a");
    assertThat(attr(client.item().getAttributesList(), "outpost.integration")).isEqualTo("int-jwt");
    assertThat(server.serviceName()).isEqualTo("outpost-gateway");
    assertThat(server.authorization()).isEqualTo("Bearer " + GatewayTestEnvironment.TELEMETRY_TOKEN);
  }

  @Test
  void everyAnswerNamesItsTraceSoThatACallerCanQuoteItAndTheConsoleFindIt() throws Exception {
    String continued = "0af7651916cd43dd8448eb211c80319c";
    RawHttp.Response proxied = RawHttp.send(gateway.getPort(), "GET /pub/trace-header HTTP/1.1\r\nHost: gw\r\n"
        + "traceparent: 00-" + continued + "-b7ad6b7169203331-01\r\n\r\n");
    assertThat(proxied.status()).isEqualTo(200);
    assertThat(proxied.header("X-Outpost-Trace-Id")).as("the client's trace, continued").isEqualTo(continued);

    RawHttp.Response own = RawHttp.send(gateway.getPort(), "GET /pub/own-trace-header HTTP/1.1\r\nHost: gw\r\n\r\n");
    assertThat(own.body()).isEqualTo("own trace header");
    assertThat(own.header("X-Outpost-Trace-Id")).as("only the gateway's value, never the integration's")
        .matches("[0-9a-f]{32}");

    RawHttp.Response refused = RawHttp.send(gateway.getPort(), "GET /jwt/trace-refused HTTP/1.1\r\nHost: gw\r\n\r\n");
    assertThat(refused.status()).isEqualTo(401);
    String traceId = refused.header("X-Outpost-Trace-Id");
    assertThat(traceId).matches("[0-9a-f]{32}").isNotEqualTo(continued);
    assertThat(new io.vertx.core.json.JsonObject(refused.body()).getString("traceId")).isEqualTo(traceId);
    OtlpReceiver.Item<LogRecord> access = await(() -> GatewayTestEnvironment.otlp.logs.stream()
        .filter(l -> "/jwt/trace-refused".equals(attr(l.item().getAttributesList(), "url.path"))).findFirst());
    assertThat(hex(access.item().getTraceId())).as("the access record the console finds by that id").isEqualTo(traceId);
    OtlpReceiver.Item<Span> server = await(() -> GatewayTestEnvironment.otlp.spans.stream()
        .filter(s -> s.item().getKind() == Span.SpanKind.SPAN_KIND_SERVER
            && "/jwt/trace-refused".equals(attr(s.item().getAttributesList(), "url.path"))).findFirst());
    assertThat(hex(server.item().getTraceId())).isEqualTo(traceId);

    RawHttp.Response unreachable = RawHttp.send(gateway.getPort(), "GET /dead-post/trace HTTP/1.1\r\nHost: gw\r\n\r\n");
    assertThat(unreachable.status()).isIn(502, 503);
    assertThat(unreachable.header("X-Outpost-Trace-Id")).matches("[0-9a-f]{32}");
    assertThat(new io.vertx.core.json.JsonObject(unreachable.body()).getString("traceId"))
        .as("an integration that cannot be reached is the gateway's answer too")
        .isEqualTo(unreachable.header("X-Outpost-Trace-Id"));
  }

  /**
   * A refusal is recorded with why, in the access record and the span: the operator a caller quotes
   * the trace id to finds the reason the caller was told, and for an integration that cannot be
   * reached what failed, which the caller is not told.
   */
  @Test
  void refusedRequestsAreRecordedTooWithWhy() throws Exception {
    RawHttp.Response refused = RawHttp.send(gateway.getPort(), "GET /jwt/refused HTTP/1.1\r\nHost: gw\r\n\r\n");
    OtlpReceiver.Item<LogRecord> access = await(() -> GatewayTestEnvironment.otlp.logs.stream()
        .filter(l -> "/jwt/refused".equals(attr(l.item().getAttributesList(), "url.path"))).findFirst());
    assertThat(attr(access.item().getAttributesList(), "http.response.status_code")).isEqualTo("401");
    assertThat(attr(access.item().getAttributesList(), "outpost.route")).isEqualTo("jwt");
    String told = new io.vertx.core.json.JsonObject(refused.body()).getString("error");
    assertThat(attr(access.item().getAttributesList(), "outpost.reason")).isEqualTo(told).isNotBlank();
    OtlpReceiver.Item<Span> server = await(() -> GatewayTestEnvironment.otlp.spans.stream()
        .filter(s -> s.item().getKind() == Span.SpanKind.SPAN_KIND_SERVER
            && "/jwt/refused".equals(attr(s.item().getAttributesList(), "url.path"))).findFirst());
    assertThat(attr(server.item().getAttributesList(), "outpost.reason")).isEqualTo(told);

    // an integration whose breaker no other test opened: this request reaches its closed port
    String dead = GatewayTestEnvironment.UNUSED_DEAD;
    GatewayTestEnvironment.writeRoutes(List.of(TestRoutes.publicRoute(dead, "/" + dead, true)));
    try {
      // the new table is read within the poll interval (one failed call of the breaker's five)
      RawHttp.Response probe = RawHttp.send(gateway.getPort(), "GET /" + dead + "/probe HTTP/1.1\r\nHost: gw\r\n\r\n");
      for (int i = 0; i < 100 && probe.status() == 404; i++) {
        Thread.sleep(50);
        probe = RawHttp.send(gateway.getPort(), "GET /" + dead + "/probe HTTP/1.1\r\nHost: gw\r\n\r\n");
      }
      RawHttp.Response unreachable = RawHttp.send(gateway.getPort(), "GET /" + dead + "/why HTTP/1.1\r\nHost: gw\r\n\r\n");
      assertThat(unreachable.status()).isEqualTo(502);
      assertReasonRecorded("/" + dead + "/why", unreachable);
    } finally {
      GatewayTestEnvironment.writeRoutes(List.of());
    }
  }

  private void assertReasonRecorded(String failedPath, RawHttp.Response unreachable) throws Exception {
    OtlpReceiver.Item<LogRecord> failed = await(() -> GatewayTestEnvironment.otlp.logs.stream()
        .filter(l -> failedPath.equals(attr(l.item().getAttributesList(), "url.path"))).findFirst());
    String clientWasTold = new io.vertx.core.json.JsonObject(unreachable.body()).getString("error");
    assertThat(attr(failed.item().getAttributesList(), "outpost.reason")).startsWith(clientWasTold + ": ")
        .containsIgnoringCase("refused");
    OtlpReceiver.Item<Span> failedSpan = await(() -> GatewayTestEnvironment.otlp.spans.stream()
        .filter(s -> s.item().getKind() == Span.SpanKind.SPAN_KIND_SERVER
            && failedPath.equals(attr(s.item().getAttributesList(), "url.path"))).findFirst());
    assertThat(failedSpan.item().getStatus().getMessage()).startsWith(clientWasTold);
  }

  /**
   * A chunk size that is no hex number is the client's fault: it is told so (400) and the record
   * says the same, where the connection was dropped unanswered and recorded as the client's leaving
   * (499) or a 502. Nothing after the broken chunk is read, so the connection closes.
   */
  @Test
  void aChunkedBodyThatDoesNotParseIsAnswered400AndRecordedSo() throws Exception {
    RawHttp.Response refused = RawHttp.send(gateway.getPort(), "POST /pub/echo/broken-chunk HTTP/1.1\r\nHost: gw\r\n"
        + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nzz\r\nabc\r\n0\r\n\r\n");
    assertThat(refused.status()).as(refused.body()).isEqualTo(400);
    assertThat(refused.header("Connection")).isEqualTo("close");
    String told = new io.vertx.core.json.JsonObject(refused.body()).getString("error");
    assertThat(told).contains("chunked");
    OtlpReceiver.Item<LogRecord> access = await(() -> GatewayTestEnvironment.otlp.logs.stream()
        .filter(l -> "/pub/echo/broken-chunk".equals(attr(l.item().getAttributesList(), "url.path"))).findFirst());
    assertThat(attr(access.item().getAttributesList(), "http.response.status_code")).isEqualTo("400");
    assertThat(attr(access.item().getAttributesList(), "outpost.reason")).isEqualTo(told);
  }

  @Test
  void aClientThatLeavesBeforeItsAnswerIsRecordedAs499NotAsAFailure() throws Exception {
    // the upstream answers /slow after 1.5 s; the client leaves after 200 ms
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", gateway.getPort())) {
      socket.getOutputStream().write("GET /pub/slow-left HTTP/1.1\r\nHost: gw\r\n\r\n".getBytes());
      Thread.sleep(200);
    }
    OtlpReceiver.Item<LogRecord> access = await(() -> GatewayTestEnvironment.otlp.logs.stream()
        .filter(l -> "/pub/slow-left".equals(attr(l.item().getAttributesList(), "url.path"))).findFirst());
    assertThat(attr(access.item().getAttributesList(), "http.response.status_code")).isEqualTo("499");
    assertThat(access.item().getSeverityNumber()).isEqualTo(io.opentelemetry.proto.logs.v1.SeverityNumber.SEVERITY_NUMBER_WARN);
    OtlpReceiver.Item<Span> server = await(() -> GatewayTestEnvironment.otlp.spans.stream()
        .filter(s -> s.item().getKind() == Span.SpanKind.SPAN_KIND_SERVER
            && "/pub/slow-left".equals(attr(s.item().getAttributesList(), "url.path"))).findFirst());
    assertThat(attr(server.item().getAttributesList(), "http.response.status_code")).isEqualTo("499");
    assertThat(server.item().getStatus().getCode()).isNotEqualTo(io.opentelemetry.proto.trace.v1.Status.StatusCode.STATUS_CODE_ERROR);
  }

  @Test
  void aResponseCutAfterItsHeadIsRecordedAsCutAndByWhomNotAsASuccess() throws Exception {
    PrometheusText before = PrometheusText.scrape(metrics);
    // the integration's connection closes mid-body: the gateway can only close the client's too
    assertThat(readUntilClosed("GET /pub/drop/cut HTTP/1.1\r\nHost: gw\r\n\r\n", Integer.MAX_VALUE))
        .startsWith("HTTP/1.1 200").contains("part of the body").doesNotContain("\r\n0\r\n");
    // the integration's body stops for longer than the route's 300 ms
    assertThat(readUntilClosed("GET /gap/half/cut HTTP/1.1\r\nHost: gw\r\n\r\n", Integer.MAX_VALUE)).startsWith("HTTP/1.1 200");
    // the client leaves after the head of a body larger than every socket buffer on the way
    assertThat(readUntilClosed("GET /pub/huge/left HTTP/1.1\r\nHost: gw\r\n\r\n", 64)).startsWith("HTTP/1.1 200");
    RawHttp.send(gateway.getPort(), "GET /pub/whole HTTP/1.1\r\nHost: gw\r\n\r\n");

    OtlpReceiver.Item<LogRecord> byIntegration = await(() -> GatewayTestEnvironment.otlp.logs.stream()
        .filter(l -> "/pub/drop/cut".equals(attr(l.item().getAttributesList(), "url.path"))).findFirst());
    assertThat(attr(byIntegration.item().getAttributesList(), "http.response.status_code")).isEqualTo("200");
    assertThat(attr(byIntegration.item().getAttributesList(), "outpost.response.cut_by")).isEqualTo("integration");
    assertThat(byIntegration.item().getSeverityNumber()).isEqualTo(io.opentelemetry.proto.logs.v1.SeverityNumber.SEVERITY_NUMBER_ERROR);
    assertThat(byIntegration.item().getBody().getStringValue()).isEqualTo("GET /pub/drop/cut 200 (cut by integration)");
    OtlpReceiver.Item<Span> integrationSpan = serverSpan("/pub/drop/cut");
    assertThat(attr(integrationSpan.item().getAttributesList(), "outpost.response.cut_by")).isEqualTo("integration");
    assertThat(integrationSpan.item().getStatus().getCode()).isEqualTo(io.opentelemetry.proto.trace.v1.Status.StatusCode.STATUS_CODE_ERROR);

    OtlpReceiver.Item<LogRecord> timedOut = await(() -> GatewayTestEnvironment.otlp.logs.stream()
        .filter(l -> "/gap/half/cut".equals(attr(l.item().getAttributesList(), "url.path"))).findFirst());
    assertThat(attr(timedOut.item().getAttributesList(), "outpost.response.cut_by")).isEqualTo("integration");
    assertThat(attr(timedOut.item().getAttributesList(), "http.response.status_code")).isEqualTo("200");

    OtlpReceiver.Item<LogRecord> byClient = await(() -> GatewayTestEnvironment.otlp.logs.stream()
        .filter(l -> "/pub/huge/left".equals(attr(l.item().getAttributesList(), "url.path"))).findFirst());
    assertThat(attr(byClient.item().getAttributesList(), "outpost.response.cut_by")).isEqualTo("client");
    assertThat(byClient.item().getSeverityNumber()).isEqualTo(io.opentelemetry.proto.logs.v1.SeverityNumber.SEVERITY_NUMBER_WARN);
    assertThat(serverSpan("/pub/huge/left").item().getStatus().getCode())
        .as("the client's leaving is not the integration's failure")
        .isNotEqualTo(io.opentelemetry.proto.trace.v1.Status.StatusCode.STATUS_CODE_ERROR);

    OtlpReceiver.Item<LogRecord> whole = await(() -> GatewayTestEnvironment.otlp.logs.stream()
        .filter(l -> "/pub/whole".equals(attr(l.item().getAttributesList(), "url.path"))).findFirst());
    assertThat(attr(whole.item().getAttributesList(), "outpost.response.cut_by")).isNull();
    assertThat(whole.item().getSeverityNumber()).isEqualTo(io.opentelemetry.proto.logs.v1.SeverityNumber.SEVERITY_NUMBER_INFO);

    // an exchange's meters are recorded as it ends, after its record was handed to the exporter
    PrometheusText after = scrapeUntil(s -> delta(before, s, "outpost_gateway_responses_cut_total", "route", "pub", "by", "integration") >= 1
        && delta(before, s, "outpost_gateway_responses_cut_total", "route", "pub", "by", "client") >= 1);
    assertThat(delta(before, after, "outpost_gateway_responses_cut_total", "route", "pub", "by", "integration")).isEqualTo(1);
    assertThat(delta(before, after, "outpost_gateway_responses_cut_total", "route", "pub", "by", "client")).isEqualTo(1);
  }

  @Test
  void aClientLeavingWhileTheIntegrationsBodyPausesIsRecordedAsCutByTheClient() throws Exception {
    // nothing is being written to the client when it leaves: the gateway learns of it from the
    // connection's closing, and its reset of the upstream request then fails the body too
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", gateway.getPort())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write("GET /pub/half/left HTTP/1.1\r\nHost: gw\r\n\r\n".getBytes());
      java.io.InputStream in = socket.getInputStream();
      StringBuilder received = new StringBuilder();
      while (!received.toString().contains("part of the body")) {
        int c = in.read();
        assertThat(c).as("the connection closed before the body began: %s", received).isNotEqualTo(-1);
        received.append((char) c);
      }
    }
    OtlpReceiver.Item<LogRecord> record = await(() -> GatewayTestEnvironment.otlp.logs.stream()
        .filter(l -> "/pub/half/left".equals(attr(l.item().getAttributesList(), "url.path"))).findFirst());
    assertThat(attr(record.item().getAttributesList(), "http.response.status_code")).isEqualTo("200");
    assertThat(attr(record.item().getAttributesList(), "outpost.response.cut_by")).isEqualTo("client");
    assertThat(serverSpan("/pub/half/left").item().getStatus().getCode())
        .isNotEqualTo(io.opentelemetry.proto.trace.v1.Status.StatusCode.STATUS_CODE_ERROR);
  }

  @Test
  void anIntegrationThatClosesAfterItsHeadBeforeAnyByteReachedTheClientIsRecordedAsTheGateways502() throws Exception {
    // the proxy writes the head with the first body bytes: none came, so the client got nothing
    assertThat(readUntilClosed("GET /pub/drophead/none HTTP/1.1\r\nHost: gw\r\n\r\n", Integer.MAX_VALUE)).isEmpty();
    OtlpReceiver.Item<LogRecord> record = await(() -> GatewayTestEnvironment.otlp.logs.stream()
        .filter(l -> "/pub/drophead/none".equals(attr(l.item().getAttributesList(), "url.path"))).findFirst());
    assertThat(attr(record.item().getAttributesList(), "http.response.status_code")).isEqualTo("502");
    assertThat(attr(record.item().getAttributesList(), "outpost.answered_by")).isEqualTo("gateway");
    assertThat(attr(record.item().getAttributesList(), "outpost.response.cut_by")).isEqualTo("integration");
  }

  /** Sends {@code request} and reads what comes back, up to {@code max} characters or until the connection closes. */
  private String readUntilClosed(String request, int max) throws Exception {
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", gateway.getPort())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(request.getBytes());
      java.io.InputStream in = socket.getInputStream();
      StringBuilder received = new StringBuilder();
      try {
        for (int c = in.read(); c != -1 && received.length() < max; c = in.read()) {
          received.append((char) c);
        }
      } catch (java.net.SocketException reset) {
        // closed by a reset
      }
      return received.toString();
    }
  }

  private static OtlpReceiver.Item<Span> serverSpan(String path) throws Exception {
    return await(() -> GatewayTestEnvironment.otlp.spans.stream()
        .filter(s -> s.item().getKind() == Span.SpanKind.SPAN_KIND_SERVER
            && path.equals(attr(s.item().getAttributesList(), "url.path"))).findFirst());
  }

  @Test
  void perRouteMetricsGiveLatencyBucketsBodyBytesAndTheGatewaysOwnAnswersApartFromTheIntegrations() throws Exception {
    PrometheusText before = PrometheusText.scrape(metrics);
    assertThat(RawHttp.send(gateway.getPort(), "POST /pub/echo HTTP/1.1\r\nHost: gw\r\nContent-Length: 5\r\n\r\nhello")
        .body()).isEqualTo("hello");
    assertThat(RawHttp.send(gateway.getPort(), "GET /pub/answer-status?status=503 HTTP/1.1\r\nHost: gw\r\n\r\n").status())
        .isEqualTo(503);
    assertThat(RawHttp.send(gateway.getPort(), "GET /nowhere HTTP/1.1\r\nHost: gw\r\n\r\n").status()).isEqualTo(404);
    assertThat(RawHttp.send(gateway.getPort(), "GET /jwt/x HTTP/1.1\r\nHost: gw\r\n\r\n").status()).isEqualTo(401);
    String requests = "outpost_gateway_requests_seconds";
    // an exchange's meters are recorded as it ends, after its last byte went to the client: a scrape
    // sent at once may come first (it did in CI, on a loaded machine)
    PrometheusText after = scrapeUntil(s -> delta(before, s, requests + "_count", "route", "pub", "status", "2xx") >= 1
        && delta(before, s, requests + "_count", "route", "pub", "status", "5xx") >= 1
        && delta(before, s, "outpost_gateway_refusals_total", "route", "none", "status", "404") >= 1
        && delta(before, s, "outpost_gateway_refusals_total", "route", "jwt", "status", "401") >= 1
        && delta(before, s, "outpost_gateway_bytes_total", "route", "pub", "direction", "egress") >= 5 + "the integration's own".length());

    double twoHundreds = after.value(requests + "_count", "route", "pub", "status", "2xx");
    assertThat(twoHundreds - before.value(requests + "_count", "route", "pub", "status", "2xx")).isEqualTo(1);
    assertThat(after.value(requests + "_bucket", "route", "pub", "status", "2xx", "le", "+Inf")).isEqualTo(twoHundreds);
    assertThat(after.value(requests + "_bucket", "route", "pub", "status", "2xx", "le", "60.0"))
        .as("every request is under the largest bucket").isEqualTo(twoHundreds);
    assertThat(after.has(requests + "_bucket", "route", "pub", "status", "2xx", "le", "0.001")).isTrue();

    assertThat(delta(before, after, "outpost_gateway_bytes_total", "route", "pub", "direction", "ingress")).isEqualTo(5);
    assertThat(delta(before, after, "outpost_gateway_bytes_total", "route", "pub", "direction", "egress"))
        .as("hello, then the integration's 503 body").isEqualTo(5 + "the integration's own".length());

    assertThat(delta(before, after, requests + "_count", "route", "pub", "status", "5xx")).isEqualTo(1);
    assertThat(delta(before, after, "outpost_gateway_refusals_total", "route", "pub", "status", "503"))
        .as("the integration's own 503 is not the gateway's").isZero();
    assertThat(delta(before, after, "outpost_gateway_refusals_total", "route", "none", "status", "404")).isEqualTo(1);
    assertThat(delta(before, after, "outpost_gateway_refusals_total", "route", "jwt", "status", "401")).isEqualTo(1);
  }

  @Test
  void theAccessRecordSaysWhenTheGatewayAnsweredInsteadOfTheIntegration() throws Exception {
    RawHttp.send(gateway.getPort(), "GET /pub/answer-status/recorded?status=502 HTTP/1.1\r\nHost: gw\r\n\r\n");
    RawHttp.send(gateway.getPort(), "GET /dead-post/answered-by HTTP/1.1\r\nHost: gw\r\n\r\n");
    OtlpReceiver.Item<LogRecord> integrations = await(() -> GatewayTestEnvironment.otlp.logs.stream()
        .filter(l -> "/pub/answer-status/recorded".equals(attr(l.item().getAttributesList(), "url.path"))).findFirst());
    OtlpReceiver.Item<LogRecord> gateways = await(() -> GatewayTestEnvironment.otlp.logs.stream()
        .filter(l -> "/dead-post/answered-by".equals(attr(l.item().getAttributesList(), "url.path"))).findFirst());
    assertThat(attr(integrations.item().getAttributesList(), "http.response.status_code")).isEqualTo("502");
    assertThat(attr(integrations.item().getAttributesList(), "outpost.answered_by")).isNull();
    assertThat(attr(gateways.item().getAttributesList(), "http.response.status_code")).isIn("502", "503");
    assertThat(attr(gateways.item().getAttributesList(), "outpost.answered_by")).isEqualTo("gateway");
  }

  @Test
  void stateGaugesFollowTheRoutingTableAndTheRateLimitCluster() throws Exception {
    long revision = GatewayTestEnvironment.writeRoutes(List.of());
    scrapeUntil(s -> s.value("outpost_gateway_routes_revision") == revision);
    // scraped again: the scrape that first saw the new revision may have read the table's size
    // before the table was replaced (each gauge reads the table in use when it is read)
    PrometheusText scrape = PrometheusText.scrape(metrics);
    assertThat(scrape.value("outpost_gateway_routes_revision")).isEqualTo(revision);
    assertThat(scrape.value("outpost_gateway_routes")).isEqualTo(GatewayTestEnvironment.baseRoutes().size());
    assertThat(scrape.value("outpost_gateway_cluster_members")).as("a cluster of one").isEqualTo(1);
    assertThat(scrape.has("outpost_gateway_rate_limit_uncounted_total")).as("no outage, none uncounted").isTrue();
    assertThat(scrape.value("outpost_gateway_rate_limit_uncounted_total")).isZero();

    assertThat(scrape.value("outpost_gateway_routes_refusing")).as("the table its source holds is in use").isZero();
    double refused = scrape.value("outpost_gateway_routes_refused_total");
    java.nio.file.Files.writeString(GatewayTestEnvironment.home.resolve("state").resolve("routes.json"), "{\"revision\": ");
    // a gauge as well as the count: an alert on the count's increase ended while the table was still refused.
    // Waited for together: a scrape reads its meters one after the other, the refusal may fall between.
    scrapeUntil(s -> s.value("outpost_gateway_routes_refused_total") == refused + 1
        && s.value("outpost_gateway_routes_refusing") == 1);
    long next = GatewayTestEnvironment.writeRoutes(List.of());
    // together again: the scrape that first saw the new revision may have read the refusal gauge before
    PrometheusText restored = scrapeUntil(s -> s.value("outpost_gateway_routes_revision") == next
        && s.value("outpost_gateway_routes_refusing") == 0);
    assertThat(restored.value("outpost_gateway_routes_refused_total")).isEqualTo(refused + 1);
  }

  @Test
  void aRouteTakenOutOfTheTableTakesItsSeriesAlong() throws Exception {
    long revision = GatewayTestEnvironment.writeRoutes(List.of(TestRoutes.publicRoute("gone-soon", "/gone-soon", true)));
    scrapeUntil(s -> s.value("outpost_gateway_routes_revision") == revision);
    assertThat(RawHttp.send(gateway.getPort(), "GET /gone-soon/answer-status?status=200 HTTP/1.1\r\nHost: gw\r\n\r\n")
        .status()).isEqualTo(200);
    assertThat(RawHttp.send(gateway.getPort(), "GET /pub/answer-status?status=200 HTTP/1.1\r\nHost: gw\r\n\r\n")
        .status()).isEqualTo(200);
    // an exchange's meters are recorded as it ends, after its last byte went to the client
    PrometheusText served = scrapeUntil(s -> s.has("outpost_gateway_requests_seconds_count", "route", "gone-soon")
        && s.has("outpost_gateway_requests_seconds_count", "route", "pub"));
    assertThat(served.has("outpost_gateway_requests_seconds_count", "route", "gone-soon")).isTrue();
    assertThat(served.has("outpost_gateway_bytes_total", "route", "gone-soon")).isTrue();
    assertThat(served.has("outpost_gateway_circuit_breaker_open", "integration", "int-gone-soon")).isTrue();

    long next = GatewayTestEnvironment.writeRoutes(List.of());
    // the table is in use (the revision gauge) a moment before its listeners have dropped the series
    PrometheusText after = scrapeUntil(s -> s.value("outpost_gateway_routes_revision") == next
        && !s.has("outpost_gateway_circuit_breaker_open", "integration", "int-gone-soon")
        && !s.has("outpost_gateway_bytes_total", "route", "gone-soon")
        && !s.has("outpost_gateway_requests_seconds_count", "route", "gone-soon"));
    assertThat(after.has("outpost_gateway_requests_seconds_count", "route", "gone-soon"))
        .as("a removed route's series are dropped, not kept until a restart").isFalse();
    assertThat(after.has("outpost_gateway_requests_seconds_bucket", "route", "gone-soon")).isFalse();
    assertThat(after.has("outpost_gateway_bytes_total", "route", "gone-soon")).isFalse();
    assertThat(after.has("outpost_gateway_circuit_breaker_open", "integration", "int-gone-soon")).isFalse();
    assertThat(after.has("outpost_gateway_requests_seconds_count", "route", "pub")).as("a route kept keeps its").isTrue();
    assertThat(after.has("outpost_gateway_circuit_breaker_open", "integration", "int-pub")).isTrue();
  }

  /**
   * An exchange begun before its route was taken out ends after: its series and its integration's
   * breaker are not made again (they stayed until the next table, days on a quiet data plane).
   */
  @Test
  void anExchangeEndingAfterItsRouteWasTakenOutDoesNotBringItsSeriesBack() throws Exception {
    long revision = GatewayTestEnvironment.writeRoutes(List.of(new dev.outpost.spec.model.Route("leaving", "proj-a",
        new dev.outpost.spec.model.RouteMatch("/leaving", List.of(), List.of()), "int-leaving", true,
        dev.outpost.spec.model.RouteAuth.anonymous(), null, 10_000, 0, null, 1024 * 1024)));
    scrapeUntil(s -> s.value("outpost_gateway_routes_revision") == revision);
    GatewayTestEnvironment.upstream.clear();
    java.util.concurrent.CompletableFuture<RawHttp.Response> slow = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
      try {
        return RawHttp.send(gateway.getPort(), "GET /leaving/pause?ms=3000 HTTP/1.1\r\nHost: gw\r\n\r\n");
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    GatewayTestEnvironment.upstream.next(); // it has reached the integration
    long next = GatewayTestEnvironment.writeRoutes(List.of());
    // the table is in use (the revision gauge) a moment before its listeners have dropped the series
    scrapeUntil(s -> s.value("outpost_gateway_routes_revision") == next
        && !s.has("outpost_gateway_circuit_breaker_open", "integration", "int-leaving")
        && !s.has("outpost_gateway_bytes_total", "route", "leaving")
        && !s.has("outpost_gateway_requests_seconds_count", "route", "leaving"));
    assertThat(slow.get(10, java.util.concurrent.TimeUnit.SECONDS).status()).isEqualTo(200);
    Thread.sleep(200); // its access record and meters are written as it ends
    PrometheusText after = PrometheusText.scrape(metrics);
    assertThat(after.has("outpost_gateway_requests_seconds_count", "route", "leaving")).isFalse();
    assertThat(after.has("outpost_gateway_bytes_total", "route", "leaving")).isFalse();
    assertThat(after.has("outpost_gateway_circuit_breaker_open", "integration", "int-leaving")).isFalse();
  }

  private PrometheusText scrapeUntil(java.util.function.Predicate<PrometheusText> condition) throws Exception {
    long deadline = System.currentTimeMillis() + 10_000;
    PrometheusText scrape = PrometheusText.scrape(metrics);
    while (!condition.test(scrape)) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("not within 10 s; last scrape:\n" + scrape);
      }
      Thread.sleep(50);
      scrape = PrometheusText.scrape(metrics);
    }
    return scrape;
  }

  private static double delta(PrometheusText before, PrometheusText after, String name, String... labels) {
    return after.value(name, labels) - before.value(name, labels);
  }

  private static String hex(com.google.protobuf.ByteString bytes) {
    return HexFormat.of().formatHex(bytes.toByteArray());
  }

  private static String attr(List<KeyValue> attributes, String key) {
    for (KeyValue kv : attributes) {
      if (kv.getKey().equals(key)) {
        var v = kv.getValue();
        return switch (v.getValueCase()) {
          case INT_VALUE -> Long.toString(v.getIntValue());
          case DOUBLE_VALUE -> Double.toString(v.getDoubleValue());
          default -> v.getStringValue();
        };
      }
    }
    return null;
  }

  private static <T> T await(Supplier<Optional<T>> probe) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 10_000;
    while (System.currentTimeMillis() < deadline) {
      Optional<T> found = probe.get();
      if (found.isPresent()) {
        return found.get();
      }
      Thread.sleep(50);
    }
    throw new AssertionError("not exported within 10 s");
  }
}
