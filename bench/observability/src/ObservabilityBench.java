import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.lucene.analysis.standard.StandardAnalyzer;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.IntPoint;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.store.FSDirectory;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jwk.RsaJwkGenerator;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;

/**
 * observability-api benchmark. Load generator and store share this machine's cores, as the issue
 * asks. Prints: raw Lucene IndexWriter docs/s on the same records, one document each with the fields
 * the store indexes (the reference, same run; the store itself indexes them in blocks), OTLP
 * ingest records/s with durable acks and its ratio to the reference (both warm: the first records
 * of each are not measured, and the application's warm-up rate is printed apart), query latencies at the loaded
 * size, and the application's heap after a full GC.
 */
public final class ObservabilityBench {

  static final String TOKEN = "bench-data-plane-token-0123456789";
  static final int BATCH = 1000;
  static final int DISTINCT_REQUESTS = 400;
  static final int CLIENTS = 8;
  static final int PROJECTS = 10;
  static final String[] SERVICES = {"outpost-gateway", "outpost-integration-runtime", "orders", "billing", "crm"};
  static final String[] SEVERITIES = {"INFO", "INFO", "INFO", "DEBUG", "WARN", "ERROR"};
  static final int[] SEVERITY_NUMBERS = {9, 9, 9, 5, 13, 17};
  static final String[] VOCABULARY = vocabulary(1000);
  static final long DAY_NANOS = 86_400_000_000_000L;

