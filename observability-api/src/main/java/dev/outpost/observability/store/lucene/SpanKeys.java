package dev.outpost.observability.store.lucene;

/**
 * A span's key in the service graph: 64 bits of its trace id and span id together, so that a span
 * and its children's parent reference meet in a map of longs ({@link ServiceGraphScan}) rather than of
 * strings. Two spans of a window share a key with odds of about n²/2⁶⁵: a million spans, one in
 * thirty million. Stored in the indexes: a change makes every day written before count no call.
 */
final class SpanKeys {

  private SpanKeys() {}

  static long of(String traceId, String spanId) {
    // FNV-1a over both ids, then SplitMix64's finaliser: FNV alone leaves the low bits, which a hash
    // map indexes by, close for ids that differ in their last digits
    long hash = 0xcbf29ce484222325L;
    hash = fnv(hash, traceId);
    hash = (hash ^ '/') * 0x100000001b3L;
    hash = fnv(hash, spanId);
    hash = (hash ^ (hash >>> 30)) * 0xbf58476d1ce4e5b9L;
    hash = (hash ^ (hash >>> 27)) * 0x94d049bb133111ebL;
    return hash ^ (hash >>> 31);
  }

  private static long fnv(long hash, String text) {
    for (int i = 0; i < text.length(); i++) {
      hash = (hash ^ text.charAt(i)) * 0x100000001b3L;
    }
    return hash;
  }
}
