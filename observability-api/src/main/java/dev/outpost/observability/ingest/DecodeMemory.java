package dev.outpost.observability.ingest;

/**
 * Heap that OTLP requests being decoded and stored may hold at once. Decoding costs far more heap
 * than the body's bytes: JSON passes through Jackson's and protobuf's trees before it becomes
 * protobuf objects (measured up to about 150 bytes per byte, for arrays of empty values), protobuf
 * up to about 25. One 32 MiB JSON body, 2 MiB gzipped, exhausted a 512 MiB heap, and an
 * OutOfMemoryError may strike a Lucene writer or the journal as well as the request. So each
 * request reserves an estimate before it decodes: a body that could never fit is refused with 413,
 * one that does not fit beside the others now with 429 and Retry-After.
 */
final class DecodeMemory {

  /** Heap held per byte of decompressed OTLP/JSON, worst case measured and rounded up. */
  static final long JSON_COST = 160;
  /** Heap held per byte of decompressed protobuf, worst case measured and rounded up. */
  static final long PROTOBUF_COST = 40;
  /** Heap held per byte gunzipped so far: the growing buffer and its final copy. */
  static final long GUNZIP_COST = 3;

  private final long capacity;
  private long reserved;

  DecodeMemory(long capacity) {
    this.capacity = capacity;
  }

  /** The default capacity: 40% of the heap, the rest left to Lucene's buffers, searches and bodies on the wire. */
  static long defaultCapacity() {
    return Runtime.getRuntime().maxMemory() / 5 * 2;
  }

  /** The largest decompressed body of this format one request may decode. */
  long largestBody(OtlpBodies.Format format) {
    return capacity / cost(format);
  }

  static long cost(OtlpBodies.Format format) {
    return format == OtlpBodies.Format.JSON ? JSON_COST : PROTOBUF_COST;
  }

  Lease lease() {
    return new Lease();
  }

  private synchronized boolean take(long bytes) {
    if (reserved + bytes > capacity) {
      return false;
    }
    reserved += bytes;
    return true;
  }

  private synchronized void give(long bytes) {
    reserved -= bytes;
  }

  /** What one request holds; closing it gives the heap back. */
  final class Lease implements AutoCloseable {
    private long held;

    /**
     * Holds at least {@code bytes}, or throws 429 while other requests hold too much for them.
     * The caller refuses with 413 what is larger than {@link #largestBody} first.
     */
    void hold(long bytes) {
      if (bytes <= held) {
        return;
      }
      if (!take(bytes - held)) {
        throw new IngestException(429, "too much ingest data is being decoded at once; retry shortly", "1");
      }
      held = bytes;
    }

    @Override
    public void close() {
      give(held);
      held = 0;
    }
  }
}
