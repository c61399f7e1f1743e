package dev.outpost.runtime.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.runtime.Integrations;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * A route's text answer goes with its length: platform-http sent it chunked, which an HTTP/1.0 client
 * (nginx's proxy_pass by default) cannot read, and the gateway answered such a client 505.
 */
@QuarkusTest
class WritableAnswersTest {

  @TestHTTPResource("/")
  URL http;

  @TestHTTPResource(value = "/", management = true)
  URL management;

  @Test
  void aTextAnswerCarriesItsLengthForHttp10AndHttp11Clients() throws IOException {
    Integrations.put(management, Integrations.of("measured", "1", Integrations.constantRoute("measured", "/measured", "héllo")))
        .then().statusCode(200);
    try {
      for (String version : new String[] {"HTTP/1.0", "HTTP/1.1"}) {
        String answer = exchange("GET /measured " + version + "\r\nHost: runtime\r\nConnection: close\r\n\r\n");
        String head = answer.substring(0, answer.indexOf("\r\n\r\n")).toLowerCase();
        assertThat(head).as(version).startsWith(version.toLowerCase() + " 200").contains("content-length: 6")
            .doesNotContain("transfer-encoding");
        assertThat(answer).as(version).endsWith("\r\n\r\nhéllo");
      }
    } finally {
      Integrations.delete(management, "measured").then().statusCode(204);
    }
  }

  /**
   * A 1xx is never a final answer (RFC 9110 §15.2): platform-http wrote the interim status alone and
   * no answer after it, so the client waited for ever and a pipelined request's answer was taken for
   * this one's. Answered 500, as any other value that is no final status.
   */
  @Test
  void anInterimStatusSetByARouteIsAnswered500() throws IOException {
    String source = """
        - route:
            id: interim
            from:
              uri: platform-http:/interim
              steps:
                - setHeader:
                    name: CamelHttpResponseCode
                    simple: "${header.code}"
                - setBody:
                    constant: "interim"
        """;
    Integrations.put(management, Integrations.of("interim", "1", source)).then().statusCode(200);
    try {
      for (String code : new String[] {"100", "101", "103", "199"}) {
        String answer = exchange("GET /interim?code=" + code + " HTTP/1.1\r\nHost: runtime\r\nConnection: close\r\n\r\n");
        assertThat(answer).as(code).startsWith("HTTP/1.1 500 ");
      }
      String answer = exchange("GET /interim?code=200 HTTP/1.1\r\nHost: runtime\r\nConnection: close\r\n\r\n");
      assertThat(answer).startsWith("HTTP/1.1 200 ").endsWith("interim");
    } finally {
      Integrations.delete(management, "interim").then().statusCode(204);
    }
  }

  private String exchange(String request) throws IOException {
    try (Socket socket = new Socket(http.getHost(), http.getPort())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      InputStream in = socket.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
