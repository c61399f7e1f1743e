package dev.outpost.observability.retention;

import dev.outpost.observability.config.ObservabilityConfig;
import dev.outpost.observability.store.lucene.LuceneStorage;
import dev.outpost.spec.state.InvalidStateException;
import dev.outpost.spec.state.StateCodec;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Reads the state's telemetry settings that the agent writes ({@code storage.telemetry-file}) at
 * start and every {@code storage.telemetry-poll-interval}, and applies a change at once. Polled
 * rather than watched: in Kubernetes the file is a mounted ConfigMap, which the kubelet swaps
 * through symlinks that file watches do not reliably report. A missing file keeps what is in
 * force; an invalid one too, with a warning naming the problem.
 */
@Startup
@ApplicationScoped
public class TelemetrySettingsWatch {
  private static final Logger LOG = Logger.getLogger(TelemetrySettingsWatch.class);

  @Inject ObservabilityConfig config;
  @Inject RetentionPolicy policy;
  @Inject LuceneStorage storage;

  private ScheduledExecutorService poller;
  /** The file's text as last read, or the problem reading it, so that each is acted on once. */
  private String lastRead;

  @PostConstruct
  void start() {
    poll();
    poller = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "telemetry-settings");
      t.setDaemon(true);
      return t;
    });
    long every = config.storage().telemetryPollInterval().toMillis();
    poller.scheduleWithFixedDelay(this::poll, every, every, TimeUnit.MILLISECONDS);
  }

  @PreDestroy
  void stop() {
    poller.shutdownNow();
  }

  /** Reads the file once and applies what changed (the schedule calls it; so may tests). */
  public synchronized void poll() {
    Path file = config.storage().telemetryFile();
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException absent) {
      return;
    } catch (IOException e) {
      String problem = "cannot read " + file + ": " + e.getMessage();
      if (!problem.equals(lastRead)) { // once, not every poll
        LOG.warnf("%s; retention stays logs %d days, traces %d days", problem, policy.logs().toDays(),
            policy.traces().toDays());
      }
      lastRead = problem;
      return;
    }
    if (text.equals(lastRead)) {
      return;
    }
    lastRead = text;
    try {
      if (policy.apply(StateCodec.readTelemetry(text))) {
        LOG.infof("retention from %s: logs %d days, traces %d days", file, policy.logs().toDays(),
            policy.traces().toDays());
        storage.applyRetention();
      }
    } catch (InvalidStateException e) {
      LOG.warnf("%s is not valid (%s); retention stays logs %d days, traces %d days", file, e.getMessage(),
          policy.logs().toDays(), policy.traces().toDays());
    }
  }
}
