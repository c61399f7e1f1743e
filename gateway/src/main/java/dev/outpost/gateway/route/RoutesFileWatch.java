package dev.outpost.gateway.route;

import dev.outpost.gateway.config.GatewayConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import org.jboss.logging.Logger;

/**
 * Local mode: re-reads {@code routes.json} as soon as a new one is renamed into place, instead of at
 * the next poll. The agent writes an integration's file before the routes, and the runtime starts a
 * new version the moment it sees its file: read only by the poll, a new version's tighter auth came
 * up to one poll interval after the version served. The poll of {@link RoutesFileSource} stays, for
 * file systems whose renames inotify does not report (some mounted volumes), and while the directory
 * cannot be watched: then it is tried again every {@link #REGISTER_RETRY_MILLIS}, said once at WARN
 * when it could not be and once when it is watched again.
 */
@ApplicationScoped
public class RoutesFileWatch {

  private static final Logger LOG = Logger.getLogger(RoutesFileWatch.class);
  /**
   * How often a state directory that could not be watched is tried again: not there (yet), not a
   * directory, or refused by inotify (no watches left, no read permission). An attempt costs a stat
   * and two system calls.
   */
  static final long REGISTER_RETRY_MILLIS = 1000;

  private final GatewayConfig config;
  private final RoutesFileSource source;
  private volatile boolean running;
  private Thread thread;
  /** Whether the directory could not be watched at the last attempt; the watch's thread's alone. */
  private boolean unwatched;

  RoutesFileWatch(GatewayConfig config, RoutesFileSource source) {
    this.config = config;
    this.source = source;
  }

  void start(@Observes StartupEvent event) {
    if (config.mode() != GatewayConfig.Mode.LOCAL) {
      return;
    }
    running = true;
    thread = new Thread(this::watch, "outpost-routes-watch");
    thread.setDaemon(true);
    thread.start();
  }

  void stop(@Observes ShutdownEvent event) throws InterruptedException {
    running = false;
    if (thread != null) {
      thread.interrupt();
      thread.join(2000);
    }
  }

  private void watch() {
    Path dir = source.file().getParent();
    try {
      while (running) {
        try (WatchService watcher = FileSystems.getDefault().newWatchService()) {
          // a rename into the directory is a create; a file written in place (by hand: the agent renames)
          // is left to the poll, which reads it once whole rather than at its truncation
          dir.register(watcher, StandardWatchEventKinds.ENTRY_CREATE);
          watched(dir);
          watchUntilGone(watcher);
        } catch (IOException e) {
          unwatched(dir, e);
          Thread.sleep(REGISTER_RETRY_MILLIS);
        }
      }
    } catch (InterruptedException | ClosedWatchServiceException stopping) {
      // the gateway stops
    }
  }

  /** Reads the routes file at each rename into the directory, until the directory goes. */
  private void watchUntilGone(WatchService watcher) throws InterruptedException {
    Path file = source.file();
    // a file renamed in before the registration has no event
    check();
    while (running) {
      WatchKey signalled = watcher.take();
      boolean routesChanged = signalled.pollEvents().stream().anyMatch(
          e -> e.kind() == StandardWatchEventKinds.OVERFLOW || file.getFileName().equals(e.context()));
      if (routesChanged) {
        check();
      }
      if (!signalled.reset()) {
        return; // the directory went: watched again once it is back
      }
    }
  }

  private void watched(Path dir) {
    if (unwatched) {
      unwatched = false;
      LOG.infof("watching %s again: a new routes file is read at once", dir);
    }
  }

  /** Said once until the directory is watched again, not at every attempt. */
  private void unwatched(Path dir, IOException why) {
    if (!unwatched) {
      LOG.warnf("cannot watch %s (%s): the routes file is read at each poll only (every %d ms) until it can be;"
          + " tried again every %d ms", dir, why, config.routesPollInterval().toMillis(), REGISTER_RETRY_MILLIS);
    }
    unwatched = true;
  }

  private void check() {
    try {
      source.checkNow();
    } catch (RuntimeException e) {
      // never expected: the watch goes on, as the poll would at its next turn
      LOG.errorf(e, "reading the routes file %s failed", source.file());
    }
  }
}