  public static void main(String[] args) throws Exception {
    Map<String, String> options = new LinkedHashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    long records = Long.parseLong(options.get("records"));
    int rawRecords = Integer.parseInt(options.get("raw-records"));
    long warmupRecords = Math.min(Long.parseLong(options.get("warmup-records")), records / 2) / BATCH * BATCH;
    Path work = Path.of(options.get("work"));
    deleteTree(work);
    Files.createDirectories(work);
    long now = System.currentTimeMillis() * 1_000_000L;

    System.out.printf("observability-api benchmark: %,d log records, %d client threads, batches of %d, %d cores%n",
        records, CLIENTS, BATCH, Runtime.getRuntime().availableProcessors());
    System.out.println("load average at start (other work on this machine skews every figure): "
        + Files.readString(Path.of("/proc/loadavg")).trim());
    List<ExportLogsServiceRequest> requests = new ArrayList<>();
    Random random = new Random(42);
    for (int i = 0; i < DISTINCT_REQUESTS; i++) {
      requests.add(logRequest(random));
    }
    Timeline timeline = new Timeline(now, records);
    LogRecord sample = requests.get(0).getResourceLogs(0).getScopeLogs(0).getLogRecords(0);
    System.out.printf("record shape: body %d bytes, %d record attributes + 2 resource attributes, request %,d bytes%n",
        sample.getBody().getStringValue().length(), sample.getAttributesCount(), requests.get(0).getSerializedSize());

    // the reference runs warm, as the application's long ingest mostly does: a first, unmeasured pass
    // lets the JIT compile Lucene's indexing chain (measured cold, it cost 1.6x the CPU per document)
    rawLucene(requests, timeline, Math.min(rawRecords, 300_000), work.resolve("raw-warmup"));
    deleteTree(work.resolve("raw-warmup"));
    long rawCpuBefore = cpuNanos(ProcessHandle.current());
    double raw = rawLucene(requests, timeline, rawRecords, work.resolve("raw"));
    double rawCpuPerDoc = (cpuNanos(ProcessHandle.current()) - rawCpuBefore) / 1e3 / rawRecords;
    System.out.printf("[reference] raw Lucene IndexWriter, same records, one document each, 2 threads: %,.0f docs/s (%,d docs), "
        + "%.1f us CPU per doc%n", raw, rawRecords, rawCpuPerDoc);

    try (Idp idp = new Idp(); App app = new App(Path.of(options.get("jar")), work.resolve("app"),
        options.get("app-heap"), idp)) {
      app.start();
      Batches bodies = new Batches(requests, timeline);
      // the first records, as the reference's first pass, warm the JIT and are not measured; they
      // stay stored, so the store holds `records` in all
      // the freshness probes start with the warm-up too: their first search after the start is
      // cold (the query path's JIT, under full ingest), printed apart from the measured probes
      Freshness freshness = new Freshness(app, idp.token(projects()));
      freshness.start();
      long warmupStart = System.nanoTime();
      long warmupCpuBefore = cpuNanos(app.process.toHandle());
      long warmedUp = ingest(app, bodies, 0, warmupRecords / BATCH);
      if (warmedUp > 0) {
        double warmupSeconds = (System.nanoTime() - warmupStart) / 1e9;
        System.out.printf("[ingest] warm-up, not measured: the first %,d records at %,.0f records/s, %.1f us CPU per record%n",
            warmedUp, warmedUp / warmupSeconds, (cpuNanos(app.process.toHandle()) - warmupCpuBefore) / 1e3 / warmedUp);
      }
      long appCpuBefore = cpuNanos(app.process.toHandle());
      long start = System.nanoTime();
      freshness.measureFromNow();
      long acked = ingest(app, bodies, warmupRecords / BATCH, records / BATCH);
      freshness.stop();
      double appCpuPerRecord = (cpuNanos(app.process.toHandle()) - appCpuBefore) / 1e3 / acked;
      double seconds = (System.nanoTime() - start) / 1e9;
      double rate = acked / seconds;
      System.out.printf("[ingest] OTLP/HTTP protobuf, durable acks: %,d records in %.1f s = %,.0f records/s "
          + "(%.1f MB/s of request bodies); ratio to raw IndexWriter %.2f%n", acked, seconds, rate,
          acked / BATCH * (double) bodies.size() / seconds / 1e6, rate / raw);
      // CPU time per record does not depend on what else the machine runs, unlike records/s
      System.out.printf("[ingest] application CPU per record: %.1f us (raw IndexWriter: %.1f us per doc, ratio %.2f)%n",
          appCpuPerRecord, rawCpuPerDoc, appCpuPerRecord / rawCpuPerDoc);

      freshness.print();

      List<String> traceIds = ingestTraces(app, now, 20_000, 10);
      System.out.printf("[ingest] %,d spans in %,d traces for the trace-by-id queries%n", 200_000, traceIds.size());
      // queries run on the stored records, not against the merges the ingest left running: wait until the
      // application's CPU use falls under 10% of one core over 2 s (at most 5 minutes)
      long quietStart = System.nanoTime();
      for (long before = cpuNanos(app.process.toHandle()); System.nanoTime() - quietStart < 300_000_000_000L; ) {
        Thread.sleep(2000);
        long after = cpuNanos(app.process.toHandle());
        if (after - before < 200_000_000L) {
          break;
        }
        before = after;
      }
      System.out.printf("[ingest] background merges done %.0f s after the last acknowledgement%n",
          (System.nanoTime() - quietStart) / 1e9);

      String token = idp.token(projects());
      // HTTP/1.1 with keep-alive, as the browser console calls it (the JDK client's default would try h2c)
      HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      ObjectMapper json = new ObjectMapper();
      int warmup = Integer.parseInt(System.getenv().getOrDefault("QUERY_WARMUP_SECONDS", "15"));
      // sanity: the query sees everything that was acknowledged
      JsonNode histogram = get(client, json, app, token, "/api/v1/logs/histogram?from=" + (now / 1_000_000 - 86_400_000)
          + "&to=" + (now / 1_000_000 + 1) + "&interval=1h");
      System.out.printf("[check] 24h histogram total %,d (acknowledged %,d)%n", histogram.get("total").asLong(),
          warmedUp + acked);
      if (histogram.get("total").asLong() != warmedUp + acked) {
        throw new IllegalStateException("the query does not see what was acknowledged: the figures would be of a"
            + " store that lost or invented records");
      }

      Random q = new Random(7);
      // the templates ingested: a run of fewer than DISTINCT_REQUESTS batches stored only the first ones
      int ingested = (int) Math.min(requests.size(), records / BATCH);
      long[] termQuery = time(1000, warmup, () -> {
        long hourStart = now / 1_000_000 - 3_600_000L - q.nextInt(23) * 3_600_000L;
        get(client, json, app, token, "/api/v1/logs?limit=100&q=" + enc("body:" + VOCABULARY[q.nextInt(VOCABULARY.length)])
            + "&project=project-" + q.nextInt(PROJECTS) + "&from=" + hourStart + "&to=" + (hourStart + 3_600_000L));
      });
      print("term + project + 1h, newest 100", termQuery);
      // two adjacent words of a stored body: the block must hold them in one record, in order
      long[] phraseQuery = time(200, warmup, () -> {
        ExportLogsServiceRequest request = requests.get(q.nextInt(ingested));
        String project = request.getResourceLogs(0).getResource().getAttributesList().stream()
            .filter(kv -> kv.getKey().equals("outpost.project")).findFirst().orElseThrow().getValue().getStringValue();
        String[] words = request.getResourceLogs(0).getScopeLogs(0).getLogRecords(q.nextInt(BATCH)).getBody()
            .getStringValue().split(" ");
        int at = q.nextInt(words.length - 2);
        found(get(client, json, app, token, "/api/v1/logs?limit=100&q=" + enc("\"" + words[at] + " " + words[at + 1] + "\"")
            + "&project=" + project + "&from=" + (now / 1_000_000 - 86_400_000) + "&to=" + (now / 1_000_000 + 1)));
      });
      print("phrase of 2 words + project + 24h, newest 100", phraseQuery);
      // three words of one stored body, apart: common alone, rare together
      long[] wordsQuery = time(200, warmup, () -> {
        ExportLogsServiceRequest request = requests.get(q.nextInt(ingested));
        String project = request.getResourceLogs(0).getResource().getAttributesList().stream()
            .filter(kv -> kv.getKey().equals("outpost.project")).findFirst().orElseThrow().getValue().getStringValue();
        String[] words = request.getResourceLogs(0).getScopeLogs(0).getLogRecords(q.nextInt(BATCH)).getBody()
            .getStringValue().split(" ");
        found(get(client, json, app, token, "/api/v1/logs?limit=100&q=" + enc(words[1] + " AND " + words[10] + " AND "
            + words[20]) + "&project=" + project + "&from=" + (now / 1_000_000 - 86_400_000) + "&to="
            + (now / 1_000_000 + 1)));
      });
      print("3 words + project + 24h, newest 100", wordsQuery);
      long[] traceById = time(1000, warmup, () ->
          get(client, json, app, token, "/api/v1/traces/" + traceIds.get(q.nextInt(traceIds.size()))));
      print("trace by id", traceById);
      long[] histogramAll = time(50, warmup, () -> get(client, json, app, token, "/api/v1/logs/histogram?from="
          + (now / 1_000_000 - 86_400_000) + "&to=" + (now / 1_000_000 + 1) + "&interval=10m"));
      print("24h histogram, all 10 projects (every record)", histogramAll);
      long[] histogramOne = time(50, warmup, () -> get(client, json, app, token, "/api/v1/logs/histogram?from="
          + (now / 1_000_000 - 86_400_000) + "&to=" + (now / 1_000_000 + 1) + "&interval=10m&project=project-3"));
      print("24h histogram, one project", histogramOne);
      // HOLD_SECONDS: keep the loaded application up for diagnosis (curl, a profiler) before it stops
      long hold = Long.parseLong(System.getenv().getOrDefault("HOLD_SECONDS", "0"));
      if (hold > 0) {
        Files.writeString(work.resolve("hold.env"), "API=" + app.api() + "\nTOKEN=" + token + "\nTRACE=" + traceIds.get(0) + "\n");
        System.out.printf("[hold] %s for %d s; API, TOKEN and a TRACE id in %s%n", app.api(), hold, work.resolve("hold.env"));
        Thread.sleep(hold * 1000);
      }
      System.out.printf("[heap] after a full GC at %,d records: %s%n", warmedUp + acked, app.heapAfterGc());
      System.out.println("load average at end: " + Files.readString(Path.of("/proc/loadavg")).trim());
      System.out.printf("[disk] data directory: %,d MB%n", size(work.resolve("app")) / 1_000_000);
    }
  }

