package dev.outpost.gateway.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.outpost.spec.testing.RawHeads;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A SIGTERM to the packaged gateway, as Kubernetes stops a pod in a rolling update, while a request
 * is in flight: readiness turns DOWN at once, requests keep being served during the shutdown delay
 * (the chart's gateway.shutdownDelaySeconds, the time endpoints take to drop the pod), and the
 * request in flight gets its answer before the process exits. Before, the stop cut it (an empty
 * reply) and refused every connection from the signal on.
 */
class GracefulStopIT {

  @TempDir Path home;

  @Test
  void aStopLetsTheRequestInFlightFinishAndServesOnThroughTheDelayWithReadinessDown() throws Exception {
    HttpServer upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    upstream.setExecutor(Executors.newCachedThreadPool());
    java.util.concurrent.CountDownLatch slowArrived = new java.util.concurrent.CountDownLatch(1);
    upstream.createContext("/", exchange -> {
      if (exchange.getRequestURI().getPath().endsWith("/slow")) {
        slowArrived.countDown();
        sleep(1500); // answered within the shutdown delay: its connection is closed by the gateway, not by its exit
      }
      byte[] body = "done".getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    upstream.start();
    Files.createDirectories(home.resolve("state"));
    Files.writeString(home.resolve("state").resolve("routes.json"), """
        {"revision": 1, "routes": [{"id": "pub", "project": "p", "match": {"pathPrefix": "/pub"},
          "integration": "app", "stripPrefix": true, "auth": {"public": true}, "timeoutMillis": 10000}]}
        """);
    int http = freePort();
    int management = freePort();
    Path log = Path.of("target", "graceful-stop-it.log");
    List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m",
        "-Dquarkus.http.host=127.0.0.1", "-Dquarkus.http.port=" + http,
        "-Dquarkus.management.host=127.0.0.1", "-Dquarkus.management.port=" + management,
        "-Doutpost.gateway.home=" + home,
        "-Doutpost.gateway.runtime-url=http://127.0.0.1:" + upstream.getAddress().getPort(),
        "-Doutpost.gateway.hazelcast.port=" + freePort(),
        "-Doutpost.gateway.hazelcast.cluster-name=graceful-stop-it",
        "-Dquarkus.otel.sdk.disabled=true",
        "-Dquarkus.shutdown.delay=4s",
        "-jar", Path.of("target", "quarkus-app", "quarkus-run.jar").toString());
    Process gateway = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.to(log.toFile())).start();
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    try {
      waitUntil(() -> status(client, "http://127.0.0.1:" + management + "/q/health/ready") == 200, gateway, log);
      assertThat(get(client, http, "/pub/x").statusCode()).isEqualTo(200);
      assertThat(RawHeads.get(http, "/pub/x")).as("keep-alive before the stop").doesNotContain("connection: close");

      // a keep-alive connection that has had its answer and waits: its next request would come past the delay
      java.net.Socket idle = new java.net.Socket("127.0.0.1", http);
      idle.getOutputStream().write("GET /pub/x HTTP/1.1\r\nHost: test\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      idle.setSoTimeout(5000);
      java.io.InputStream idleIn = idle.getInputStream();
      String idleAnswer = readAnswer(idleIn);
      assertThat(idleAnswer).startsWith("HTTP/1.1 200").endsWith("done");

      // a request in flight at the signal, on a kept connection
      java.net.Socket slow = new java.net.Socket("127.0.0.1", http);
      slow.setSoTimeout(10_000);
      slow.getOutputStream().write("GET /pub/slow HTTP/1.1\r\nHost: test\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      // in flight: it has reached the upstream, however slowly this machine got it there
      assertThat(slowArrived.await(10, java.util.concurrent.TimeUnit.SECONDS)).as("the slow request upstream").isTrue();
      gateway.destroy(); // SIGTERM
      long signalled = System.nanoTime();
      // readiness goes down within the delay's first seconds (polled: the shutdown hook runs when it is scheduled)
      while (status(client, "http://127.0.0.1:" + management + "/q/health/ready") != 503
          && System.nanoTime() - signalled < 3_000_000_000L) {
        Thread.sleep(20);
      }
      assertThat(status(client, "http://127.0.0.1:" + management + "/q/health/ready"))
          .as("readiness during the delay").isEqualTo(503);
      // closed at the signal, so the client's next request opens a connection the Service sends elsewhere
      idle.setSoTimeout(2000);
      assertThat(idleIn.read()).as("the idle keep-alive connection is closed at the signal").isEqualTo(-1);
      idle.close();
      HttpResponse<String> duringDelay = get(client, http, "/pub/x");
      assertThat(duringDelay.statusCode()).as("a request during the delay").isEqualTo(200);
      // keep-alive connections through an L4 load balancer go on to this pod: answers in the delay close them
      assertThat(RawHeads.get(http, "/pub/x")).as("an answer during the delay").startsWith("http/1.1 200")
          .contains("connection: close");

      String answered = readAnswer(slow.getInputStream());
      assertThat(answered).as("the request in flight at the signal").startsWith("HTTP/1.1 200").endsWith("done");
      // its answer closes its connection too: the client's next request goes to another pod
      assertThat(answered.toLowerCase(java.util.Locale.ROOT)).contains("connection: close");
      slow.setSoTimeout(2000);
      assertThat(slow.getInputStream().read()).as("the connection of the request in flight is closed").isEqualTo(-1);
      slow.close();
      assertThat(gateway.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)).as("the gateway exits").isTrue();
    } finally {
      gateway.destroyForcibly();
      upstream.stop(0);
    }
  }

  /** One answer with a Content-Length read off a kept connection: its head and body. */
  private static String readAnswer(java.io.InputStream in) throws IOException {
    StringBuilder answer = new StringBuilder();
    while (answer.indexOf("\r\n\r\n") < 0) {
      int b = in.read();
      if (b < 0) {
        throw new java.io.EOFException("the connection closed within an answer's head: " + answer);
      }
      answer.append((char) b);
    }
    java.util.regex.Matcher length = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(answer);
    assertThat(length.find()).as("a Content-Length in " + answer).isTrue();
    answer.append(new String(in.readNBytes(Integer.parseInt(length.group(1))), StandardCharsets.US_ASCII));
    return answer.toString();
  }

  private static HttpResponse<String> get(HttpClient client, int port, String path) throws Exception {
    return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static int status(HttpClient client, String url) {
    try {
      return client.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException | InterruptedException notListening) {
      return -1;
    }
  }

  private static void waitUntil(java.util.function.BooleanSupplier ready, Process gateway, Path log) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!ready.getAsBoolean()) {
      assertThat(gateway.isAlive()).as("the gateway is running; see " + log).isTrue();
      assertThat(System.nanoTime()).as("the gateway is ready within 60 s; see " + log).isLessThan(deadline);
      Thread.sleep(100);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
