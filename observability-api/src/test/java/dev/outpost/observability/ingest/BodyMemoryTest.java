package dev.outpost.observability.ingest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.observability.support.Eventually;
import dev.outpost.observability.support.Otlp;
import dev.outpost.observability.support.TestIdpResource;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Bodies still on the wire count against the ingest heap budget: 64 requests in flight with 4 MiB
 * bodies each held 512 MiB (buffer and copy) beside a budget that counted only their decoding.
 */
@QuarkusTest
@TestProfile(BodyMemoryTest.SmallBudget.class)
@QuarkusTestResource(TestIdpResource.class)
class BodyMemoryTest {

  /** 4 MiB for everything being received and decoded; the in-flight limit stays at 64. */
  public static class SmallBudget implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("outpost.observability.ingest.decode-memory-bytes", Long.toString(4L << 20));
    }
  }

  @Inject OtlpServer server;

  @Test
  void bodiesBeingReceivedHoldTheirHeapUntilTheirRequestEnds() throws Exception {
    String project = "bodies-" + UUID.randomUUID();
    byte[] slow = records(project, "never finished", 960);   // about 1 MB: holds about 2 MB on the wire
    byte[] next = records(project, "waited its turn", 190);  // about 200 KB: 400 KB more do not fit
    byte[] tiny = records(project, "small enough", 1);
    assertThat(slow.length).isBetween(980_000, 1_040_000);
    Otlp otlp = new Otlp(server.port());

    try (Socket first = new Socket("127.0.0.1", server.port()); Socket second = new Socket("127.0.0.1", server.port())) {
      Otlp.startUpload(first.getOutputStream(), slow);
      Otlp.startUpload(second.getOutputStream(), slow);

      HttpResponse<byte[]>[] refused = new HttpResponse[1];
      Eventually.within(Duration.ofSeconds(10), "a body refused while two others are received", () -> {
        refused[0] = otlp.post("/v1/logs", "application/x-protobuf", next, Otlp.bearer(Otlp.DATA_PLANE_TOKEN));
        return refused[0].statusCode() == 429;
      });
      assertThat(refused[0].headers().firstValue("Retry-After")).hasValue("1");
      assertThat(new String(refused[0].body(), StandardCharsets.UTF_8)).contains("being received or decoded");
      // what still fits is taken
      assertThat(otlp.post("/v1/logs", "application/x-protobuf", tiny, Otlp.bearer(Otlp.DATA_PLANE_TOKEN)).statusCode())
          .isEqualTo(200);
    }

    // the two senders left mid-body: their heap is given back, and nothing of theirs was stored
    Eventually.within(Duration.ofSeconds(5), "the refused body taken once the others are gone", () ->
        otlp.post("/v1/logs", "application/x-protobuf", next, Otlp.bearer(Otlp.DATA_PLANE_TOKEN)).statusCode() == 200);
    String token = TestIdpResource.idp().token("alice", List.of(project));
    Eventually.within(Duration.ofSeconds(5), "the two stored batches searchable", () ->
        given().auth().oauth2(token).queryParam("limit", 1000).get("/api/v1/logs").jsonPath().getList("records").size()
            == 191);
    assertThat(given().auth().oauth2(token).queryParam("q", "\"never finished\"").get("/api/v1/logs")
        .jsonPath().getList("records")).isEmpty();
  }

  /** {@code count} records of about 1 KB as one protobuf request. */
  private static byte[] records(String project, String text, int count) {
    long now = System.currentTimeMillis() * 1_000_000L;
    String filler = " " + "z".repeat(1_000);
    List<LogRecord> records = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      records.add(Otlp.log(now + i, text + filler, Map.of()));
    }
    return Otlp.logs(Otlp.resource("svc", project), records).toByteArray();
  }
}
