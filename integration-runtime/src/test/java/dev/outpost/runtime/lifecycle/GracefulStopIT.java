package dev.outpost.runtime.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.spec.testing.RawHeads;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A SIGTERM to the packaged runtime, as Kubernetes stops an integration's pod in a rolling update,
 * while an exchange is in flight: readiness turns DOWN at once, the integration keeps serving through
 * the shutdown delay (the agent sets it in the pods it makes), and the exchange in flight gets its
 * answer. Before, Camel waited for the exchange, but the HTTP server had already closed its
 * connection: the caller (the gateway) got an empty reply.
 */
class GracefulStopIT {

  /**
   * {@code /slow} logs when its exchange starts, then takes longer than {@link #SHUTDOWN_DELAY}: it is
   * still running when the HTTP drain begins.
   */
  private static final String INTEGRATION = """
      {"name": "stopping", "project": "p", "version": "1", "source": "- route:\\n    from:\\n      uri: \\"platform-http:/slow\\"\\n      steps:\\n        - log: \\"slow: started\\"\\n        - delay:\\n            constant: 7000\\n        - setBody:\\n            constant: done\\n- route:\\n    from:\\n      uri: \\"platform-http:/fast\\"\\n      steps:\\n        - setBody:\\n            constant: fast\\n"}
      """;

  /**
   * Long enough for the checks made in it on a loaded 2-core machine (readiness, two requests); 1 s
   * was not. The gateway's GracefulStopIT uses the same.
   */
  private static final String SHUTDOWN_DELAY = "4s";

  /** A timer whose exchange waits a minute, logging before and after. */
  private static final String TICKING = """
      {"name": "ticking", "project": "p", "version": "1", "source": "- route:\\n    from:\\n      uri: \\"timer:tick?repeatCount=1\\"\\n      steps:\\n        - log: \\"ticking: waiting\\"\\n        - delay:\\n            constant: 60000\\n        - log: \\"ticking: done\\"\\n"}
      """;

  @TempDir Path home;

