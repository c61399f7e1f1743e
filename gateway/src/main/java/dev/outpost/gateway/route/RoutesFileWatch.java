package dev.outpost.gateway.route;

import dev.outpost.gateway.config.GatewayConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
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
 * file systems whose renames inotify does not report (some mounted volumes).
 */
@ApplicationScoped
public class RoutesFileWatch {

  private static final Logger LOG = Logger.getLogger(RoutesFileWatch.class);
  /** How often a state directory that is not there (yet) is looked for. */
  static final long MISSING_DIRECTORY_RETRY_MILLIS = 1000;

  private final GatewayConfig config;
  private final RoutesFileSource source;
  private volatile boolean running;
  private Thread thread;

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
    Path file = source.file();
    Path dir = file.getParent();
    try (WatchService watcher = FileSystems.getDefault().newWatchService()) {
      while (running) {
        WatchKey key = register(watcher, dir);
        if (key == null) {
          Thread.sleep(MISSING_DIRECTORY_RETRY_MILLIS);
          continue;
        }
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
            break; // the directory went: watched again once it is back
          }
        }
      }
    } catch (InterruptedException | ClosedWatchServiceException stopping) {
      // the gateway stops
    } catch (IOException e) {
      LOG.warnf("watching %s failed; the routes file is polled only: %s", dir, e.toString());
    }
  }

  /** The directory's key, or null while the directory is not there. */
  private static WatchKey register(WatchService watcher, Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return null;
    }
    try {
      // a rename into the directory is a create; a file written in place (by hand: the agent renames)
      // is left to the poll, which reads it once whole rather than at its truncation
      return dir.register(watcher, StandardWatchEventKinds.ENTRY_CREATE);
    } catch (NoSuchFileException gone) {
      return null;
    }
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
