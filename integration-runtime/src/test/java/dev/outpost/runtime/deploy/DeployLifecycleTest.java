package dev.outpost.runtime.deploy;

import static dev.outpost.runtime.Integrations.constantRoute;
import static dev.outpost.runtime.Integrations.httpRoute;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.emptyString;
import static org.hamcrest.Matchers.equalTo;

import dev.outpost.runtime.Backend;
import dev.outpost.runtime.Eventually;
import dev.outpost.runtime.Integrations;
import dev.outpost.runtime.StuckRequests;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.net.URL;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Deploy, call, upgrade, call again and remove through the admin API, against a real backend. */
@QuarkusTest
class DeployLifecycleTest {

  /**
   * An upgrade quiets the old version's timer at once: while the old version drains (here a slow
   * HTTP request), its timer no longer fires beside the new version's, each running the job twice.
   */
  @Test
  void anUpgradeStopsTheOldVersionsTimerFromFiringBesideTheNewOne() throws Exception {
    try (Backend backend = Backend.json("{}")) {
      String ticker = """
          - route:
              id: ticker
              from:
                uri: "timer:ticker?period=50"
                steps:
                  - to: "%1$s/%2$s"
          - route:
              id: ticker-slow
              from:
                uri: platform-http:/ticker-slow
                steps:
                  - delay:
                      constant: 1500
                  - setBody:
                      constant: "%2$s"
          """;
      Integrations.put(management, Integrations.of("ticker", "1", ticker.formatted(backend.url(), "v1")))
          .then().statusCode(200);
      Eventually.eventually(() -> assertThat(backend.received()).filteredOn(r -> r.path().equals("/v1")).hasSizeGreaterThan(2));
      CompletableFuture<String> slow = CompletableFuture.supplyAsync(() -> given().get(http + "ticker-slow").asString());
      // the slow request reaches version 1 (waiting in its delay) before the upgrade
      Eventually.eventually(() -> assertThat(inFlight("ticker", "ticker-slow")).isPositive());
      Integrations.put(management, Integrations.of("ticker", "2", ticker.formatted(backend.url(), "v2")))
          .then().statusCode(200);
      assertThat(slow.get(10, TimeUnit.SECONDS)).as("the request version 1 was serving").isEqualTo("v1");
      var received = java.util.List.copyOf(backend.received());
      int firstV2 = received.stream().map(r -> r.path()).toList().indexOf("/v2");
      assertThat(received.subList(firstV2, received.size())).filteredOn(r -> r.path().equals("/v1"))
          .as("the old version's ticks once the new one ticks, while the old one drained").hasSizeLessThanOrEqualTo(1);
      Integrations.delete(management, "ticker").then().statusCode(204);
    }
  }

  /**
   * An upgrade lets the old version's timer exchange that is under way finish (up to the drain
   * timeout) before its routes stop. Before, the wait looked for it in Camel's browse of exchanges,
   * which Camel keeps empty unless asked to, and stopped the routes 100 ms later: the exchange's
   * next step failed ("SendProcessor has not been started") and its backend call never went.
   */
  @Test
  void anUpgradeLetsTheOldVersionsTimerExchangeFinish() throws Exception {
    try (Backend backend = Backend.json("{}")) {
      String poller = """
          - route:
              id: poll
              from:
                uri: "timer:poll?repeatCount=1&delay=0"
                steps:
                  - delay:
                      constant: 1500
                  - to: "%1$s/%2$s"
          """;
      Integrations.put(management, Integrations.of("poller", "1", poller.formatted(backend.url(), "v1")))
          .then().statusCode(200);
      // version 1's exchange under way, waiting in its delay
      Eventually.eventually(() -> assertThat(inFlight("poller", "")).isPositive());
      Integrations.put(management, Integrations.of("poller", "2", poller.formatted(backend.url(), "v2")))
          .then().statusCode(200);
      Eventually.eventually(() -> assertThat(backend.received()).extracting(Backend.Received::path)
          .as("version 1's exchange, under way at the upgrade, made its call").contains("/v1", "/v2"));
      Integrations.delete(management, "poller").then().statusCode(204);
    }
  }