  // ---- load ----

  /**
   * One request's records, with placeholder timestamps ({@link Batches} writes the real ones):
   * {@code PLACEHOLDER_TIME + i} for record i.
   */
  static ExportLogsServiceRequest logRequest(Random random) {
    ResourceLogs.Builder resource = ResourceLogs.newBuilder().setResource(Resource.newBuilder()
        .addAttributes(attr("service.name", SERVICES[random.nextInt(SERVICES.length)]))
        .addAttributes(attr("outpost.project", "project-" + random.nextInt(PROJECTS))));
    ScopeLogs.Builder scope = ScopeLogs.newBuilder();
    for (int i = 0; i < BATCH; i++) {
      int severity = random.nextInt(SEVERITIES.length);
      byte[] traceId = new byte[16];
      random.nextBytes(traceId);
      scope.addLogRecords(LogRecord.newBuilder()
          .setTimeUnixNano(PLACEHOLDER_TIME + i)
          .setSeverityNumberValue(SEVERITY_NUMBERS[severity]).setSeverityText(SEVERITIES[severity])
          .setBody(AnyValue.newBuilder().setStringValue(body(random, 250)))
          .setTraceId(ByteString.copyFrom(traceId))
          .addAttributes(attr("outpost.integration", "integration-" + random.nextInt(50)))
          .addAttributes(attr("outpost.route", "route-" + random.nextInt(200)))
          .addAttributes(attr("http.method", random.nextBoolean() ? "GET" : "POST"))
          .addAttributes(attr("http.status_code", Integer.toString(200 + random.nextInt(4) * 100)))
          .addAttributes(attr("user.id", "u" + random.nextInt(100_000))));
    }
    return ExportLogsServiceRequest.newBuilder().addResourceLogs(resource.addScopeLogs(scope)).build();
  }

