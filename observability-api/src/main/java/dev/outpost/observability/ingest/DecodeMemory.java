package dev.outpost.observability.ingest;

import java.util.function.Supplier;

/**
 * Heap that OTLP requests being received, decoded and stored may hold at once. Decoding costs far
 * more heap than the body's bytes (JSON passes through Jackson's and protobuf's trees before it
 * becomes protobuf objects): one 32 MB JSON body, 2 MiB gzipped, exhausted a 512 MiB heap, and an
 * OutOfMemoryError may strike a Lucene writer or the journal as well as the request. So each
 * request holds its body ({@link #bodyBytes}) before reading it and its decode estimate
 * ({@link DecodeCost}) before decoding: one larger than the whole budget is refused with 413, one
 * that does not fit beside the others now with 429 and Retry-After.
 */
final class DecodeMemory {

  /** Heap held per byte gunzipped so far: the growing buffer and its final copy. */
  static final long PER_GUNZIPPED_BYTE = 3;

  /** Heap held per byte of a body on the wire: the body handler's buffer and the array copied from it. */
  static final long PER_BODY_BYTE = 2;

  private final long capacity;
  private long reserved;

  DecodeMemory(long capacity) {
    this.capacity = capacity;
  }

  /** The default capacity: 40% of the heap, the rest left to Lucene's buffers, searches and bodies on the wire. */
  static long defaultCapacity() {
    return Runtime.getRuntime().maxMemory() / 5 * 2;
  }

  long capacity() {
    return capacity;
  }

  Lease lease() {
    return new Lease();
  }

  /**
   * Heap a body of {@code contentLength} bytes holds until its request ends; a body without a length
   * (chunked) may grow to {@code maxBodyBytes}, so it holds that much, or the whole capacity when
   * that is less.
   */
  long bodyBytes(long contentLength, long maxBodyBytes) {
    long length = contentLength >= 0 ? Math.min(contentLength, maxBodyBytes) : maxBodyBytes;
    return contentLength >= 0 ? length * PER_BODY_BYTE : Math.min(length * PER_BODY_BYTE, capacity);
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
     * Holds at least {@code bytes}: 413 with {@code tooLarge} when they are more than the whole
     * capacity, 429 while other requests hold too much for them.
     */
    void hold(long bytes, Supplier<String> tooLarge) {
      if (bytes <= held) {
        return;
      }
      if (bytes > capacity) {
        throw new IngestException(413, tooLarge.get());
      }
      if (!take(bytes - held)) {
        throw new IngestException(429, "too much ingest data is being received or decoded at once; retry shortly", "1");
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
