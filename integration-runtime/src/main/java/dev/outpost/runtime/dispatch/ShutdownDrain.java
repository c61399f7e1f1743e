package dev.outpost.runtime.dispatch;

import io.quarkus.runtime.Startup;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.Optional;

/**
 * Whether the process has been told to stop. Quarkus serves on through {@code quarkus.shutdown.delay}
 * with readiness down while Services stop sending to the pod, but a keep-alive connection opened
 * before goes on to the pod (kube-proxy pins it), and past the delay Quarkus answers 503 on it. So
 * answers given in the delay say {@code Connection: close}: each client opens a new connection,
 * which the Service sends to another pod. Set by a JVM shutdown hook, which runs at SIGTERM beside
 * Quarkus' own (Quarkus 3.27 gives applications no event at the start of the delay).
 */
@Startup
@Singleton
public class ShutdownDrain {

  private volatile boolean stopping;
  /** When the signal came, by {@link System#nanoTime}; read once {@link #stopping} is. */
  private volatile long signalledAt;
  private final Thread hook = new Thread(() -> {
    signalledAt = System.nanoTime();
    stopping = true;
  }, "shutdown-drain");

  ShutdownDrain() {
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /** Whether answers should close their connections: the process is stopping. */
  public boolean stopping() {
    return stopping;
  }

  /** How long ago the process was told to stop; empty while it is not stopping. */
  public Optional<Duration> sinceSignal() {
    return stopping ? Optional.of(Duration.ofNanos(System.nanoTime() - signalledAt)) : Optional.empty();
  }

  @PreDestroy
  void removeHook() {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException stoppingAlready) {
      // the JVM is running its hooks: this one has run or is running
    }
  }
}
