package dev.outpost.agent.targets;

import static dev.outpost.agent.TestStates.integration;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.spec.model.RoutingTable;
import dev.outpost.spec.model.SecretRef;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalTargetTest {
  @TempDir Path home;

  @Test
  void writesIntegrationDocumentsWhereTheRuntimeReadsThem() throws Exception {
    LocalTarget target = new LocalTarget(home);
    assertThat(target.putIntegration(integration("orders"))).isTrue();
    Path file = home.resolve("state/integrations/orders.json");
    assertThat(Files.readString(file)).contains("\"name\" : \"orders\"").contains("platform-http:/orders");
    assertThat(target.integrations()).containsExactly("orders");
  }

  @Test
  void puttingTheSameDocumentAgainDoesNotTouchTheFile() throws Exception {
    LocalTarget target = new LocalTarget(home);
    target.putIntegration(integration("orders"));
    Path file = home.resolve("state/integrations/orders.json");
    FileTime old = FileTime.fromMillis(1_000_000L);
    Files.setLastModifiedTime(file, old);

    assertThat(target.putIntegration(integration("orders"))).isFalse();
    assertThat(Files.getLastModifiedTime(file)).isEqualTo(old);
    // one runtime runs it whatever the replica count: no redeploy for a count alone
    var orders = integration("orders");
    assertThat(target.putIntegration(new dev.outpost.spec.model.Integration(orders.name(), orders.project(),
        orders.version(), orders.source(), orders.config(), orders.secrets(), 4, orders.resources()))).isFalse();
    assertThat(Files.getLastModifiedTime(file)).isEqualTo(old);
    assertThat(target.putIntegration(integration("orders", "v2"))).isTrue();
    assertThat(Files.readString(file)).contains("\"version\" : \"v2\"");
  }

  @Test
  void writesTheRetentionObservabilityReadsOnlyWhenItChanges() throws Exception {
    LocalTarget target = new LocalTarget(home);
    Path file = home.resolve("state/telemetry.json");
    assertThat(target.putTelemetry(new dev.outpost.spec.model.Telemetry(14, 30))).isTrue();
    assertThat(dev.outpost.spec.state.StateCodec.readTelemetry(Files.readString(file)))
        .isEqualTo(new dev.outpost.spec.model.Telemetry(14, 30));
    assertThat(target.putTelemetry(new dev.outpost.spec.model.Telemetry(14, 30))).isFalse();
    assertThat(target.integrations()).isEmpty();
  }

  @Test
  void writesTheRoutingTableAndLeavesNoTemporaryFiles() throws Exception {
    LocalTarget target = new LocalTarget(home);
    assertThat(target.putRoutes(RoutingTable.of(dev.outpost.agent.TestStates.state(7, "a", "b")))).isTrue();
    assertThat(Files.readString(home.resolve("state/routes.json"))).contains("\"revision\" : 7").contains("r-a");
    try (Stream<Path> files = Files.walk(home)) {
      assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith(AtomicFiles.TEMP_PREFIX));
    }
  }

  /** Integration sources may be confidential: their files are the owner's alone, as the Kubernetes store's Secret is. */
  @Test
  void theStateFilesAreReadableByTheirOwnerOnly() throws Exception {
    LocalTarget target = new LocalTarget(home);
    target.putIntegration(integration("a"));
    target.putRoutes(RoutingTable.of(dev.outpost.agent.TestStates.state(7, "a")));
    assertThat(Files.getPosixFilePermissions(home.resolve("state/integrations/a.json")))
        .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    assertThat(Files.getPosixFilePermissions(home.resolve("state/routes.json")))
        .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    assertThat(Files.getPosixFilePermissions(home.resolve("state/integrations")))
        .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
  }

  /** A file made readable to others (its content unchanged) is written again, for its owner only. */
  @Test
  void aStateFileMadeReadableToOthersIsPutBack() throws Exception {
    LocalTarget target = new LocalTarget(home);
    target.putIntegration(integration("a"));
    Path file = home.resolve("state/integrations/a.json");
    Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));

    assertThat(target.putIntegration(integration("a"))).as("a change").isTrue();
    assertThat(Files.getPosixFilePermissions(file))
        .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
  }

  @Test
  void inventoryListsOnlyIntegrationDocuments() throws Exception {
    LocalTarget target = new LocalTarget(home);
    assertThat(target.integrations()).isEmpty();
    target.putIntegration(integration("a"));
    Path dir = home.resolve("state/integrations");
    Files.writeString(dir.resolve(".tmp-b.json-123"), "partial");
    Files.writeString(dir.resolve("notes.txt"), "not an integration");
    assertThat(target.integrations()).containsExactly("a");
  }

  @Test
  void deletesIntegrationsAndToleratesAbsentOnes() throws Exception {
    LocalTarget target = new LocalTarget(home);
    target.putIntegration(integration("a"));
    assertThat(target.deleteIntegration("a")).isTrue();
    assertThat(target.deleteIntegration("a")).isFalse();
    assertThat(target.integrations()).isEmpty();
  }

  @Test
  void reportsSecretsMissingFromTheLocalSecretsDirectory() throws Exception {
    LocalTarget target = new LocalTarget(home);
    Files.createDirectories(home.resolve("secrets/crm"));
    Files.writeString(home.resolve("secrets/crm/token"), "s3cr3t");
    List<SecretRef> refs = List.of(new SecretRef("crm", "token"), new SecretRef("crm", "other"),
        new SecretRef("absent", "token"), new SecretRef("crm", "other"));
    assertThat(target.missingSecrets(refs))
        .containsExactly(new SecretRef("crm", "other"), new SecretRef("absent", "token"));
  }
}
