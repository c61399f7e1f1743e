package dev.outpost.observability.ingest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.observability.support.Otlp;
import dev.outpost.observability.support.TestIdpResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** When the disk is nearly full the receiver says so (503 + Retry-After) instead of dropping silently. */
@QuarkusTest
@TestProfile(BackpressureTest.DiskNearlyFull.class)
@QuarkusTestResource(TestIdpResource.class)
class BackpressureTest {

  /** Any free space is "too little". */
  public static class DiskNearlyFull implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("outpost.observability.ingest.min-free-disk-bytes", Long.toString(Long.MAX_VALUE));
    }
  }

  @Inject OtlpServer server;

  @Test
  void aNearlyFullDiskAnswers503WithRetryAfterAndStoresNothing() throws Exception {
    String project = "full-" + UUID.randomUUID();
    var request = Otlp.logs(Otlp.resource("svc", project),
        List.of(Otlp.log(System.currentTimeMillis() * 1_000_000L, "not stored", Map.of())));
    HttpResponse<byte[]> response = new Otlp(server.port()).post("/v1/logs", "application/x-protobuf",
        request.toByteArray(), Otlp.bearer(Otlp.DATA_PLANE_TOKEN));
    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(response.headers().firstValue("Retry-After")).hasValue("30");
    assertThat(new String(response.body(), StandardCharsets.UTF_8)).contains("disk is nearly full");

    Thread.sleep(500);
    String token = TestIdpResource.idp().token("alice", List.of(project));
    assertThat(given().auth().oauth2(token).get("/api/v1/logs").jsonPath().getList("records")).isEmpty();
  }
}
