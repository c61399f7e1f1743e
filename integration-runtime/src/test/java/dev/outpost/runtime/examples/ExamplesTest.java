package dev.outpost.runtime.examples;

import static dev.outpost.runtime.Eventually.eventually;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.outpost.runtime.Backend;
import dev.outpost.runtime.Integrations;
import dev.outpost.spec.model.DataPlaneState;
import dev.outpost.spec.model.Integration;
import dev.outpost.spec.state.StateCodec;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The integrations of {@code examples/} run unchanged except for their backend URLs, which point at
 * real backends on loopback ephemeral ports here.
 */
@QuarkusTest
class ExamplesTest {

  static final Path EXAMPLES = Path.of("..", "examples");

  @TestHTTPResource("/")
  URL http;

  @TestHTTPResource(value = "/", management = true)
  URL management;

  static Integration example(String file, String name, Map<String, String> config) throws Exception {
    DataPlaneState state = StateCodec.readYaml(Files.readString(EXAMPLES.resolve(file)));
    Integration i = state.integrations().stream().filter(x -> x.name().equals(name)).findFirst().orElseThrow();
    Map<String, String> merged = new HashMap<>(i.config());
    merged.putAll(config);
    return new Integration(i.name(), i.project(), i.version(), i.source(), merged, i.secrets(), i.replicas(),
        i.resources());
  }

  @Test
  void publicHelloAnswersWithItsConfiguredGreeting() throws Exception {
    Integrations.put(management, example("public-hello.yaml", "hello", Map.of())).then().statusCode(200);
    given().get(http + "hello").then().statusCode(200).body("message", equalTo("Hello from Outpost"));
    Integrations.delete(management, "hello").then().statusCode(204);
  }

  @Test
  void theRestFacadeReshapesTheCrmJsonWithItsSecretToken() throws Exception {
    Path secret = Path.of("target/test-state/secrets/crm-credentials/api-token");
    Files.createDirectories(secret.getParent());
    Files.writeString(secret, "crm-token-example-123\n");
    try (Backend crm = Backend.json("""
        {"contactId": "42", "firstName": "Ada", "lastName": "Lovelace",
         "emails": [{"address": "ada@example.com", "primary": true}], "internalScore": 0.93}
        """)) {
      Integrations.put(management, example("two-projects.yaml", "customer-view", Map.of("CRM_URL", crm.url() + "/crm")))
          .then().statusCode(200);
      given().header("X-Outpost-Subject", "alice").get(http + "customers?id=42").then().statusCode(200)
          .header("Content-Type", equalTo("application/json"))
          .body("id", equalTo("42")).body("name", equalTo("Ada Lovelace")).body("email", equalTo("ada@example.com"))
          .body("internalScore", equalTo(null));
      Backend.Received call = crm.received().get(0);
      assertThat(call.method()).isEqualTo("GET");
      assertThat(call.path()).isEqualTo("/crm/contacts/42");
      assertThat(call.header("Authorization")).isEqualTo("Bearer crm-token-example-123");
      Integrations.delete(management, "customer-view").then().statusCode(204);
    }
  }

  @Test
  void theOrderRouterSendsEachOrderToTheBackendOfItsRegion() throws Exception {
    try (Backend eu = Backend.json("{\"accepted\": \"eu\"}"); Backend us = Backend.json("{\"accepted\": \"us\"}")) {
      Integrations.put(management, example("two-projects.yaml", "order-router",
          Map.of("EU_ORDERS_URL", eu.url() + "/eu/orders", "US_ORDERS_URL", us.url() + "/us/orders")))
          .then().statusCode(200);
      given().contentType("application/json").body("{\"region\": \"eu\", \"sku\": \"A-1\"}")
          .post(http + "order-intake").then().statusCode(200).body("accepted", equalTo("eu"));
      given().contentType("application/json").body("{\"region\": \"us\", \"sku\": \"B-2\"}")
          .post(http + "order-intake").then().statusCode(200).body("accepted", equalTo("us"));
      given().contentType("application/json").body("{\"region\": \"mars\"}")
          .post(http + "order-intake").then().statusCode(422).body("error", equalTo("region must be eu or us"));
      given().get(http + "order-intake").then().statusCode(405);

      assertThat(eu.received()).singleElement().satisfies(r -> {
        assertThat(r.method()).isEqualTo("POST");
        assertThat(r.path()).isEqualTo("/eu/orders");
        assertThat(r.body()).contains("A-1");
      });
      assertThat(us.received()).singleElement().satisfies(r -> assertThat(r.body()).contains("B-2"));
      Integrations.delete(management, "order-router").then().statusCode(204);
    }
  }

