package dev.outpost.runtime.deploy;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The deployer's lock: loading and switching run one deployment at a time, for every integration
 * of the runtime. It is fair, so that work done in steps that let go of it between them (removing a
 * version of thousands of routes) lets the deployments waiting for it in; and it knows which
 * integration holds it, doing what, since when, so that those waiting say whom they wait for:
 * a bean that blocks while Camel creates it holds it for as long as it blocks, and nothing can
 * interrupt that safely.
 */
final class DeployLock {

  /** How long the holder may take before those waiting for it say so. */
  static final Duration NOTICEABLE = Duration.ofSeconds(1);

  private final ReentrantLock lock = new ReentrantLock(true);
  /** What the thread holding the lock does, when it said; null for short work. */
  private volatile Holder holder;

  private record Holder(String integration, String doing, long since) {
    String describe() {
      long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - since);
      return "integration " + integration + " has been " + doing + " for " + seconds + " s";
    }
  }

  /** The lock, taken; {@link #close} lets it go and puts back what held it before (it is reentrant). */
  final class Held implements AutoCloseable {
    private final Holder before;

    private Held(Holder before) {
      this.before = before;
    }

    @Override
    public void close() {
      holder = before;
      lock.unlock();
    }
  }

  /** Takes the lock for short work, which nobody waits long for. */
  Held hold() {
    lock.lock();
    return new Held(holder);
  }

  /**
   * Takes the lock for what {@code integration} is {@code doing} ("loading"); while another holds it
   * noticeably long, tells {@code waiting} at once and then every second what it waits for.
   */
  Held hold(String integration, String doing, Consumer<String> waiting) {
    if (lock.isHeldByCurrentThread()) {
      lock.lock(); // taken again by its holder (it is reentrant), who waits for nobody
    } else {
      await(waiting);
    }
    Held held = new Held(holder);
    holder = new Holder(integration, doing, System.nanoTime());
    return held;
  }

  private void await(Consumer<String> waiting) {
    boolean interrupted = false;
    while (true) {
      heldUpBy().ifPresent(waiting);
      try {
        if (lock.tryLock(1, TimeUnit.SECONDS)) {
          break;
        }
      } catch (InterruptedException e) {
        // the work must still be done (a version half switched otherwise): the interrupt is kept for after
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * What holds the lock, when it has held it for longer than {@link #NOTICEABLE}: "integration x has
   * been loading for 40 s".
   */
  Optional<String> heldUpBy() {
    Holder current = holder;
    if (current == null || System.nanoTime() - current.since() < NOTICEABLE.toNanos()) {
      return Optional.empty();
    }
    return Optional.of(current.describe());
  }
}