  /** Sends requests {@code from} (inclusive) to {@code to} (exclusive); answers the records acknowledged. */
  static long ingest(App app, Batches bodies, long from, long to) throws InterruptedException {
    AtomicLong next = new AtomicLong(from);
    AtomicLong acked = new AtomicLong();
    AtomicInteger failures = new AtomicInteger();
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    List<Thread> threads = new ArrayList<>();
    long started = System.nanoTime();
    AtomicLong reported = new AtomicLong(started);
    for (int t = 0; t < CLIENTS; t++) {
      Thread thread = new Thread(() -> {
        for (long i = next.getAndIncrement(); i < to; i = next.getAndIncrement()) {
          byte[] body = bodies.request(i);
          while (true) {
            try {
              HttpResponse<Void> r = client.send(HttpRequest.newBuilder(URI.create(app.otlp() + "/v1/logs"))
                  .header("Content-Type", "application/x-protobuf").header("Authorization", "Bearer " + TOKEN)
                  .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.discarding());
              if (r.statusCode() == 200) {
                long total = acked.addAndGet(BATCH);
                long last = reported.get();
                long t2 = System.nanoTime();
                if (t2 - last > 30_000_000_000L && reported.compareAndSet(last, t2)) {
                  System.out.printf("  ... %,d records acknowledged, %,.0f records/s so far%n", total,
                      total / ((t2 - started) / 1e9));
                }
                break;
              }
              failures.incrementAndGet();
              Thread.sleep(100); // 429/503: back off and retry, as an exporter would
            } catch (IOException e) {
              failures.incrementAndGet();
            } catch (InterruptedException e) {
              return;
            }
          }
        }
      });
      threads.add(thread);
      thread.start();
    }
    for (Thread t : threads) {
      t.join();
    }
    if (failures.get() > 0) {
      System.out.printf("  (%d requests were refused or failed and retried)%n", failures.get());
    }
    return acked.get();
  }

  static List<String> ingestTraces(App app, long now, int traces, int spansPerTrace) throws Exception {
    HttpClient client = HttpClient.newHttpClient();
    Random random = new Random(9);
    List<String> ids = new ArrayList<>();
    for (int batch = 0; batch < traces / 100; batch++) {
      ScopeSpans.Builder scope = ScopeSpans.newBuilder();
      for (int t = 0; t < 100; t++) {
        byte[] traceId = new byte[16];
        random.nextBytes(traceId);
        ids.add(HexFormat.of().formatHex(traceId));
        long start = now - (long) (random.nextDouble() * (DAY_NANOS - 60_000_000_000L));
        for (int s = 0; s < spansPerTrace; s++) {
          Span.Builder span = Span.newBuilder().setTraceId(ByteString.copyFrom(traceId))
              .setSpanId(ByteString.copyFrom(longBytes(s + 1))).setName("operation-" + s)
              .setKind(Span.SpanKind.SPAN_KIND_SERVER).setStartTimeUnixNano(start + s * 1_000_000L)
              .setEndTimeUnixNano(start + s * 1_000_000L + 500_000L).addAttributes(attr("http.route", "/r/" + s));
          if (s > 0) {
            span.setParentSpanId(ByteString.copyFrom(longBytes(s)));
          }
          scope.addSpans(span);
        }
      }
      ExportTraceServiceRequest request = ExportTraceServiceRequest.newBuilder().addResourceSpans(
          ResourceSpans.newBuilder().setResource(Resource.newBuilder().addAttributes(attr("service.name", "orders"))
              .addAttributes(attr("outpost.project", "project-" + random.nextInt(PROJECTS)))).addScopeSpans(scope))
          .build();
      HttpResponse<Void> r = client.send(HttpRequest.newBuilder(URI.create(app.otlp() + "/v1/traces"))
          .header("Content-Type", "application/x-protobuf").header("Authorization", "Bearer " + TOKEN)
          .POST(HttpRequest.BodyPublishers.ofByteArray(request.toByteArray())).build(),
          HttpResponse.BodyHandlers.discarding());
      if (r.statusCode() != 200) {
        throw new IllegalStateException("trace ingest answered " + r.statusCode());
      }
    }
    return ids;
  }

