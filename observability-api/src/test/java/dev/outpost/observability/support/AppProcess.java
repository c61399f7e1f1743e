package dev.outpost.observability.support;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The packaged application ({@code target/quarkus-app/quarkus-run.jar}) run as a real process. */
public final class AppProcess implements AutoCloseable {

  public final int httpPort;
  public final int otlpPort;
  public final int managementPort;
  private final Path log;
  private Process process;
  private String maxHeap = "512m";

  public AppProcess(Path log) throws IOException {
    this.httpPort = freePort();
    this.otlpPort = freePort();
    this.managementPort = freePort();
    this.log = log;
  }

  public static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  /** The JVM's -Xmx for the next start (512m unless set). */
  public AppProcess maxHeap(String xmx) {
    this.maxHeap = xmx;
    return this;
  }

  /** Starts the jar with these system properties and waits until it is ready. */
  public void start(Map<String, String> properties) throws Exception {
    Path jar = Path.of("target", "quarkus-app", "quarkus-run.jar");
    if (!Files.exists(jar)) {
      throw new IllegalStateException(jar + " is missing: run the package phase first (mvn verify does)");
    }
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx" + maxHeap);
    command.add("-Dquarkus.http.port=" + httpPort);
    command.add("-Dquarkus.management.port=" + managementPort);
    command.add("-Doutpost.observability.ingest.port=" + otlpPort);
    command.add("-Doutpost.observability.ingest.host=127.0.0.1");
    properties.forEach((k, v) -> command.add("-D" + k + "=" + v));
    command.add("-jar");
    command.add(jar.toString());
    process = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    waitUntilReady(Duration.ofSeconds(60));
  }

  private void waitUntilReady(Duration limit) throws Exception {
    HttpClient client = HttpClient.newHttpClient();
    long deadline = System.nanoTime() + limit.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("the application exited with " + process.exitValue() + "; see " + log);
      }
      try {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + managementPort + "/q/health/ready")).build(),
            HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("the application was not ready within " + limit + "; see " + log);
  }

  /** SIGKILL: no shutdown hook, no final commit. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
  }

  /** SIGTERM, as Kubernetes stops a pod: shutdown hooks run. Waits for the exit. */
  public void stop() throws InterruptedException {
    process.destroy();
    process.waitFor();
  }

  /** SIGTERM without waiting: what the application does while it stops. */
  public void signalStop() {
    process.destroy();
  }

  /** Waits for the exit after {@link #signalStop}; whether it came within {@code limit}. */
  public boolean awaitExit(java.time.Duration limit) throws InterruptedException {
    return process.waitFor(limit.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
  }

  public File logFile() {
    return log.toFile();
  }

  @Override
  public void close() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroy();
      process.waitFor();
    }
  }
}
