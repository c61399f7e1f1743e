package dev.outpost.observability.store.lucene;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.lucene.store.AlreadyClosedException;
import org.jboss.logging.Logger;

/**
 * Finds the day behind a search that failed on damaged files. A day's files damaged after its
 * index opened (a bad disk writing over them, a file cut short) are met only by the searches that
 * read them, which then fail with whatever the bytes decode to: measured on our segments, {@code
 * CorruptIndexException} and {@code EOFException} (stored fields, terms), index-out-of-bounds and
 * negative-array-size (postings, doc values, points), a null FST arc (terms index), a plain {@code
 * RuntimeException} for a bad vLong in a block's times, and, for a file
 * cut short under its memory map, the JVM's {@code InternalError} for a faulted access (with
 * assertions on, Lucene's {@code AssertionError}s come first). Those
 * failures alone prove nothing (a bug throws them too), so a day counts as damaged only when its
 * open segments' checksums fail as well ({@code LeafReader.checkIntegrity}).
 */
final class DamagedDays {

  private static final Logger LOG = Logger.getLogger(DamagedDays.class);

  private DamagedDays() {}

  /**
   * Whether a search's failure may come of damaged files, and so is worth checking the days for. A
   * query's own failures (its expansion, its time budget) and a day closed under it are not.
   */
  static boolean maySignal(Throwable failure) {
    if (failure instanceof AlreadyClosedException) {
      return false;
    }
    return failure instanceof IOException || failure instanceof UncheckedIOException
        || failure instanceof IndexOutOfBoundsException || failure instanceof NegativeArraySizeException
        || failure instanceof NullPointerException || failure instanceof IllegalStateException
        || failure instanceof IllegalArgumentException || failure instanceof InternalError
        // a block's times decoded from damaged doc values: ByteArrayDataInput wraps a bad vLong so
        || failure.getClass() == RuntimeException.class
        // Lucene's own checks of what it decodes, where assertions are on (tests): the first to notice
        || failure instanceof AssertionError;
  }

  /**
   * The first of {@code searched} not yet in {@code checked} whose files fail their checksums, or
   * null when none does. A day whose directory the failure names (a corrupt or cut file's message
   * names it) is checked first; each day checked goes into {@code checked}, so a search that fails
   * again checks only the others.
   */
  static Partition find(List<Partition> searched, Throwable failure, Set<Partition> checked) {
    List<Partition> order = new ArrayList<>(searched.size());
    for (Partition p : searched) {
      if (!checked.contains(p)) {
        order.add(named(failure, p) ? 0 : order.size(), p);
      }
    }
    for (Partition p : order) {
      checked.add(p);
      Throwable damage = p.checkIntegrity();
      if (damage != null) {
        if (p.markUnreadable(damage)) {
          LOG.warnf("the index of %s is damaged (%s; a search failed on it: %s): searches leave its day out and name"
              + " it in unreadableDays until retention deletes it (said once per day and start)", p.path, damage,
              failure);
        }
        return p;
      }
    }
    return null;
  }

  private static boolean named(Throwable failure, Partition p) {
    String dir = p.path.toString() + File.separator;
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause.getMessage() != null && cause.getMessage().contains(dir)) {
        return true;
      }
    }
    return false;
  }
}
