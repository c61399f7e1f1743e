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
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** A stalled upload is cut off after the OTLP port's idle timeout and gives its in-flight place back. */
@QuarkusTest
@TestProfile(IdleUploadTimeoutTest.OneInFlightShortIdle.class)
@QuarkusTestResource(TestIdpResource.class)
class IdleUploadTimeoutTest {

  /** One request at a time; connections idle for 3 s are closed. */
  public static class OneInFlightShortIdle implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("outpost.observability.ingest.max-in-flight", "1", "outpost.observability.ingest.idle-timeout", "PT3S");
    }
  }

  @Inject OtlpServer server;

  @Test
  void aStalledUploadIsCutOffAfterTheIdleTimeoutAndGivesItsPlaceBack() throws Exception {
    String project = "stalled-" + UUID.randomUUID();
    long now = System.currentTimeMillis() * 1_000_000L;
    byte[] stalled = Otlp.logs(Otlp.resource("svc", project), List.of(Otlp.log(now, "never finished", Map.of()))).toByteArray();
    byte[] next = Otlp.logs(Otlp.resource("svc", project), List.of(Otlp.log(now, "after the stall", Map.of()))).toByteArray();
    Otlp otlp = new Otlp(server.port());

    try (Socket slow = new Socket("127.0.0.1", server.port())) {
      slow.setSoTimeout(15_000);
      OutputStream out = slow.getOutputStream();
      Otlp.startUpload(out, stalled);
      assertThat(otlp.post("/v1/logs", "application/x-protobuf", next, Otlp.bearer(Otlp.DATA_PLANE_TOKEN)).statusCode())
          .isEqualTo(429);
      long start = System.nanoTime();
      // the receiver closes the idle connection: end of stream, without an answer
      assertThat(slow.getInputStream().read()).isEqualTo(-1);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    }

    Eventually.within(Duration.ofSeconds(5), "the place is free again", () ->
        otlp.post("/v1/logs", "application/x-protobuf", next, Otlp.bearer(Otlp.DATA_PLANE_TOKEN)).statusCode() == 200);
    String token = TestIdpResource.idp().token("alice", List.of(project));
    Eventually.within(Duration.ofSeconds(5), "only the finished record is stored", () ->
        given().auth().oauth2(token).queryParam("q", "service:svc").get("/api/v1/logs")
            .jsonPath().getList("records.body").equals(List.of("after the stall")));
  }
}
