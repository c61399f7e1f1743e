package dev.outpost.gateway.route;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.gateway.support.GatewayTestEnvironment;
import dev.outpost.gateway.support.LogCapture;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.jboss.logmanager.ExtLogRecord;
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

  /**
   * A state directory that cannot be watched (gone, then a file in its place) is tried again until it
   * can be, and watched from then on; said once at WARN while it cannot be, and once when it is
   * watched again. The watch ended for good at the first failure inotify reported (no watches left,
   * no read permission): from then on a new routes file waited for the poll, with one WARN.
   */
  @Test
  void aStateDirectoryThatCouldNotBeWatchedIsWatchedAgainOnceItCanBe() throws Exception {
    Path state = GatewayTestEnvironment.home.resolve("state");
    try (LogCapture log = LogCapture.start()) {
      deleteTree(state); // the watch's key ends with the directory: it registers again, and fails
      awaitLog(log, Level.WARNING, "cannot watch " + state);
      Files.writeString(state, "not a directory");
      Thread.sleep(3 * RoutesFileWatch.REGISTER_RETRY_MILLIS); // tried again meanwhile, without a WARN each time
      Files.delete(state);
      Files.createDirectory(state);
      awaitLog(log, Level.INFO, "watching " + state + " again");
      assertThat(messages(log, Level.WARNING)).filteredOn(m -> m.contains("cannot watch")).singleElement()
          .satisfies(m -> assertThat(m).contains("read at each poll only"));

      GatewayTestEnvironment.writeRoutes(List.of(TestRoutes.publicRoute("rewatched", "/rewatched", true)));
      awaitStatus("/rewatched/x", 200); // the poll comes every 10 minutes here: the watch read it
      assertThat(messages(log, Level.INFO)).filteredOn(m -> m.contains("again")).hasSize(1);
    } finally {
      if (!Files.isDirectory(state)) { // the other tests need it back, whatever failed
        Files.deleteIfExists(state);
        GatewayTestEnvironment.writeRoutes(List.of());
      }
    }
  }

  private static void deleteTree(Path dir) throws Exception {
    try (var paths = Files.walk(dir)) {
      for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
  }

  private static List<String> messages(LogCapture log, Level level) {
    return log.records().stream().filter(r -> RoutesFileWatch.class.getName().equals(r.getLoggerName()))
        .filter(r -> r.getLevel().intValue() == level.intValue())
        .map(r -> r instanceof ExtLogRecord ext ? ext.getFormattedMessage() : r.getMessage()).toList();
  }

  private static void awaitLog(LogCapture log, Level level, String text) throws Exception {
    long deadline = System.currentTimeMillis() + 5000;
    while (messages(log, level).stream().noneMatch(m -> m.contains(text)) && System.currentTimeMillis() < deadline) {
      Thread.sleep(20);
    }
    assertThat(messages(log, level)).as("%s lines of the routes watch", level).anyMatch(m -> m.contains(text));
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