  @Test
  void aStopLetsTheExchangeInFlightAnswerAndServesOnThroughTheDelayWithReadinessDown() throws Exception {
    Path log = Path.of("target", "graceful-stop-it.log");
    Started started = start("stopping", INTEGRATION, log.getFileName().toString(), "-Dquarkus.shutdown.delay=" + SHUTDOWN_DELAY);
    Process runtime = started.process();
    int http = started.http();
    int management = started.management();
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    String ready = "http://127.0.0.1:" + management + "/q/health/ready";
    try {
      awaitReady(runtime, client, ready);
      assertThat(status(client, "http://127.0.0.1:" + http + "/fast")).isEqualTo(200);
      assertThat(RawHeads.get(http, "/fast")).as("keep-alive before the stop").doesNotContain("connection: close");

      CompletableFuture<HttpResponse<String>> inFlight = client.sendAsync(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http + "/slow")).build(),
          HttpResponse.BodyHandlers.ofString());
      // another on a raw connection, to read the head of its answer
      java.net.Socket slow = new java.net.Socket("127.0.0.1", http);
      slow.setSoTimeout(10_000);
      slow.getOutputStream().write("GET /slow HTTP/1.1\r\nHost: test\r\n\r\n"
          .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      // both exchanges running: the signal comes while they are in flight
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (Files.readString(log).split("slow: started", -1).length - 1 < 2) {
        assertThat(System.nanoTime()).as("both /slow exchanges start; see " + log).isLessThan(deadline);
        Thread.sleep(50);
      }
      runtime.destroy(); // SIGTERM

      // at once, not at the end of the delay: within a few seconds, well inside the 4 s delay on a loaded machine
      long down = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
      while (status(client, ready) != 503) {
        assertThat(System.nanoTime()).as("readiness turns 503 at the signal, during the delay").isLessThan(down);
        Thread.sleep(50);
      }
      assertThat(status(client, "http://127.0.0.1:" + http + "/fast")).as("a request during the delay").isEqualTo(200);
      // pooled connections opened before the stop go on to this pod: each answer in the delay closes
      // its connection, so the gateway's next request opens one the Service sends elsewhere
      assertThat(RawHeads.get(http, "/fast")).as("an answer during the delay").startsWith("http/1.1 200")
          .contains("connection: close");
      HttpResponse<String> answered = inFlight.get();
      assertThat(answered.statusCode()).as("the exchange in flight at the signal").isEqualTo(200);
      assertThat(answered.body()).isEqualTo("done");
      // a request that arrived before the signal closes its connection too: kept, the gateway's pool
      // reused it past the delay, and Quarkus answered 503 on it though another pod was ready
      try (slow) {
        assertThat(RawHeads.read(slow.getInputStream())).as("the answer in flight at the signal").startsWith("http/1.1 200")
            .contains("connection: close");
      }
      assertThat(runtime.waitFor(30, TimeUnit.SECONDS)).as("the runtime exits").isTrue();
    } finally {
      runtime.destroyForcibly();
    }
  }

  /**
   * An exchange that no HTTP request waits for (a timer's, as a seda consumer's) still runs at the
   * signal: Camel's stop gets what is left of {@code outpost.runtime.stop-within}, and the runtime
   * exits within it. Camel's own 45 s came after the HTTP drain, past a pod's grace period.
   */
  @Test
  void aStopCutsExchangesStillRunningWhenStopWithinRunsOut() throws Exception {
    Path log = Path.of("target", "stop-within-it.log");
    Started started = start("ticking", TICKING, log.getFileName().toString(),
        "-Dquarkus.shutdown.delay=1s", "-Doutpost.runtime.stop-within=4s");
    Process runtime = started.process();
    int management = started.management();
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    try {
      awaitReady(runtime, client, "http://127.0.0.1:" + management + "/q/health/ready");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!Files.readString(log).contains("ticking: waiting")) {
        assertThat(System.nanoTime()).as("the timer's exchange runs; see " + log).isLessThan(deadline);
        Thread.sleep(100);
      }

      long signalled = System.nanoTime();
      runtime.destroy(); // SIGTERM
      // within stop-within and the JVM's exit (a loaded machine's few seconds), not Camel's 45 s
      assertThat(runtime.waitFor(10, TimeUnit.SECONDS)).as("the runtime exits within stop-within; see " + log).isTrue();
      assertThat(Duration.ofNanos(System.nanoTime() - signalled)).as("the exchange had its time")
          .isGreaterThanOrEqualTo(Duration.ofSeconds(3));
      assertThat(Files.readString(log)).contains("to finish their exchanges (outpost.runtime.stop-within 4 s")
          .doesNotContain("ticking: done");
    } finally {
      runtime.destroyForcibly();
    }
  }

  /** The packaged runtime, started, and the ports it listens on. */
  private record Started(Process process, int http, int management) {}

  /** Starts the packaged runtime with one integration, {@code name}, its file's content {@code integration}. */
  private Started start(String name, String integration, String logName, String... properties) throws IOException {
    Path integrations = Files.createDirectories(home.resolve("integrations"));
    Files.writeString(integrations.resolve(name + ".json"), integration);
    int http = freePort();
    int management = freePort();
    List<String> command = new java.util.ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
        "-Dquarkus.http.host=127.0.0.1", "-Dquarkus.http.port=" + http,
        "-Dquarkus.management.host=127.0.0.1", "-Dquarkus.management.port=" + management,
        "-Doutpost.runtime.integrations-dir=" + integrations,
        "-Doutpost.runtime.secrets-dir=" + home.resolve("secrets"),
        "-Dquarkus.otel.sdk.disabled=true"));
    command.addAll(List.of(properties));
    command.addAll(List.of("-jar", Path.of("target", "quarkus-app", "quarkus-run.jar").toString()));
    return new Started(new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.to(Path.of("target", logName).toFile())).start(), http, management);
  }

  private static void awaitReady(Process runtime, HttpClient client, String ready) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (status(client, ready) != 200) {
      assertThat(runtime.isAlive()).as("the runtime is running; see its log in target/").isTrue();
      assertThat(System.nanoTime()).as("ready within 60 s; see its log in target/").isLessThan(deadline);
      Thread.sleep(100);
    }
  }

  private static int status(HttpClient client, String url) {
    try {
      return client.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException | InterruptedException notListening) {
      return -1;
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
