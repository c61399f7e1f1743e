package dev.outpost.observability.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Configuration of observability-api, prefix {@code outpost.observability}. Every default is
 * documented here; {@link ConfigCheck} validates the whole mapping at start.
 */
@ConfigMapping(prefix = "outpost.observability")
public interface ObservabilityConfig {

  /** Where the journal and the Lucene indexes live. Default {@code $OUTPOST_HOME/data/observability}. */
  @WithDefault("${OUTPOST_HOME:.outpost}/data/observability")
  Path dataDir();

  Ingest ingest();

  Storage storage();

  Query query();

  Security security();

  /** The OTLP/HTTP receiver, on its own port so that only the query port is exposed. */
  interface Ingest {
    /** OTLP/HTTP port. Default 4318 (the OTLP standard); 0 picks a free port. */
    @WithDefault("4318")
    int port();

    /** Interface the OTLP receiver binds to. Default all interfaces. */
    @WithDefault("0.0.0.0")
    String host();

    /** Largest request body on the wire, in bytes; larger ones get 413. Default 4 MiB. */
    @WithDefault("4194304")
    int maxBodyBytes();

    /** Largest body after gzip decompression, in bytes; larger ones get 413. Default 32 MiB. */
    @WithDefault("33554432")
    int maxDecompressedBytes();

    /**
     * Heap that requests being received, decoded and stored may hold at once: a body on the wire
     * holds twice its Content-Length (twice max-body-bytes when chunked) from admission to the
     * end of its request, and decoding adds an estimate from its decompressed size and its number
     * of JSON values or protobuf fields (DecodeCost). A request that could never fit gets 413, one
     * that does not fit beside the others 429. Default 40% of the JVM's maximum heap.
     */
    Optional<Long> decodeMemoryBytes();

    /** Bearer token of the data plane: may write records of any project. Required. */
    Optional<String> dataPlaneToken();

    /**
     * The data plane token before {@link #dataPlaneToken()}, accepted besides it while a rotation
     * rolls out, and so are the integration tokens derived from it (checked after the current
     * one's): senders still holding it, gateways during their rollout and integration pods until the
     * agent has rolled them onto tokens derived from the new one, would otherwise get 401, which
     * exporters do not retry. Checked as the current one is; one equal to it is ignored (said at
     * WARN). Remove it once nothing sends it ({@code outpost_ingest_previous_token_requests_total}
     * stays still). Default none.
     */
    Optional<String> previousDataPlaneToken();

    /** Per-integration tokens, by integration name: records sent with one belong to its project. */
    Map<String, IntegrationToken> integrationTokens();

    /**
     * A connection that sends and receives nothing this long is closed, so a stalled upload cannot
     * hold an in-flight place. Default 60 s (above the 30 s a batch may wait to be durable).
     */
    @WithDefault("PT60S")
    Duration idleTimeout();

    /** Requests handled at once before answering 429 with Retry-After. Default 64. */
    @WithDefault("64")
    int maxInFlight();

    /**
     * Requests the integration tokens of one project may have in flight at once, before 429: a
     * compromised integration cannot hold every place. The data plane's token is not counted.
     * Default 16, a quarter of the default max-in-flight. One project's integrations also hold at
     * most half the decode memory.
     */
    @WithDefault("16")
    int maxInFlightPerProject();

    /**
     * A request's whole body must arrive this long after its head, however steadily it trickles
     * (the idle timeout alone let one byte a minute hold a place for ever); 408 otherwise, and the
     * connection is closed. Default 30 s.
     */
    @WithDefault("PT30S")
    Duration bodyTimeout();

    /**
     * The most the data directory may hold: the receiver answers 503 once less than {@code
     * min-free-disk-bytes} is left below it. For a data directory whose limit is not its file
     * system's free space (an emptyDir with a size limit, which the chart sets). Default none.
     */
    Optional<Long> maxDataBytes();

    /**
     * Below this much free disk the receiver answers 503 with Retry-After. Default 1.5 GiB: above two
     * of the largest merges (512 MiB each, logs and traces apart, written beside what they merge), so
     * that the disk fills at ingest, which can refuse and retry, not in a merge, which would fail its
     * day's writer for good.
     */
    @WithDefault("1610612736")
    long minFreeDiskBytes();
  }

  /** A token bound to one integration and its project. */
  interface IntegrationToken {
    /** The bearer token value. */
    String token();

    /** The project every record sent with this token is stored under. */
    String project();
  }

  /** Lucene storage and the journal. */
  interface Storage {
    /**
     * How long records are kept until the state's telemetry settings arrive ({@link #telemetryFile()}),
     * which then decide, for logs and traces apart, and are kept in the data directory for a start
     * that finds no settings file; whole daily partitions older than this are deleted. Default 7 days.
     */
    @WithDefault("P7D")
    Duration retention();

    /**
     * The state's telemetry settings as the agent writes them ({@code telemetry.json}:
     * logsRetentionDays, tracesRetentionDays); read again every {@link #telemetryPollInterval()}.
     * Default {@code $OUTPOST_HOME/state/telemetry.json}; in Kubernetes, ConfigMap
     * outpost-telemetry mounted by the chart.
     */
    @WithDefault("${OUTPOST_HOME:.outpost}/state/telemetry.json")
    Path telemetryFile();