  /**
   * Under full ingest, once a second: one record with a unique word is sent, and from its
   * acknowledgement the query API is polled every 10 ms until a search finds it (the issue asks
   * for new records to be searchable within 1 s). Probes from before {@link #measureFromNow} are
   * not counted; the first one, the application's first search, is printed apart.
   */
  static final class Freshness {
    private final App app;
    private final String token;
    /** Per probe: when it was acknowledged (System.nanoTime) and how long until a search found it (µs). */
    private final List<long[]> probes = new ArrayList<>();
    private final Thread thread = new Thread(this::probe, "freshness-probe");
    private volatile boolean stopped;
    private volatile long measuredFromNanos = Long.MAX_VALUE;

    Freshness(App app, String token) {
      this.app = app;
      this.token = token;
    }

    void start() {
      thread.start();
    }

    void measureFromNow() {
      measuredFromNanos = System.nanoTime();
    }

    void stop() throws InterruptedException {
      stopped = true;
      thread.join();
    }

    private void probe() {
      HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      ObjectMapper json = new ObjectMapper();
      try {
        for (int i = 0; !stopped; i++) {
          Thread.sleep(1000);
          String marker = "freshnessprobe" + i;
          byte[] request = ExportLogsServiceRequest.newBuilder().addResourceLogs(ResourceLogs.newBuilder()
              .setResource(Resource.newBuilder().addAttributes(attr("outpost.project", "project-0")))
              .addScopeLogs(ScopeLogs.newBuilder().addLogRecords(LogRecord.newBuilder()
                  .setTimeUnixNano(System.currentTimeMillis() * 1_000_000L)
                  .setBody(AnyValue.newBuilder().setStringValue("probe " + marker))))).build().toByteArray();
          HttpResponse<Void> r = client.send(HttpRequest.newBuilder(URI.create(app.otlp() + "/v1/logs"))
              .header("Content-Type", "application/x-protobuf").header("Authorization", "Bearer " + TOKEN)
              .POST(HttpRequest.BodyPublishers.ofByteArray(request)).build(), HttpResponse.BodyHandlers.discarding());
          if (r.statusCode() != 200) {
            continue; // refused under backpressure: nothing was acknowledged, so there is nothing to find
          }
          long acked = System.nanoTime();
          while (get(client, json, app, token, "/api/v1/logs?limit=1&project=project-0&q=" + enc("body:" + marker))
              .get("records").isEmpty()) {
            Thread.sleep(10);
          }
          probes.add(new long[] {acked, (System.nanoTime() - acked) / 1000});
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (Exception e) {
        System.out.println("  freshness probe failed: " + e);
      }
    }

    void print() {
      if (!probes.isEmpty()) {
        System.out.printf("[ingest] the first probe, the application's first search (cold, under full ingest): "
            + "found %.0f ms after acknowledgement%n", probes.get(0)[1] / 1000.0);
      }
      List<Long> lagsMicros = probes.stream().filter(p -> p[0] >= measuredFromNanos).map(p -> p[1]).toList();
      if (lagsMicros.isEmpty()) {
        System.out.println("[ingest] freshness: no probe was acknowledged");
        return;
      }
      long[] sorted = lagsMicros.stream().mapToLong(Long::longValue).sorted().toArray();
      long late = Arrays.stream(sorted).filter(micros -> micros > 1_000_000).count();
      StringBuilder which = new StringBuilder();
      for (int i = 0; i < lagsMicros.size(); i++) {
        if (lagsMicros.get(i) > 1_000_000) {
          which.append(which.length() == 0 ? "" : ", ").append(i + 1);
        }
      }
      System.out.printf("[ingest] searchable after acknowledgement, under full ingest: p50 %.0f ms  p99 %.0f ms  "
          + "max %.0f ms, %d of %d probes over 1 s%s (a search every 10 ms)%n", sorted[sorted.length / 2] / 1000.0,
          sorted[(int) Math.ceil(sorted.length * 0.99) - 1] / 1000.0, sorted[sorted.length - 1] / 1000.0, late,
          sorted.length, late == 0 ? "" : " (probes " + which + ")");
    }
  }

  static final long PLACEHOLDER_TIME = 0x5A5A_5A5A_0000_0000L;

  /**
   * When each record happened. The load replays a day of logs in the order exporters send them:
   * record n of the run is n/records of the way through the last 24 hours, give or take up to 2 s
   * (batches from many exporters interleave). Arrival order matters to Lucene's index sort: records
   * in random time order cost the flush a full sort of every posting list.
   */
  record Timeline(long now, long records) {
    // a minute clear of both ends of the day the queries cover, jitter included
    static final long MARGIN = 60_000_000_000L;
    static final long SPAN = DAY_NANOS - 2 * MARGIN;

    long at(long n) {
      long jitterMillis = Math.floorMod(n * 2_654_435_761L, 4_000L) - 2_000L;
      return now - MARGIN - SPAN + (long) (n * (double) SPAN / records) + jitterMillis * 1_000_000L;
    }
  }

  /**
   * Request bodies: the distinct requests serialised once, each request a copy with its records'
   * timestamps written in place (a fixed64 field), so the load generator spends almost no CPU.
   */
  static final class Batches {
    private final List<byte[]> templates = new ArrayList<>();
    private final List<int[]> timeOffsets = new ArrayList<>();
    private final Timeline timeline;

    Batches(List<ExportLogsServiceRequest> requests, Timeline timeline) {
      this.timeline = timeline;
      for (ExportLogsServiceRequest request : requests) {
        byte[] bytes = request.toByteArray();
        int[] offsets = new int[BATCH];
        int from = 0;
        for (int i = 0; i < BATCH; i++) {
          offsets[i] = indexOf(bytes, PLACEHOLDER_TIME + i, from);
          from = offsets[i] + 8;
        }
        templates.add(bytes);
        timeOffsets.add(offsets);
      }
    }

    byte[] request(long n) {
      byte[] bytes = templates.get((int) (n % templates.size())).clone();
      int[] offsets = timeOffsets.get((int) (n % templates.size()));
      ByteBuffer le = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
      for (int i = 0; i < BATCH; i++) {
        le.putLong(offsets[i], timeline.at(n * BATCH + i));
      }
      return bytes;
    }

    int size() {
      return templates.get(0).length;
    }

    private static int indexOf(byte[] bytes, long value, int from) {
      ByteBuffer le = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
      for (int at = from; at + 8 <= bytes.length; at++) {
        if (bytes[at] == (byte) value && le.getLong(at) == value) {
          return at;
        }
      }
      throw new IllegalStateException("placeholder timestamp " + Long.toHexString(value) + " not in the request");
    }
  }

  // ---- the reference: raw Lucene on the same records, one document each (the obvious layout) ----

  static double rawLucene(List<ExportLogsServiceRequest> requests, Timeline timeline, int count, Path dir)
      throws Exception {
    ObjectMapper json = new ObjectMapper();
    // the application's writer settings (Partition): a 64 MB buffer, no index sort
    IndexWriterConfig config = new IndexWriterConfig(new StandardAnalyzer()).setRAMBufferSizeMB(64);
    AtomicLong seq = new AtomicLong();
    long start;
    try (FSDirectory directory = FSDirectory.open(dir); IndexWriter writer = new IndexWriter(directory, config)) {
      start = System.nanoTime();
      List<Thread> threads = new ArrayList<>();
      AtomicLong next = new AtomicLong();
      for (int t = 0; t < 2; t++) {
        Thread thread = new Thread(() -> {
          try {
            for (long r = next.getAndIncrement(); r < count / BATCH; r = next.getAndIncrement()) {
              ExportLogsServiceRequest request = requests.get((int) (r % requests.size()));
              ResourceLogs rl = request.getResourceLogs(0);
              List<LogRecord> records = rl.getScopeLogs(0).getLogRecordsList();
              for (int i = 0; i < records.size(); i++) {
                writer.addDocument(document(records.get(i), timeline.at(r * BATCH + i), rl.getResource(),
                    seq.getAndIncrement(), json));
              }
            }
          } catch (IOException e) {
            throw new IllegalStateException(e);
          }
        });
        threads.add(thread);
        thread.start();
      }
      for (Thread t : threads) {
        t.join();
      }
      writer.commit();
    }
    return count / ((System.nanoTime() - start) / 1e9);
  }

  /** The fields observability-api indexes for a log record, built directly. */
  static Document document(LogRecord r, long time, Resource resource, long seq, ObjectMapper json) throws IOException {
    Document doc = new Document();
    doc.add(new LongPoint("timestamp", time));
    doc.add(new NumericDocValuesField("timestamp", time));
    doc.add(new LongPoint("seq", seq));
    doc.add(new NumericDocValuesField("seq", seq));
    doc.add(new IntPoint("severityNumber", r.getSeverityNumberValue()));
    doc.add(new StringField("severity", r.getSeverityText(), Field.Store.NO));
    doc.add(new TextField("body", r.getBody().getStringValue(), Field.Store.NO));
    Map<String, String> source = new LinkedHashMap<>();
    for (KeyValue kv : resource.getAttributesList()) {
      doc.add(new StringField("attr." + kv.getKey(), kv.getValue().getStringValue(), Field.Store.NO));
      source.put(kv.getKey(), kv.getValue().getStringValue());
    }
    doc.add(new StringField("project", source.get("outpost.project"), Field.Store.NO));
    doc.add(new StringField("service", source.get("service.name"), Field.Store.NO));
    for (KeyValue kv : r.getAttributesList()) {
      doc.add(new StringField("attr." + kv.getKey(), kv.getValue().getStringValue(), Field.Store.NO));
      source.put(kv.getKey(), kv.getValue().getStringValue());
    }
    doc.add(new StringField("integration", source.get("outpost.integration"), Field.Store.NO));
    doc.add(new StringField("route", source.get("outpost.route"), Field.Store.NO));
    String traceId = HexFormat.of().formatHex(r.getTraceId().toByteArray());
    doc.add(new StringField("traceId", traceId, Field.Store.NO));
    source.put("body", r.getBody().getStringValue());
    source.put("traceId", traceId);
    doc.add(new StoredField("_source", json.writeValueAsBytes(source)));
    return doc;
  }

  // ---- queries ----

  interface Call {
    void run() throws Exception;
  }

  static long cpuNanos(ProcessHandle process) {
    return process.info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(0L);
  }

  /**
   * Runs {@code call} for {@code warmupSeconds} first, unmeasured: the JIT compiles a query path
   * only after many calls, and until it has, the compiler threads take the cores the query needs.
   */
  static long[] time(int n, int warmupSeconds, Call call) throws Exception {
    long warmEnd = System.nanoTime() + warmupSeconds * 1_000_000_000L;
    while (System.nanoTime() < warmEnd) {
      call.run();
    }
    long[] micros = new long[n];
    for (int i = 0; i < n; i++) {
      long t = System.nanoTime();
      call.run();
      micros[i] = (System.nanoTime() - t) / 1000;
    }
    Arrays.sort(micros);
    return micros;
  }

  static void print(String what, long[] sorted) {
    System.out.printf("[query] %-46s p50 %7.1f ms  p99 %7.1f ms  max %7.1f ms  (%d queries over HTTP)%n", what,
        sorted[sorted.length / 2] / 1000.0, sorted[(int) Math.ceil(sorted.length * 0.99) - 1] / 1000.0,
        sorted[sorted.length - 1] / 1000.0, sorted.length);
  }

  static JsonNode get(HttpClient client, ObjectMapper json, App app, String token, String path) throws Exception {
    HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(app.api() + path))
        .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException(path + " answered " + r.statusCode() + ": " + r.body());
    }
    return json.readTree(r.body());
  }

