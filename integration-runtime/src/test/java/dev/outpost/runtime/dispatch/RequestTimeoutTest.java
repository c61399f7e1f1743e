package dev.outpost.runtime.dispatch;

import static dev.outpost.runtime.Eventually.eventually;
import static dev.outpost.runtime.Integrations.constantRoute;
import static dev.outpost.runtime.Integrations.httpRoute;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.outpost.runtime.Backend;
import dev.outpost.runtime.Integrations;
import dev.outpost.runtime.StuckRequests;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The runtime answers a request its integration does not answer in time 504 itself (1 s here):
 * real routes deployed through the admin API, real HTTP on loopback.
 */
@QuarkusTest
@TestProfile(RequestTimeoutTest.OneSecond.class)
class RequestTimeoutTest {

  /** Requests time out after 1 s; a drain may last 10 s, far longer, so a drain cut short shows. */
  public static class OneSecond implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("outpost.runtime.request-timeout", "1s", "outpost.runtime.drain-timeout", "10s");
    }
  }

  static final String HANGS = """
      - delay:
          constant: 60000
      """;

  @TestHTTPResource("/")
  URL http;

  @TestHTTPResource(value = "/", management = true)
  URL management;

  @Test
  void aRouteThatHangsIsAnswered504AfterTheTimeoutWhileOtherIntegrationsAreServed() throws Exception {
    Integrations.put(management, Integrations.of("hangs", "1", httpRoute("hangs", "/hangs", HANGS)))
        .then().statusCode(200);
    Integrations.put(management, Integrations.of("beside", "1", constantRoute("beside", "/beside", "here")
        + httpRoute("beside-slow", "/beside/slow", """
            - delay:
                constant: 400
            - setBody:
                constant: "in time"
            """))).then().statusCode(200);

    long start = System.nanoTime();
    var hung = HttpClient.newHttpClient().sendAsync(HttpRequest.newBuilder(URI.create(http + "hangs")).build(),
        HttpResponse.BodyHandlers.ofString());
    given().get(http + "beside").then().statusCode(200).body(equalTo("here"));
    given().get(http + "beside/slow").then().statusCode(200).body(equalTo("in time"));

    HttpResponse<String> response = hung.get(10, TimeUnit.SECONDS);
    long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertThat(response.statusCode()).isEqualTo(504);
    assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
    assertThat(new JsonObject(response.body()).getMap())
        .containsEntry("status", 504)
        .containsEntry("error", "integration 'hangs' did not answer within 1s");
    assertThat(waited).as("answered after the 1 s timeout, not long after").isBetween(1000L, 6000L);

    given().get(http + "beside").then().statusCode(200).body(equalTo("here"));
    Integrations.delete(management, "hangs").then().statusCode(204);
    Integrations.delete(management, "beside").then().statusCode(204);
  }

  @Test
  void aLateAnswerIsDroppedAndTheConnectionServesItsNextRequest() throws Exception {
    try (Backend backend = Backend.json("{\"late\":true}")) {
      Integrations.put(management, Integrations.of("late", "1", httpRoute("late", "/late", """
          - delay:
              constant: 1500
          - to: %s/after-timeout
          - setBody:
              constant: "too late"
          """.formatted(backend.url())) + constantRoute("late-next", "/late/next", "next"))).then().statusCode(200);

      try (Socket socket = new Socket(http.getHost(), http.getPort())) {
        socket.setSoTimeout(10_000);
        send(socket, "/late");
        String first = readResponse(socket.getInputStream());
        assertThat(first).startsWith("HTTP/1.1 504").contains("did not answer within 1s").doesNotContain("too late");

        // the exchange runs on to its end: its late answer must not reach the connection
        eventually(() -> assertThat(backend.received()).hasSize(1));
        eventually(() -> assertThat(Integrations.metric(management, "outpost_integration_failures_total",
            "late")).as("the client got a 504: a failure").isEqualTo(1.0));
        socket.setSoTimeout(500);
        assertThatThrownBy(() -> socket.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);

        socket.setSoTimeout(10_000);
        send(socket, "/late/next");
        String next = readResponse(socket.getInputStream());
        assertThat(next).startsWith("HTTP/1.1 200").endsWith("\r\n\r\nnext");
      }
      Integrations.delete(management, "late").then().statusCode(204);
    }
  }

  @Test
  void anEndpointsOwnRequestTimeoutReplacesTheRuntimes() {
    String source = httpRoute("own-longer", "/own/longer?requestTimeout=4000", """
        - delay:
            constant: 1500
        - setBody:
            constant: "waited for"
        """) + """
        - route:
            id: own-shorter
            from:
              uri: platform-http:/own/shorter
              parameters:
                requestTimeout: 200
              steps:
                - delay:
                    constant: 3000
        """;
    Integrations.put(management, Integrations.of("own", "1", source)).then().statusCode(200);
    given().get(http + "own/longer").then().statusCode(200).body(equalTo("waited for"));
    long start = System.nanoTime();
    var shorter = given().get(http + "own/shorter");
    long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    shorter.then().statusCode(504).body("error", equalTo("integration 'own' did not answer within 200ms"));
    assertThat(waited).as("answered before the route's 3 s delay ended").isLessThan(2500);

    Integrations.put(management, Integrations.of("own-bad", "1",
        constantRoute("own-bad", "/own-bad?requestTimeout=soon", "x"))).then().statusCode(422)
        .body("message", containsString("requestTimeout must be a positive number of milliseconds, not 'soon'"));
    given().get(http + "own-bad").then().statusCode(404);
    Integrations.delete(management, "own").then().statusCode(204);
  }

  @Test
  void anUpgradeDoesNotWaitForARequestItsTimeoutAnswered() throws Exception {
    try (StuckRequests stuck = new StuckRequests()) {
      Integrations.put(management, Integrations.of("drains", "1", httpRoute("drains", "/drains",
          stuck.steps("drains", "")))).then().statusCode(200);
      var hung = stuck.send("drains", URI.create(http + "drains"));

      long start = System.nanoTime();
      Integrations.put(management, Integrations.of("drains", "2", constantRoute("drains", "/drains", "v2")))
          .then().statusCode(200);
      long upgrade = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertThat(upgrade).as("the upgrade waited for the request until its timeout, not the 10 s drain timeout")
          .isLessThan(5000);
      assertThat(hung.get(5, TimeUnit.SECONDS).statusCode()).isEqualTo(504);
      given().get(http + "drains").then().statusCode(200).body(equalTo("v2"));
      Integrations.delete(management, "drains").then().statusCode(204);
    }
  }

  private static void send(Socket socket, String path) throws IOException {
    socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII));
    socket.getOutputStream().flush();
  }

  /** One response, its body decoded to text, read to its last byte and no further. */
  private static String readResponse(InputStream in) throws IOException {
    String head = readLine(in, "\r\n\r\n");
    Matcher length = Pattern.compile("(?im)^content-length:\\s*(\\d+)").matcher(head);
    if (length.find()) {
      return head + new String(in.readNBytes(Integer.parseInt(length.group(1))), StandardCharsets.UTF_8);
    }
    assertThat(head).containsIgnoringCase("transfer-encoding: chunked");
    StringBuilder body = new StringBuilder();
    for (int size; (size = Integer.parseInt(readLine(in, "\r\n").strip(), 16)) > 0; readLine(in, "\r\n")) {
      body.append(new String(in.readNBytes(size), StandardCharsets.UTF_8));
    }
    readLine(in, "\r\n");
    return head + body;
  }

  /** The bytes up to and including {@code end}. */
  private static String readLine(InputStream in, String end) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    while (!line.toString(StandardCharsets.US_ASCII).endsWith(end)) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("connection closed after " + line);
      }
      line.write(b);
    }
    return line.toString(StandardCharsets.US_ASCII);
  }
}