    /** How often the telemetry file is read again. Default 10 s. */
    @WithDefault("PT10S")
    Duration telemetryPollInterval();

    /** How often retention runs. Default every hour. */
    @WithDefault("PT1H")
    Duration retentionInterval();

    /**
     * Retention by size, as Prometheus' {@code --storage.tsdb.retention.size}: while the data
     * directory (the days of logs and traces of all projects, the journal, the rest) takes more than
     * this, the oldest whole days are deleted, oldest first, never the current UTC day; checked at
     * each {@link #retentionInterval()}, and at once and every 10 s while ingest refuses for a
     * nearly full disk, when one oldest day a check goes even below this size (the volume holds
     * less than it: said at WARN, with what it holds). Bytes, or a number with a unit K, M, G, T or P, powers of 1024 however spelt
     * ({@code 8G}, {@code 8GB}, {@code 8Gi}, {@code 8GiB}), see {@link ByteSize}. With {@code
     * ingest.max-data-bytes}, less than it by more than {@code ingest.min-free-disk-bytes}, where
     * ingest refuses. Default none: kept by age alone.
     */
    Optional<String> retentionSize();

    /** How often indexes are committed and the journal truncated. Default 10 s. */
    @WithDefault("PT10S")
    Duration checkpointInterval();

    /** How often searchers reopen to see new records (must stay under 1 s). Default 200 ms. */
    @WithDefault("PT0.2S")
    Duration refreshInterval();

    /** Indexing RAM buffer per partition writer, in MiB. Default 64. */
    @WithDefault("64")
    int ramBufferMb();

    /**
     * Threads that index batches, each taking the next from one queue; 0 means half the cores, at
     * least one (the default). Lucene gives each concurrent writer a buffer of its own and every
     * refresh turns each buffer into a segment: on 2 cores one indexer took about 10% less CPU per
     * record than two (half the segments to write and merge), and the other core receives,
     * decodes, journals and merges.
     */
    @WithDefault("0")
    int indexThreads();
  }

  /** Limits that keep one query from stalling the store. */
  interface Query {
    /** Largest {@code limit} a search accepts. Default 1000. */
    @WithDefault("1000")
    int maxLimit();

    /**
     * A page of logs ends early, with a cursor to the rest, once its records hold about this much
     * text (bodies and attributes), so that a page of 1,000 records of a megabyte each cannot
     * exhaust the heap; a trace is cut after its earliest spans that hold this much, and a trace
     * search lists the traces that fit in this much together. The first record, span or trace is
     * always returned. Default 16 MiB.
     */
    @WithDefault("16777216")
    long maxPageBytes();

    /** Largest number of clauses in a parsed query text. Default 256. */
    @WithDefault("256")
    int maxClauses();

    /** Time a search may take before it returns what it found, marked partial. Default 5 s. */
    @WithDefault("PT5S")
    Duration timeBudget();

    /** Largest number of histogram buckets. Default 1000. */
    @WithDefault("1000")
    int maxBuckets();

    /** Most spans returned for one trace. Default 10000. */
    @WithDefault("10000")
    int maxTraceSpans();

    /**
     * Text (records, spans) that all answers being built or sent may hold together; a page or trace
     * that cannot take more ends early as at max-page-bytes, the first record or span always
     * returned. Default an eighth of the JVM's maximum heap.
     */
    Optional<Long> memoryBytes();

    /**
     * Searches (pages, histograms, traces, listings; Jaeger's too) one caller (the token's subject)
     * may run at once; one more is answered 429 with {@code Retry-After}. The console opens three or
     * so at once, Jaeger UI as many. Default 8.
     */
    @WithDefault("8")
    int maxSearchesPerCaller();

    /**
     * Searches running at once in all; one more is answered 429. Each takes a worker thread for up to
     * {@code time-budget}. Default 32.
     */
    @WithDefault("32")
    int maxSearches();

    /**
     * Live tails one caller (the token's subject) may hold open at once; one more is answered 429.
     * Every tail's filter runs on the one thread that feeds all tails, so their number is bounded.
     * Default 4.
     */
    @WithDefault("4")
    int maxTailsPerCaller();

    /**
     * Live tails open at once over one project (a tail over several counts for each); one more is
     * answered 429, so that the users of one project cannot take every place. Default 16.
     */
    @WithDefault("16")
    int maxTailsPerProject();

    /** Live tails open at once in all. Default 64. */
    @WithDefault("64")
    int maxTails();

    /**
     * How often a live tail with nothing to send writes an SSE comment, so that proxies and load
     * balancers that close a response silent for a minute (ingress-nginx, AWS ALB) keep it open.
     * Default 15s.
     */
    @WithDefault("PT15S")
    Duration tailKeepAlive();
  }

  /** The browser path: JWT verification itself is smallrye-jwt's ({@code mp.jwt.verify.*}). */
  interface Security {
    /** The JWT claim that lists the projects the caller may read. Default {@code projects}. */
    @WithDefault("projects")
    String projectsClaim();

    /**
     * PEM certificates of CAs trusted for an {@code https} JWKS URL besides the JVM's (an identity
     * provider in the cluster with a private CA); none by default.
     */
    Optional<Path> jwksCaFile();
  }
}
