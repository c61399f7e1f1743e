package dev.outpost.observability.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.observability.support.Otlp;
import dev.outpost.observability.support.RawHttp;
import dev.outpost.observability.support.TestIdpResource;
import dev.outpost.spec.testing.LogLines;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

/** HTTP the OTLP port cannot take: answered as HTTP says, with no server fault in the log. */
@QuarkusTest
@QuarkusTestResource(TestIdpResource.class)
class OtlpHttpErrorsTest {

  private static final HttpClient CLIENT = HttpClient.newHttpClient();

  @Inject OtlpServer server;

  /** Another method on an OTLP path was a 404, as if the path did not exist. */
  @Test
  void anotherMethodOnAnOtlpPathIsA405NamingPost() throws Exception {
    for (String path : List.of("/v1/logs", "/v1/traces")) {
      for (String method : List.of("GET", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD")) {
        HttpResponse<String> response = send(method, path);
        assertThat(response.statusCode()).as(method + " " + path).isEqualTo(405);
        assertThat(response.headers().firstValue("Allow")).as(method + " " + path).hasValue("POST");
        if (!method.equals("HEAD")) {
          assertThat(response.body()).as(method + " " + path).contains("POST " + path);
        }
      }
    }
    assertThat(send("GET", "/v1/metrics").statusCode()).isEqualTo(404);
    assertThat(send("GET", "/").statusCode()).isEqualTo(404);
  }

  /**
   * A chunked body whose chunk size is not a hex number, or past what Netty reads, got no answer (the
   * connection closed) and an ERROR with Netty's stack, as a fault of the server.
   */
  @Test
  void aMalformedChunkedBodyIsA400WithNoErrorInTheLog() throws Exception {
    try (LogLines log = LogLines.of("")) {
      for (String size : List.of("zz", "fffffffffffffffff")) {
        String answer = RawHttp.exchange(server.port(), "POST /v1/logs HTTP/1.1\r\nHost: otlp\r\nContent-Type: application/x-protobuf\r\n"
            + "Authorization: Bearer " + Otlp.DATA_PLANE_TOKEN + "\r\nTransfer-Encoding: chunked\r\n\r\n"
            + size + "\r\nabc\r\n0\r\n\r\n");
        assertThat(answer).as(size).startsWith("HTTP/1.1 400").contains("chunk");
      }
      assertThat(log.errors()).isEmpty();
      assertThat(log.warnings()).isEmpty();
    }
  }

  private HttpResponse<String> send(String method, String path) throws Exception {
    return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
        .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
  }
}
