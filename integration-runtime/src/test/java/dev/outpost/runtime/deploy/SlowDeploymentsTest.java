package dev.outpost.runtime.deploy;

import static dev.outpost.runtime.Eventually.eventually;
import static dev.outpost.runtime.Integrations.constantRoute;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.outpost.runtime.Backend;
import dev.outpost.runtime.Integrations;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URL;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.junit.jupiter.api.Test;

/**
 * Integrations of several projects share the local runtime, which loads one deployment at a time:
 * one integration's slow load or large removal must not leave the others' deployments waiting
 * without a word, nor for longer than Camel makes them.
 */
@QuarkusTest
class SlowDeploymentsTest {

  @TestHTTPResource("/")
  URL http;

  @TestHTTPResource(value = "/", management = true)
  URL management;

  @Inject
  IntegrationDeployer deployer;

  @Inject
  CamelContext camel;

  /**
   * A bean that blocks while it is created holds the load (Camel cannot interrupt it): a deployment
   * of another integration waits, and says for which one in its status, which {@code ./outpost
   * status} prints. Before, it said nothing until the bean returned, and nothing named the culprit.
   */
  @Test
  void aDeployWaitingBehindASlowLoadSaysWhichIntegrationHoldsItUp() throws Exception {
    Integrations.put(management, Integrations.of("patient", "1", constantRoute("patient", "/patient", "v1")))
        .then().statusCode(200);
    try (BlockingBean bean = new BlockingBean()) {
      var slow = CompletableFuture.supplyAsync(() -> Integrations.put(management, Integrations.of("slow-load", "1",
          bean.declaration("slowLoadSocket") + constantRoute("slow-load", "/slow-load", "loaded"))).statusCode());
      eventually(() -> assertThat(textStatus()).contains("slow-load\t1\tDeploying\t"));
      // a change of config only, to an integration of its own
      var patient = CompletableFuture.supplyAsync(() -> Integrations.put(management, Integrations.of("patient", "2",
          constantRoute("patient", "/patient", "{{config.greeting}}"), Map.of("greeting", "v2"), List.of())).statusCode());
      eventually(() -> assertThat(textStatus().lines())
          .anySatisfy(line -> assertThat(line).startsWith("patient\t2\tDeploying\t")
              .contains("waiting: integration slow-load has been loading for ")));
      given().get(http + "patient").then().statusCode(200).body(equalTo("v1"));
      assertThat(patient).isNotDone();

      bean.release();
      assertThat(slow.get(30, TimeUnit.SECONDS)).isEqualTo(200);
      assertThat(patient.get(30, TimeUnit.SECONDS)).isEqualTo(200);
      given().get(http + "patient").then().statusCode(200).body(equalTo("v2"));
      assertThat(textStatus()).contains("patient\t2\tReady\t-\t\n");
    } finally {
      Integrations.delete(management, "slow-load");
      Integrations.delete(management, "patient");
    }
  }

  /**
   * A load that fails after one of its routes started (a timer, created before the route that
   * fails) leaves nothing firing once it is reported Failed, even while the next deployment waiting
   * for the deployer holds it (a bean that blocks): its routes are removed in steps behind that
   * one. Before, the timer kept firing for as long as the next one held the deployer.
   */
  @Test
  void aFailedLoadsStartedTimerStopsBeforeTheNextDeploymentRuns() throws Exception {
    try (Backend backend = Backend.json("{}"); BlockingBean first = new BlockingBean(); BlockingBean next = new BlockingBean()) {
      String halfStarted = first.declaration("halfStartedSocket") + """
          - route:
              id: tick
              from:
                uri: "timer:tick?period=50&delay=0"
                steps:
                  - to: "%s/tick"
          - route:
              id: broken
              from:
                uri: direct:broken
                steps:
                  - to: "nosuch:thing"
          """.formatted(backend.url());
      var failing = CompletableFuture.supplyAsync(() ->
          Integrations.put(management, Integrations.of("half-started", "1", halfStarted)).statusCode());
      eventually(() -> assertThat(textStatus()).contains("half-started\t1\tDeploying\t"));
      var waiting = CompletableFuture.supplyAsync(() -> Integrations.put(management, Integrations.of("after-half", "1",
          next.declaration("afterHalfSocket") + constantRoute("after-half", "/after-half", "in"))).statusCode());
      eventually(() -> assertThat(textStatus()).contains("waiting: integration half-started has been loading for "));

      first.release();
      eventually(() -> assertThat(textStatus()).contains("half-started\t1\tFailed\t"));
      eventually(() -> assertThat(textStatus()).contains("after-half\t1\tDeploying\t-\t\n"));
      // an exchange under way when it failed ends: waited for until no call came for 300 ms
      int ticks = backend.received().size();
      long deadline = System.currentTimeMillis() + 10_000;
      do {
        assertThat(System.currentTimeMillis()).as("the failed load's timer still calls").isLessThan(deadline);
        ticks = backend.received().size();
        Thread.sleep(300);
      } while (backend.received().size() != ticks);
      Thread.sleep(1000);
      assertThat(backend.received()).as("calls of the failed load's timer while the next deployment runs").hasSize(ticks);

      next.release();
      assertThat(waiting.get(30, TimeUnit.SECONDS)).isEqualTo(200);
      assertThat(failing.get(30, TimeUnit.SECONDS)).isEqualTo(422);
      assertThat(camel.getRoutes()).noneMatch(route -> route.getRouteId().startsWith("half-started."));
    } finally {
      Integrations.delete(management, "after-half");
      Integrations.delete(management, "half-started"); // its status
    }
  }

  /**
   * Removing an integration of thousands of routes takes Camel a while (it looks at every route of
   * the context for each one it removes): the deployer lets other deployments in between, so one
   * deployed meanwhile serves before the removal ends. Before, the removal held the deployer for
   * all of it (43 s for 3,001 routes in the local runtime), and every other deploy waited.
   */
  @Test
  void removingAnIntegrationOfThousandsOfRoutesLetsOtherDeploysIn() throws Exception {
    StringBuilder source = new StringBuilder(constantRoute("many-in", "/many", "many"));
    for (int i = 0; i < 1000; i++) {
      source.append("""
          - route:
              id: many-%1$d
              from:
                uri: direct:many-%1$d
                steps:
                  - setBody:
                      constant: "%1$d"
          """.formatted(i));
    }
    Integrations.put(management, Integrations.of("many", "1", source.toString())).then().statusCode(200);
    String key = deployer.deployment("many").orElseThrow().key();
    var removal = CompletableFuture.supplyAsync(() -> {
      Integrations.delete(management, "many").then().statusCode(204);
      return System.nanoTime();
    });
    // its routes are going
    eventually(() -> assertThat(routesOf(key)).isBetween(1L, 1000L));

    Integrations.put(management, Integrations.of("beside-many", "1", constantRoute("beside-many", "/beside-many", "in")))
        .then().statusCode(200);
    long deployed = System.nanoTime();
    given().get(http + "beside-many").then().statusCode(200).body(equalTo("in"));
    long removed = removal.get(120, TimeUnit.SECONDS);
    assertThat(deployed).as("the deploy beside the removal was done before it").isLessThan(removed);
    assertThat(routesOf(key)).isZero();
    Integrations.delete(management, "beside-many").then().statusCode(204);
  }

  private long routesOf(String key) {
    return camel.getRoutes().stream().filter(r -> r.getRouteId().startsWith(key + ".")).count();
  }

  private String textStatus() {
    return given().get(Integrations.base(management) + "outpost/integrations?format=text").then().statusCode(200)
        .extract().asString();
  }
}
