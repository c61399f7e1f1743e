package dev.outpost.agent.status;

import dev.outpost.spec.protocol.Status;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * The status waiting for the control plane's {@code statusAck}. A status is complete, so a newer
 * one replaces any unacknowledged older one (for every integration the newest report wins); it is
 * sent again after each reconnect until acknowledged. A status equal to the last one recorded,
 * apart from its sequence number and time, is not recorded again unless {@link #HEARTBEAT} passed,
 * measured on a monotonic clock: the observations' wall-clock times, stepped back by NTP, kept an
 * unchanged status from the control plane for as long as the step.
 */
public final class StatusOutbox {
  /** An unchanged status is still sent this often (PROTOCOL.md: at least every 60 seconds). */
  public static final Duration HEARTBEAT = Duration.ofSeconds(60);

  private final LongSupplier nanoTime;
  private Status latest;
  private long latestRecordedAt;
  private boolean acknowledged = true;
  private long sequence;

  public StatusOutbox() {
    this(System::nanoTime);
  }

  /** @param nanoTime a monotonic clock in nanoseconds */
  public StatusOutbox(LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
  }

  /**
   * Records an observation.
   *
   * @return the status to send now, or empty when nothing changed since the last one
   */
  public synchronized Optional<Status> offer(Status observed) {
    long now = nanoTime.getAsLong();
    if (latest != null && sameContent(latest, observed) && now - latestRecordedAt < HEARTBEAT.toNanos()) {
      return Optional.empty();
    }
    latestRecordedAt = now;
    latest = new Status(++sequence, observed.dataPlane(), observed.observedAt(), observed.lastAppliedRevision(),
        observed.lastAttemptedRevision(), observed.integrations(), observed.gateway());
    acknowledged = false;
    return Optional.of(latest);
  }

  /** The control plane received status {@code seq}: a newer one still waits. */
  public synchronized void acknowledge(long seq) {
    if (latest != null && seq >= latest.seq()) {
      acknowledged = true;
    }
  }

  /** Whether the newest status still waits for its {@code statusAck}. */
  public synchronized boolean awaitingAck() {
    return !acknowledged;
  }

  /**
   * What to send right after {@code hello} on every connection: the newest status, acknowledged or
   * not, since a control plane that restarted has lost what it had acknowledged.
   */
  public synchronized Optional<Status> forNewConnection() {
    return Optional.ofNullable(latest);
  }

  private static boolean sameContent(Status a, Status b) {
    return a.lastAppliedRevision() == b.lastAppliedRevision()
        && a.lastAttemptedRevision() == b.lastAttemptedRevision()
        && Objects.equals(a.integrations(), b.integrations())
        && Objects.equals(a.gateway(), b.gateway())
        && Objects.equals(a.dataPlane(), b.dataPlane());
  }
}
