package dev.outpost.observability.retention;

import dev.outpost.observability.config.ObservabilityConfig;
import dev.outpost.spec.model.Telemetry;
import dev.outpost.spec.state.InvalidStateException;
import dev.outpost.spec.state.StateCodec;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * How long logs and traces are kept now. Known before the first retention run, which deletes for
 * good: the state's telemetry settings ({@code storage.telemetry-file}) when they can be read,
 * else the last ones applied, which are kept in the data directory ({@value #APPLIED_FILE}), else
 * {@code storage.retention} for both. Without the kept copy, a start while the settings file was
 * missing (its ConfigMap not yet written, an agent not yet running) deleted every day between the
 * default and what the state said. When a kept copy exists but neither it nor the settings file can
 * be read (a rollback to a build that does not know a field a later one wrote), nothing is deleted
 * until settings can be read: {@code storage.retention} would be a guess that deletes for good.
 * {@link TelemetrySettingsWatch} applies later changes.
 */
@ApplicationScoped
public class RetentionPolicy {
  private static final Logger LOG = Logger.getLogger(RetentionPolicy.class);
  static final String APPLIED_FILE = "retention.json";
  /**
   * The retention in force while held: the longest settings may give, since what they give is not
   * known (the replay of the journal refused acknowledged records older than the guess), and no
   * longer (each day of records accepted is a partition open).
   */
  static final Duration KEEP_ALL = Duration.ofDays(365); // the state's bound on either retention

  @Inject ObservabilityConfig config;

  private volatile Duration logs;
  private volatile Duration traces;
  private volatile boolean held;

  @PostConstruct
  void init() {
    logs = config.storage().retention();
    traces = config.storage().retention();
    String source = "storage.retention";
    Optional<Telemetry> known = read(config.storage().telemetryFile());
    if (known.isPresent()) {
      source = config.storage().telemetryFile().toString();
    } else {
      known = read(applied());
      source = known.isPresent() ? applied() + " (the settings applied last)" : source;
      if (known.isEmpty() && Files.exists(applied())) {
        // the days past storage.retention are about to be deleted for good, on a copy no one can read
        held = true;
        LOG.errorf("the retention settings applied last, in %s, cannot be read, and %s %s: no day is deleted until"
            + " settings can be read (storage.retention, %s, would delete the days past it for good); restore the file,"
            + " or let the agent write the settings", applied(), config.storage().telemetryFile(),
            Files.exists(config.storage().telemetryFile()) ? "cannot be used either" : "is absent",
            config.storage().retention());
      }
    }
    known.ifPresent(this::apply);
    if (!held) {
      LOG.infof("retention from %s: logs %d days, traces %d days", source, logs.toDays(), traces.toDays());
    }
  }

  /** How long logs are kept; while {@linkplain #held() held}, the longest settings may give. */
  public Duration logs() {
    return held ? KEEP_ALL : logs;
  }

  /** How long traces are kept; while {@linkplain #held() held}, the longest settings may give. */
  public Duration traces() {
    return held ? KEEP_ALL : traces;
  }

  /** Whether retention must delete nothing: no settings could be read, though some were applied before. */
  public boolean held() {
    return held;
  }

  /** Takes the state's settings and keeps them for the next start; whether anything changed. */
  public synchronized boolean apply(Telemetry telemetry) {
    Duration newLogs = Duration.ofDays(telemetry.logsRetentionDays());
    Duration newTraces = Duration.ofDays(telemetry.tracesRetentionDays());
    // the end of a hold is a change: what was kept for ever until now has a retention again
    boolean changed = held || !newLogs.equals(logs) || !newTraces.equals(traces);
    logs = newLogs;
    traces = newTraces;
    held = false;
    keep(telemetry);
    return changed;
  }

  private Path applied() {
    return config.dataDir().resolve(APPLIED_FILE);
  }

  /** Written whole or not at all (a rename), so that a crash never leaves half a file to start from. */
  private void keep(Telemetry telemetry) {
    String json = StateCodec.toJson(telemetry);
    Path file = applied();
    try {
      if (Files.exists(file) && Files.readString(file).equals(json)) {
        return;
      }
      Files.createDirectories(file.getParent());
      Path temporary = file.resolveSibling(APPLIED_FILE + ".tmp");
      // fsynced before and after the rename: after a power loss an empty file would be no settings,
      // and the fallback would delete the days again
      try (FileChannel out = FileChannel.open(temporary, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.TRUNCATE_EXISTING)) {
        out.write(ByteBuffer.wrap(json.getBytes(StandardCharsets.UTF_8)));
        out.force(true);
      }
      Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      try (FileChannel directory = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
        directory.force(true);
      }
    } catch (IOException e) {
      LOG.warnf("cannot keep the retention settings in %s (%s): a start without the settings file would use"
          + " storage.retention", file, e.getMessage());
    }
  }

  /** The settings in {@code file}; empty when it is absent, unreadable or invalid (said at WARN). */
  private static Optional<Telemetry> read(Path file) {
    try {
      return Optional.of(StateCodec.readTelemetry(Files.readString(file)));
    } catch (NoSuchFileException absent) {
      return Optional.empty();
    } catch (IOException | InvalidStateException e) {
      LOG.warnf("retention settings in %s not used: %s", file, e.getMessage());
      return Optional.empty();
    }
  }
}
