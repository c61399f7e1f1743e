package dev.outpost.observability.store;

import java.util.List;

/**
 * Traces read together for one answer.
 *
 * @param traces the visible spans of each trace, in the order asked
 * @param partial true when traces were left out, or one was cut short, to stay within the size budget
 * @param lastCut true when the last trace listed was cut short (only a batch's first trace is ever
 *     listed cut: a later one that does not fit whole is left out)
 */
public record TraceBatch(List<List<SpanEntry>> traces, boolean partial, boolean lastCut) {

  /** Whether the trace at {@code index} was cut short. */
  public boolean cut(int index) {
    return lastCut && index == traces.size() - 1;
  }
}
