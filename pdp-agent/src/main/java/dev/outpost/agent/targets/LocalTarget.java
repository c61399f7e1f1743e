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

/**
 * The local target: the state directory under {@code $OUTPOST_HOME} that the gateway and the
 * runtime watch. Integrations are {@code state/integrations/<name>.json}, the routing table is
 * {@code state/routes.json}, observability-api's retention {@code state/telemetry.json}; secrets
 * are only looked up in {@code secrets/<name>/<key>}, never written.
 */
public final class LocalTarget implements Target {
  private static final String JSON = ".json";

  private final Path integrationsDir;
  private final Path routesFile;
  private final Path telemetryFile;
  private final Path secretsDir;

  public LocalTarget(Path home) {
    this.integrationsDir = home.resolve("state").resolve("integrations");
    this.routesFile = home.resolve("state").resolve("routes.json");
    this.telemetryFile = home.resolve("state").resolve("telemetry.json");
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
          .filter(n -> n.endsWith(JSON) && !n.startsWith("."))
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
    try {
      return AtomicFiles.delete(file);
    } catch (IOException e) {
      throw new TargetException("cannot delete " + file + ": " + e.getMessage(), e);
    }
  }

  private Path integrationFile(String name) {
    return integrationsDir.resolve(name + JSON);
  }

  private static boolean write(Path file, String document) throws TargetException {
    try {
      return AtomicFiles.write(file, StateDocuments.bytes(document));
    } catch (IOException e) {
      throw new TargetException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }
}
