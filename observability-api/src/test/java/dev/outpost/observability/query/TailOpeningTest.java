package dev.outpost.observability.query;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.observability.ingest.OtlpServer;
import dev.outpost.observability.support.Eventually;
import dev.outpost.observability.support.Otlp;
import dev.outpost.observability.support.TestIdpResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.net.URL;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * A tail's response headers go out before its stream is subscribed, so they do not say that records
 * from now on reach it. Its first bytes do: a keep-alive written once it is subscribed. The console
 * marked a tail open on the headers, and a record stored in between was never tailed.
 */
@QuarkusTest
@TestProfile(TailOpeningTest.NoScheduledKeepAlive.class)
@QuarkusTestResource(TestIdpResource.class)
class TailOpeningTest {

  /** No keep-alive is due during the test: the first bytes can only be the one written on subscribing. */
  public static class NoScheduledKeepAlive implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("outpost.observability.query.tail-keep-alive", "PT1H");
    }
  }

  @Inject OtlpServer server;

  @TestHTTPResource("/api/v1/logs/tail")
  URL tail;

  @Test
  void aTailsFirstBytesComeOnceItIsSubscribedAndARecordStoredAfterThemReachesIt() {
    String project = "tail-first-" + UUID.randomUUID();
    List<CompletableFuture<?>> streams = new CopyOnWriteArrayList<>();
    List<String> lines = LiveTailTest.follow(tail, TestIdpResource.idp().token("first", List.of(project)), "first",
        streams, l -> !l.isEmpty());
    try {
      Eventually.within(Duration.ofSeconds(5), "the tail's first bytes, with no record to send",
          () -> !lines.isEmpty());
      assertThat(lines.get(0)).startsWith(":");
      // no wait for the subscription: the first bytes said it is there
      new Otlp(server.port()).send(Otlp.logs(Otlp.resource("svc", project),
          List.of(Otlp.log(System.currentTimeMillis() * 1_000_000L, "first right after", Map.of()))));
      Eventually.within(Duration.ofSeconds(3), "the record", () -> lines.stream().anyMatch(l -> l.startsWith("data:")));
      assertThat(lines.stream().filter(l -> l.startsWith("data:")).findFirst().orElseThrow())
          .contains("first right after");
    } finally {
      streams.forEach(s -> s.cancel(true));
    }
  }
}
