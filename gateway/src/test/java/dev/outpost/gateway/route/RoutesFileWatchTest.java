package dev.outpost.gateway.route;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.gateway.support.GatewayTestEnvironment;
import dev.outpost.gateway.support.TestRoutes;
import dev.outpost.spec.model.RouteMatch;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The routes file replaced by rename, as the agent writes it, is applied at once, not at the next
 * poll: the agent writes an integration's file before routes.json, and the runtime starts the new
 * version as soon as it sees its file, so a new version's tighter auth must be live by then.
 */
@QuarkusTest
@TestProfile(RoutesFileWatchTest.PollingRarely.class)
@QuarkusTestResource(GatewayTestEnvironment.class)
class RoutesFileWatchTest {

  /** A poll far slower than the test: only the watch can apply the new table in time. */
  public static class PollingRarely implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("outpost.gateway.routes-poll-interval", "10m");
    }
  }

  @TestHTTPResource("/")
  URL gateway;

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @Test
  void anIntegrationSwitchedFromPublicToJwtIsRefusedTokenlessWithinSeconds() throws Exception {
    GatewayTestEnvironment.writeRoutes(List.of(TestRoutes.publicRoute("upgraded", "/upgraded", true)));
    awaitStatus("/upgraded/data", 200);

    GatewayTestEnvironment.writeRoutes(List.of(TestRoutes.route("upgraded", new RouteMatch("/upgraded", List.of(), List.of()),
        true, TestRoutes.jwt(List.of("main"), List.of()), null, null)));
    awaitStatus("/upgraded/data", 401);
  }

  @Test
  void aRouteAddedByRenameServesWithinSeconds() throws Exception {
    assertThat(get("/watched/x")).isEqualTo(404);
    GatewayTestEnvironment.writeRoutes(List.of(TestRoutes.publicRoute("watched", "/watched", true)));
    awaitStatus("/watched/x", 200);
  }

  private void awaitStatus(String path, int status) throws Exception {
    long deadline = System.currentTimeMillis() + 3000;
    int last = get(path);
    while (last != status && System.currentTimeMillis() < deadline) {
      Thread.sleep(20);
      last = get(path);
    }
    assertThat(last).as("GET %s within 3 s of the routes file's rename", path).isEqualTo(status);
  }

  private int get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.getPort() + path)).build(),
        HttpResponse.BodyHandlers.discarding()).statusCode();
  }
}
