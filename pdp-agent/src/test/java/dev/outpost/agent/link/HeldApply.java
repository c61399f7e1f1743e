package dev.outpost.agent.link;

import dev.outpost.agent.targets.ForwardingTarget;
import dev.outpost.agent.targets.Target;
import dev.outpost.agent.targets.TargetException;
import dev.outpost.spec.model.Integration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A target whose write of the integration named {@link #HELD} waits until the test releases it:
 * a snapshot holding that integration keeps the applier busy exactly as long as the test needs,
 * so that what arrives meanwhile must wait, on any machine. Every other call goes straight through.
 */
final class HeldApply extends ForwardingTarget {
  static final String HELD = "held";

  private final CountDownLatch entered = new CountDownLatch(1);
  private final CountDownLatch released = new CountDownLatch(1);

  HeldApply(Target target) {
    super(target);
  }

  /** Whether the applier is writing {@link #HELD}, and waits there. */
  boolean holding() {
    return entered.getCount() == 0 && released.getCount() == 1;
  }

  /** Lets the write of {@link #HELD} go on (and every later one). */
  void release() {
    released.countDown();
  }

  @Override
  public boolean putIntegration(Integration integration) throws TargetException {
    if (integration.name().equals(HELD)) {
      entered.countDown();
      try {
        if (!released.await(60, TimeUnit.SECONDS)) {
          throw new IllegalStateException("the test never released the held write");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while held", e);
      }
    }
    return target.putIntegration(integration);
  }
}