  @Test
  void theScheduledPollerForwardsOnlyWhatChanged() throws Exception {
    AtomicReference<String> stock = new AtomicReference<>("{\"sku\": \"A-1\", \"count\": 5}");
    try (Backend feed = Backend.start(r -> new Backend.Reply(200, "application/json", stock.get()));
        Backend warehouse = Backend.json("{}")) {
      Integrations.put(management, example("two-projects.yaml", "stock-poller", Map.of(
          "STOCK_FEED_URL", feed.url() + "/stock", "WAREHOUSE_URL", warehouse.url() + "/warehouse/stock",
          "POLL_PERIOD_MS", "100"))).then().statusCode(200);
      eventually(() -> assertThat(feed.received().size()).isGreaterThanOrEqualTo(4));
      assertThat(warehouse.received()).singleElement().satisfies(r -> {
        assertThat(r.method()).isEqualTo("PUT");
        assertThat(r.path()).isEqualTo("/warehouse/stock");
        assertThat(r.body()).contains("\"count\": 5");
      });
      stock.set("{\"sku\": \"A-1\", \"count\": 4}");
      int polled = feed.received().size();
      eventually(() -> assertThat(feed.received().size()).isGreaterThanOrEqualTo(polled + 4));
      assertThat(warehouse.received()).hasSize(2);
      assertThat(warehouse.received().get(1).body()).contains("\"count\": 4");
      Integrations.delete(management, "stock-poller").then().statusCode(204);
      int afterRemoval = feed.received().size();
      Thread.sleep(400);
      assertThat(feed.received().size()).as("no poll after removal").isLessThanOrEqualTo(afterRemoval + 1);
    }
  }

  @Test
  void theOrdersFacadeServesListAndCreateFromOneIntegration() throws Exception {
    try (Backend orders = Backend.start(r -> r.method().equals("GET")
        ? new Backend.Reply(200, "application/json", "[{\"id\": 1}]")
        : new Backend.Reply(201, "application/json", "{\"id\": 2}"))) {
      DataPlaneState state = StateCodec.readYaml(Files.readString(EXAMPLES.resolve("orders-jwt.yaml")));
      Integration api = state.integrations().get(0);
      String backendKey = api.config().keySet().iterator().next();
      Integrations.put(management, example("orders-jwt.yaml", api.name(), Map.of(backendKey, orders.url())))
          .then().statusCode(200);
      given().get(http + "orders").then().statusCode(200).body("[0].id", equalTo(1));
      given().contentType("application/json").body("{\"item\": \"x\"}").post(http + "orders")
          .then().statusCode(201).body("id", equalTo(2));
      assertThat(orders.received()).extracting(Backend.Received::method).containsExactly("GET", "POST");
      assertThat(orders.received()).extracting(Backend.Received::path).containsOnly("/orders");
      Integrations.delete(management, api.name()).then().statusCode(204);
    }
  }

  @Test
  void theOrdersFacadeCallsItsOwnBackendIntegrationThroughTheRuntime() throws Exception {
    String self = Integrations.base(http) + "backend";
    Integrations.put(management, example("orders-jwt.yaml", "orders-backend", Map.of())).then().statusCode(200);
    Integrations.put(management, example("orders-jwt.yaml", "orders-api", Map.of("ORDERS_BACKEND_URL", self)))
        .then().statusCode(200);
    given().get(http + "orders").then().statusCode(200).body("[0].id", equalTo("A-1001"));
    given().contentType("application/json").body("{\"item\": \"widget\"}").post(http + "orders")
        .then().statusCode(201).body("status", equalTo("accepted"));
    Integrations.delete(management, "orders-api").then().statusCode(204);
    Integrations.delete(management, "orders-backend").then().statusCode(204);
  }
}
