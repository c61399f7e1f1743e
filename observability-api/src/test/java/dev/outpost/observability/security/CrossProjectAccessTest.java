package dev.outpost.observability.security;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.observability.ingest.OtlpServer;
import dev.outpost.observability.query.TailHub;
import dev.outpost.observability.support.Eventually;
import dev.outpost.observability.support.Otlp;
import dev.outpost.observability.support.TestIdp;
import dev.outpost.observability.support.TestIdpResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A caller who may read project "own" tries to read project "other" every way we could think of.
 * Each attempt must be refused (401/403/404) or answer without a trace of "other".
 */
@QuarkusTest
@QuarkusTestResource(TestIdpResource.class)
class CrossProjectAccessTest {

  @Inject OtlpServer server;
  @Inject TailHub hub;

  @io.quarkus.test.common.http.TestHTTPResource("/api/v1/logs/tail")
  java.net.URL tail;

  private String own;
  private String other;
  private String otherTrace;
  private String token;

  /** One attempt and what it must give; {@code holds}, what an answer must show besides. */
  record Attempt(String name, Supplier<Response> call, Set<Integer> refusals, Predicate<Response> holds) {
    static Attempt refused(String name, Supplier<Response> call, Integer... statuses) {
      return new Attempt(name, call, Set.of(statuses), r -> true);
    }

    static Attempt onlyOwn(String name, Supplier<Response> call) {
      return new Attempt(name, call, Set.of(), r -> true);
    }

    /** A histogram holds only counts, no text that could leak: its total must be {@code total}. */
    Attempt counting(long total) {
      return new Attempt(name, call, refusals, r -> r.jsonPath().getLong("total") == total);
    }
  }

  @BeforeEach
  void ingestBothProjects() {
    own = "own-" + UUID.randomUUID();
    other = "other-" + UUID.randomUUID();
    otherTrace = UUID.randomUUID().toString().replace("-", "");
    String ownTrace = UUID.randomUUID().toString().replace("-", "");
    token = TestIdpResource.idp().token("alice", List.of(own));
    Otlp otlp = new Otlp(server.port());
    long now = System.currentTimeMillis() * 1_000_000L;
    otlp.send(Otlp.logs(Otlp.resource("own-svc", own), List.of(Otlp.log(now, "shared words " + own, Map.of()))));
    otlp.send(Otlp.logs(Otlp.resource("other-svc", other),
        List.of(Otlp.log(now, "shared words secret " + other, Map.of("outpost.project", other)))));
    otlp.send(Otlp.traces(Otlp.resource("own-svc", own),
        List.of(Otlp.span(ownTrace, "00000000000000b1", null, "own-op", now, 1000, Map.of()))));
    otlp.send(Otlp.traces(Otlp.resource("other-svc", other),
        List.of(Otlp.span(otherTrace, "00000000000000c1", null, "other-op", now, 1000, Map.of()))));
    // a call between the other project's services, for its service graph
    otlp.send(Otlp.traces(Otlp.resource("other-callee", other),
        List.of(Otlp.span(otherTrace, "00000000000000c2", "00000000000000c1", "other-call", now + 100, 500, Map.of()))));
    Eventually.within(Duration.ofSeconds(5), "own records visible", () ->
        given().auth().oauth2(token).get("/api/v1/logs").jsonPath().getList("records").size() == 1
            && given().auth().oauth2(token).get("/api/v1/traces/" + ownTrace).statusCode() == 200);
    // positive control: the other project's call is in its own graph, for the attempts to miss
    String otherToken = TestIdpResource.idp().token("bob", List.of(other));
    Eventually.within(Duration.ofSeconds(5), "the other project's graph", () ->
        given().auth().oauth2(otherToken).get("/jaeger/api/dependencies").jsonPath().getList("data").size() == 1);
  }

  private io.restassured.specification.RequestSpecification as(String bearer) {
    return given().auth().oauth2(bearer);
  }