  /**
   * Routes numbered with startupOrder deploy, upgrade, and sit beside another integration using the
   * same numbers: Camel wants each number unique in the context, and a version clashed with the one
   * it replaced ("startupOrder clash"), so it could never be upgraded. The numbers order the file's routes.
   */
  @Test
  void routesWithAStartupOrderUpgradeAndSitBesideOthersWithTheSameNumbers() throws Exception {
    try (Backend backend = Backend.json("{}")) {
      String ordered = """
          - route:
              id: kick%3$s
              startupOrder: 20
              from:
                uri: "timer:kick?repeatCount=1&delay=0"
                steps:
                  - to: direct:work
          - route:
              id: work%3$s
              startupOrder: 10
              from:
                uri: direct:work
                steps:
                  - to: "%1$s/%2$s"
          """;
      Integrations.put(management, Integrations.of("ordered", "1", ordered.formatted(backend.url(), "v1", "")))
          .then().statusCode(200).body("phase", equalTo("Ready"));
      // its one tick first: an upgrade quiets the old version's timer, which may not have fired yet
      Eventually.eventually(() -> assertThat(backend.received()).extracting(Backend.Received::path).contains("/v1"));
      Integrations.put(management, Integrations.of("ordered", "2", ordered.formatted(backend.url(), "v2", "")))
          .then().statusCode(200).body("phase", equalTo("Ready")).body("version", equalTo("2"));
      Integrations.put(management, Integrations.of("ordered-too", "1", ordered.formatted(backend.url(), "other", "-too")))
          .then().statusCode(200).body("phase", equalTo("Ready"));
      // the direct consumer, numbered first, was there for the timer's first exchange
      Eventually.eventually(() -> assertThat(backend.received()).extracting(Backend.Received::path)
          .contains("/v1", "/v2", "/other"));
      Integrations.delete(management, "ordered").then().statusCode(204);
      Integrations.delete(management, "ordered-too").then().statusCode(204);
    }
  }

  /**
   * Route ids are the integration's own, as in Camel K, where each runs in a pod of its own: the
   * example's {@code hello} was refused in the shared local runtime while another project's
   * integration used it, though the ids Camel uses carry each version's own prefix.
   */
  @Test
  void twoIntegrationsWithTheSameRouteIdBothServe() {
    Integrations.put(management, Integrations.of("same-id-a", "1", constantRoute("hello", "/same-id/a", "a")))
        .then().statusCode(200).body("phase", equalTo("Ready"));
    Integrations.put(management, new dev.outpost.spec.model.Integration("same-id-b", "proj-b", "1",
            constantRoute("hello", "/same-id/b", "b"), java.util.Map.of(), List.of(), 1, null))
        .then().statusCode(200).body("phase", equalTo("Ready"));
    given().get(http + "same-id/a").then().statusCode(200).body(equalTo("a"));
    given().get(http + "same-id/b").then().statusCode(200).body(equalTo("b"));
    // an upgrade of one leaves the other's route alone
    Integrations.put(management, Integrations.of("same-id-a", "2", constantRoute("hello", "/same-id/a", "a2")))
        .then().statusCode(200);
    given().get(http + "same-id/a").then().statusCode(200).body(equalTo("a2"));
    given().get(http + "same-id/b").then().statusCode(200).body(equalTo("b"));
    Integrations.delete(management, "same-id-a").then().statusCode(204);
    given().get(http + "same-id/b").then().statusCode(200).body(equalTo("b"));
    Integrations.delete(management, "same-id-b").then().statusCode(204);
  }

  /** A path segment mixing a parameter and text is served (it deployed Ready and answered 404). */
  @Test
  void aPathSegmentMixingAParameterAndTextIsServed() throws Exception {
    String files = """
        - route:
            id: files-json
            from:
              uri: "platform-http:/files/{name}.json"
              steps:
                - setBody:
                    simple: "json ${header.name}"
        """;
    Integrations.put(management, Integrations.of("files", "1", files)).then().statusCode(200)
        .body("phase", equalTo("Ready"));
    given().get(http + "files/report.json").then().statusCode(200).body(equalTo("json report"));
    given().get(http + "files/report.csv").then().statusCode(404);
    Integrations.delete(management, "files").then().statusCode(204);
  }

  @TestHTTPResource("/")
  URL http;

  @TestHTTPResource(value = "/", management = true)
  URL management;

  @jakarta.inject.Inject
  IntegrationDeployer deployer;

  @jakarta.inject.Inject
  org.apache.camel.CamelContext camel;

  @Test
  void deployCallUpgradeCallRemoveThroughTheAdminApi() {
    try (Backend backend = Backend.json("{\"stock\":7}")) {
      String v1 = """
          - route:
              id: stock-in
              from:
                uri: platform-http:/stock
                steps:
                  - to: direct:fetch
          - route:
              id: stock-fetch
              from:
                uri: direct:fetch
                steps:
                  - removeHeaders:
                      pattern: "*"
                  - to: %s/inventory
          """.formatted(backend.url());
      Integrations.put(management, Integrations.of("stock", "1.0.0", v1)).then().statusCode(200)
          .body("phase", equalTo("Ready")).body("version", equalTo("1.0.0"));
      given().get(http + "stock").then().statusCode(200).body("stock", equalTo(7));
      assertThat(backend.received()).extracting(Backend.Received::path).containsExactly("/inventory");

      Integrations.put(management, Integrations.of("stock", "2.0.0", constantRoute("stock-in", "/stock", "v2")))
          .then().statusCode(200).body("phase", equalTo("Ready"));
      given().get(http + "stock").then().statusCode(200).body(equalTo("v2"));
      given().get(Integrations.base(management) + "outpost/integrations").then().statusCode(200)
          .body("find { it.name == 'stock' }.version", equalTo("2.0.0"))
          .body("find { it.name == 'stock' }.phase", equalTo("Ready"))
          .body("find { it.name == 'stock' }.project", equalTo("proj-a"));

      Integrations.delete(management, "stock").then().statusCode(204);
      // the runtime's own JSON answer, as its other refusals: Vert.x's was an HTML page
      given().get(http + "stock").then().statusCode(404).contentType("application/json")
          .body("error", equalTo("no integration serves /stock"));
      Integrations.delete(management, "stock").then().statusCode(404);
      assertThat(backend.received()).hasSize(1);
    }
  }

