package dev.outpost.observability.query;

import dev.outpost.observability.config.ObservabilityConfig;
import dev.outpost.observability.security.CallerScope;
import dev.outpost.observability.store.Histogram;
import dev.outpost.observability.store.LogPage;
import dev.outpost.observability.store.LogSearch;
import dev.outpost.observability.store.LogStore;
import dev.outpost.observability.store.ProjectScope;
import dev.outpost.observability.store.TimeRange;
import io.quarkus.security.Authenticated;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.BackPressureFailure;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jboss.resteasy.reactive.RestQuery;
import org.jboss.resteasy.reactive.RestStreamElementType;

/** {@code /api/v1/logs}: search, histogram and live tail, each limited to the caller's projects. */
@Path("/api/v1/logs")
@Authenticated
@StrictQueryParams
@Produces(MediaType.APPLICATION_JSON)
public class LogsResource {

  /** Histograms without an interval aim at about this many buckets. */
  private static final int AUTO_BUCKETS = 60;

  @Inject LogStore logs;
  @Inject CallerScope caller;
  @Inject ObservabilityConfig config;
  @Inject TailHub tail;
  @Inject QueryMemory memory;
  @Inject CurrentVertxRequest request;
  @Inject LogCursors cursors;

  @GET
  @SearchEndpoint
  public Views.LogsPage search(@RestQuery String q, @RestQuery String from, @RestQuery String to,
      @RestQuery String lookback, @RestQuery String project, @RestQuery String integration, @RestQuery String severity,
      @RestQuery String limit, @RestQuery String cursor) {
    ProjectScope scope = caller.scope(Optional.ofNullable(project));
    Optional<String> only = blankToEmpty(integration);
    int minSeverity = Params.severity(severity);
    long query = LogCursors.query(scope.projects(), q, only, minSeverity);
    Optional<LogCursors.Cursor> after = cursors.decode(cursor);
    // a lookback given again with a cursor is its first page's: the cursor keeps the range it fixed
    TimeRange range = after.isPresent() ? Params.continued(from, to, after.get().range())
        : Params.range(from, to, lookback, Params.DEFAULT_RANGE);
    if (after.isPresent() && !(after.get().range().equals(range) && after.get().query() == query)) {
      throw ApiException.badRequest("cursor continues another listing: give the q, project, integration and severity"
          + " of its first page, and its from and to or neither, or start again without it");
    }
    LogSearch search = new LogSearch(scope, range, q, only, minSeverity,
        Params.limit(limit, 100, config.query().maxLimit()), after.map(LogCursors.Cursor::position));
    LogPage page = outOfTimeWithNothing(logs.search(search, memory.forAnswer(request.getCurrent())));
    List<String> unreadable = Views.days(logs.unreadableDays(range));
    return new Views.LogsPage(page.records().stream().map(Views.LogView::of).toList(),
        page.next().map(p -> cursors.encode(p, range, query)).orElse(null), page.partial() || !unreadable.isEmpty(),
        unreadable, Views.time(range.fromNanos()), Views.time(range.toNanos()));
  }

  /**
   * {@code page}, unless the search ran out of its time budget before it found a record or a place
   * to go on from: then a 503 {@code query_timeout}. An empty partial page without a cursor ended
   * the listing as if it were complete (the explorer hid "Older records"), the rest unreachable.
   */
  static LogPage outOfTimeWithNothing(LogPage page) {
    if (page.partial() && page.records().isEmpty() && page.next().isEmpty()) {
      throw new ApiException(503, "query_timeout", "the search ran out of its time budget before it found a record;"
          + " try again, or start the listing again with a narrower time range or query");
    }
    return page;
  }

