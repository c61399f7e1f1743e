package dev.outpost.observability.query;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.observability.ingest.OtlpServer;
import dev.outpost.observability.support.Eventually;
import dev.outpost.observability.support.Otlp;
import dev.outpost.observability.support.TestIdpResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.URL;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(TestIdpResource.class)
public class LiveTailTest {

  @Inject OtlpServer server;
  @Inject TailHub hub;

  @TestHTTPResource("/api/v1/logs/tail")
  URL tail;

  /** Opens a tail; returns the data lines as they arrive. */
  public static List<String> follow(URL tail, String token, String query, List<CompletableFuture<?>> streams) {
    List<String> lines = new CopyOnWriteArrayList<>();
    HttpRequest request = HttpRequest.newBuilder(URI.create(tail + "?q=" + URLEncoder.encode(query,
            StandardCharsets.UTF_8))).header("Authorization", "Bearer " + token)
        .header("Accept", "text/event-stream").build();
    streams.add(HttpClient.newHttpClient().sendAsync(request, HttpResponse.BodyHandlers.ofLines())
        .thenAccept(response -> {
          try (Stream<String> body = response.body()) {
            body.filter(l -> l.startsWith("data:")).forEach(lines::add);
          }
        }));
    return lines;
  }

  @Test
  void matchingRecordsArePushedAsTheyArriveOnlyFromTheCallersProjects() {
    String own = "tail-" + UUID.randomUUID();
    String other = "tail-other-" + UUID.randomUUID();
    String token = TestIdpResource.idp().token("alice", List.of(own));
    List<CompletableFuture<?>> streams = new CopyOnWriteArrayList<>();
    int before = hub.subscriberCount();
    List<String> lines = follow(tail, token, "body:wanted OR project:\"" + other + "\"", streams);
    try {
      Eventually.within(Duration.ofSeconds(5), "subscribed", () -> hub.subscriberCount() > before);
      Otlp otlp = new Otlp(server.port());
      long now = System.currentTimeMillis() * 1_000_000L;
      otlp.send(Otlp.logs(Otlp.resource("svc", own), List.of(
          Otlp.log(now, "wanted one", Map.of()), Otlp.log(now + 1, "unwanted", Map.of()))));
      otlp.send(Otlp.logs(Otlp.resource("svc", other), List.of(Otlp.log(now + 2, "wanted secret", Map.of()))));
      otlp.send(Otlp.logs(Otlp.resource("svc", own), List.of(Otlp.log(now + 3, "wanted two", Map.of()))));
      Eventually.within(Duration.ofSeconds(2), "two records pushed", () -> lines.size() >= 2);
      // the other project's record was ingested before "wanted two": had it passed, it would be here
      assertThat(lines).hasSize(2);
      assertThat(lines.get(0)).contains("wanted one").contains(own);
      assertThat(lines.get(1)).contains("wanted two");
      assertThat(String.join("", lines)).doesNotContain("secret").doesNotContain("unwanted");
    } finally {
      streams.forEach(s -> s.cancel(true));
    }
  }

  @Test
  void aTailWithoutATokenIsRefused() throws Exception {
    HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(tail.toURI()).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(401);
  }
}
