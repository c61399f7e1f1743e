package dev.outpost.observability.explorer;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.outpost.observability.ingest.OtlpServer;
import dev.outpost.observability.support.Eventually;
import dev.outpost.observability.support.Otlp;
import dev.outpost.observability.support.TestIdpResource;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.File;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The explorer page in real headless Chromium (Debian's, driven by playwright-core from npm):
 * served by the API, and served from another origin that the CORS allow-list admits.
 */
@QuarkusTest
@QuarkusTestResource(TestIdpResource.class)
class ExplorerBrowserTest {

  private static final Path SCRIPT_DIR = Path.of("src", "test", "browser");
  private static final int SEEDED = 5;
  private static final int PAGED = 130;

  @Inject OtlpServer server;

  @TestHTTPResource("/")
  URL api;

  @Test
  void thePageHoldingATokenRunsNoOtherScriptAndCannotBeFramed() {
    io.restassured.RestAssured.given().get(api + "explorer/").then().statusCode(200)
        .header("Content-Security-Policy", org.hamcrest.Matchers.allOf(
            org.hamcrest.Matchers.containsString("script-src 'self'"),
            org.hamcrest.Matchers.containsString("frame-ancestors 'none'")))
        .header("X-Content-Type-Options", "nosniff")
        .header("Referrer-Policy", "no-referrer");
    io.restassured.RestAssured.given().get(api + "explorer/explorer.js").then().statusCode(200)
        .header("X-Content-Type-Options", "nosniff");
  }

  /**
   * The page's files keep their names across versions: kept a day as immutable, a browser ran the old
   * script after an upgrade, even on reload. Each load asks again, and an unchanged file is a 304.
   */
  @Test
  void thePagesFilesAreRevalidatedSoAnUpgradeReachesTheBrowser() {
    for (String file : List.of("explorer/", "explorer/index.html", "explorer/explorer.js")) {
      io.restassured.response.Response first = io.restassured.RestAssured.given().get(api + file);
      first.then().statusCode(200).header("Cache-Control", "no-cache");
      String lastModified = first.header("Last-Modified");
      assertThat(lastModified).as(file + " carries a validator").isNotNull();
      io.restassured.RestAssured.given().header("If-Modified-Since", lastModified).get(api + file).then()
          .statusCode(304);
    }
  }

  @Test
  void searchHistogramTraceWaterfallAndLiveTailWorkInChromium() throws Exception {
    assertThat(SCRIPT_DIR.resolve("node_modules/playwright-core")).as(
        "playwright-core is installed (cd observability-api/src/test/browser && npm ci)").exists();
    assertThat(Path.of("/usr/bin/chromium")).as("Debian's chromium is installed (apt-get install chromium)")
        .exists();

    String project = "explorer-" + UUID.randomUUID();
    String traceId = UUID.randomUUID().toString().replace("-", "");
    Otlp otlp = new Otlp(server.port());
    long now = System.currentTimeMillis() * 1_000_000L;
    List<LogRecord> records = new ArrayList<>();
    for (int i = 0; i < SEEDED; i++) {
      LogRecord.Builder r = LogRecord.newBuilder(Otlp.log(now - i * 1_000_000_000L, "explorer seed " + i, Map.of()));
      if (i == 0) {
        r.setSeverityNumberValue(17).setSeverityText("ERROR");
      }
      records.add(r.build());
    }
    otlp.send(Otlp.logs(Otlp.resource("explorer-svc", project), records));
    // more than a page, two hours old (outside the default hour), for "Older records"
    List<LogRecord> older = new ArrayList<>();
    for (int i = 0; i < PAGED; i++) {
      older.add(Otlp.log(now - 7_200_000_000_000L - i * 1_000_000_000L, "pager seed " + i, Map.of()));
    }
    otlp.send(Otlp.logs(Otlp.resource("explorer-svc", project), older));
    otlp.send(Otlp.traces(Otlp.resource("explorer-svc", project), List.of(
        Otlp.span(traceId, "0000000000000e01", null, "GET /explore", now, 4_000_000, Map.of()),
        Otlp.span(traceId, "0000000000000e02", "0000000000000e01", "load", now + 1_000_000, 2_000_000, Map.of()))));
    // a call of explorer-svc to explorer-db, in a trace of its own (the waterfall above has two spans)
    String callTrace = UUID.randomUUID().toString().replace("-", "");
    otlp.send(Otlp.traces(Otlp.resource("explorer-svc", project), List.of(
        Otlp.span(callTrace, "0000000000000c01", null, "GET /orders", now, 4_000_000, Map.of()))));
    otlp.send(Otlp.traces(Otlp.resource("explorer-db", project), List.of(
        Otlp.span(callTrace, "0000000000000c02", "0000000000000c01", "SELECT", now + 1_000_000, 1_000_000, Map.of()))));
    String token = TestIdpResource.idp().token("browser-user", List.of(project));
    Eventually.within(Duration.ofSeconds(2), "seeded data visible", () -> io.restassured.RestAssured.given()
        .auth().oauth2(token).get("/api/v1/traces/" + traceId).statusCode() == 200
        && io.restassured.RestAssured.given().auth().oauth2(token).get("/jaeger/api/dependencies")
            .jsonPath().getList("data").size() == 1);

    String apiUrl = api.toString().replaceAll("/$", "");
    HttpServer console = consoleOrigin(TestIdpResource.consolePort());
    // a token that stops being taken while the page tails, 8 s on (its exp and the 60 s clock skew every
    // call allows): minted when the script asks, not before it starts
    console.createContext("/short-token", exchange -> {
      long exp = System.currentTimeMillis() / 1000 - 52;
      byte[] shortLived = TestIdpResource.idp().token("browser-user", Map.of("projects", List.of(project),
          "iat", exp - 600, "exp", exp)).getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, shortLived.length);
      exchange.getResponseBody().write(shortLived);
      exchange.close();
    });
    try {
      ProcessBuilder node = new ProcessBuilder("node", "explorer.test.mjs").directory(SCRIPT_DIR.toFile())
          .redirectErrorStream(true);
      Map<String, String> env = node.environment();
      env.put("API_URL", apiUrl.replace("localhost", "127.0.0.1"));
      env.put("CROSS_ORIGIN_PAGE_URL", "http://127.0.0.1:" + TestIdpResource.consolePort() + "/explorer/");
      env.put("TOKEN", token);
      env.put("TRACE_ID", traceId);
      env.put("CALL_TRACE_ID", callTrace);
      env.put("PROJECT", project);
      env.put("OTLP_URL", "http://127.0.0.1:" + server.port());
      env.put("INGEST_TOKEN", Otlp.DATA_PLANE_TOKEN);
      env.put("SEEDED_RECORDS", Integer.toString(SEEDED));
      env.put("PAGED_RECORDS", Integer.toString(PAGED));
      env.put("SHORT_TOKEN_URL", "http://127.0.0.1:" + TestIdpResource.consolePort() + "/short-token");
      File output = File.createTempFile("explorer-browser", ".log");
      node.redirectOutput(output);
      Process process = node.start();
      boolean finished = process.waitFor(120, TimeUnit.SECONDS);
      if (!finished) {
        process.destroyForcibly();
      }
      String out = Files.readString(output.toPath(), StandardCharsets.UTF_8);
      assertThat(finished).as("node finished: " + out).isTrue();
      assertThat(process.exitValue()).as(out).isZero();
      assertThat(out).contains("OK same-origin").contains("OK cross-origin").contains("OK a link naming another API is ignored")
          .contains("OK large bodies are shown cut, with their integration").contains("OK a cut tail is opened again")
          .contains("OK a tail whose token expires stops, saying so")
          .contains("OK a slow search does not overwrite a newer one").contains("OK a slow trace does not overwrite a newer one")
          .contains("OK a failed search leaves no earlier results").contains("OK a failed trace leaves no earlier trace")
          .contains("OK an empty trace id asks for one").contains("OK a Query API without its scheme is named")
          .contains("OK an id that is no trace id is named and not asked for").contains("OK a long name keeps every row on screen")
          .contains("OK a tail row names its project")
          .contains("OK a tail row keeps each field's direction apart");
    } finally {
      console.stop(0);
    }
  }

  /** Serves the explorer's files from a second origin, as a console hosted elsewhere would. */
  private static HttpServer consoleOrigin(int port) throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
    server.createContext("/explorer/", exchange -> {
      String name = exchange.getRequestURI().getPath().substring("/explorer/".length());
      if (name.isEmpty()) {
        name = "index.html";
      }
      try (InputStream in = ExplorerBrowserTest.class.getResourceAsStream("/META-INF/resources/explorer/" + name)) {
        if (in == null || name.contains("..")) {
          exchange.sendResponseHeaders(404, -1);
          return;
        }
        byte[] bytes = in.readAllBytes();
        exchange.getResponseHeaders().add("Content-Type",
            name.endsWith(".js") ? "text/javascript" : "text/html; charset=utf-8");
        exchange.sendResponseHeaders(200, bytes.length);
        exchange.getResponseBody().write(bytes);
      } finally {
        exchange.close();
      }
    });
    server.start();
    return server;
  }
}
