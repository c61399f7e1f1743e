package dev.outpost.runtime.deploy;

import static dev.outpost.runtime.Integrations.httpRoute;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.outpost.runtime.Integrations;
import dev.outpost.spec.testing.LogLines;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.net.URL;
import java.util.List;
import org.apache.camel.CamelContext;
import org.junit.jupiter.api.Test;

/**
 * The beans a version declares go with it when it retires (removed, or replaced once drained): no
 * other integration finds them by name any more, and what they hold (a port) is released. A name
 * another integration or a newer version bound since is theirs, and stays. Before, every bean stayed
 * bound and open for the life of the runtime.
 */
@QuarkusTest
class RetiredBeansTest {

  @TestHTTPResource("/")
  URL http;

  @TestHTTPResource(value = "/", management = true)
  URL management;

  @Inject
  CamelContext camel;

  @Test
  void aRemovedIntegrationsBeanIsNotFoundByAnotherOne() throws Exception {
    // what an integration gets for a bean nobody ever declared
    Response never = Integrations.put(management, Integrations.of("bean-reader", "1", reading("neverDeclaredGreeter")));
    Integrations.delete(management, "bean-reader");

    Integrations.put(management, Integrations.of("bean-owner", "1",
        PortHoldingBean.declaration("ownedGreeter", "owned", 0, "") + greeting("bean-owner", "ownedGreeter")))
        .then().statusCode(200);
    given().get(http + "bean-owner").then().statusCode(200).body(equalTo("owned"));
    PortHoldingBean owned = bean("ownedGreeter");
    Integrations.delete(management, "bean-owner").then().statusCode(204);

    Response after = Integrations.put(management, Integrations.of("bean-reader", "1", reading("ownedGreeter")));
    try {
      assertThat(after.statusCode()).as(after.asString()).isEqualTo(never.statusCode());
      assertThat(after.asString()).isEqualTo(never.asString().replace("neverDeclaredGreeter", "ownedGreeter"));
      assertThat(camel.getRegistry().lookupByName("ownedGreeter")).isNull();
      assertThat(owned.isClosed()).as("the removed integration's bean is closed").isTrue();
    } finally {
      Integrations.delete(management, "bean-reader");
    }
  }

  /**
   * A renamed integration declaring the bean of the one it replaces (the same port) deploys once
   * that one is removed: by its destroy method, or closed when it has none. Before, the port stayed
   * taken: {@code Address already in use}.
   */
  @Test
  void aRemovedIntegrationsBeanReleasesItsPortForTheRenamedOne() throws Exception {
    for (String destroy : List.of("destroyMethod: close", "")) {
      int port = PortHoldingBean.freePort();
      Integrations.put(management, Integrations.of("port-before", "1",
          PortHoldingBean.declaration("fixedPortBean", "before", port, destroy) + greeting("port-before", "fixedPortBean")))
          .then().statusCode(200);
      Integrations.delete(management, "port-before").then().statusCode(204);
      try {
        Response renamed = Integrations.put(management, Integrations.of("port-after", "1",
            PortHoldingBean.declaration("fixedPortBean", "after", port, destroy) + greeting("port-after", "fixedPortBean")));
        assertThat(renamed.statusCode()).as("[%s] %s", destroy, renamed.asString()).isEqualTo(200);
        given().get(http + "port-after").then().statusCode(200).body(equalTo("after"));
      } finally {
        Integrations.delete(management, "port-after");
      }
    }
  }

  /**
   * An upgrade declaring the same bean name: once the old version has drained and retired, the new
   * one serves with its own bean, and the old version's is closed.
   */
  @Test
  void anUpgradesBeanOfTheSameNameStaysWhenTheOldVersionRetires() throws Exception {
    String v1 = PortHoldingBean.declaration("upgradedGreeter", "v1", 0, "") + greeting("bean-upgrade", "upgradedGreeter");
    Integrations.put(management, Integrations.of("bean-upgrade", "1", v1)).then().statusCode(200);
    given().get(http + "bean-upgrade").then().statusCode(200).body(equalTo("v1"));
    PortHoldingBean first = bean("upgradedGreeter");

    // returns once version 1 has retired
    Integrations.put(management, Integrations.of("bean-upgrade", "2", v1.replace("\"v1\"", "\"v2\""))).then().statusCode(200);
    try {
      given().get(http + "bean-upgrade").then().statusCode(200).body(equalTo("v2"));
      PortHoldingBean second = bean("upgradedGreeter");
      assertThat(second.greet()).isEqualTo("v2");
      assertThat(second.isClosed()).as("version 2's bean").isFalse();
      assertThat(first.isClosed()).as("version 1's bean, once version 1 retired").isTrue();
    } finally {
      Integrations.delete(management, "bean-upgrade");
    }
  }