  @Test
  void anUpgradeRemovesTheRoutesTheNewVersionNoLongerHas() {
    String both = constantRoute("two-a", "/two/a", "a") + constantRoute("two-b", "/two/b", "b");
    Integrations.put(management, Integrations.of("two", "1", both)).then().statusCode(200);
    given().get(http + "two/b").then().statusCode(200).body(equalTo("b"));

    Integrations.put(management, Integrations.of("two", "2", constantRoute("two-a", "/two/a", "a2")))
        .then().statusCode(200);
    given().get(http + "two/a").then().statusCode(200).body(equalTo("a2"));
    given().get(http + "two/b").then().statusCode(404);
    Integrations.delete(management, "two").then().statusCode(204);
  }

  @Test
  void theMetersOfAVersionGoWhenNoDeploymentRunsItAndAllGoWithTheIntegration() throws Exception {
    Integrations.put(management, Integrations.of("metered", "1.0", constantRoute("metered", "/metered", "a")))
        .then().statusCode(200);
    given().get(http + "metered").then().statusCode(200);
    // a new generation of the same version continues its series
    Integrations.put(management, Integrations.of("metered", "1.0", constantRoute("metered", "/metered", "b")))
        .then().statusCode(200);
    given().get(http + "metered").then().statusCode(200).body(equalTo("b"));
    assertThat(versionSeries("metered", "1.0")).as("1.0 still runs").isNotEmpty();

    Integrations.put(management, Integrations.of("metered", "2.0", constantRoute("metered", "/metered", "c")))
        .then().statusCode(200);
    given().get(http + "metered").then().statusCode(200).body(equalTo("c"));
    Eventually.eventually(() -> assertThat(versionSeries("metered", "1.0")).as("the retired version's series").isEmpty());
    assertThat(versionSeries("metered", "2.0")).isNotEmpty();

    Integrations.delete(management, "metered").then().statusCode(204);
    Eventually.eventually(() -> assertThat(versionSeries("metered", "2.0")).as("a removed integration's series").isEmpty());
  }

  /** The integration's own Prometheus series of one version. */
  private Set<String> versionSeries(String integration, String version) {
    String prometheus = given().get(Integrations.base(management) + "q/metrics").then().statusCode(200).extract().asString();
    Set<String> series = new HashSet<>();
    Matcher m = Pattern.compile("(?m)^outpost_integration_\\w+\\{[^}]*\\}").matcher(prometheus);
    while (m.find()) {
      if (m.group().contains("integration=\"" + integration + "\"") && m.group().contains("version=\"" + version + "\"")) {
        series.add(m.group());
      }
    }
    return series;
  }

  @Test
  void anUpgradeThatFailsLeavesTheRunningVersionsBeansAsTheyWere() {
    String v1 = """
        - beans:
            - name: beanyGreeting
              type: java.net.URI
              constructors:
                0: "urn:outpost:version-1"
        - route:
            id: beany
            from:
              uri: platform-http:/beany
              steps:
                - setBody:
                    simple: "${bean:beanyGreeting?method=toString}"
        """;
    Integrations.put(management, Integrations.of("beany", "1", v1)).then().statusCode(200);
    given().get(http + "beany").then().statusCode(200).body(equalTo("urn:outpost:version-1"));

    // version 2 binds its bean, then a route fails to start
    String v2 = v1.replace("urn:outpost:version-1", "urn:outpost:version-2")
        + constantRoute("beany-broken", "/beany-broken", "x").replace("platform-http:/beany-broken",
            "timer:beany?period=not-a-duration");
    // its status says what still serves: read alone, "2 Failed" told the operator the integration was down
    Integrations.put(management, Integrations.of("beany", "2", v2)).then().statusCode(422)
        .body("phase", equalTo("Failed")).body("message", containsString("version 1 still serves"))
        .body("servingVersion", equalTo("1"));
    given().get(http + "beany").then().statusCode(200).body(equalTo("urn:outpost:version-1"));
    // a route created now looks the bean up afresh (a running one keeps what it resolved): version 1's,
    // while version 1 runs (its beans go with it)
    String reader = v1.substring(v1.indexOf("- route:")).replace("id: beany", "id: beany-reader")
        .replace("/beany", "/beany-reader");
    Integrations.put(management, Integrations.of("beany-reader", "1", reader)).then().statusCode(200);
    given().get(http + "beany-reader").then().statusCode(200).body(equalTo("urn:outpost:version-1"));
    Integrations.delete(management, "beany-reader").then().statusCode(204);
    Integrations.delete(management, "beany").then().statusCode(204);
  }

