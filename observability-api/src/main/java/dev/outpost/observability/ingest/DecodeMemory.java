package dev.outpost.observability.ingest;

import java.util.HashMap;
import java.util.Map;
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
  /** What each project's integration tokens hold; the data plane's token ("") is not counted. */
  private final Map<String, Long> reservedByProject = new HashMap<>();

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

  /** A lease of the data plane's token, which no project share bounds. */
  Lease lease() {
    return new Lease("", 0);
  }

  /**
   * A lease of a request sent with {@code binding}: an integration's token holds at most half the
   * capacity with its project's other requests, so that one project cannot keep the others out.
   */
  Lease lease(IngestBinding binding) {
    return new Lease(binding.project(), 0);
  }

  /**
   * A lease of a request sent with {@code binding} that holds {@code beside} for its whole life (its
   * body): whether the lease could ever fit counts what that one holds, else a request that could fit
   * only without its own body was told 429 at every retry, never the 413 that says it never will.
   */
  Lease lease(IngestBinding binding, Lease beside) {
    return new Lease(binding.project(), beside.held);
  }

  /** The most one project's integrations may hold at once. */
  long projectShare() {
    return capacity / 2;
  }

  /**
   * Heap a body of {@code contentLength} bytes holds until its request ends; a body without a length
   * (chunked) may grow to {@code maxBodyBytes}, so it holds that much, or all it may hold when that
   * is less (the capacity, or for an integration's token its project's share).
   */
  long bodyBytes(long contentLength, long maxBodyBytes, IngestBinding binding) {
    long length = contentLength >= 0 ? Math.min(contentLength, maxBodyBytes) : maxBodyBytes;
    return contentLength >= 0 ? length * PER_BODY_BYTE
        : Math.min(length * PER_BODY_BYTE, binding.bindsProject() ? projectShare() : capacity);
  }

  /** Why {@code bytes} more cannot be held now, or null when they are held. */
  private synchronized String take(String project, long bytes) {
    if (reserved + bytes > capacity) {
      return "too much ingest data is being received or decoded at once; retry shortly";
    }
    if (!project.isEmpty()) {
      long byProject = reservedByProject.getOrDefault(project, 0L);
      if (byProject + bytes > projectShare()) {
        return "the integrations of project " + project + " are sending too much data at once (half of what this server"
            + " decodes at once); retry shortly";
      }
      reservedByProject.put(project, byProject + bytes);
    }
    reserved += bytes;
    return null;
  }

  private synchronized void give(String project, long bytes) {
    reserved -= bytes;
    if (!project.isEmpty()) {
      reservedByProject.computeIfPresent(project, (p, held) -> held - bytes == 0 ? null : held - bytes);
    }
  }

  /** What one request holds; closing it gives the heap back. */
  final class Lease implements AutoCloseable {
    private final String project;
    /** What the same request holds in another lease while this one lives. */
    private final long beside;
    private long held;

    private Lease(String project, long beside) {
      this.project = project;
      this.beside = beside;
    }

    /**
     * Holds at least {@code bytes}: 413 with {@code tooLarge} when they, with what the request holds
     * beside, are more than the whole capacity (or the project's share), 429 while other requests
     * hold too much for them.
     */
    void hold(long bytes, Supplier<String> tooLarge) {
      if (bytes <= held) {
        return;
      }
      if (bytes + beside > (project.isEmpty() ? capacity : projectShare())) {
        throw new IngestException(413, tooLarge.get());
      }
      String refused = take(project, bytes - held);
      if (refused != null) {
        throw new IngestException(429, refused, "1");
      }
      held = bytes;
    }

    @Override
    public void close() {
      give(project, held);
      held = 0;
    }
  }
}