  List<Attempt> attempts() {
    TestIdp idp = TestIdpResource.idp();
    return List.of(
        Attempt.onlyOwn("query text project:other", () -> as(token).queryParam("q", "project:\"" + other + "\"")
            .get("/api/v1/logs")),
        Attempt.onlyOwn("query text OR project:other", () -> as(token)
            .queryParam("q", "shared OR project:\"" + other + "\"").get("/api/v1/logs")),
        Attempt.onlyOwn("query text match all", () -> as(token).queryParam("q", "*:*").get("/api/v1/logs")),
        Attempt.onlyOwn("query text NOT own", () -> as(token)
            .queryParam("q", "*:* -project:\"" + own + "\"").get("/api/v1/logs")),
        Attempt.onlyOwn("query text attr.outpost.project", () -> as(token)
            .queryParam("q", "attr.outpost.project:\"" + other + "\"").get("/api/v1/logs")),
        Attempt.refused("project parameter", () -> as(token).queryParam("project", other).get("/api/v1/logs"), 403),
        // refused as any parameter given twice is (before: the first was used, the second dropped)
        Attempt.refused("project parameter twice", () -> as(token).queryParam("project", own, other)
            .get("/api/v1/logs"), 400),
        Attempt.onlyOwn("identity headers", () -> as(token).header("X-Outpost-Project", other)
            .header("X-Outpost-Subject", "admin").get("/api/v1/logs")),
        Attempt.refused("histogram with project parameter", () -> as(token).queryParam("project", other)
            .get("/api/v1/logs/histogram"), 403),
        // only the other project's record says "secret"
        Attempt.onlyOwn("histogram with query text", () -> as(token).queryParam("q", "secret")
            .get("/api/v1/logs/histogram")).counting(0),
        Attempt.refused("trace by id of another project", () -> as(token).get("/api/v1/traces/" + otherTrace), 404),
        Attempt.refused("trace by id with project parameter", () -> as(token).queryParam("project", other)
            .get("/api/v1/traces/" + otherTrace), 403),
        Attempt.onlyOwn("trace search by other's service", () -> as(token).queryParam("service", "other-svc")
            .get("/api/v1/traces")),
        Attempt.onlyOwn("trace search query text", () -> as(token).queryParam("q", "project:\"" + other + "\"")
            .get("/api/v1/traces")),
        Attempt.onlyOwn("services", () -> as(token).get("/api/v1/services")),
        Attempt.refused("Jaeger v1 trace by id of another project", () -> as(token)
            .get("/jaeger/api/traces/" + otherTrace), 404),
        Attempt.onlyOwn("Jaeger v1 services", () -> as(token).get("/jaeger/api/services")),
        Attempt.onlyOwn("Jaeger v1 search by other's service", () -> as(token).queryParam("service", "other-svc")
            .get("/jaeger/api/traces")),
        Attempt.onlyOwn("Jaeger v1 operations of other's service", () -> as(token)
            .get("/jaeger/api/services/other-svc/operations")),
        Attempt.refused("Jaeger v3 trace by id of another project", () -> as(token)
            .get("/jaeger/api/v3/traces/" + otherTrace), 404),
        Attempt.onlyOwn("Jaeger v3 services", () -> as(token).get("/jaeger/api/v3/services")),
        Attempt.onlyOwn("Jaeger v3 search by other's service", () -> as(token)
            .queryParam("query.service_name", "other-svc").get("/jaeger/api/v3/traces")),
        Attempt.onlyOwn("Jaeger v1 service graph", () -> as(token).get("/jaeger/api/dependencies")),
        Attempt.onlyOwn("Jaeger v1 service graph of other's service", () -> as(token).queryParam("service", "other-svc")
            .get("/jaeger/api/dependencies")),
        Attempt.refused("Jaeger without a token", () -> given().get("/jaeger/api/services"), 401),
        Attempt.refused("Jaeger service graph without a token", () -> given().get("/jaeger/api/dependencies"), 401),
        Attempt.refused("no token", () -> given().get("/api/v1/logs"), 401),
        Attempt.refused("token signed by another key", () -> as(idp.forgedToken("mallory", List.of(other)))
            .get("/api/v1/logs"), 401),
        Attempt.refused("expired token", () -> as(idp.token("alice", Map.of("projects", List.of(other),
            "exp", System.currentTimeMillis() / 1000 - 3600))).get("/api/v1/logs"), 401),
        Attempt.refused("token of another issuer", () -> as(idp.token("alice", Map.of("projects", List.of(other),
            "iss", "https://evil.test"))).get("/api/v1/logs"), 401),
        Attempt.refused("token for another audience", () -> as(idp.token("alice", Map.of("projects", List.of(other),
            "aud", "someone-else"))).get("/api/v1/logs"), 401),
        Attempt.refused("token without the projects claim", () -> as(idp.token("alice", Map.of("groups",
            List.of(other)))).get("/api/v1/logs"), 403),
        Attempt.onlyOwn("wildcard in the projects claim is not a wildcard", () -> as(idp.token("alice",
            List.of("*", own))).get("/api/v1/logs")),
        Attempt.refused("unsigned token (alg none)", () -> as(unsigned(other)).get("/api/v1/logs"), 401),
        Attempt.refused("token in the query string", () -> given().queryParam("access_token", token)
            .get("/api/v1/logs"), 401));
  }

