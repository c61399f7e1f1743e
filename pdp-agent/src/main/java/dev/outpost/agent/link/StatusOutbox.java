package dev.outpost.agent.link;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Status reports waiting for the control plane's acknowledgement, coalesced by key (one per
 * integration, one for the routes): a newer report for a key replaces an unacknowledged older one.
 * Each report gets a sequence number; an acknowledgement of sequence {@code n} clears every report
 * up to {@code n}. Everything still pending is sent again after a reconnect.
 *
 * @param <T> the report type
 */
public final class StatusOutbox<T> {
  private final Map<String, Entry<T>> pending = new LinkedHashMap<>();
  private long sequence;

  /** A report and its sequence number. */
  public record Entry<T>(long sequence, String key, T report) {}

  /**
   * Queues a report, replacing any pending one for the same key.
   *
   * @return the entry to send now
   */
  public synchronized Entry<T> put(String key, T report) {
    Entry<T> entry = new Entry<>(++sequence, key, report);
    pending.remove(key);
    pending.put(key, entry);
    return entry;
  }

  /** Clears every report up to and including {@code sequence}. */
  public synchronized void acknowledge(long sequence) {
    pending.values().removeIf(e -> e.sequence() <= sequence);
  }

  /** What must be (re)sent, oldest first. */
  public synchronized List<Entry<T>> pending() {
    return new ArrayList<>(pending.values());
  }
}