  /**
   * A new version, or the same integration deployed again after its removal, runs the beans it
   * declares, as a restarted application would: Camel's {@code simple} language cached a compiled
   * {@code ${bean:…}} by its text, with the bean it first looked up, and handed it to every later
   * route of the same text.
   */
  @Test
  void anUpgradeAndARedeployRunTheBeansTheyDeclare() {
    String v1 = """
        - beans:
            - name: freshBean
              type: java.net.URI
              constructors:
                0: "urn:outpost:version-1"
        - route:
            id: fresh
            from:
              uri: platform-http:/fresh-bean
              steps:
                - setBody:
                    simple: "${bean:freshBean?method=toString}"
        """;
    Integrations.put(management, Integrations.of("fresh", "1", v1)).then().statusCode(200);
    given().get(http + "fresh-bean").then().statusCode(200).body(equalTo("urn:outpost:version-1"));
    Integrations.put(management, Integrations.of("fresh", "2", v1.replace("version-1", "version-2")))
        .then().statusCode(200);
    given().get(http + "fresh-bean").then().statusCode(200).body(equalTo("urn:outpost:version-2"));
    Integrations.delete(management, "fresh").then().statusCode(204);
    Integrations.put(management, Integrations.of("fresh", "3", v1.replace("version-1", "version-3")))
        .then().statusCode(200);
    given().get(http + "fresh-bean").then().statusCode(200).body(equalTo("urn:outpost:version-3"));
    Integrations.delete(management, "fresh").then().statusCode(204);
  }

  @Test
  void anIntegrationWhoseRouteStopsAfterItStartedIsReportedFailedUntilItRunsAgain() throws Exception {
    Integrations.put(management, Integrations.of("stopping", "1", constantRoute("stopping-in", "/stopping", "x")))
        .then().statusCode(200);
    String routeId = camel.getRoutes().stream().map(org.apache.camel.Route::getRouteId)
        .filter(id -> id.startsWith("stopping.") && id.endsWith(".stopping-in")).findFirst().orElseThrow();
    given().get(Integrations.base(management) + "outpost/integrations").then()
        .body("find { it.name == 'stopping' }.phase", equalTo("Ready"));

    // something stops it later (a control bus, a route policy, a consumer Camel gave up on)
    camel.getRouteController().stopRoute(routeId);
    given().get(Integrations.base(management) + "outpost/integrations").then()
        .body("find { it.name == 'stopping' }.phase", equalTo("Failed"))
        .body("find { it.name == 'stopping' }.message", equalTo("route stopping-in is stopped since the integration started"));

    camel.getRouteController().startRoute(routeId);
    given().get(Integrations.base(management) + "outpost/integrations").then()
        .body("find { it.name == 'stopping' }.phase", equalTo("Ready"));
    Integrations.delete(management, "stopping").then().statusCode(204);
  }

  @Test
  void restDslIntegrationsAreServedUpgradedAndRemoved() {
    String source = """
        - rest:
            path: /api/v1
            get:
              - path: /items/{id}
                to: direct:item
        - route:
            id: item
            from:
              uri: direct:item
              steps:
                - setBody:
                    simple: "%s ${header.id}"
        """;
    Integrations.put(management, Integrations.of("items", "1", source.formatted("v1"))).then().statusCode(200);
    given().get(http + "api/v1/items/7").then().statusCode(200).body(equalTo("v1 7"));
    given().post(http + "api/v1/items/7").then().statusCode(405);
    // HEAD is GET without the body (RFC 9110), not a method the integration must declare
    given().head(http + "api/v1/items/7").then().statusCode(200).body(emptyString());

    Integrations.put(management, Integrations.of("items-thief", "1", """
        - rest:
            path: /api/v1/items
            get:
              - path: /{itemId}
                to: direct:steal
        - route:
            id: steal
            from:
              uri: direct:steal
              steps:
                - setBody:
                    constant: stolen
        """)).then().statusCode(422)
        .body("message", org.hamcrest.Matchers.containsString("already served by integration 'items'"));

    Integrations.put(management, Integrations.of("items", "2", source.formatted("v2"))).then().statusCode(200);
    given().get(http + "api/v1/items/8").then().statusCode(200).body(equalTo("v2 8"));
    Integrations.delete(management, "items").then().statusCode(204);
    given().get(http + "api/v1/items/8").then().statusCode(404);
  }

