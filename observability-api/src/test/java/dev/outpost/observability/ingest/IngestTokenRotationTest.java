package dev.outpost.observability.ingest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.observability.support.Eventually;
import dev.outpost.observability.support.Otlp;
import dev.outpost.observability.support.TestIdpResource;
import dev.outpost.spec.ingest.IntegrationIngestTokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.net.URL;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * While the ingest token is rotated, senders that still hold the one before it (gateways during their
 * rollout, integration pods until the agent has rolled them onto tokens derived from the new one)
 * keep being stored rather than refused with a 401 their exporters do not retry.
 */
@QuarkusTest
@TestProfile(IngestTokenRotationTest.WithPreviousToken.class)
@QuarkusTestResource(TestIdpResource.class)
class IngestTokenRotationTest {

  static final String PREVIOUS = "test-previous-data-plane-token-0123456789";

  /** The test profile's token is the new one; {@link #PREVIOUS} the one being rotated out. */
  public static class WithPreviousToken implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("outpost.observability.ingest.previous-data-plane-token", PREVIOUS);
    }
  }

  @Inject OtlpServer server;

  @TestHTTPResource(value = "/metrics", management = true)
  URL metrics;

  private Otlp otlp;
  private String reader;

  @BeforeEach
  void setUp() {
    otlp = new Otlp(server.port());
    reader = TestIdpResource.idp().token("alice", List.of("acme", "rotation"));
  }

  @Test
  void thePreviousTokenAndTheTokensDerivedFromItAreAcceptedBesideTheCurrentOnes() {
    IntegrationIngestTokens current = new IntegrationIngestTokens(Otlp.DATA_PLANE_TOKEN);
    IntegrationIngestTokens previous = new IntegrationIngestTokens(PREVIOUS);
    Map<String, String> senders = Map.of(
        "current", Otlp.DATA_PLANE_TOKEN,
        "previous", PREVIOUS,
        "issuedCurrent", current.issue("acme", "billing"),
        "issuedPrevious", previous.issue("acme", "billing"));
    String marker = "rotation" + UUID.randomUUID().toString().replace("-", "");
    double before = previousTokenRequests();
    senders.forEach((sender, token) -> assertThat(post(marker + " " + sender, token)).as(sender).isEqualTo(200));

    Eventually.within(Duration.ofSeconds(5), "every sender's record", () -> records(marker).size() == senders.size());
    JsonPath found = search(marker + " AND issuedPrevious");
    assertThat(found.getString("records[0].project")).as("bound as the agent issued it").isEqualTo("acme");
    assertThat(found.getString("records[0].integration")).isEqualTo("billing");
    assertThat(search(marker + " AND previous").getString("records[0].project"))
        .as("the data plane's token writes the project its records name").isEqualTo("rotation");
    // how an operator knows when the previous token can go: nothing sends it any more
    assertThat(previousTokenRequests() - before).isEqualTo(2.0);
  }

  @Test
  void anUnrelatedTokenOrOneDerivedFromItIsStillRefused() {
    String issued = new IntegrationIngestTokens(PREVIOUS).issue("acme", "billing");
    String renamed = "oit1.someone-else.billing." + issued.substring(issued.lastIndexOf('.') + 1);
    List<String> forged = List.of("test-unrelated-data-plane-token-0123456789", PREVIOUS + "x",
        new IntegrationIngestTokens("test-unrelated-data-plane-token-0123456789").issue("acme", "billing"),
        renamed, issued + "x");
    for (String token : forged) {
      assertThat(post("refused", token)).as(token).isEqualTo(401);
    }
  }

  private int post(String body, String token) {
    var request = Otlp.logs(Otlp.resource("checkout", "rotation"),
        List.of(Otlp.log(System.currentTimeMillis() * 1_000_000L, body, Map.of())));
    return otlp.post("/v1/logs", "application/x-protobuf", request.toByteArray(), Otlp.bearer(token)).statusCode();
  }

  private JsonPath search(String query) {
    return given().auth().oauth2(reader).queryParam("q", query).get("/api/v1/logs").then().statusCode(200)
        .extract().jsonPath();
  }

  private List<Object> records(String query) {
    return search(query).getList("records");
  }

  private double previousTokenRequests() {
    return given().when().get(metrics).then().statusCode(200).extract().asString().lines()
        .filter(l -> l.startsWith("outpost_ingest_previous_token_requests_total "))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.indexOf(' ') + 1))).findFirst().orElse(0);
  }
}