  private static String unsigned(String project) {
    java.util.Base64.Encoder b64 = java.util.Base64.getUrlEncoder().withoutPadding();
    String header = b64.encodeToString("{\"alg\":\"none\"}".getBytes());
    String claims = b64.encodeToString(("{\"iss\":\"" + TestIdp.ISSUER + "\",\"aud\":\"outpost\",\"sub\":\"x\","
        + "\"exp\":" + (System.currentTimeMillis() / 1000 + 600) + ",\"projects\":[\"" + project + "\"]}").getBytes());
    return header + "." + claims + ".";
  }

  @Test
  void everyCrossProjectAttemptIsRefusedOrSeesOnlyTheCallersProjects() {
    List<Attempt> attempts = attempts();
    assertThat(attempts).hasSizeGreaterThanOrEqualTo(15);
    List<String> failures = new ArrayList<>();
    for (Attempt attempt : attempts) {
      Response response = attempt.call().get();
      String body = response.asString();
      // other's data: its record text, service, operation; a 200 must not even name the project
      // (a refusal may echo the project the caller asked for)
      boolean leaked = body.contains("secret") || body.contains("other-svc") || body.contains("other-op");
      boolean ok = attempt.refusals().isEmpty()
          ? response.statusCode() == 200 && !leaked && !body.contains(other) && attempt.holds().test(response)
          : attempt.refusals().contains(response.statusCode()) && !leaked && body.contains("\"error");
      if (!ok) {
        failures.add(attempt.name() + " -> " + response.statusCode() + " " + body);
      }
    }
    assertThat(failures).isEmpty();
  }

  @Test
  void aLiveTailAskingForAnotherProjectGetsNothingOfIt() throws Exception {
    List<java.util.concurrent.CompletableFuture<?>> streams = new java.util.concurrent.CopyOnWriteArrayList<>();
    String query = "project:\"" + other + "\" OR secret";
    // earlier tails closing after the count is taken would keep it from reaching two more
    Eventually.within(Duration.ofSeconds(5), "earlier tails closed", () -> hub.subscriberCount() == 0);
    int before = hub.subscriberCount();
    List<String> lines = dev.outpost.observability.query.LiveTailTest.follow(tail, token, query, streams);
    // the other project tailed too: records of projects no tail reads are dropped before any
    // tail's filter, which would leave the isolation under test unreached
    List<String> otherLines = dev.outpost.observability.query.LiveTailTest.follow(tail,
        TestIdpResource.idp().token("bob", List.of(other)), query, streams);
    try {
      // records sent before the tails subscribed are not pushed to them
      Eventually.within(Duration.ofSeconds(10), "both tails subscribed", () -> hub.subscriberCount() >= before + 2);
      Otlp otlp = new Otlp(server.port());
      long now = System.currentTimeMillis() * 1_000_000L;
      otlp.send(Otlp.logs(Otlp.resource("other-svc", other), List.of(Otlp.log(now, "secret tail", Map.of()))));
      otlp.send(Otlp.logs(Otlp.resource("own-svc", own), List.of(Otlp.log(now + 1, "own secret tail", Map.of()))));
      // positive control: the other project's record was ingested and pushed, to its own reader
      Eventually.within(Duration.ofSeconds(10), "other record pushed to its tail", () -> !otherLines.isEmpty());
      assertThat(otherLines.get(0)).contains("secret tail").contains(other).doesNotContain(own);
      // one filtering thread, in ingest order: the other's record went by before the own one arrived
      Eventually.within(Duration.ofSeconds(10), "own record pushed", () -> !lines.isEmpty());
      assertThat(lines).hasSize(1);
      assertThat(lines.get(0)).contains("own secret tail").contains(own).doesNotContain(other);
      Response otherParam = as(token).queryParam("project", other).get("/api/v1/logs/tail");
      assertThat(otherParam.statusCode()).isEqualTo(403);
    } finally {
      streams.forEach(s -> s.cancel(true));
    }
  }

  @Test
  void theCallersOwnRecordsAreReadable() {
    // the attempts above would pass vacuously if nothing were readable at all
    assertThat(as(token).queryParam("q", "shared").get("/api/v1/logs").jsonPath().getList("records.project"))
        .containsExactly(own);
    // the histogram counts what the caller may read (a total of 0 above is no proof otherwise); the
    // other project's record says "shared" too, so 2 would count it
    assertThat(as(token).queryParam("q", "shared").get("/api/v1/logs/histogram").then().statusCode(200).extract()
        .jsonPath().getLong("total")).isEqualTo(1);
    assertThat(as(token).get("/api/v1/services").jsonPath().getList("services")).containsExactly("own-svc");
  }
}