  @Test
  void aRestComponentRouteIsServedUpgradedAndRemoved() {
    String source = """
        - route:
            id: rest-comp
            from:
              uri: "rest:get:/rest-comp:{id}"
              steps:
                - setBody:
                    simple: "%s ${header.id}"
        """;
    Integrations.put(management, Integrations.of("rest-comp", "1", source.formatted("v1"))).then().statusCode(200);
    given().get(http + "rest-comp/7").then().statusCode(200).body(equalTo("v1 7"));
    Integrations.put(management, Integrations.of("rest-comp", "2", source.formatted("v2"))).then().statusCode(200);
    given().get(http + "rest-comp/8").then().statusCode(200).body(equalTo("v2 8"));
    Integrations.delete(management, "rest-comp").then().statusCode(204);
    given().get(http + "rest-comp/9").then().statusCode(404);
  }

  /**
   * A platform-http endpoint with matchOnUriPrefix serves every path under its own, as Camel has it
   * (before, the runtime recorded the exact path only and answered 404 to the others), and takes no
   * path beside it that only shares its first letters.
   */
  @Test
  void anEndpointMatchingOnUriPrefixServesThePathsUnderIt() {
    String source = """
        - route:
            id: prefixed
            from:
              uri: "platform-http:/prefixed?matchOnUriPrefix=true"
              steps:
                - setBody:
                    simple: "%s ${header.CamelHttpPath}"
        """;
    Integrations.put(management, Integrations.of("prefixed", "1", source.formatted("v1"))).then().statusCode(200);
    given().get(http + "prefixed").then().statusCode(200).body(equalTo("v1 /prefixed"));
    given().get(http + "prefixed/orders/7").then().statusCode(200).body(equalTo("v1 /prefixed/orders/7"));
    given().get(http + "prefixedx").then().statusCode(404);
    Integrations.put(management, Integrations.of("prefixed", "2", source.formatted("v2"))).then().statusCode(200);
    given().get(http + "prefixed/orders/8").then().statusCode(200).body(equalTo("v2 /prefixed/orders/8"));
    Integrations.delete(management, "prefixed").then().statusCode(204);
    given().get(http + "prefixed/orders/9").then().statusCode(404);
  }

  /**
   * Local endpoints named outside a to: a route's dead letter channel, enrich, recipientList and
   * routingSlip (constant or simple) reach the integration's own direct: routes, whose names the
   * runtime gives the version's prefix. Before, only from/to were renamed: these went to a name no
   * route consumed ("No consumers available on endpoint: direct://dlq") while the integration
   * showed Ready.
   */
  @Test
  void endpointsNamedByErrorHandlersAndExpressionsReachTheIntegrationsOwnRoutes() {
    String source = """
        - route:
            id: local-dlc
            errorHandler:
              deadLetterChannel:
                deadLetterUri: direct:dlq
            from:
              uri: platform-http:/local/dlc
              steps:
                - throwException:
                    exceptionType: java.lang.IllegalStateException
                    message: broken
        - route:
            id: local-enrich
            from:
              uri: platform-http:/local/enrich
              steps:
                - enrich:
                    expression:
                      constant: direct:extra
        - route:
            id: local-recipients
            from:
              uri: platform-http:/local/recipients
              steps:
                - setBody:
                    constant: ""
                - recipientList:
                    expression:
                      simple: "direct:extra,direct:${header.second}"
                    aggregationStrategy: "#class:org.apache.camel.processor.aggregate.StringAggregationStrategy"
        - route:
            id: local-slip
            from:
              uri: platform-http:/local/slip
              steps:
                - routingSlip:
                    expression:
                      constant: "direct:extra,direct:more"
        - route:
            id: local-dlq
            from:
              uri: direct:dlq
              steps:
                - setBody:
                    constant: dead-lettered
        - route:
            id: local-extra
            from:
              uri: direct:extra
              steps:
                - setBody:
                    simple: "${body}extra;"
        - route:
            id: local-more
            from:
              uri: direct:more
              steps:
                - setBody:
                    simple: "${body}more;"
        """;
    Integrations.put(management, Integrations.of("local-names", "1", source)).then().statusCode(200);
    given().get(http + "local/dlc").then().statusCode(200).body(equalTo("dead-lettered"));
    given().get(http + "local/enrich").then().statusCode(200).body(equalTo("extra;"));
    given().header("second", "more").get(http + "local/recipients").then().statusCode(200)
        .body(equalTo("extra;more;"));
    given().get(http + "local/slip").then().statusCode(200).body(equalTo("extra;more;"));
    Integrations.delete(management, "local-names").then().statusCode(204);
  }

