package dev.outpost.observability.store;

/**
 * Records or spans made ready by a store's {@code prepare}: the part of a write that needs no turn
 * among writers (for Lucene, building the documents) is done, so that a writer who takes turns
 * spends them only indexing.
 */
@FunctionalInterface
public interface PreparedWrite {

  /** Indexes them, as the store's {@code write} would; once. */
  void write();
}
