package dev.outpost.agent.link;

import java.time.Duration;
import java.util.function.LongSupplier;
import org.jboss.logging.Logger;

/**
 * One kind of warning the control plane can provoke at will (a malformed frame, a frame of the
 * wrong type): logged at most once per {@code interval}, with a count of the ones left out. A
 * broken or hostile control plane sending thousands of frames a second must not fill the disk with
 * the agent's log, nor bury every other line in it.
 */
public final class ThrottledWarning {

  /** The default interval: one line of each kind every 10 seconds at most. */
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);

  private final Logger log;
  private final long intervalNanos;
  private final LongSupplier nanoTime;
  private long lastLogged;
  private boolean loggedOnce;
  private long suppressed;

  public ThrottledWarning(Logger log) {
    this(log, DEFAULT_INTERVAL, System::nanoTime);
  }

  ThrottledWarning(Logger log, Duration interval, LongSupplier nanoTime) {
    this.log = log;
    this.intervalNanos = interval.toNanos();
    this.nanoTime = nanoTime;
  }

  /**
   * Logs {@code format} with {@code args} at WARN, unless one was logged less than an interval ago.
   *
   * @return whether it was logged
   */
  public boolean warn(String format, Object... args) {
    String suffix;
    synchronized (this) {
      long now = nanoTime.getAsLong();
      if (loggedOnce && now - lastLogged < intervalNanos) {
        suppressed++;
        return false;
      }
      suffix = suppressed == 0 ? "" : " (" + suppressed + " more like it not logged in the last "
          + Duration.ofNanos(now - lastLogged).toSeconds() + " s)";
      loggedOnce = true;
      lastLogged = now;
      suppressed = 0;
    }
    log.warn(String.format(format, args) + suffix);
    return true;
  }
}