  /** A name another integration bound since is that integration's: removing the first leaves it. */
  @Test
  void removingAnIntegrationLeavesTheBeanAnotherOneBoundUnderItsName() throws Exception {
    Integrations.put(management, Integrations.of("name-first", "1",
        PortHoldingBean.declaration("sharedNameGreeter", "first", 0, "") + greeting("name-first", "sharedNameGreeter")))
        .then().statusCode(200);
    PortHoldingBean first = bean("sharedNameGreeter");
    Integrations.put(management, Integrations.of("name-second", "1",
        PortHoldingBean.declaration("sharedNameGreeter", "second", 0, "") + greeting("name-second", "sharedNameGreeter")))
        .then().statusCode(200);
    PortHoldingBean second = bean("sharedNameGreeter");

    Integrations.delete(management, "name-first").then().statusCode(204);
    try {
      given().get(http + "name-second").then().statusCode(200).body(equalTo("second"));
      assertThat(camel.getRegistry().lookupByName("sharedNameGreeter")).isSameAs(second);
      assertThat(second.isClosed()).as("the second integration's bean").isFalse();
      assertThat(first.isClosed()).as("the removed integration's own bean").isTrue();
    } finally {
      Integrations.delete(management, "name-second");
    }
  }

  /**
   * A new version that fails making its bean (the port is the running version's) leaves the running
   * version's bean as it is. Before, putting the registry back unbound the name, which ran the
   * running bean's destroy method: its port was closed under it.
   */
  @Test
  void anUpgradeThatFailsMakingItsBeanLeavesTheRunningOneOpen() throws Exception {
    int port = PortHoldingBean.freePort();
    String v1 = PortHoldingBean.declaration("keptPortBean", "v1", port, "destroyMethod: close")
        + greeting("kept-port", "keptPortBean");
    Integrations.put(management, Integrations.of("kept-port", "1", v1)).then().statusCode(200);
    PortHoldingBean running = bean("keptPortBean");
    try {
      Integrations.put(management, Integrations.of("kept-port", "2", v1.replace("\"v1\"", "\"v2\""))).then()
          .statusCode(422).body("message", containsString("Address already in use"));
      assertThat(running.isClosed()).as("the running version's bean").isFalse();
      assertThat(bean("keptPortBean")).isSameAs(running);
      given().get(http + "kept-port").then().statusCode(200).body(equalTo("v1"));
    } finally {
      Integrations.delete(management, "kept-port");
    }
    assertThat(running.isClosed()).as("once its version is removed").isTrue();
  }

  /**
   * A load that fails after making its bean (a route of it is broken) releases the bean as well: the
   * corrected source deploys. Before, the bean was unbound but left open, its port taken.
   */
  @Test
  void aFailedLoadsBeanReleasesItsPort() throws Exception {
    int port = PortHoldingBean.freePort();
    String fixed = PortHoldingBean.declaration("failedLoadPortBean", "fixed", port, "")
        + greeting("failed-load-port", "failedLoadPortBean");
    String broken = fixed + Integrations.constantRoute("broken", "/failed-load-broken", "x")
        .replace("platform-http:/failed-load-broken", "timer:broken?period=not-a-duration");
    Integrations.put(management, Integrations.of("failed-load-port", "1", broken)).then().statusCode(422);
    try {
      Response corrected = Integrations.put(management, Integrations.of("failed-load-port", "2", fixed));
      assertThat(corrected.statusCode()).as(corrected.asString()).isEqualTo(200);
      given().get(http + "failed-load-port").then().statusCode(200).body(equalTo("fixed"));
    } finally {
      Integrations.delete(management, "failed-load-port");
    }
  }

  /** A bean whose destroy method fails is logged once, naming it and its integration: the removal goes on. */
  @Test
  void aBeanThatFailsToBeDestroyedIsLoggedOnceAndTheRemovalGoesOn() throws Exception {
    Integrations.put(management, Integrations.of("bean-explodes", "1",
        PortHoldingBean.declaration("explodingBean", "exploding", 0, "destroyMethod: explode")
            + greeting("bean-explodes", "explodingBean"))).then().statusCode(200);
    try (PortHoldingBean exploding = bean("explodingBean"); LogLines log = LogLines.of("")) {
      Integrations.delete(management, "bean-explodes").then().statusCode(204);
      assertThat(log.warnings()).filteredOn(line -> line.contains("refuses to stop")).singleElement()
          .satisfies(line -> assertThat(line).contains("bean-explodes").contains("explodingBean"));
      assertThat(camel.getRegistry().lookupByName("explodingBean")).isNull();
    }
    given().get(http + "bean-explodes").then().statusCode(404);
  }

  /** A route on {@code /<id>} answering what bean {@code name} greets with. */
  private static String greeting(String id, String name) {
    return httpRoute(id, "/" + id, """
        - setBody:
            simple: "${bean:%s?method=greet}"
        """.formatted(name));
  }

  /** An integration reading bean {@code name}, which it does not declare. */
  private static String reading(String name) {
    return greeting("bean-reader", name);
  }

  private PortHoldingBean bean(String name) {
    return camel.getRegistry().lookupByNameAndType(name, PortHoldingBean.class);
  }
}