  /**
   * A file's own onException applies to each of its routes, and Camel hands each the same
   * definition: its endpoints are renamed once. Renamed once per route, {@code direct:oops} became a
   * name nothing consumes, and the request waited 30 s for a consumer before failing, the
   * integration reported Ready.
   */
  @Test
  void aFilesOnExceptionReachesTheIntegrationsOwnRoutes() throws Exception {
    String source = """
        - onException:
            exception:
              - java.lang.IllegalStateException
            handled:
              constant: true
            steps:
              - to: direct:oops
        - route:
            id: file-oe-in
            from:
              uri: platform-http:/file-oe
              steps:
                - throwException:
                    exceptionType: java.lang.IllegalStateException
                    message: broken
        - route:
            id: file-oe-other
            from:
              uri: platform-http:/file-oe/other
              steps:
                - throwException:
                    exceptionType: java.lang.IllegalStateException
                    message: broken too
        - route:
            id: file-oe-handler
            from:
              uri: direct:oops
              steps:
                - setBody:
                    constant: handled
        """;
    Integrations.put(management, Integrations.of("file-oe", "1", source)).then().statusCode(200)
        .body("phase", equalTo("Ready"));
    java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
    try {
      for (String path : List.of("file-oe", "file-oe/other")) {
        java.net.http.HttpResponse<String> answer = client.send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(http + path)).timeout(java.time.Duration.ofSeconds(5)).build(),
            java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(path).isEqualTo(200);
        assertThat(answer.body()).as(path).isEqualTo("handled");
      }
    } finally {
      Integrations.delete(management, "file-oe").then().statusCode(204);
    }
  }

  /**
   * Deploying a version again for its secrets touches only the version it was asked for: one the
   * admin API deployed since, or a removal since, is left as it is (secret rotation runs on its own
   * thread, and redeploying what it had read would have put the old version back, or the removed one).
   */
  @Test
  void deployingAgainLeavesANewerVersionAndARemovalAlone() {
    Integrations.put(management, Integrations.of("again", "1", constantRoute("again", "/again", "v1"))).then().statusCode(200);
    Deployment first = deployer.deployment("again").orElseThrow();
    Integrations.put(management, Integrations.of("again", "2", constantRoute("again", "/again", "v2"))).then().statusCode(200);

    assertThat(deployer.deployAgain(first, "")).isEmpty();
    given().get(http + "again").then().statusCode(200).body(equalTo("v2"));

    Deployment second = deployer.deployment("again").orElseThrow();
    assertThat(deployer.deployAgain(second, "")).map(s -> s.phase()).contains("Ready");
    given().get(http + "again").then().statusCode(200).body(equalTo("v2"));
    Deployment third = deployer.deployment("again").orElseThrow();
    Integrations.delete(management, "again").then().statusCode(204);
    assertThat(deployer.deployAgain(third, "")).isEmpty();
    given().get(http + "again").then().statusCode(404);
  }

  /** The status as {@code ./outpost status} prints it: a line per integration, its reason on that line. */
  @Test
  void theStatusReadsAsLinesForATerminal() {
    Integrations.put(management, Integrations.of("lined", "3", constantRoute("lined", "/lined", "ok"))).then().statusCode(200);
    Integrations.put(management, Integrations.of("lined-broken", "1", httpRoute("lined-broken", "/lined-broken", """
        - to: "nosuchcomponent:anywhere"
        """))).then().statusCode(422);
    String text = given().get(Integrations.base(management) + "outpost/integrations?format=text").then().statusCode(200)
        .contentType(containsString("text/plain")).extract().asString();
    // deployed through the admin API, not from a file of the integrations directory: no file digest
    assertThat(text.lines()).contains("lined\t3\tReady\t-\t");
    assertThat(text.lines().filter(l -> l.startsWith("lined-broken\t1\tFailed\t-\t")).toList()).singleElement()
        .satisfies(line -> assertThat(line.split("\t")[4]).isNotBlank());
    Integrations.delete(management, "lined").then().statusCode(204);
    Integrations.delete(management, "lined-broken");
  }

  @Test
  void aRequestStillRunningWhenItsVersionIsStoppedIsAnswered503() throws Exception {
    try (StuckRequests stuck = new StuckRequests()) {
      Integrations.put(management, Integrations.of("stuck", "1", httpRoute("stuck", "/stuck", stuck.steps("stuck", """
          - setBody:
              constant: late
          """)))).then().statusCode(200);
      var pending = stuck.send("stuck", URI.create(http + "stuck"));
      // the upgrade waits the drain timeout (5 s in tests), then stops version 1 with the request in it
      Integrations.put(management, Integrations.of("stuck", "2", constantRoute("stuck", "/stuck", "v2")))
          .then().statusCode(200);
      assertThat(pending.get(5, TimeUnit.SECONDS).statusCode()).isEqualTo(503);
      given().get(http + "stuck").then().statusCode(200).body(equalTo("v2"));
      Integrations.delete(management, "stuck").then().statusCode(204);
    }
  }

  @Test
  void aStuckRequestHoldsUpItsOwnIntegrationsUpgradeOnlyNotOtherDeployments() throws Exception {
    try (StuckRequests stuckRequests = new StuckRequests()) {
      Integrations.put(management, Integrations.of("slow-drain", "1", httpRoute("slow-drain", "/slow-drain",
          stuckRequests.steps("slow-drain", "")))).then().statusCode(200);
      var stuck = stuckRequests.send("slow-drain", URI.create(http + "slow-drain"));
      var upgrade = CompletableFuture.supplyAsync(() -> Integrations.put(management,
          Integrations.of("slow-drain", "2", constantRoute("slow-drain", "/slow-drain", "v2"))).statusCode());
      // version 2 serves while version 1 drains (5 s in tests) around the stuck request; asking its
      // path before the switch would get a request stuck in version 1 too
      Eventually.eventually(() -> given().get(Integrations.base(management) + "outpost/integrations").then()
          .body("find { it.name == 'slow-drain' }.version", equalTo("2")));
      given().get(http + "slow-drain").then().statusCode(200).body(equalTo("v2"));

      Integrations.put(management, Integrations.of("beside-drain", "1",
          constantRoute("beside-drain", "/beside-drain", "deployed"))).then().statusCode(200);
      given().get(http + "beside-drain").then().statusCode(200).body(equalTo("deployed"));
      Integrations.delete(management, "beside-drain").then().statusCode(204);
      assertThat(upgrade).as("the upgrade of slow-drain still waits for its stuck request").isNotDone();

      assertThat(upgrade.get(30, TimeUnit.SECONDS)).isEqualTo(200);
      assertThat(stuck.get(5, TimeUnit.SECONDS).statusCode()).isEqualTo(503);
      Integrations.delete(management, "slow-drain").then().statusCode(204);
    }
  }

  @Test
  void upgradesAndRemovalLeaveNoMetricSeriesOfRetiredVersions() {
    for (int version = 1; version <= 4; version++) {
      Integrations.put(management, Integrations.of("metered", "" + version,
          constantRoute("metered", "/metered", "v" + version))).then().statusCode(200);
      given().get(http + "metered").then().statusCode(200).body(equalTo("v" + version));
    }
    assertThat(generationsInMetrics("metered")).as("only the running version has Camel series").hasSize(1);
    Integrations.delete(management, "metered").then().statusCode(204);
    assertThat(generationsInMetrics("metered")).isEmpty();
  }

  /**
   * What a version leaves in Camel goes with it. Each route's policies are services of the context,
   * which removing the route kept; a rest verb's endpoint, and the endpoints a failed load created
   * before its failing step, are not among those removing a route collects: thousands of upgrades
   * grew all three until a restart.
   */
  @Test
  void upgradesAndFailedLoadsLeaveNoServicesOrEndpointsBehind() throws Exception {
    String source = """
        - rest:
            path: /churn
            get:
              - path: /items
                to: direct:items
        - route:
            id: items
            from:
              uri: direct:items
              steps:
                - setBody:
                    constant: "%s"
        - route:
            id: tick
            from:
              uri: timer:churn?period=600000
              steps:
                - log: tick
        """;
    Integrations.put(management, Integrations.of("churn", "0", source.formatted("v0"))).then().statusCode(200);
    given().get(http + "churn/items").then().statusCode(200).body(equalTo("v0"));
    int policies = camel.hasServices(org.apache.camel.spi.RoutePolicy.class).size();
    int endpoints = camel.getEndpoints().size();
    for (int v = 1; v <= 20; v++) {
      Integrations.put(management, Integrations.of("churn", "" + v, source.formatted("v" + v))).then().statusCode(200);
      given().get(http + "churn/items").then().statusCode(200).body(equalTo("v" + v));
      // its platform-http endpoint is made before the step that fails
      Integrations.put(management, Integrations.of("churn", v + "-bad", Integrations.httpRoute("churn", "/churn-bad", """
          - to: kafka:nope
          """))).then().statusCode(422);
    }
    Eventually.eventually(() -> {
      assertThat(camel.hasServices(org.apache.camel.spi.RoutePolicy.class)).hasSize(policies);
      assertThat(camel.getEndpoints()).hasSize(endpoints);
    });
    String prefix = deployer.deployment("churn").orElseThrow().prefix();
    Integrations.delete(management, "churn").then().statusCode(204);
    Eventually.eventually(() -> assertThat(camel.getEndpoints())
        .noneMatch(e -> e.getEndpointUri().contains(prefix + "/") || e.getEndpointUri().contains("churn.g")));
  }

  /** {@code seda:} queues, which the docs and the namespacing promised, run within an integration, each version its own. */
  @Test
  void sedaQueuesWorkWithinAnIntegrationEachVersionItsOwn() {
    String source = """
        - route:
            id: queue-in
            from:
              uri: platform-http:/queued
              steps:
                - to: seda:work?waitForTaskToComplete=Always
        - route:
            id: worker
            from:
              uri: seda:work
              steps:
                - setBody:
                    constant: "worked %s"
        """;
    Integrations.put(management, Integrations.of("queued", "1", source.formatted("v1"))).then().statusCode(200);
    given().get(http + "queued").then().statusCode(200).body(equalTo("worked v1"));
    Integrations.put(management, Integrations.of("queued", "2", source.formatted("v2"))).then().statusCode(200);
    given().get(http + "queued").then().statusCode(200).body(equalTo("worked v2"));
    Integrations.delete(management, "queued").then().statusCode(204);
    given().get(http + "queued").then().statusCode(404);
  }

  /**
   * Work a request hands on (a wireTap to a queue) finishes before its version goes, within the
   * drain timeout: the copy carried the request's answered response, so the drain took it for done
   * and stopped its route at once, and the audit call never went.
   */
  @Test
  void workARequestHandsOnFinishesBeforeItsVersionGoes() throws Exception {
    try (Backend backend = Backend.json("{}")) {
      String source = """
          - route:
              id: audited-in
              from:
                uri: platform-http:/audited
                steps:
                  - wireTap:
                      uri: seda:audit
                  - setBody:
                      constant: "taken"
          - route:
              id: audit
              from:
                uri: seda:audit
                steps:
                  - delay:
                      constant: 1500
                  - to: "%s/audit"
          """.formatted(backend.url());
      Integrations.put(management, Integrations.of("audited", "1", source)).then().statusCode(200);
      given().get(http + "audited").then().statusCode(200).body(equalTo("taken"));
      // the copy is under way in the audit route, waiting in its delay, when the version goes
      Eventually.eventually(() -> assertThat(inFlight("audited", ".audit")).isPositive());
      Integrations.delete(management, "audited").then().statusCode(204);
      assertThat(backend.received()).extracting(Backend.Received::path).as("the audit call, made while draining")
          .contains("/audit");
    }
  }

  /**
   * The gateway decides a request's size (a route's maxBodyBytes up to 1 GiB, request lines of 8 KiB):
   * the runtime behind it refused what it had let through, with Quarkus' 10 MiB and 4 KiB defaults.
   */
  @Test
  void requestsTheGatewayLetsThroughAreNotRefusedByTheRuntime() {
    Integrations.put(management, Integrations.of("sized", "1", Integrations.httpRoute("sized", "/sized", """
        - convertBodyTo:
            type: byte[]
        - setBody:
            simple: "${body.length} ${header.q.length()}"
        """))).then().statusCode(200);
    byte[] body = new byte[11 * 1024 * 1024];
    String query = "a".repeat(6000);
    given().body(body).queryParam("q", query).post(http + "sized").then().statusCode(200)
        .body(equalTo(body.length + " " + query.length()));
    Integrations.delete(management, "sized").then().statusCode(204);
  }

  /** Exchanges in flight in the routes of integration {@code name} whose ids end with {@code suffix}. */
  private int inFlight(String name, String suffix) {
    return camel.getRoutes().stream().filter(r -> r.getRouteId().startsWith(name + ".") && r.getRouteId().endsWith(suffix))
        .mapToInt(r -> camel.getInflightRepository().size(r.getRouteId())).sum();
  }

  /** The versions ({@code g<n>}) of {@code name} that Prometheus series still name. */
  private Set<String> generationsInMetrics(String name) {
    String metrics = given().get(Integrations.base(management) + "q/metrics").asString();
    Matcher m = Pattern.compile("(?:" + name + "\\.|/_outpost/" + name + "/)(g[0-9]+)[./]").matcher(metrics);
    Set<String> generations = new HashSet<>();
    while (m.find()) {
      generations.add(m.group(1));
    }
    return generations;
  }

  @Test
  void internalVersionedPathsAreNotReachableDirectly() {
    Integrations.put(management, Integrations.of("hidden", "1", constantRoute("hidden", "/hidden", "h")))
        .then().statusCode(200);
    given().get(http + "hidden").then().statusCode(200);
    // the prefix the version really serves under (the generation counter is the whole runtime's)
    String prefix = deployer.deployment("hidden").orElseThrow().prefix();
    assertThat(prefix).startsWith("/_outpost/hidden/g");
    given().get(http + prefix.substring(1) + "/hidden").then().statusCode(404);
    Integrations.delete(management, "hidden").then().statusCode(204);
  }

  /** A malformed percent-escape in the path is the caller's mistake: Vert.x's server answers 400 before any route, never a 500. */
  @Test
  void aMalformedPercentEscapeInThePathIs400() throws Exception {
    try (java.net.Socket socket = new java.net.Socket(http.getHost(), http.getPort())) {
      socket.setSoTimeout(5000);
      socket.getOutputStream().write("GET /hidden/%zz HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n"
          .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      String answer = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      assertThat(answer).startsWith("HTTP/1.1 400");
    }
  }

  @Test
  void theQueryStringReachesTheRoute() {
    String source = """
        - route:
            id: echo-query
            from:
              uri: platform-http:/echo-query
              steps:
                - setBody:
                    simple: "${header.q}"
        """;
    Integrations.put(management, Integrations.of("echo-query", "1", source)).then().statusCode(200);
    given().get(http + "echo-query?q=hello").then().statusCode(200).body(equalTo("hello"));
    Integrations.delete(management, "echo-query").then().statusCode(204);
  }
}
