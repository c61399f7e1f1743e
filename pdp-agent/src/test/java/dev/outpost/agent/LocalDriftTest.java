package dev.outpost.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import dev.outpost.spec.protocol.ProtocolCodec;
import dev.outpost.spec.protocol.Snapshot;
import dev.outpost.spec.signature.Ed25519Keys;
import dev.outpost.spec.signature.SnapshotSigner;
import dev.outpost.spec.state.StateCodec;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.stream.Stream;
import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The local agent, as the app wires it, puts back what someone changed in the files it wrote within
 * seconds, not at the next scheduled resync (ten minutes here): a removed integration file answered
 * 503 for most of a minute, a removed routes file made a restarted gateway answer 404 on every route.
 * The agent restores a signed snapshot stored in its home; no control plane answers.
 */
@QuarkusTest
@TestProfile(LocalDriftTest.ResyncRarely.class)
class LocalDriftTest {

  /** A resync far slower than the test: only the drift watch can put a file back in time. */
  public static class ResyncRarely implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("outpost.agent.resync-interval", "10m");
    }

    @Override
    public List<TestResourceEntry> testResources() {
      return List.of(new TestResourceEntry(AppliedStateHome.class));
    }
  }

  static final List<String> LEFTOVERS = List.of("state/.tmp-routes.json-3f1c", "state/integrations/.tmp-orders.json-9a2e",
      "agent/.tmp-applied.json-77b0");

  /** A fresh home holding an applied snapshot (integrations orders and billing) signed by a pinned key. */
  public static class AppliedStateHome implements QuarkusTestResourceLifecycleManager {
    private Path home;

    @Override
    public Map<String, String> start() {
      SnapshotSigner signer = new SnapshotSigner(Ed25519Keys.generate());
      try {
        home = Files.createTempDirectory("outpost-local-drift");
        Files.createDirectories(home.resolve("agent"));
        Files.writeString(home.resolve("agent/applied.json"), ProtocolCodec.encode(
            Snapshot.signed(StateCodec.toTree(TestStates.state(3, "orders", "billing")), signer)));
        // what an earlier run killed mid-write leaves: its temporary files, and a file of someone else's
        Files.createDirectories(home.resolve("state/integrations"));
        for (String leftover : LEFTOVERS) {
          Files.writeString(home.resolve(leftover), "half a write");
        }
        Files.writeString(home.resolve("state/.keep"), "not ours");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return Map.of("outpost.agent.home", home.toString(),
          "outpost.agent.data-plane", TestStates.DATA_PLANE,
          "outpost.agent.control-plane.public-key", Ed25519Keys.toRawBase64(signer.keys().getPublic()));
    }

    @Override
    public void stop() {
      try (Stream<Path> files = Files.walk(home)) {
        files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      } catch (IOException e) {
        // a temporary directory: left behind
      }
    }
  }

  @Inject AgentConfig config;
  @Inject AgentRuntime runtime;

  private Path orders;
  private Path billing;
  private Path routes;

  @BeforeEach
  void restored() throws Exception {
    Path state = config.home().resolve("state");
    orders = state.resolve("integrations/orders.json");
    billing = state.resolve("integrations/billing.json");
    routes = state.resolve("routes.json");
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (!(Files.isRegularFile(orders) && Files.isRegularFile(billing) && Files.isRegularFile(routes))) {
      assertThat(System.nanoTime()).as("the stored snapshot restored").isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  /** A crash mid-write left a temporary file, as large as a state, that nothing ever removed. */
  @Test
  void theTemporaryFilesAnEarlierRunLeftAreRemovedAtStart() {
    for (String leftover : LEFTOVERS) {
      assertThat(config.home().resolve(leftover)).doesNotExist();
    }
    assertThat(config.home().resolve("state/.keep")).hasContent("not ours");
  }

  @Test
  void aRemovedIntegrationFileIsPutBackWithinSeconds() throws Exception {
    byte[] written = Files.readAllBytes(orders);
    Files.delete(orders);
    awaitHolds(orders, written);
  }

  @Test
  void aTruncatedRoutesFileIsPutBackWithinSeconds() throws Exception {
    byte[] written = Files.readAllBytes(routes);
    Files.write(routes, new byte[0]);
    awaitHolds(routes, written);
  }

  @Test
  void anIntegrationFileEditedByHandIsPutBackWithinSeconds() throws Exception {
    byte[] written = Files.readAllBytes(billing);
    Files.writeString(billing, Files.readString(billing).replace("hello from billing", "edited by hand"));
    awaitHolds(billing, written);
  }

  @Test
  void aRemovedIntegrationsDirectoryIsPutBackAndWatchedAgain() throws Exception {
    byte[] ordersWritten = Files.readAllBytes(orders);
    byte[] billingWritten = Files.readAllBytes(billing);
    try (Stream<Path> files = Files.walk(orders.getParent())) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    }
    awaitHolds(orders, ordersWritten);
    awaitHolds(billing, billingWritten);

    Files.delete(billing);
    awaitHolds(billing, billingWritten);
  }

  /**
   * Renamed away, the directory kept its watch on the old inode: the runtime lost every integration
   * until the scheduled resync, and the directory that resync made was never watched.
   */
  @Test
  void aMovedIntegrationsDirectoryIsPutBackAndWatchedAgain() throws Exception {
    byte[] ordersWritten = Files.readAllBytes(orders);
    byte[] billingWritten = Files.readAllBytes(billing);
    Files.move(orders.getParent(), config.home().resolve("integrations-moved-" + System.nanoTime()));
    awaitHolds(orders, ordersWritten);
    awaitHolds(billing, billingWritten);

    Thread.sleep(1500); // the new directory registered
    Files.writeString(billing, "edited by hand");
    awaitHolds(billing, billingWritten);
  }

  /**
   * A stray file the agent never wrote was read whole to be hashed: one over 2 GiB ended the watch's
   * thread (OutOfMemoryError) and drift waited for the scheduled resync from then on. It is not read.
   */
  @Test
  void aHugeFileAddedByHandIsRemovedAndTheWatchGoesOn() throws Exception {
    Path huge = orders.resolveSibling("huge.json");
    Files.move(sparse(3L << 30), huge, StandardCopyOption.ATOMIC_MOVE);
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (Files.exists(huge) && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(huge).as("removed within 5 s").doesNotExist();

    byte[] written = Files.readAllBytes(billing);
    Files.writeString(billing, "edited by hand");
    awaitHolds(billing, written);
  }

  /** The watch and the pass compare a file's size before they read it: this one is never read. */
  @Test
  void aHugeFileInPlaceOfAnIntegrationFileIsPutBack() throws Exception {
    byte[] written = Files.readAllBytes(orders);
    Files.move(sparse(3L << 30), orders, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    awaitHolds(orders, written);
  }

  /** A file of {@code length} bytes that takes no room on disk, made beside the state directory. */
  private Path sparse(long length) throws IOException {
    Path file = Files.createTempFile(config.home(), "sparse", ".json");
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.setLength(length);
    }
    return file;
  }

  /** The directory is the agent's inventory: a file someone adds there is pruned, now at once. */
  @Test
  void anIntegrationFileAddedByHandIsRemovedWithinSeconds() throws Exception {
    Path stray = orders.resolveSibling("stray.json");
    Files.write(stray, Files.readAllBytes(orders));
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (Files.exists(stray) && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(stray).as("removed within 5 s").doesNotExist();
  }

  /** Said as drift, naming the file: it was only "revision N applied: 1 change(s)". */
  @Test
  void aCorrectionIsLoggedAsDriftNamingTheFile() throws Exception {
    List<String> lines = new CopyOnWriteArrayList<>();
    Handler capture = new Handler() {
      @Override
      public void publish(LogRecord record) {
        lines.add(record instanceof ExtLogRecord ext ? ext.getFormattedMessage() : record.getMessage());
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    java.util.logging.Logger log = java.util.logging.Logger.getLogger("dev.outpost.agent");
    log.addHandler(capture);
    try {
      byte[] written = Files.readAllBytes(orders);
      Files.delete(orders);
      awaitHolds(orders, written);
      long deadline = System.nanoTime() + 2_000_000_000L;
      while (lines.stream().noneMatch(l -> l.contains("drift") && l.contains("state/integrations/orders.json"))
          && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(lines).anySatisfy(l -> assertThat(l).contains("drift").contains("state/integrations/orders.json")
          .contains("deleted outside the agent"));
    } finally {
      log.removeHandler(capture);
    }
  }

  /**
   * The correction's own writes (a temporary file renamed over the file) are no drift: one pass puts
   * the file back, and none follows while nothing else changes.
   */
  @Test
  void theAgentsOwnWritesDoNotTriggerPasses() throws Exception {
    awaitNoPassFor(java.time.Duration.ofSeconds(3)); // a pass the restore or an earlier test asked for
    byte[] written = Files.readAllBytes(routes);
    Set<Instant> passes = new HashSet<>();
    Instant before = lastPass();
    Files.delete(routes);
    long end = System.nanoTime() + 6_000_000_000L;
    while (System.nanoTime() < end) {
      Instant last = lastPass();
      if (last != null && !last.equals(before)) {
        passes.add(last);
      }
      Thread.sleep(5);
    }
    assertThat(Files.readAllBytes(routes)).as("routes.json put back").isEqualTo(written);
    assertThat(passes).as("passes in the 6 s after routes.json was deleted").hasSize(1);
  }

  private Instant lastPass() {
    return runtime.keeper().reconcileStatus().lastReconciledAt();
  }

  /**
   * Waits until no pass has run for {@code quiet}: longer than the watch's round and a drift pass's
   * wait (a second each), so that one asked for before has run. A fixed sleep was too short for a
   * loaded machine, and that pass was counted as the correction's second.
   */
  private void awaitNoPassFor(java.time.Duration quiet) throws InterruptedException {
    long deadline = System.nanoTime() + 30_000_000_000L;
    Instant seen = lastPass();
    long since = System.nanoTime();
    while (System.nanoTime() - since < quiet.toNanos()) {
      assertThat(System.nanoTime()).as("no pass for %s, last at %s", quiet, seen).isLessThan(deadline);
      Thread.sleep(20);
      Instant last = lastPass();
      if (!java.util.Objects.equals(last, seen)) {
        seen = last;
        since = System.nanoTime();
      }
    }
  }

  private static void awaitHolds(Path file, byte[] content) throws Exception {
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (!holds(file, content) && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(holds(file, content)).as("%s put back within 5 s", file.getFileName()).isTrue();
  }

  private static boolean holds(Path file, byte[] content) {
    try {
      // a huge file is not read: its size alone says it is not what was written
      return Files.size(file) == content.length && java.util.Arrays.equals(Files.readAllBytes(file), content);
    } catch (IOException e) {
      return false;
    }
  }
}
