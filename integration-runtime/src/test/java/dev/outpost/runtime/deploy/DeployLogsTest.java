package dev.outpost.runtime.deploy;

import static dev.outpost.runtime.Eventually.eventually;
import static dev.outpost.runtime.Integrations.httpRoute;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.runtime.Integrations;
import dev.outpost.runtime.telemetry.OtlpReceiver;
import dev.outpost.spec.model.Integration;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;
import java.net.URL;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * What the deployer logs about an integration reaches that integration's logs in observability-api:
 * a project's users look for why their deploy failed among their own records (by
 * {@code outpost.project}), where a line without the attribute never shows.
 */
@QuarkusTest
@QuarkusTestResource(value = OtlpReceiver.class, restrictToAnnotatedClass = true)
class DeployLogsTest {

  @TestHTTPResource(value = "/", management = true)
  URL management;

  @ConfigProperty(name = "quarkus.otel.exporter.otlp.endpoint")
  String receiver;

  @Test
  void theLogRecordOfAFailedDeployCarriesTheIntegrationsProject() throws Exception {
    // one Camel refuses, one the deployer's own checks refuse before Camel sees it
    Integration inCamel = new Integration("logged-failure", "shop", "3", httpRoute("logged-failure", "/logged-failure", """
        - to: "kafka:orders"
        """), Map.of(), List.of(), 1, null);
    Integration refused = new Integration("logged-refusal", "shop", "4", httpRoute("logged-refusal", "/logged-refusal", """
        - setBody:
            constant: "{{config.missing}}"
        """), Map.of(), List.of(), 1, null);
    Integrations.put(management, inCamel).then().statusCode(422);
    Integrations.put(management, refused).then().statusCode(422);

    for (Integration failed : List.of(inCamel, refused)) {
      String line = "integration " + failed.name() + " version " + failed.version() + " failed to deploy: ";
      eventually(() -> assertThat(logs()).filteredOn(r -> r.getString("body").startsWith(line)).singleElement()
          .satisfies(record -> {
            JsonObject attributes = record.getJsonObject("attributes");
            assertThat(attributes.getString("outpost.project")).as(record.encode()).isEqualTo("shop");
            assertThat(attributes.getString("outpost.integration")).isEqualTo(failed.name());
            assertThat(attributes.getString("outpost.integration.version")).isEqualTo(failed.version());
          }));
    }
  }

  private List<JsonObject> logs() {
    return new JsonObject(given().get(receiver + "/received").asString()).getJsonArray("records").stream()
        .map(JsonObject.class::cast).filter(r -> r.getString("kind").equals("log")).toList();
  }
}
