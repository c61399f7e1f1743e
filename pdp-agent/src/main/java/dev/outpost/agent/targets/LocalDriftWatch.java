package dev.outpost.agent.targets;

import dev.outpost.agent.link.ThrottledWarning;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Watches the directories a {@link LocalTarget} writes ({@code state/}, {@code state/integrations/})
 * and asks for a resync when one of its files is created, deleted or its content changed by someone
 * else, so that drift is corrected in seconds, as in Kubernetes, rather than at the next scheduled
 * resync (a removed integration file answered 503 for most of a minute). The directories there at
 * {@link #start()} are watched when it returns. The agent's own writes are no
 * drift: the target records what it writes before renaming it in, so their events find what they
 * expect and cause no pass. Other changes (a file's permissions) wait for the scheduled resync. Every
 * second, a directory not there (yet, or deleted) is looked for again, and one watched is checked to
 * be still the one registered (a directory renamed away keeps its watch); one that comes back or is
 * replaced asks for a resync, since what changed while it was not watched has no event. A failure the
 * watch does not expect is logged and watching goes on.
 */
public final class LocalDriftWatch implements DriftWatch {
  private static final Logger LOG = Logger.getLogger(LocalDriftWatch.class);
  /** How often a directory that is not there is looked for, and one watched checked to be the same. */
  static final long MISSING_DIRECTORY_RETRY_MILLIS = 1000;

  private final LocalTarget target;
  private final Runnable onDrift;
  /** Directories whose registration failed, said once until it succeeds (a watch limit reached stays so). */
  private final Set<Path> failing = new HashSet<>();
  private final ThrottledWarning unexpectedFailures = new ThrottledWarning(LOG);
  private WatchService watcher;
  private Thread thread;

  public LocalDriftWatch(LocalTarget target, Runnable onDrift) {
    this.target = target;
    this.onDrift = onDrift;
  }

  /**
   * Watches the directories there now, then starts the watch's thread, which looks for the others;
   * throws when the system gives no watch (its inotify instances used up). Registered by the thread,
   * they were watched only once it had first run: a change made meanwhile had no event and waited for
   * the scheduled resync.
   */
  @Override
  public synchronized void start() {
    if (thread != null) {
      return;
    }
    try {
      watcher = FileSystems.getDefault().newWatchService();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot watch " + target.directories().get(0) + ": " + e.getMessage(), e);
    }
    WatchService started = watcher;
    Map<WatchKey, WatchedDirectory> watched = new HashMap<>();
    for (Path dir : target.directories()) {
      try {
        register(started, watched, dir);
      } catch (RuntimeException unexpected) {
        // the thread's rounds try it again, and say so
      }
    }
    thread = new Thread(() -> watch(started, watched), "outpost-agent-drift-watch");
    thread.setDaemon(true);
    thread.start();
  }

  @Override
  public synchronized void stop() {
    if (thread == null) {
      return;
    }
    try {
      watcher.close(); // ends the thread's wait
    } catch (IOException e) {
      // closing a watch service throws nothing on Linux; the interrupt ends the thread anyway
    }
    thread.interrupt();
    try {
      thread.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    thread = null;
    watcher = null;
  }

  /**
   * The thread's rounds, from the directories {@code watched} at the start: one registered here came
   * or came back since, and what changed in it meanwhile has no event, so it asks for a resync.
   */
  private void watch(WatchService watcher, Map<WatchKey, WatchedDirectory> watched) {
    boolean missed = false; // a round failed: what it was reading is lost, a pass reads it again
    while (true) {
      try {
        boolean changed = forgetReplaced(watched);
        for (Path dir : target.directories()) {
          changed |= register(watcher, watched, dir);
        }
        if (changed || missed) {
          onDrift.run();
        }
        missed = false;
        WatchKey key = watcher.poll(MISSING_DIRECTORY_RETRY_MILLIS, TimeUnit.MILLISECONDS);
        if (key != null && drifted(key, watched)) {
          onDrift.run();
        }
      } catch (InterruptedException | ClosedWatchServiceException stopping) {
        return; // the agent stops applying
      } catch (RuntimeException | Error unexpected) {
        // it ended the thread for good before: drift waited for the scheduled resync from then on
        unexpectedFailures.warn("the local drift watch failed (%s): watching on, a resync asked for", unexpected);
        missed = true;
        try {
          Thread.sleep(MISSING_DIRECTORY_RETRY_MILLIS); // a failure that repeats does not spin
        } catch (InterruptedException stopping) {
          return;
        }
      }
    }
  }

  /** Whether the events of {@code key} tell of drift; a directory that went is drift too. */
  private boolean drifted(WatchKey key, Map<WatchKey, WatchedDirectory> watched) {
    WatchedDirectory dir = watched.get(key);
    boolean drifted = false;
    try {
      for (WatchEvent<?> event : key.pollEvents()) {
        if (event.kind() == StandardWatchEventKinds.OVERFLOW) {
          drifted = true; // events were lost: whatever they told of
        } else if (dir != null && !drifted) {
          drifted = target.drifted(dir.path().resolve((Path) event.context()));
        }
      }
    } finally {
      // even when reading the events failed: a key not reset is never queued again
      if (!key.reset()) {
        watched.remove(key);
        drifted = true;
      }
    }
    return drifted;
  }

  /**
   * Cancels the watch of each directory gone or replaced since it was registered (one renamed away kept
   * its watch, and the directory made in its place had none); whether there was one.
   */
  private static boolean forgetReplaced(Map<WatchKey, WatchedDirectory> watched) {
    boolean replaced = false;
    for (Iterator<Map.Entry<WatchKey, WatchedDirectory>> entries = watched.entrySet().iterator(); entries.hasNext(); ) {
      Map.Entry<WatchKey, WatchedDirectory> entry = entries.next();
      if (!entry.getValue().stillThere()) {
        entry.getKey().cancel();
        entries.remove();
        replaced = true;
      }
    }
    return replaced;
  }

  /** Registers {@code dir} unless it is watched or not there; whether it was registered now. */
  private boolean register(WatchService watcher, Map<WatchKey, WatchedDirectory> watched, Path dir) {
    if (watched.values().stream().anyMatch(w -> w.path().equals(dir)) || !Files.isDirectory(dir)) {
      return false;
    }
    try {
      // its key read before the registration: a directory replaced in between is told the next round
      WatchedDirectory registered = WatchedDirectory.of(dir);
      watched.put(dir.register(watcher, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
          StandardWatchEventKinds.ENTRY_DELETE), registered);
      failing.remove(dir);
      return true;
    } catch (NoSuchFileException gone) {
      return false;
    } catch (IOException e) {
      if (failing.add(dir)) {
        LOG.warnf("cannot watch %s (%s): drift there is corrected at the scheduled resync until the watch starts,"
            + " tried again every second", dir, e.getMessage());
      }
      return false;
    }
  }
}
