package dev.outpost.observability.ingest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.observability.support.Eventually;
import dev.outpost.observability.support.Otlp;
import dev.outpost.observability.support.TestIdpResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Over the in-flight limit the receiver answers 429 with Retry-After instead of queueing without
 * bound, and the request it is still handling is stored all the same.
 */
@QuarkusTest
@TestProfile(InFlightLimitTest.OneInFlight.class)
@QuarkusTestResource(TestIdpResource.class)
class InFlightLimitTest {

  /** One request at a time. */
  public static class OneInFlight implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("outpost.observability.ingest.max-in-flight", "1");
    }
  }

  @Inject OtlpServer server;
  @Inject HeldIngest held;

  @Test
  void aRequestOverTheLimitGets429WithRetryAfterAndTheOneInFlightIsStored() throws Exception {
    String project = "busy-" + UUID.randomUUID();
    long now = System.currentTimeMillis() * 1_000_000L;
    byte[] held = Otlp.logs(Otlp.resource("svc", project), List.of(Otlp.log(now, "held in flight", Map.of()))).toByteArray();
    byte[] other = Otlp.logs(Otlp.resource("svc", project), List.of(Otlp.log(now, "one too many", Map.of()))).toByteArray();
    Otlp otlp = new Otlp(server.port());

    try (Socket slow = new Socket("127.0.0.1", server.port())) {
      // headers and half the body: the request holds its place until the rest arrives
      OutputStream out = slow.getOutputStream();
      Otlp.startUpload(out, held);

      HttpResponse<byte[]>[] refused = new HttpResponse[1];
      Eventually.within(Duration.ofSeconds(10), "a second request refused while the first is in flight", () -> {
        refused[0] = otlp.post("/v1/logs", "application/x-protobuf", other, Otlp.bearer(Otlp.DATA_PLANE_TOKEN));
        return refused[0].statusCode() == 429;
      });
      assertThat(refused[0].headers().firstValue("Retry-After")).hasValue("1");
      assertThat(new String(refused[0].body(), StandardCharsets.UTF_8)).contains("too many requests in flight");

      out.write(held, held.length / 2, held.length - held.length / 2);
      out.flush();
      InputStream in = slow.getInputStream();
      String status = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
      assertThat(status).isEqualTo("HTTP/1.1 200");
    }

    // the place is free again, and the held record was stored
    assertThat(otlp.post("/v1/logs", "application/x-protobuf", other, Otlp.bearer(Otlp.DATA_PLANE_TOKEN)).statusCode())
        .isEqualTo(200);
    String token = TestIdpResource.idp().token("alice", List.of(project));
    Eventually.within(Duration.ofSeconds(5), "the held record is searchable", () ->
        given().auth().oauth2(token).queryParam("q", "\"held in flight\"").get("/api/v1/logs")
            .jsonPath().getList("records").size() == 1);
  }

  /**
   * A client that hangs up while its batch is being stored does not give back its place: the batch
   * is still stored, holding a worker and its body's memory, and a client that posts and hangs up
   * could otherwise start any number of them past max-in-flight.
   */
  @Test
  void aRequestWhoseClientHungUpKeepsItsPlaceUntilItsWorkEnds() throws Exception {
    String project = "hung-up-" + UUID.randomUUID();
    long now = System.currentTimeMillis() * 1_000_000L;
    byte[] kept = Otlp.logs(Otlp.resource("svc", project), List.of(Otlp.log(now, HeldIngest.MARKER + " kept", Map.of())))
        .toByteArray();
    byte[] other = Otlp.logs(Otlp.resource("svc", project), List.of(Otlp.log(now, "after the hang-up", Map.of())))
        .toByteArray();
    Otlp otlp = new Otlp(server.port());
    held.reset();
    try {
      try (Socket client = new Socket("127.0.0.1", server.port())) {
        OutputStream out = client.getOutputStream();
        Otlp.startUpload(out, kept);
        out.write(kept, kept.length / 2, kept.length - kept.length / 2);
        out.flush();
        Eventually.within(Duration.ofSeconds(10), "the batch is being stored", held::holding);
      } // hung up
      // for a second after the hang-up, the place is still the stored batch's
      long until = System.currentTimeMillis() + 1000;
      while (System.currentTimeMillis() < until) {
        HttpResponse<byte[]> refused = otlp.post("/v1/logs", "application/x-protobuf", other,
            Otlp.bearer(Otlp.DATA_PLANE_TOKEN));
        assertThat(refused.statusCode()).as("a request while the hung-up one's batch is stored").isEqualTo(429);
        Thread.sleep(50);
      }
    } finally {
      held.release();
    }
    // once stored, the place is free again, and the batch of the client that hung up was stored
    Eventually.within(Duration.ofSeconds(10), "a place free again", () -> otlp.post("/v1/logs",
        "application/x-protobuf", other, Otlp.bearer(Otlp.DATA_PLANE_TOKEN)).statusCode() == 200);
    String token = TestIdpResource.idp().token("alice", List.of(project));
    Eventually.within(Duration.ofSeconds(5), "the hung-up client's record is searchable", () ->
        given().auth().oauth2(token).queryParam("q", "kept").get("/api/v1/logs").jsonPath().getList("records").size() == 1);
  }
}
