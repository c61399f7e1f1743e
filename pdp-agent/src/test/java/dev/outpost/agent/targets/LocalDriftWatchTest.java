package dev.outpost.agent.targets;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.agent.TestStates;
import dev.outpost.spec.model.DataPlaneState;
import dev.outpost.spec.model.RoutingTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The watch alone, over real files: what asks for a resync, and what does not. The directories there
 * at start() are watched when it returns: each test changes files right after it, with no wait for
 * the watch's thread to have run.
 */
class LocalDriftWatchTest {
  @TempDir Path home;

  private final AtomicInteger asked = new AtomicInteger();

  /**
   * A fresh home has no state directory when the agent starts: it is watched once the first write
   * makes it, and that asks for one resync (what changed before has no event).
   */
  @Test
  void aStateDirectoryMadeAfterTheStartIsWatchedOnceThere() throws Exception {
    LocalTarget target = new LocalTarget(home);
    LocalDriftWatch watch = new LocalDriftWatch(target, asked::incrementAndGet);
    watch.start();
    try {
      DataPlaneState state = TestStates.state(1, "orders");
      target.putIntegration(state.integrations().get(0));
      target.putRoutes(RoutingTable.of(state));
      await(() -> asked.get() >= 1, "a resync asked for once state/ is watched");
      Thread.sleep(2500); // both directories registered, and the agent's own writes seen
      int settled = asked.get();

      Files.writeString(home.resolve("state/routes.json"), "{}");
      await(() -> asked.get() > settled, "a resync asked for after routes.json was changed by hand");
    } finally {
      watch.stop();
    }
  }

  @Test
  void theAgentsOwnWritesAndDeletesAskForNothing() throws Exception {
    LocalTarget target = new LocalTarget(home);
    DataPlaneState first = TestStates.state(1, "orders", "billing");
    first.integrations().forEach(i -> put(target, i));
    target.putRoutes(RoutingTable.of(first));
    LocalDriftWatch watch = new LocalDriftWatch(target, asked::incrementAndGet);
    watch.start();
    try {
      DataPlaneState second = TestStates.state(2, TestStates.integration("orders", "v2"));
      second.integrations().forEach(i -> put(target, i));
      target.putRoutes(RoutingTable.of(second));
      target.deleteIntegration("billing");
      Thread.sleep(2000);
      assertThat(asked).as("resyncs asked for by the agent's own writes").hasValue(0);

      Files.delete(home.resolve("state/integrations/orders.json"));
      await(() -> asked.get() > 0, "a resync asked for after orders.json was deleted by hand");
    } finally {
      watch.stop();
    }
  }

  @Test
  void aStoppedWatchAsksForNothing() throws Exception {
    LocalTarget target = new LocalTarget(home);
    target.putRoutes(RoutingTable.of(TestStates.state(1, "orders")));
    LocalDriftWatch watch = new LocalDriftWatch(target, asked::incrementAndGet);
    watch.start();
    watch.stop();
    Files.delete(home.resolve("state/routes.json"));
    Thread.sleep(1500);
    assertThat(asked).hasValue(0);
  }

  /**
   * A directory renamed away keeps its watch (the JDK asks inotify for no IN_MOVE_SELF): the rename
   * was no drift, and the directory the resync made in its place was never watched.
   */
  @Test
  void aMovedIntegrationsDirectoryAsksForAResyncAndTheOneMadeInItsPlaceIsWatched() throws Exception {
    LocalTarget target = new LocalTarget(home);
    DataPlaneState state = TestStates.state(1, "orders");
    put(target, state.integrations().get(0));
    target.putRoutes(RoutingTable.of(state));
    LocalDriftWatch watch = new LocalDriftWatch(target, asked::incrementAndGet);
    watch.start();
    try {
      Files.move(home.resolve("state/integrations"), home.resolve("moved-away"));
      await(() -> asked.get() >= 1, "a resync asked for once state/integrations/ was moved away");

      put(target, state.integrations().get(0)); // as the resync does: a new directory
      Thread.sleep(2500); // the new directory registered
      int settled = asked.get();
      Files.delete(home.resolve("state/integrations/orders.json"));
      await(() -> asked.get() > settled, "a resync asked for after a file of the new directory was deleted");
    } finally {
      watch.stop();
    }
  }

  /** Nothing watches $OUTPOST_HOME itself: the state directory moved away told nothing. */
  @Test
  void aMovedStateDirectoryAsksForAResync() throws Exception {
    LocalTarget target = new LocalTarget(home);
    target.putRoutes(RoutingTable.of(TestStates.state(1, "orders")));
    LocalDriftWatch watch = new LocalDriftWatch(target, asked::incrementAndGet);
    watch.start();
    try {
      Files.move(home.resolve("state"), home.resolve("moved-away"));
      await(() -> asked.get() >= 1, "a resync asked for once state/ was moved away");
    } finally {
      watch.stop();
    }
  }

  /** A failure the watch did not expect ended its thread for good: drift waited for the scheduled resync. */
  @Test
  void anUnexpectedFailureDoesNotEndTheWatch() throws Exception {
    LocalTarget target = new LocalTarget(home);
    target.putRoutes(RoutingTable.of(TestStates.state(1, "orders")));
    LocalDriftWatch watch = new LocalDriftWatch(target, () -> {
      if (asked.incrementAndGet() == 1) {
        throw new Error("the first request fails");
      }
    });
    watch.start();
    try {
      Files.writeString(home.resolve("state/routes.json"), "{}");
      await(() -> asked.get() >= 1, "a resync asked for after routes.json was changed by hand");
      Thread.sleep(2500);
      int settled = asked.get();
      Files.delete(home.resolve("state/routes.json"));
      await(() -> asked.get() > settled, "a resync asked for after the failure, routes.json deleted by hand");
    } finally {
      watch.stop();
    }
  }

  private static void put(LocalTarget target, dev.outpost.spec.model.Integration integration) {
    try {
      target.putIntegration(integration);
    } catch (TargetException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(condition.getAsBoolean()).as(what).isTrue();
  }
}
