package dev.outpost.agent.targets;

import dev.outpost.spec.model.Integration;
import dev.outpost.spec.model.RoutingTable;
import dev.outpost.spec.model.SecretRef;
import dev.outpost.spec.model.Telemetry;
import dev.outpost.spec.state.InvalidStateException;
import dev.outpost.spec.state.StateCodec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * The local target: the state directory under {@code $OUTPOST_HOME} that the gateway and the
 * runtime watch. Integrations are {@code state/integrations/<name>.json}, the routing table is
 * {@code state/routes.json}, observability-api's retention {@code state/telemetry.json}; secrets
 * are only looked up in {@code secrets/<name>/<key>}, never written. It remembers what it wrote, so
 * that its {@link LocalDriftWatch} tells someone else's change from its own write, and a put-back is
 * logged as drift, naming the file.
 */
public final class LocalTarget implements Target {
  private static final Logger LOG = Logger.getLogger(LocalTarget.class);
  private static final String JSON = ".json";

  private final Path home;
  private final Path stateDir;
  private final Path integrationsDir;
  private final Path routesFile;
  private final Path telemetryFile;
  private final Path secretsDir;
  private final WrittenFiles written = new WrittenFiles();

  public LocalTarget(Path home) {
    this.home = home;
    this.stateDir = home.resolve("state");
    this.integrationsDir = stateDir.resolve("integrations");
    this.routesFile = stateDir.resolve("routes.json");
    this.telemetryFile = stateDir.resolve("telemetry.json");
    this.secretsDir = home.resolve("secrets");
  }

  @Override
  public Set<String> integrations() throws TargetException {
    Set<String> names = new TreeSet<>();
    if (!Files.isDirectory(integrationsDir)) {
      return names;
    }
    try (Stream<Path> files = Files.list(integrationsDir)) {
      files
          .map(f -> f.getFileName().toString())
          .filter(LocalTarget::isIntegrationFile)
          .forEach(n -> names.add(n.substring(0, n.length() - JSON.length())));
    } catch (IOException e) {
      throw new TargetException("cannot list " + integrationsDir + ": " + e.getMessage(), e);
    }
    return names;
  }

  @Override
  public List<SecretRef> missingSecrets(Collection<SecretRef> refs) {
    return refs.stream()
        .filter(r -> !Files.isRegularFile(secretsDir.resolve(r.name()).resolve(r.key())))
        .distinct()
        .toList();
  }

  @Override
  public boolean putIntegration(Integration integration) throws TargetException {
    return write(integrationFile(integration.name()), StateDocuments.integration(integration));
  }

  @Override
  public boolean putRoutes(RoutingTable routes) throws TargetException {
    return write(routesFile, StateDocuments.routes(routes));
  }

  @Override
  public Optional<RoutingTable> routes() throws TargetException {
    try {
      return Optional.of(StateCodec.readRoutingTable(Files.readString(routesFile)));
    } catch (NoSuchFileException | InvalidStateException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new TargetException("cannot read " + routesFile + ": " + e.getMessage(), e);
    }
  }

  @Override
  public boolean putTelemetry(Telemetry telemetry) throws TargetException {
    return write(telemetryFile, StateDocuments.telemetry(telemetry));
  }

  @Override
  public boolean deleteIntegration(String name) throws TargetException {
    Path file = integrationFile(name);
    boolean wrote = written.wrote(file);
    written.forget(file); // before the delete, whose event then finds nothing expected there
    try {
      boolean deleted = AtomicFiles.delete(file);
      if (deleted && !wrote) {
        LOG.infof("removed %s, which the enforced state does not name and this agent has not written since it"
            + " started (drift, or left by an earlier run)", home.relativize(file));
      }
      return deleted;
    } catch (IOException e) {
      throw new TargetException("cannot delete " + file + ": " + e.getMessage(), e);
    }
  }

  /** The directories this target writes in, for its {@link LocalDriftWatch}. */
  public List<Path> directories() {
    return List.of(stateDir, integrationsDir);
  }

  /**
   * Whether {@code file} is one this target writes (temporary files aside) and no longer holds what it
   * last wrote there: changed, deleted, or made by someone else. The integrations directory itself
   * moved, removed or made is drift too: the runtime lost or gained every integration at once.
   */
  boolean drifted(Path file) {
    return file.equals(integrationsDir) || managed(file) && written.differs(file);
  }

  private boolean managed(Path file) {
    return file.equals(routesFile) || file.equals(telemetryFile)
        || integrationsDir.equals(file.getParent()) && isIntegrationFile(file.getFileName().toString());
  }

  /** Temporary files start with a dot ({@link AtomicFiles#TEMP_PREFIX}). */
  private static boolean isIntegrationFile(String fileName) {
    return fileName.endsWith(JSON) && !fileName.startsWith(".");
  }

  private Path integrationFile(String name) {
    return integrationsDir.resolve(name + JSON);
  }

  private boolean write(Path file, String document) throws TargetException {
    byte[] content = StateDocuments.bytes(document);
    // what it wrote before and writes again: had the pass to write, someone changed it since
    boolean again = written.lastWrote(file, content);
    boolean existed = Files.exists(file);
    written.record(file, content); // before the rename, whose event then finds what it expects
    try {
      boolean changed = AtomicFiles.write(file, content);
      if (changed && again) {
        LOG.infof("drift corrected: put back %s, %s outside the agent", home.relativize(file),
            existed ? "changed" : "deleted");
      }
      return changed;
    } catch (IOException e) {
      written.forget(file); // what it holds is unknown: the next write of it is no put-back
      throw new TargetException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }
}
