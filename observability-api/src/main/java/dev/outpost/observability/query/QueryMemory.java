package dev.outpost.observability.query;

import dev.outpost.observability.config.ObservabilityConfig;
import dev.outpost.observability.store.AnswerMemory;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.function.LongSupplier;

/**
 * Text (records and spans) that all answers being built or sent hold together. Each answer's own
 * budget ({@code query.max-page-bytes}) bounds one request; this bounds them all: twenty requests
 * for 16 MiB pages at once would otherwise hold 320 MiB of text, several times that in objects and
 * JSON. An answer takes its share in steps as it grows and gives it all back once it is sent.
 */
@ApplicationScoped
public class QueryMemory {

  /** Held in steps, so that a growing page does not ask for every record. */
  static final long STEP = 1 << 20;

  private final long capacity;
  private long held;

  @Inject
  QueryMemory(ObservabilityConfig config) {
    this(config.query().memoryBytes().orElseGet(() -> Runtime.getRuntime().maxMemory() / 8));
  }

  QueryMemory(long capacity) {
    this.capacity = capacity;
  }

  /** What the answer to this request may hold; given back when its response ends or the client leaves. */
  public AnswerMemory forAnswer(RoutingContext request) {
    Lease lease = lease();
    request.addEndHandler(done -> lease.close());
    if (request.response().ended() || request.response().closed()) {
      // gone before the handler was added, which is then never called: the share was kept for good
      lease.close();
    }
    return lease;
  }

  /** What one answer may hold until {@link Lease#close} (a stream's end, which no request end handler sees). */
  public Lease lease() {
    return new Lease();
  }

  /** Text held by answers now. */
  public synchronized long held() {
    return held;
  }

  private synchronized long take(long wanted) {
    long granted = Math.min(wanted, capacity - held);
    held += granted;
    return granted;
  }

  private synchronized void give(long chars) {
    held -= chars;
  }

  /** One answer's share; closing it gives the share back, and later grants get nothing. */
  public final class Lease implements AnswerMemory, AutoCloseable {
    private long granted;
    private boolean closed;

    @Override
    public synchronized long grant(long chars) {
      if (chars > granted && !closed) {
        long step = (chars + STEP - 1) / STEP * STEP;
        granted += take(step - granted);
      }
      return granted;
    }

    /**
     * Gives back what is held beyond the step above what {@code waiting} tells, once that is more
     * than a step: a live tail holds what it has waiting, not the most it ever had (its share lasted
     * as long as the tail, so a reader behind for a moment kept it from every other answer). Read
     * under the lease's lock: a count read before it could miss records another thread added and
     * was granted for meanwhile, and give their share away.
     */
    public synchronized void shrinkTo(LongSupplier waiting) {
      long keep = (Math.max(0, waiting.getAsLong()) + STEP - 1) / STEP * STEP + STEP;
      if (!closed && granted > keep) {
        give(granted - keep);
        granted = keep;
      }
    }

    @Override
    public synchronized void close() {
      if (!closed) {
        closed = true;
        give(granted);
      }
    }
  }
}
