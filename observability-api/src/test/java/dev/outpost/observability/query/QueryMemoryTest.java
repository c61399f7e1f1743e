package dev.outpost.observability.query;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.observability.ingest.OtlpServer;
import dev.outpost.observability.support.Eventually;
import dev.outpost.observability.support.Otlp;
import dev.outpost.observability.support.TestIdpResource;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The text all answers hold together is bounded (query.memory-bytes), not only each page's: a page
 * that cannot take more ends early with a cursor that loses nothing, and what an answer took is given
 * back once it is sent.
 */
@QuarkusTest
@TestProfile(QueryMemoryTest.TwoMebibytes.class)
@QuarkusTestResource(TestIdpResource.class)
class QueryMemoryTest {

  /** 2 MiB of text for all answers at once, an eighth of one page's own budget. */
  public static class TwoMebibytes implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("outpost.observability.query.memory-bytes", Long.toString(2L << 20));
    }
  }

  @Inject OtlpServer server;
  @Inject QueryMemory memory;
  @Inject TailHub hub;

  @TestHTTPResource("/")
  URL api;

  @Test
  void aPageEndsWhereTheSharedMemoryEndsAndItsCursorLosesNothing() {
    String project = "memory-" + UUID.randomUUID();
    long base = (System.currentTimeMillis() - 60_000) * 1_000_000L;
    String filler = " " + "m".repeat(100_000);
    List<LogRecord> records = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      records.add(Otlp.log(base + i, "memtest n" + i + filler, Map.of()));
    }
    new Otlp(server.port()).send(Otlp.logs(Otlp.resource("svc", project), records));
    String token = TestIdpResource.idp().token("alice", List.of(project));
    Eventually.within(Duration.ofSeconds(5), "the records searchable", () -> given().auth().oauth2(token)
        .queryParam("q", "memtest").get("/api/v1/logs").jsonPath().getList("records").size() > 0);

    Set<String> seen = new HashSet<>();
    String cursor = null;
    int pages = 0;
    do {
      var request = given().auth().oauth2(token).queryParam("q", "memtest").queryParam("limit", 100);
      JsonPath page = (cursor == null ? request : request.queryParam("cursor", cursor)).get("/api/v1/logs")
          .then().statusCode(200).extract().jsonPath();
      List<String> bodies = page.getList("records.body");
      // 2 MiB hold 20 records of 100 KB, 3 MB came whole before
      assertThat(bodies).hasSizeBetween(1, 21);
      bodies.forEach(b -> seen.add(b.substring(0, b.indexOf(' ', "memtest ".length()))));
      cursor = page.getString("nextCursor");
      pages++;
    } while (cursor != null && pages < 40);
    assertThat(pages).isGreaterThan(1);
    assertThat(seen).hasSize(30);
    Eventually.within(Duration.ofSeconds(5), "every answer's memory given back", () -> memory.held() == 0);
  }

  @Test
  void aLiveTailWhoseReaderStopsReadingEndsInsteadOfBufferingWithoutBound() throws Exception {
    // 10,000 records were buffered per reader whatever their size: 500 MB of 50 KB stack traces
    String project = "tail-memory-" + UUID.randomUUID();
    String token = TestIdpResource.idp().token("alice", List.of(project));
    int before = hub.subscriberCount();
    try (Socket reader = new Socket()) {
      reader.setReceiveBufferSize(64 * 1024);
      reader.connect(new InetSocketAddress("127.0.0.1", api.getPort()));
      reader.getOutputStream().write(("GET /api/v1/logs/tail?q=tailmem HTTP/1.1\r\nHost: api\r\nAccept: text/event-stream"
          + "\r\nAuthorization: Bearer " + token + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      Eventually.within(Duration.ofSeconds(5), "subscribed", () -> hub.subscriberCount() > before);

      // 30 MB of matching records while the reader reads nothing
      Otlp otlp = new Otlp(server.port());
      String filler = " " + "t".repeat(100_000);
      long base = System.currentTimeMillis() * 1_000_000L;
      for (int batch = 0; batch < 30; batch++) {
        List<LogRecord> records = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
          records.add(Otlp.log(base + batch * 10 + i, "tailmem n" + (batch * 10 + i) + filler, Map.of()));
        }
        otlp.send(Otlp.logs(Otlp.resource("svc", project), records));
      }
      Eventually.within(Duration.ofSeconds(10), "the stream ended", () -> hub.subscriberCount() == before);

      // what was written before the end arrives, then the end: fewer records than were sent
      reader.setSoTimeout(10_000);
      String received = new String(reader.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      int records = received.split("\"tailmem n", -1).length - 1;
      assertThat(records).isLessThan(300);
    }
    Eventually.within(Duration.ofSeconds(5), "the stream's memory given back", () -> memory.held() == 0);
  }
}
