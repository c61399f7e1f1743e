package dev.outpost.observability.query;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.observability.support.Eventually;
import dev.outpost.observability.support.TestIdpResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Searches running at once are bounded per caller and in all: each runs on a worker thread and
 * decodes blocks outside {@code query.memory-bytes}, so one caller's script of parallel searches
 * took every thread and core from the other users. One more is a 429 with {@code Retry-After}.
 */
@QuarkusTest
@TestProfile(SearchSlotsTest.TwoPerCallerThreeInAll.class)
@QuarkusTestResource(TestIdpResource.class)
class SearchSlotsTest {

  public static class TwoPerCallerThreeInAll implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("outpost.observability.query.max-searches-per-caller", "2",
          "outpost.observability.query.max-searches", "3");
    }
  }

  @Inject SearchSlots slots;
  @Inject TailHub hub;

  @TestHTTPResource("/api/v1/logs/tail")
  URL tail;

  private final List<SearchSlots.Slot> held = new ArrayList<>();

  @AfterEach
  void giveBack() {
    held.forEach(SearchSlots.Slot::close);
    held.clear();
  }

  /** Every endpoint that searches the store, as the console and Jaeger UI call them. */
  private static final List<String> SEARCHES = List.of("/api/v1/logs", "/api/v1/logs/histogram", "/api/v1/traces",
      "/api/v1/services", "/api/v1/traces/0af7651916cd43dd8448eb211c80319c", "/jaeger/api/services",
      "/jaeger/api/traces?service=checkout", "/jaeger/api/dependencies", "/jaeger/api/v3/services");

  @Test
  void aCallerWithEverySlotTakenIsAnswered429WithRetryAfterAndOtherCallersAreServed() {
    String project = "slots-" + UUID.randomUUID();
    String alice = "alice-" + UUID.randomUUID();
    held.add(slots.take(alice));
    held.add(slots.take(alice));
    String aliceToken = TestIdpResource.idp().token(alice, List.of(project));
    for (String path : SEARCHES) {
      Response refused = given().auth().oauth2(aliceToken).get(path);
      assertThat(refused.statusCode()).as(path).isEqualTo(429);
      assertThat(refused.header("Retry-After")).as(path).isEqualTo("1");
      // each API in its own error form: Jaeger UI and Grafana read the message from Jaeger's
      String message = path.startsWith("/jaeger/api/v3/") ? refused.jsonPath().getString("error.message")
          : path.startsWith("/jaeger/") ? refused.jsonPath().getString("errors[0].msg")
          : refused.jsonPath().getString("message");
      assertThat(message).as(path).contains("at most 2 searches per caller at once");
      if (path.startsWith("/jaeger/api/v3/")) {
        assertThat(refused.jsonPath().getInt("error.httpCode")).isEqualTo(429);
      } else if (path.startsWith("/jaeger/")) {
        assertThat(refused.jsonPath().getInt("errors[0].code")).isEqualTo(429);
      } else {
        assertThat(refused.jsonPath().getString("error")).as(path).isEqualTo("too_many_searches");
      }
    }
    String bobToken = TestIdpResource.idp().token("bob-" + UUID.randomUUID(), List.of(project));
    assertThat(given().auth().oauth2(bobToken).get("/api/v1/logs").statusCode()).isEqualTo(200);
    assertThat(slots.running()).as("the refused ones took nothing").isEqualTo(2);
  }

  @Test
  void pastTheLimitInAllEveryCallerIsAnswered429() {
    held.add(slots.take("carol-" + UUID.randomUUID()));
    held.add(slots.take("carol-" + UUID.randomUUID()));
    held.add(slots.take("carol-" + UUID.randomUUID()));
    String dan = TestIdpResource.idp().token("dan-" + UUID.randomUUID(), List.of("slots"));
    Response refused = given().auth().oauth2(dan).get("/api/v1/traces");
    assertThat(refused.statusCode()).isEqualTo(429);
    assertThat(refused.jsonPath().getString("message")).contains("at most 3 searches at once");

    held.remove(0).close();
    assertThat(given().auth().oauth2(dan).get("/api/v1/traces").statusCode()).isEqualTo(200);
  }

  /** Answered, refused for bad input or for another project's data: each gives its slot back. */
  @Test
  void everySearchGivesItsSlotBackWhateverItsAnswer() {
    String erin = "erin-" + UUID.randomUUID();
    String token = TestIdpResource.idp().token(erin, List.of("slots-erin"));
    for (int i = 0; i < 3; i++) {
      assertThat(given().auth().oauth2(token).get("/api/v1/logs").statusCode()).isEqualTo(200);
      assertThat(given().auth().oauth2(token).queryParam("limit", "many").get("/api/v1/logs").statusCode())
          .isEqualTo(400);
      assertThat(given().auth().oauth2(token).queryParam("q", "service:[a TO").get("/api/v1/logs").statusCode())
          .isEqualTo(400);
      assertThat(given().auth().oauth2(token).queryParam("project", "not-erins").get("/api/v1/traces")
          .statusCode()).isEqualTo(403);
      assertThat(given().auth().oauth2(token).get("/jaeger/api/traces/zz").statusCode()).isEqualTo(400);
    }
    Eventually.within(Duration.ofSeconds(5), "every slot given back", () -> slots.running() == 0);
    assertThat(given().get("/api/v1/logs").statusCode()).as("no token").isEqualTo(401);
    assertThat(slots.running()).isZero();
  }

  /** Live tails have their own bounds; one held open for hours holds no search slot. */
  @Test
  void openLiveTailsHoldNoSearchSlot() {
    String fay = "fay-" + UUID.randomUUID();
    String token = TestIdpResource.idp().token(fay, List.of("slots-fay"));
    int before = hub.subscriberCount();
    List<CompletableFuture<?>> streams = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        LiveTailTest.follow(tail, token, "anything", streams);
      }
      Eventually.within(Duration.ofSeconds(5), "three tails open", () -> hub.subscriberCount() == before + 3);
      assertThat(given().auth().oauth2(token).get("/api/v1/logs").statusCode()).isEqualTo(200);
      assertThat(given().auth().oauth2(token).get("/api/v1/traces").statusCode()).isEqualTo(200);
      assertThat(slots.running()).isZero();
    } finally {
      streams.forEach(s -> s.cancel(true));
    }
  }
}
