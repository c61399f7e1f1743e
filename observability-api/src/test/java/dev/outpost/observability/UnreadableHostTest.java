package dev.outpost.observability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.observability.ingest.OtlpServer;
import dev.outpost.observability.support.RawHttp;
import dev.outpost.observability.support.TestIdpResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URL;
import org.junit.jupiter.api.Test;

/**
 * A {@code Host} with a percent escape Vert.x cannot parse ({@code a%41}) is a 400 on every port: the
 * query API's (which browsers reach), the OTLP receiver's and the management port. Vert.x's parse of
 * it threw before any handler, and the connection was held, unanswered, until the idle timeout.
 */
@QuarkusTest
@QuarkusTestResource(TestIdpResource.class)
class UnreadableHostTest {

  @TestHTTPResource("/")
  URL query;

  @TestHTTPResource(value = "/", management = true)
  URL management;

  @Inject
  OtlpServer otlp;

  @Test
  void aHostVertxCannotParseIsAnswered400OnEveryPort() throws Exception {
    java.util.Map<String, Integer> ports = new java.util.LinkedHashMap<>();
    ports.put("query", query.getPort());
    ports.put("management", management.getPort());
    ports.put("otlp", otlp.port());
    java.util.List<String> wrong = new java.util.ArrayList<>();
    // a%41 hung (Vert.x's parse threw); the others were 400s with Quarkus' "500 - Internal Server
    // Error" page and an ERROR line each
    for (String host : java.util.List.of("a%41", "localhost:99999", "127.0.0.1:abc", "[::1")) {
      for (var port : ports.entrySet()) {
        try {
          String answer = RawHttp.exchange(port.getValue(), "GET /q/health HTTP/1.1\r\nHost: " + host
              + "\r\nConnection: close\r\n\r\n");
          if (!answer.startsWith("HTTP/1.1 400") || !answer.contains("the Host header must be host[:port]")
              || answer.contains("500")) {
            wrong.add(port.getKey() + ", Host " + host + ": " + answer);
          }
        } catch (java.net.SocketTimeoutException unanswered) {
          wrong.add(port.getKey() + ", Host " + host + ": no answer");
        }
      }
    }
    assertThat(wrong).isEmpty();
  }
}