  /** A search for words of a stored body that finds nothing measures a broken search, not a fast one. */
  static void found(JsonNode page) {
    if (page.path("records").isEmpty()) {
      throw new IllegalStateException("a search for a stored body's words found no record: " + page);
    }
  }

  // ---- helpers ----

  static List<String> projects() {
    List<String> p = new ArrayList<>();
    for (int i = 0; i < PROJECTS; i++) {
      p.add("project-" + i);
    }
    return p;
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  static KeyValue attr(String key, String value) {
    return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
  }

  static byte[] longBytes(long v) {
    byte[] b = new byte[8];
    for (int i = 7; i >= 0; i--) {
      b[i] = (byte) v;
      v >>>= 8;
    }
    return b;
  }

  static String[] vocabulary(int n) {
    Random random = new Random(1);
    String[] words = new String[n];
    for (int i = 0; i < n; i++) {
      StringBuilder w = new StringBuilder();
      int length = 4 + random.nextInt(6);
      for (int c = 0; c < length; c++) {
        w.append((char) ('a' + random.nextInt(26)));
      }
      words[i] = w.toString();
    }
    return words;
  }

  static String body(Random random, int length) {
    StringBuilder b = new StringBuilder(length + 16);
    while (b.length() < length) {
      b.append(VOCABULARY[random.nextInt(VOCABULARY.length)]).append(' ');
    }
    return b.substring(0, length);
  }

  static long size(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
  }

  static void deleteTree(Path dir) throws IOException {
    if (Files.exists(dir)) {
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** A loopback IdP for the query API's JWTs. */
  static final class Idp implements AutoCloseable {
    final RsaJsonWebKey key;
    final HttpServer server;

    Idp() throws Exception {
      key = RsaJwkGenerator.generateJwk(2048);
      key.setKeyId("bench");
      byte[] jwks = new JsonWebKeySet(key).toJson(JsonWebKey.OutputControlLevel.PUBLIC_ONLY)
          .getBytes(StandardCharsets.UTF_8);
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      server.createContext("/jwks", ex -> {
        ex.sendResponseHeaders(200, jwks.length);
        ex.getResponseBody().write(jwks);
        ex.close();
      });
      server.start();
    }

    String jwks() {
      return "http://127.0.0.1:" + server.getAddress().getPort() + "/jwks";
    }

    String token(List<String> projects) throws Exception {
      JwtClaims claims = new JwtClaims();
      claims.setIssuer("bench-idp");
      claims.setAudience("outpost");
      claims.setSubject("bench");
      claims.setIssuedAtToNow();
      claims.setExpirationTimeMinutesInTheFuture(120);
      claims.setClaim("projects", projects);
      JsonWebSignature jws = new JsonWebSignature();
      jws.setPayload(claims.toJson());
      jws.setKey(key.getPrivateKey());
      jws.setKeyIdHeaderValue("bench");
      jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
      return jws.getCompactSerialization();
    }

    @Override
    public void close() {
      server.stop(0);
    }
  }

  /** The packaged application as its own process. */
  static final class App implements AutoCloseable {
    final Path jar;
    final Path data;
    final String heap;
    final Idp idp;
    final int http = freePort();
    final int otlp = freePort();
    final int management = freePort();
    Process process;

    App(Path jar, Path data, String heap, Idp idp) throws IOException {
      this.jar = jar;
      this.data = data;
      this.heap = heap;
      this.idp = idp;
    }

    String api() {
      return "http://127.0.0.1:" + http;
    }

    String otlp() {
      return "http://127.0.0.1:" + otlp;
    }

    void start() throws Exception {
      Path log = data.resolveSibling("app.log");
      List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-Xmx" + heap));
      // APP_JAVA_OPTS: extra JVM options for the application (a profiler, a GC), split on spaces
      String extra = System.getenv("APP_JAVA_OPTS");
      if (extra != null && !extra.isBlank()) {
        command.addAll(List.of(extra.trim().split("\\s+")));
      }
      command.addAll(List.of("-Dquarkus.http.port=" + http, "-Dquarkus.management.port=" + management,
          "-Doutpost.observability.ingest.port=" + otlp, "-Doutpost.observability.data-dir=" + data,
          "-Doutpost.observability.ingest.data-plane-token=" + TOKEN,
          "-Doutpost.observability.ingest.max-body-bytes=8388608",
          "-Dmp.jwt.verify.publickey.location=" + idp.jwks(), "-Dmp.jwt.verify.issuer=bench-idp",
          "-jar", jar.toString()));
      process = new ProcessBuilder(command)
          .redirectErrorStream(true).redirectOutput(log.toFile()).start();
      HttpClient client = HttpClient.newHttpClient();
      for (int i = 0; i < 600; i++) {
        try {
          if (client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + management + "/q/health/ready"))
              .build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
            System.out.printf("application started (heap limit %s), log in %s%n", heap, log);
            return;
          }
        } catch (IOException notYet) {
          // starting
        }
        Thread.sleep(100);
      }
      throw new IllegalStateException("the application did not start; see " + log);
    }

    String heapAfterGc() throws Exception {
      String pid = Long.toString(process.pid());
      new ProcessBuilder("jcmd", pid, "GC.run").redirectErrorStream(true).start().waitFor();
      Process info = new ProcessBuilder("jcmd", pid, "GC.heap_info").redirectErrorStream(true).start();
      String out = new String(info.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      info.waitFor();
      return out.lines().filter(l -> l.contains("total") && l.contains("used")).findFirst().orElse(out).trim();
    }

    @Override
    public void close() throws Exception {
      if (process != null) {
        process.destroy();
        process.waitFor();
      }
    }
  }

}
