package dev.outpost.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The user journey of issue 7, over the packaged components started by {@code ./outpost up} as
 * real processes: deploy through the control plane, call through the gateway, find the telemetry,
 * upgrade under load, survive a control plane outage, undeploy.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class UserJourneyIT {
  private static final String GATEWAY = "http://127.0.0.1:8080";
  private static final String OBSERVABILITY = "http://127.0.0.1:8082";
  private static final String CONTROL_PLANE = "http://127.0.0.1:7070";
  private static final Duration SETTLE = Duration.ofSeconds(30);
  /** The period of the journey route's rate limit (greeter-v1.yaml): windows aligned to the clock's minutes. */
  private static final long RATE_WINDOW_MILLIS = 60_000;

  /** Unique strings carried in payloads and log lines; none may ever reach the control plane. */
  private final String canary = "canary" + UUID.randomUUID().toString().replace("-", "");

  /** Under target/ so that the components' logs stay behind as artifacts when a step fails. */
  private final Path home = Path.of("target/e2e-home").toAbsolutePath();
  private Launcher outpost;
  private String caller;
  private String otherProjectReader;

  @BeforeAll
  void up() throws IOException {
    deleteRecursively(home);
    // a proxy in the environment that answers nothing: every call the launcher makes is to loopback
    // and must not go through it (a corporate http_proxy made up fail with every component healthy)
    String deadProxy = "http://127.0.0.1:9";
    outpost = new Launcher(Launcher.repositoryRoot(), home, Map.of("OUTPOST_NO_EXAMPLES", "1",
        "http_proxy", deadProxy, "HTTP_PROXY", deadProxy, "https_proxy", deadProxy, "ALL_PROXY", deadProxy));
    Launcher.Result up = outpost.run(300, "up").expectSuccess("./outpost up");
    assertThat(up.output()).contains("all healthy");
    caller = token("journey", "greet:call");
    otherProjectReader = token("someone-else", "greet:call");
  }

  @AfterAll
  void down() {
    if (outpost == null) {
      return;
    }
    List<Long> pids = pids();
    outpost.run(120, "down").expectSuccess("./outpost down");
    for (long pid : pids) {
      assertThat(running(pid)).as("process %d is left behind after ./outpost down", pid).isFalse();
    }
  }

  @Test
  @Order(1)
  void deployedThroughTheControlPlaneTheGatewayRoutesToIt() {
    outpost.run(60, "deploy", journeyFile("greeter-v1.yaml")).expectSuccess("./outpost deploy");
    HttpResponse<String> response = Eventually.await("the gateway to route /greet", SETTLE, () -> {
      HttpResponse<String> r = Http.postJson(GATEWAY + "/greet", caller, "hello-" + canary);
      return r.statusCode() == 200 ? r : null;
    });
    assertThat(Http.json(response).path("version").asInt()).isEqualTo(1);
    assertThat(response.body()).contains("hello-" + canary);
    // what the user runs next to see what runs
    assertThat(outpost.run(60, "status").expectSuccess("./outpost status").output())
        .containsPattern("greeter +1 +Ready");
  }

  @Test
  @Order(2)
  void authenticationAuthorizationAndRateLimitAreEnforced() throws InterruptedException {
    assertThat(Http.postJson(GATEWAY + "/greet", null, "x").statusCode()).as("no token").isEqualTo(401);
    assertThat(Http.postJson(GATEWAY + "/greet", "not.a.jwt", "x").statusCode()).as("garbage token").isEqualTo(401);
    String wrongScope = token("journey", "something:else");
    assertThat(Http.postJson(GATEWAY + "/greet", wrongScope, "x").statusCode()).as("wrong scope").isEqualTo(403);

    // The route allows 30 requests a minute per subject: a fresh subject gets 30, then 429. The
    // windows are the clock's minutes, and a burst that crossed into the next got a fresh 30 there:
    // it starts with 20 s of its minute left, more than 31 calls take on a loaded machine.
    String burst = token("journey", "greet:call", "burst-" + UUID.randomUUID());
    long left = RATE_WINDOW_MILLIS - System.currentTimeMillis() % RATE_WINDOW_MILLIS;
    if (left < 20_000) {
      Thread.sleep(left + 100);
    }
    long window = System.currentTimeMillis() / RATE_WINDOW_MILLIS;
    int ok = 0;
    HttpResponse<String> limited = null;
    for (int i = 0; i < 40 && limited == null; i++) {
      HttpResponse<String> r = Http.postJson(GATEWAY + "/greet", burst, "burst");
      if (r.statusCode() == 200) {
        ok++;
      } else {
        limited = r;
      }
    }
    assertThat(System.currentTimeMillis() / RATE_WINDOW_MILLIS).as("the burst ran in one window of the rate limit")
        .isEqualTo(window);
    assertThat(limited).as("a 429 after the budget").isNotNull();
    assertThat(limited.statusCode()).isEqualTo(429);
    assertThat(limited.headers().firstValue("Retry-After")).isPresent();
    assertThat(ok).isEqualTo(30);
  }

  @Test
  @Order(3)
  void accessLogIntegrationLogAndOneTraceAreFoundScopedToTheProject() {
    JsonNode access = Eventually.await("the gateway access log", SETTLE, () -> firstLog("route:greeter AND event:outpost.access"));
    String traceId = access.path("traceId").asText();
    assertThat(traceId).hasSize(32);

    JsonNode own = Eventually.await("the integration's log line", SETTLE, () -> firstLog("\"greeter v1 got hello-" + canary + "\""));
    assertThat(own.path("project").asText()).isEqualTo("journey");

    // one tree: the runtime's server span is the child of the gateway's upstream (client) span
    JsonNode trace = Eventually.await("the trace with the runtime's span under the gateway's", SETTLE, () -> {
      HttpResponse<String> r = Http.get(OBSERVABILITY + "/api/v1/traces/" + own.path("traceId").asText(), caller);
      if (r.statusCode() != 200) {
        return null;
      }
      JsonNode t = Http.json(r);
      for (JsonNode upstream : t.path("spans")) {
        if (!upstream.path("service").asText().equals("outpost-gateway") || !upstream.path("kind").asText().equals("CLIENT")) {
          continue;
        }
        for (JsonNode runtime : t.path("spans")) {
          if (runtime.path("service").asText().equals("outpost-integration-runtime")
              && runtime.path("kind").asText().equals("SERVER")
              && runtime.path("parentSpanId").asText().equals(upstream.path("spanId").asText())) {
            return t;
          }
        }
      }
      return null;
    });
    assertThat(trace.path("spans").size()).isGreaterThanOrEqualTo(3);

    // The same records are invisible to a caller of another project.
    HttpResponse<String> foreign = Http.get(OBSERVABILITY + "/api/v1/logs?q=" + encode("\"" + canary + "\""), otherProjectReader);
    assertThat(foreign.statusCode()).isEqualTo(200);
    assertThat(Http.json(foreign).path("records").size()).isZero();
    assertThat(Http.get(OBSERVABILITY + "/api/v1/traces/" + own.path("traceId").asText(), otherProjectReader).statusCode())
        .isEqualTo(404);
  }

  /**
   * The console in Chromium, reading observability-api from another origin with the user's token:
   * the journey's log line leads to its trace; the other cases read what {@link ConsoleTelemetry}
   * writes through the ingest (a slow answer does not overwrite a newer one's, a listing cut at its
   * page says so, a trace opened from a row is read in the row's project, a span's owner stays on screen
   * whatever its name, a long name keeps the rows on screen); a sign-in sent while config.json is on its
   * way is kept. The page's requests are only held back, never answered, by the script.
   */
  @Test
  @Order(4)
  void theConsoleInChromiumReadsLogsAndTracesFromAnotherOrigin() throws Exception {
    Path browser = Path.of("src/test/browser").toAbsolutePath();
    if (!Files.isDirectory(browser.resolve("node_modules/playwright-core"))) {
      throw new AssertionError("run 'npm ci' in " + browser + " first (.ci/run does)");
    }
    ConsoleTelemetry telemetry = new ConsoleTelemetry();
    telemetry.write(new OtlpIngest(secret("ingest-token")));
    String reader = token("console-reader", "logs:read traces:read", List.of("shop", "other"));
    Eventually.await("the console's telemetry to be searchable", SETTLE,
        () -> telemetry.searchable(OBSERVABILITY, reader) ? true : null);
    Path screenshot = Path.of("target/console-journey.png").toAbsolutePath();
    Files.createDirectories(screenshot.getParent());
    ProcessBuilder node = new ProcessBuilder("node", "console.test.mjs").directory(browser.toFile()).redirectErrorStream(true);
    node.environment().putAll(Map.of("CONSOLE_URL", CONTROL_PLANE + "/console/", "PROJECT", "journey",
        "LOG_TEXT", "greeter v1 got hello-" + canary, "SCREENSHOT", screenshot.toString(),
        "FIRST_TRACE", telemetry.firstTrace, "SECOND_TRACE", telemetry.secondTrace,
        "LONG_NAME_TRACE", telemetry.longNameTrace, "SPOOF_TRACE", telemetry.spoofTrace));
    Process process = node.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor()).as("the console in Chromium:%n%s", output).isZero();
    assertThat(output).contains("OK a log line read from another origin leads to its trace's waterfall",
        "OK a subject outside ASCII is shown as typed", "OK a slow search does not overwrite a newer one",
        "OK a slow trace does not overwrite a newer one", "OK a listing cut at its limit says more match",
        "OK a trace opened from a row is read in the row's project", "OK a span's owner is shown whatever its name",
        "OK a long name keeps every row on screen", "OK a reload keeps the signed-in subject and projects in the form",
        "OK a sign-in sent before the config arrives is kept");
    assertThat(screenshot).isNotEmptyFile();
  }

  /**
   * The console's files keep their names across versions: kept a day as immutable (Vert.x's default),
   * a browser ran the old script after an upgrade, even on reload. Each load asks again, and an
   * unchanged file is a 304.
   */
  @Test
  @Order(5)
  void theConsolesFilesAreRevalidatedSoAnUpgradeReachesTheBrowser() {
    for (String file : List.of("", "index.html", "console.js", "console.css")) {
      HttpResponse<String> first = Http.get(CONTROL_PLANE + "/console/" + file, null);
      assertThat(first.statusCode()).as("/console/" + file).isEqualTo(200);
      assertThat(first.headers().firstValue("Cache-Control")).as("/console/" + file).hasValue("no-cache");
      String lastModified = first.headers().firstValue("Last-Modified")
          .orElseThrow(() -> new AssertionError("/console/" + file + " carries no validator (Last-Modified)"));
      HttpResponse<String> again = Http.send("GET", CONTROL_PLANE + "/console/" + file, null, null, null,
          Map.of("If-Modified-Since", lastModified));
      assertThat(again.statusCode()).as("/console/" + file + " asked again unchanged").isEqualTo(304);
    }
  }

  @Test
  @Order(6)
  void anUpgradeUnderLoadFailsNoCall() throws InterruptedException {
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicInteger calls = new AtomicInteger();
    List<String> failures = new ArrayList<>();
    AtomicBoolean sawV2 = new AtomicBoolean();
    // the route allows a subject 30 calls a minute: a subject of its own every 25 calls keeps the load
    // under it, so every call reaches the integration and a 429 is a failure like any other
    Thread load = new Thread(() -> {
      String loadCaller = null;
      while (running.get() && failures.size() < 100) {
        try {
          if (calls.get() % 25 == 0) {
            loadCaller = token("journey", "greet:call", "load-" + UUID.randomUUID());
          }
          HttpResponse<String> r = Http.postJson(GATEWAY + "/greet", loadCaller, "load");
          calls.incrementAndGet();
          if (r.statusCode() != 200) {
            synchronized (failures) {
              failures.add(r.statusCode() + " " + r.body());
            }
          } else if (r.body().contains("\"version\": 2") || r.body().contains("\"version\":2")) {
            sawV2.set(true);
          }
        } catch (Throwable t) { // a connection refused or reset is a failed call too
          synchronized (failures) {
            failures.add(t.toString());
          }
          calls.incrementAndGet();
        }
      }
    });
    load.start();
    try {
      outpost.run(60, "deploy", journeyFile("greeter-v2.yaml")).expectSuccess("./outpost deploy v2");
      // (or the load to have failed: the failures then say why)
      Eventually.await("version 2 to serve", SETTLE, () -> sawV2.get() || !failures.isEmpty() ? true : null);
      Thread.sleep(500);
    } finally {
      running.set(false);
      load.join();
    }
    assertThat(calls.get()).isGreaterThan(5);
    assertThat(failures).as("failed calls during the upgrade").isEmpty();
  }

  @Test
  @Order(7)
  void aVersionTheRuntimeRefusesIsReportedByDeployAndTheOneBeforeKeepsServing() throws IOException {
    // a mistyped step passes the control plane's checks; only Camel, loading it, refuses it
    Path broken = home.resolve("greeter-v3-broken.yaml");
    Files.writeString(broken, Files.readString(Path.of(journeyFile("greeter-v2.yaml")))
        .replace("version: \"2\"", "version: \"3\"").replace("- setBody:", "- setBdy:"));
    Launcher.Result deploy = outpost.run(60, "deploy", broken.toString());
    assertThat(deploy.exitCode()).as(deploy.output()).isNotZero();
    assertThat(deploy.output()).contains("greeter 3 failed:", "setBdy");
    assertThat(outpost.run(60, "status").output()).containsPattern("greeter +3 +Failed");
    String caller = token("journey", "greet:call", "broken-" + UUID.randomUUID());
    HttpResponse<String> answer = Http.postJson(GATEWAY + "/greet", caller, "after-the-broken-deploy");
    assertThat(answer.statusCode()).isEqualTo(200);
    assertThat(Http.json(answer).path("version").asInt()).as("version 2 still serves").isEqualTo(2);

    // the typo fixed under the same version: deploy waits for the runtime to load this file, not the last
    Files.writeString(broken, Files.readString(broken).replace("- setBdy:", "- setBody:").replace("\"version\": 2", "\"version\": 3"));
    outpost.run(60, "deploy", broken.toString()).expectSuccess("./outpost deploy of the fixed version 3");
    assertThat(Http.json(Http.postJson(GATEWAY + "/greet", caller, "fixed")).path("version").asInt()).isEqualTo(3);

    // a secret the data plane lacks: the agent refuses the whole revision, and deploy says why (it
    // waited 30 s, then blamed the gateway)
    Path secretless = home.resolve("needs-a-secret.yaml");
    Files.writeString(secretless, """
        apiVersion: outpost.dev/v1
        revision: 1
        dataPlane: local
        integrations:
          - name: needs-a-secret
            project: journey
            version: "1"
            secrets:
              - name: journey-missing
                key: token
            source: |
              - route:
                  id: needs-a-secret
                  from:
                    uri: "timer:needs-a-secret?period=60000"
                    steps:
                      - log: "{{secret.journey-missing.token}}"
        """);
    Launcher.Result refused = outpost.run(60, "deploy", secretless.toString());
    assertThat(refused.exitCode()).as(refused.output()).isNotZero();
    assertThat(refused.output()).contains("the data plane refused revision", "journey-missing")
        .doesNotContain("was not served by the gateway");
    // the control plane keeps that revision, and says so: the next deploys build on it
    assertThat(refused.output()).contains("The control plane keeps revision");
    assertThat(outpost.run(60, "status").output()).containsPattern("control plane: revision \\d+ is refused by the data plane.*journey-missing");

    // the secret made, the same file deployed again, as the README has users do: the agent tries it at
    // once (the control plane answered "unchanged", and deploy failed at once on the old refusal)
    Path secret = home.resolve("secrets/journey-missing/token");
    Files.createDirectories(secret.getParent());
    Files.writeString(secret, "journey-token");
    outpost.run(60, "deploy", secretless.toString()).expectSuccess("./outpost deploy of the same file once its secret exists");
    assertThat(outpost.run(60, "status").output()).doesNotContain("is refused").containsPattern("needs-a-secret +1 +Ready");
    outpost.run(60, "undeploy", "needs-a-secret").expectSuccess("./outpost undeploy of the integration that was refused");
    assertThat(outpost.run(60, "status").output()).doesNotContain("is refused");
    assertThat(Http.json(Http.postJson(GATEWAY + "/greet", caller, "after-the-refusal")).path("version").asInt()).isEqualTo(3);
  }

  @Test
  @Order(8)
  void trafficFlowsWithoutTheControlPlaneAndTheAgentDoesNotReapply() throws IOException {
    Path integrationFile = home.resolve("state/integrations/greeter.json");
    FileTime applied = Files.getLastModifiedTime(integrationFile);
    long cpPid = Long.parseLong(Files.readString(home.resolve("run/dev-control-plane.pid")).trim());
    ProcessHandle.of(cpPid).ifPresent(ProcessHandle::destroy);
    Eventually.await("the control plane to stop", SETTLE, () -> ProcessHandle.of(cpPid).map(p -> p.isAlive() ? null : true).orElse(true));
    Launcher.Result status = outpost.run(60, "status");
    assertThat(status.exitCode()).as("./outpost status with a component down").isNotZero();
    assertThat(status.output()).containsPattern("dev-control-plane +ended without ./outpost down");

    for (int i = 0; i < 5; i++) {
      assertThat(Http.postJson(GATEWAY + "/greet", caller, "offline").statusCode()).isEqualTo(200);
    }

    outpost.run(180, "up").expectSuccess("./outpost up (restarting the control plane)");
    Eventually.await("the agent to reconnect", SETTLE, () -> {
      JsonNode agents = Http.json(Http.get(CONTROL_PLANE + "/v1/agents", adminToken()));
      return agents.toString().contains("\"connected\":true") ? agents : null;
    });
    assertThat(Http.postJson(GATEWAY + "/greet", caller, "online").statusCode()).isEqualTo(200);
    assertThat(Files.getLastModifiedTime(integrationFile)).as("the agent re-applied on reconnect").isEqualTo(applied);

    // a deploy while the gateway is down names the gateway, at once, and says the agent applied it
    // (it waited 30 s, then blamed the agent)
    long gatewayPid = Long.parseLong(Files.readString(home.resolve("run/gateway.pid")).trim());
    ProcessHandle.of(gatewayPid).ifPresent(ProcessHandle::destroyForcibly);
    Eventually.await("the gateway to stop", SETTLE, () -> ProcessHandle.of(gatewayPid).map(p -> p.isAlive() ? null : true).orElse(true));
    Path v4 = home.resolve("greeter-v4.yaml");
    Files.writeString(v4, Files.readString(Path.of(journeyFile("greeter-v2.yaml")))
        .replace("version: \"2\"", "version: \"4\"").replace("\"version\": 2", "\"version\": 4"));
    Launcher.Result deploy = outpost.run(60, "deploy", v4.toString());
    assertThat(deploy.exitCode()).as(deploy.output()).isNotZero();
    assertThat(deploy.output()).contains("the gateway is not running: the agent applied revision", "./outpost up starts the gateway")
        .doesNotContain("within 30 s");
    outpost.run(180, "up").expectSuccess("./outpost up (restarting the gateway)");
    Eventually.await("version 4 to serve", SETTLE,
        () -> Http.json(Http.postJson(GATEWAY + "/greet", caller, "gateway-back")).path("version").asInt() == 4 ? true : null);
  }

  @Test
  @Order(9)
  void undeployGives404AndTheControlPlaneSawNoPayload() throws IOException {
    String statusBefore = Eventually.await("the agent's status of greeter", SETTLE, () -> {
      String agents = Http.get(CONTROL_PLANE + "/v1/agents", adminToken()).body();
      return agents.contains("\"greeter\"") ? agents : null;
    });
    // ./outpost undeploy waits until the gateway serves the revision without greeter
    outpost.run(60, "undeploy", "greeter").expectSuccess("./outpost undeploy");
    assertThat(Http.postJson(GATEWAY + "/greet", caller, "gone").statusCode()).isEqualTo(404);
    Eventually.await("the route to disappear", SETTLE, () -> Http.postJson(GATEWAY + "/greet", caller, "gone").statusCode() == 404 ? true : null);

    // Everything the control plane knows about this data plane: what it stored and what it shows.
    String seenByControlPlane = statusBefore + Http.get(CONTROL_PLANE + "/v1/agents", adminToken()).body()
        + allFilesUnder(home.resolve("control-plane"));
    assertThat(seenByControlPlane).contains("greeter").doesNotContain(canary);
  }

  /**
   * A control plane whose state was lost (reset) while the agent kept its own: the agent is ahead of
   * it and takes no revision up to its own. {@code ./outpost status} says so and what to do, and a
   * deploy says it does not reach the data plane: it said "served", the gateway serving the agent's
   * newer revision, and status said nothing.
   */
  @Test
  @Order(10)
  void aResetControlPlaneIsSaidByStatusAndByDeploy() throws IOException {
    long cpPid = Long.parseLong(Files.readString(home.resolve("run/dev-control-plane.pid")).trim());
    ProcessHandle.of(cpPid).ifPresent(ProcessHandle::destroy);
    Eventually.await("the control plane to stop", SETTLE, () -> ProcessHandle.of(cpPid).map(p -> p.isAlive() ? null : true).orElse(true));
    Files.delete(home.resolve("control-plane/state.json"));
    outpost.run(180, "up").expectSuccess("./outpost up (a control plane with no state)");
    Eventually.await("the agent to reconnect, ahead of the control plane", SETTLE, () -> {
      String agents = Http.get(CONTROL_PLANE + "/v1/agents", adminToken()).body();
      return agents.contains("\"connected\":true") && agents.contains("newer than this control plane's newest") ? agents : null;
    });

    assertThat(outpost.run(60, "status").output())
        .containsPattern("control plane: the agent runs revision \\d+, newer than this control plane's newest, revision 0")
        .contains("agent/applied.json");
    Launcher.Result deploy = outpost.run(60, "deploy", journeyFile("greeter-v1.yaml"));
    assertThat(deploy.exitCode()).as(deploy.output()).isNotZero();
    assertThat(deploy.output()).containsPattern("revision \\d+ does not reach the data plane: the agent runs revision \\d+");
  }

  private JsonNode firstLog(String query) {
    HttpResponse<String> r = Http.get(OBSERVABILITY + "/api/v1/logs?limit=5&q=" + encode(query), caller);
    if (r.statusCode() != 200) {
      throw new AssertionError("logs query " + query + " answered " + r.statusCode() + ": " + r.body());
    }
    JsonNode records = Http.json(r).path("records");
    return records.size() > 0 ? records.get(0) : null;
  }

  private String token(String project, String scope) {
    return token(project, scope, "journey-user");
  }

  private String token(String project, String scope, String subject) {
    return token(subject, scope, List.of(project));
  }

  private String token(String subject, String scope, List<String> projects) {
    String body = Http.JSON.createObjectNode().put("sub", subject).put("scope", scope)
        .set("projects", Http.JSON.valueToTree(projects)).toString();
    HttpResponse<String> r = Http.postJson(CONTROL_PLANE + "/idp/token", null, body);
    assertThat(r.statusCode()).as("token from the dev IdP: %s", r.body()).isEqualTo(200);
    return Http.json(r).path("access_token").asText();
  }

  private String adminToken() {
    return secret("admin-token");
  }

  /** One of the data plane's own secrets, which {@code ./outpost up} made. */
  private String secret(String name) {
    try {
      return Files.readString(home.resolve("secrets/outpost").resolve(name)).trim();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private String journeyFile(String name) {
    return Path.of("src/test/resources/journey", name).toAbsolutePath().toString();
  }

  /**
   * Whether a process still runs. A zombie (exited, not yet reaped by an init that does not reap)
   * has no command line and counts as gone.
   */
  private static boolean running(long pid) {
    Path cmdline = Path.of("/proc", Long.toString(pid), "cmdline");
    try {
      return Files.exists(cmdline) ? Files.readAllBytes(cmdline).length > 0
          : ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    } catch (IOException e) {
      return false; // it went away while we looked
    }
  }

  private List<Long> pids() {
    List<Long> pids = new ArrayList<>();
    try (var files = Files.list(home.resolve("run"))) {
      for (Path p : (Iterable<Path>) files::iterator) {
        // run/ also holds the launcher's lock and each log's start offset
        if (p.getFileName().toString().endsWith(".pid")) {
          pids.add(Long.parseLong(Files.readString(p).trim()));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return pids;
  }

  private static String allFilesUnder(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return "";
    }
    StringBuilder all = new StringBuilder();
    try (var files = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
        all.append(new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1));
      }
    }
    return all.toString();
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (var paths = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) paths.sorted(java.util.Comparator.reverseOrder())::iterator) {
        Files.delete(p);
      }
    }
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
