package dev.outpost.observability.store;

/**
 * Heap that one query's answer may take beside the answers of the other queries in flight. A page
 * of logs or a trace that cannot take more ends early, as it does at its own size budget.
 */
public interface AnswerMemory {

  /** No limit beyond each page's own: for callers without concurrent answers to share with. */
  AnswerMemory UNLIMITED = chars -> Long.MAX_VALUE;

  /**
   * Asks to hold {@code chars} characters of records or spans in all (not more), and returns how
   * many the answer holds: at least {@code chars} when granted, fewer when other answers hold the
   * rest. What is granted stays held until the answer has been sent.
   */
  long grant(long chars);
}
