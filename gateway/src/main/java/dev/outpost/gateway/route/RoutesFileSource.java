package dev.outpost.gateway.route;

import dev.outpost.gateway.config.GatewayConfig;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import org.jboss.logging.Logger;

/**
 * Local mode: reads {@code $OUTPOST_HOME/state/routes.json}. The agent replaces the file by
 * rename, so a change shows as a new file key or modification time. {@link RoutesFileWatch} checks
 * them as soon as the file is renamed; polling them too (one stat per interval, off the event loop)
 * sees every rename, including onto mounted volumes where inotify misses them. A file that does not
 * parse leaves the table in use untouched.
 */
@ApplicationScoped
public class RoutesFileSource {

  private static final Logger LOG = Logger.getLogger(RoutesFileSource.class);

  private final GatewayConfig config;
  private final RouteTableHolder holder;
  private final Vertx vertx;
  private Object lastSeen;

  RoutesFileSource(GatewayConfig config, RouteTableHolder holder, Vertx vertx) {
    this.config = config;
    this.holder = holder;
    this.vertx = vertx;
  }

  void start(@Observes StartupEvent event) {
    if (config.mode() != GatewayConfig.Mode.LOCAL) {
      return;
    }
    checkNow();
    vertx.setPeriodic(config.routesPollInterval().toMillis(),
        id -> vertx.executeBlocking(() -> {
          checkNow();
          return null;
        }, false));
  }

  /** The file this source reads. */
  public Path file() {
    return config.home().resolve("state").resolve("routes.json");
  }

  /** Loads the file if it changed since the last look. */
  synchronized void checkNow() {
    Path file = file();
    try {
      BasicFileAttributes attrs = Files.readAttributes(file, BasicFileAttributes.class);
      Object version = String.valueOf(attrs.fileKey()) + "@" + attrs.lastModifiedTime().toMillis() + "/" + attrs.size();
      if (version.equals(lastSeen)) {
        return;
      }
      lastSeen = version;
      String json = Files.readString(file, StandardCharsets.UTF_8);
      holder.apply(RoutingTableReader.read(json));
    } catch (NoSuchFileException e) {
      if (lastSeen == null) {
        LOG.infof("no routing table at %s yet: every request answers 404", file);
        lastSeen = "absent";
        holder.nothingToLoad();
      }
    } catch (IOException | IllegalArgumentException e) {
      holder.refused();
      // at start there is no previous table: the gateway serves nothing and is not ready until one loads
      LOG.errorf("routing table %s refused, %s: %s", file,
          holder.loaded() ? "the previous one stays in use" : "and none was loaded before: not ready until one is", e.getMessage());
    }
  }
}