  @GET
  @Path("/histogram")
  @SearchEndpoint
  public Views.HistogramView histogram(@RestQuery String q, @RestQuery String from, @RestQuery String to,
      @RestQuery String lookback, @RestQuery String project, @RestQuery String integration, @RestQuery String severity,
      @RestQuery String interval) {
    TimeRange range = Params.range(from, to, lookback, Params.DEFAULT_RANGE);
    long span = range.toNanos() - range.fromNanos();
    long step = Params.duration("interval", interval).map(Duration::toNanos)
        .orElse(niceInterval(span, Math.min(AUTO_BUCKETS, config.query().maxBuckets())));
    if (step <= 0) {
      throw ApiException.badRequest("interval must be positive");
    }
    long buckets = (span + step - 1) / step;
    if (buckets > config.query().maxBuckets()) {
      throw ApiException.badRequest("interval " + interval + " makes " + buckets + " buckets; the limit is "
          + config.query().maxBuckets());
    }
    LogSearch search = new LogSearch(caller.scope(Optional.ofNullable(project)), range, q, blankToEmpty(integration),
        Params.severity(severity), 1, Optional.empty());
    Histogram histogram = logs.histogram(search, step);
    List<String> unreadable = Views.days(logs.unreadableDays(range));
    return new Views.HistogramView(Duration.ofNanos(step).toString(), histogram.total(),
        histogram.buckets().stream().map(b -> new Views.BucketView(Views.time(b.startNanos()), b.count())).toList(),
        histogram.partial() || !unreadable.isEmpty(), unreadable);
  }

  @GET
  @Path("/tail")
  @Produces(MediaType.SERVER_SENT_EVENTS)
  @RestStreamElementType(MediaType.APPLICATION_JSON)
  public Multi<OutboundSseEvent> tail(@RestQuery String q, @RestQuery String project, @RestQuery String integration,
      @RestQuery String severity, @Context Sse sse) {
    LogSearch search = new LogSearch(caller.scope(Optional.ofNullable(project)),
        new TimeRange(Long.MIN_VALUE, Long.MAX_VALUE), q, blankToEmpty(integration), Params.severity(severity), 1,
        Optional.empty());
    Duration left = Duration.between(Instant.now(), caller.acceptedUntil());
    if (left.isNegative() || left.isZero()) {
      throw new ApiException(401, "unauthorized", "the token has expired");
    }
    Runnable release = tail.reserve(caller.subject(), search.scope().projects(), new TailHub.TailLimits(
        config.query().maxTailsPerCaller(), config.query().maxTailsPerProject(), config.query().maxTails()));
    try {
      // the stream ends when the token does: a token that expired, or lost a project, reads no more
      // a quiet tail writes a comment now and then: proxies and load balancers close a response
      // silent for 60 s (ingress-nginx, AWS ALB), and a tail for errors is quiet most of the time
      return tail.subscribe(search.scope().projects(), logs.matcher(search), memory.lease(), left,
              config.query().tailKeepAlive(), release)
          .map(record -> record.isPresent() ? sse.newEventBuilder().data(Views.LogView.class, record.get()).build()
              : sse.newEventBuilder().comment("keep-alive").build())
          // the last event says why the stream ends: a reader reconnects, or first gets a new token
          .onCompletion().continueWith(ended(sse, "token_expired", "the token has expired; reconnect with a new one"))
          // not when the reader is what fell behind (by its text, or by Mutiny's count of items): a
          // connection that takes no more writes would hold the event, and itself, for good
          .onFailure(e -> e instanceof TailHub.TailEnded early ? early.told() : !(e instanceof BackPressureFailure))
          .recoverWithItem(e -> e instanceof TailHub.TailEnded early ? ended(sse, early.error(), early.getMessage())
              : ended(sse, "tail_failed", "the live tail failed; reconnect"));
    } catch (RuntimeException | Error e) {
      release.run();
      throw e;
    }
  }

  /** The {@code end} event that closes a live tail, with the body of an error answer. */
  private static OutboundSseEvent ended(Sse sse, String error, String message) {
    return sse.newEventBuilder().name("end")
        .data(ApiError.class, new ApiError(error, message)).build();
  }

  private static Optional<String> blankToEmpty(String value) {
    return value == null || value.isBlank() ? Optional.empty() : Optional.of(value);
  }

  /** A round interval giving about {@link #AUTO_BUCKETS} buckets. */
  /** A round interval making at most {@code buckets} of {@code spanNanos}, else whole seconds that do. */
  static long niceInterval(long spanNanos, int buckets) {
    long[] steps = {1, 5, 10, 30, 60, 300, 600, 1800, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 86400};
    for (long seconds : steps) {
      long step = seconds * 1_000_000_000L;
      if ((spanNanos + step - 1) / step <= buckets) {
        return step;
      }
    }
    long step = (spanNanos + buckets - 1) / buckets;
    return (step + 999_999_999L) / 1_000_000_000L * 1_000_000_000L;
  }
}
