package dev.outpost.observability.ingest;

import dev.outpost.edge.HostRefusal;
import dev.outpost.edge.UnreadableHostGuard;
import dev.outpost.observability.config.ObservabilityConfig;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsPartialSuccess;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.ExportTracePartialSuccess;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.StreamResetException;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The OTLP/HTTP receiver ({@code POST /v1/logs}, {@code POST /v1/traces}) on its own port, so the
 * chart can expose the query port alone. Order per request: token, backpressure, body size,
 * decoding, then the durable write; the response comes after the write is fsynced.
 */
@ApplicationScoped
public class OtlpServer {

  private static final Logger LOG = Logger.getLogger(OtlpServer.class);

  @Inject ObservabilityConfig config;
  @Inject IngestAuthenticator authenticator;
  @Inject IngestPipeline pipeline;
  @Inject DiskGuard disk;
  @Inject Vertx vertx;

  private static final long MIB = 1024 * 1024;

  /** How long a stop lets the requests in flight finish (their uploads, decoding and journal writes). */
  static final long DRAIN_MILLIS = 10_000;

  private HttpServer server;
  private volatile boolean stopping;
  private Semaphore inFlight;
  private ProjectPlaces projectPlaces;
  private DecodeMemory memory;

  void start(@Observes StartupEvent event) throws Exception {
    inFlight = new Semaphore(config.ingest().maxInFlight());
    projectPlaces = new ProjectPlaces(config.ingest().maxInFlightPerProject());
    memory = new DecodeMemory(config.ingest().decodeMemoryBytes().orElseGet(DecodeMemory::defaultCapacity));
    Router router = Router.router(vertx);
    router.post("/v1/*").handler(this::admit);
    BodyHandler body = BodyHandler.create(false).setBodyLimit(config.ingest().maxBodyBytes());
    router.post("/v1/*").handler(ctx -> receive(ctx, body));
    router.post("/v1/logs").handler(ctx -> handle(ctx, true));
    router.post("/v1/traces").handler(ctx -> handle(ctx, false));
    // another method on a path that exists: 405, not the 404 of a path that does not
    router.route("/v1/logs").handler(OtlpServer::onlyPost);
    router.route("/v1/traces").handler(OtlpServer::onlyPost);
    router.route().last().handler(ctx -> fail(ctx, new IngestException(404,
        "OTLP/HTTP accepts POST /v1/logs and POST /v1/traces")));
    router.route().failureHandler(ctx -> {
      if (ctx.statusCode() == 413) {
        fail(ctx, new IngestException(413, "body is larger than " + config.ingest().maxBodyBytes() + " bytes"));
      } else if (HostRefusal.applies(ctx)) {
        fail(ctx, new IngestException(400, HostRefusal.MESSAGE));
      } else if (clientLeft(ctx.failure())) {
        // the client left, reset the connection or idled out mid-request: nothing was stored and
        // there is no one to answer
        LOG.debugf("OTLP client closed the connection mid-request: %s", ctx.failure().getMessage());
      } else {
        LOG.error("OTLP request failed", ctx.failure());
        fail(ctx, new IngestException(ctx.statusCode() > 0 ? ctx.statusCode() : 500, "request failed"));
      }
    });
    server = vertx.createHttpServer(new HttpServerOptions().setHost(config.ingest().host())
            .setPort(config.ingest().port())
            .setIdleTimeout((int) config.ingest().idleTimeout().toMillis()).setIdleTimeoutUnit(TimeUnit.MILLISECONDS))
        .requestHandler(router)
        .listen()
        .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    // a Host Vert.x cannot parse left the request unanswered, as on Quarkus' own ports
    UnreadableHostGuard.guard(server);
    LOG.infof("OTLP/HTTP receiver listening on %s:%d", config.ingest().host(), server.actualPort());
  }

  /**
   * Stops taking requests before the pipeline's final checkpoint (a later observer): new ones are
   * answered 503 with {@code Retry-After}, which OTLP asks exporters to retry, and the ones in flight
   * are let finish for up to {@link #DRAIN_MILLIS} before the connections close. Closed at once, an
   * upload under way was cut: its client saw a reset, which Quarkus' exporter does not retry, and its
   * batch was lost.
   */
  void stop(@Observes ShutdownEvent event) throws InterruptedException {
    if (server == null) {
      return;
    }
    stopping = true;
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DRAIN_MILLIS);
    while (inFlight() > 0 && System.nanoTime() - deadline < 0) {
      Thread.sleep(20);
    }
    if (inFlight() > 0) {
      LOG.warnf("%d OTLP requests still in flight %d ms after the stop began: their connections are closed",
          inFlight(), DRAIN_MILLIS);
    }
    try {
      server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.warn("the OTLP receiver did not close within 10 s: " + e);
    }
  }

  private int inFlight() {
    return config.ingest().maxInFlight() - inFlight.availablePermits();
  }

  /** The port the receiver listens on (the configured one, or the one picked for port 0). */
  public int port() {
    return server.actualPort();
  }

  private void admit(RoutingContext ctx) {
    if (stopping) {
      refuseStopping(ctx);
      return;
    }
    Optional<IngestBinding> binding = authenticator.authenticate(ctx.request().getHeader("Authorization"));
    if (binding.isEmpty()) {
      ctx.response().putHeader("WWW-Authenticate", "Bearer");
      fail(ctx, new IngestException(401, "a valid bearer token (the data plane's or an integration's) is required"));
      return;
    }
    if (OtlpBodies.format(ctx.request().getHeader("Content-Type")) == null) {
      fail(ctx, new IngestException(415, "Content-Type must be application/x-protobuf or application/json"));
      return;
    }
    if (disk.nearlyFull()) {
      fail(ctx, new IngestException(503, "the disk is nearly full; retry later", "30"));
      return;
    }
    if (!projectPlaces.take(binding.get())) {
      fail(ctx, new IngestException(429, "the integrations of project " + binding.get().project() + " have "
          + projectPlaces.perProject() + " requests in flight, all one project may; retry shortly", "1"));
      return;
    }
    if (!inFlight.tryAcquire()) {
      projectPlaces.give(binding.get());
      fail(ctx, new IngestException(429, "too many requests in flight; retry shortly", "1"));
      return;
    }
    if (stopping) {
      // the stop began while this one was checked: it may have found none in flight, and be closing
      inFlight.release();
      projectPlaces.give(binding.get());
      refuseStopping(ctx);
      return;
    }
    // a body being received holds heap too: 64 bodies of 4 MiB are 512 MiB once buffered and copied
    DecodeMemory.Lease body = memory.lease(binding.get());
    long bodyTimer = vertx.setTimer(config.ingest().bodyTimeout().toMillis(), id -> bodyTimedOut(ctx));
    AdmittedRequest admitted = new AdmittedRequest(() -> {
      vertx.cancelTimer(bodyTimer);
      body.close();
      inFlight.release();
      projectPlaces.give(binding.get());
    });
    ctx.addEndHandler(done -> admitted.done());
    ctx.put(AdmittedRequest.class.getName(), admitted);
    long contentLength = contentLength(ctx.request().getHeader("Content-Length"));
    try {
      body.hold(memory.bodyBytes(contentLength, config.ingest().maxBodyBytes(), binding.get()),
          () -> tooLarge(contentLength + " bytes on the wire"));
    } catch (IngestException refused) {
      fail(ctx, refused);
      return;
    }
    ctx.put(IngestBinding.class.getName(), binding.get());
    ctx.put(DecodeMemory.Lease.class.getName(), body);
    ctx.next();
  }

  /**
   * 503, retried on a new connection: one kept alive would bring the retry back here. Not on HTTP/2,
   * which has no Connection header, and whose connection closed at once (a GOAWAY) lost the answer
   * and the other streams' with it.
   */
  private static void refuseStopping(RoutingContext ctx) {
    if (ctx.request().version() != HttpVersion.HTTP_2) {
      closeAfterAnswer(ctx);
    }
    fail(ctx, new IngestException(503, "the receiver is stopping; retry", "1"));
  }

  /** The answer says {@code Connection: close}, and the connection is closed once it is sent. */
  private static void closeAfterAnswer(RoutingContext ctx) {
    ctx.response().putHeader("Connection", "close").endHandler(v -> ctx.request().connection().close());
  }

  /** The body has not all arrived in time: answered, and the connection closed so that it stops. */
  private void bodyTimedOut(RoutingContext ctx) {
    if (ctx.request().isEnded() || ctx.response().ended()) {
      return;
    }
    closeAfterAnswer(ctx);
    fail(ctx, new IngestException(408, "the body did not arrive within " + config.ingest().bodyTimeout().toSeconds()
        + " s (outpost.observability.ingest.body-timeout)"));
  }

  /** 405 for a method other than POST on an OTLP path. */
  private static void onlyPost(RoutingContext ctx) {
    ctx.response().putHeader("Allow", "POST");
    fail(ctx, new IngestException(405, "OTLP/HTTP accepts POST " + ctx.normalizedPath() + ", not "
        + ctx.request().method().name()));
  }

  /**
   * Receives the body with {@code body}, and takes its failures over: BodyHandler passed all but a
   * DecoderException to the failure handler with status 200, logged there as a server fault.
   */
  private void receive(RoutingContext ctx, BodyHandler body) {
    body.handle(ctx);
    if (!ctx.request().isEnded()) {
      ctx.request().exceptionHandler(e -> bodyFailed(ctx, e));
    }
  }

  /**
   * The body stopped arriving: its client left, or Netty refused its framing (a chunk size that is
   * no hex number, or past 2^31). The latter is the client's fault, answered 400; Vert.x closes the
   * connection as soon as this returns, dropping an answer not yet flushed, so it is flushed here.
   */
  private void bodyFailed(RoutingContext ctx, Throwable e) {
    if (clientLeft(e)) {
      ctx.fail(e);
      return;
    }
    if (ctx.response().headWritten()) {
      // answered already (a 413 while the rest of the body still came): Vert.x closes the connection
      LOG.debugf("OTLP request body refused by the HTTP decoder after its answer: %s", e.toString());
      return;
    }
    LOG.debugf("OTLP request body refused by the HTTP decoder: %s", e.toString());
    if (ctx.request().version() != HttpVersion.HTTP_2) {
      closeAfterAnswer(ctx);
    }
    fail(ctx, new IngestException(400, "the body is not valid chunked transfer coding: each chunk must start with"
        + " its size in hex digits, below 2^31"));
    if (ctx.request().connection() instanceof ConnectionBase connection) {
      connection.flush();
    }
  }

  /** The client left, reset its stream or the connection, or idled out: nothing to answer, and no fault here. */
  private static boolean clientLeft(Throwable e) {
    return e instanceof HttpClosedException || e instanceof StreamResetException || e instanceof IOException;
  }

  /** The declared body length, or -1 when there is none (chunked) or it is not a number (Vert.x refuses those). */
  private static long contentLength(String header) {
    try {
      return header == null ? -1 : Long.parseLong(header.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private void handle(RoutingContext ctx, boolean logs) {
    IngestBinding binding = ctx.get(IngestBinding.class.getName());
    OtlpBodies.Format format = OtlpBodies.format(ctx.request().getHeader("Content-Type"));
    byte[] raw = ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
    String encoding = ctx.request().getHeader("Content-Encoding");
    long receivedAt = System.currentTimeMillis();
    DecodeMemory.Lease bodyLease = ctx.get(DecodeMemory.Lease.class.getName());
    AdmittedRequest admitted = ctx.get(AdmittedRequest.class.getName());
    if (!admitted.hold()) {
      return; // the client hung up before its body was handled: nobody waits for the work
    }
    vertx.<byte[]>executeBlocking(() -> {
      try (DecodeMemory.Lease lease = memory.lease(binding, bodyLease)) {
        byte[] body = OtlpBodies.decoded(raw, encoding, config.ingest().maxDecompressedBytes(), size -> lease.hold(
            size * DecodeMemory.PER_GUNZIPPED_BYTE, () -> tooLarge("more than " + size + " bytes once decompressed")));
        long cost = DecodeCost.of(body, format, logs ? ExportLogsServiceRequest.getDescriptor()
            : ExportTraceServiceRequest.getDescriptor());
        lease.hold(cost, () -> tooLarge(body.length + " bytes of " + format.label + (body == raw ? "" : " once decompressed")
            + ", about " + cost / MIB + " MiB of heap to decode"));
        return logs ? storeLogs(body, format, binding, receivedAt) : storeTraces(body, format, binding, receivedAt);
      }
    }, false).onComplete(result -> {
      admitted.done();
      if (result.succeeded()) {
        ctx.response().setStatusCode(200).putHeader("Content-Type", format.contentType)
            .end(Buffer.buffer(result.result()));
      } else if (result.cause() instanceof IngestException refused) {
        fail(ctx, refused);
      } else {
        LOG.error("OTLP ingest failed", result.cause());
        fail(ctx, new IngestException(503, "the batch was not stored; retry", "5"));
      }
    });
  }

  private byte[] storeLogs(byte[] body, OtlpBodies.Format format, IngestBinding binding, long receivedAt) {
    ExportLogsServiceRequest request = OtlpBodies.parse(body, format, ExportLogsServiceRequest.parser(),
        ExportLogsServiceRequest.newBuilder(), "ExportLogsServiceRequest");
    IngestPipeline.Outcome outcome = pipeline.logs(request, journaled(body, format, request), binding, receivedAt);
    ExportLogsServiceResponse.Builder response = ExportLogsServiceResponse.newBuilder();
    if (outcome.rejected() > 0) {
      response.setPartialSuccess(ExportLogsPartialSuccess.newBuilder()
          .setRejectedLogRecords(outcome.rejected()).setErrorMessage(outcome.rejectionMessage()));
    }
    return OtlpBodies.encode(response.build(), format);
  }

  private byte[] storeTraces(byte[] body, OtlpBodies.Format format, IngestBinding binding, long receivedAt) {
    ExportTraceServiceRequest request = OtlpBodies.parse(body, format, ExportTraceServiceRequest.parser(),
        ExportTraceServiceRequest.newBuilder(), "ExportTraceServiceRequest");
    IngestPipeline.Outcome outcome = pipeline.traces(request, journaled(body, format, request), binding, receivedAt);
    ExportTraceServiceResponse.Builder response = ExportTraceServiceResponse.newBuilder();
    if (outcome.rejected() > 0) {
      response.setPartialSuccess(ExportTracePartialSuccess.newBuilder()
          .setRejectedSpans(outcome.rejected()).setErrorMessage(outcome.rejectionMessage()));
    }
    return OtlpBodies.encode(response.build(), format);
  }

  private String tooLarge(String what) {
    return "body is " + what + "; this server decodes " + memory.capacity() / MIB + " MiB at most at once, half of"
        + " it for one project's integrations (outpost.observability.ingest.decode-memory-bytes): send smaller batches";
  }

  /**
   * What the journal keeps: a protobuf body as received (it parses to the same request; encoding
   * it again cost about a microsecond per record), JSON as the protobuf it was parsed into.
   */
  private static byte[] journaled(byte[] body, OtlpBodies.Format format, com.google.protobuf.Message request) {
    return format == OtlpBodies.Format.PROTOBUF ? body : request.toByteArray();
  }

  private static void fail(RoutingContext ctx, IngestException e) {
    if (ctx.response().ended()) {
      return;
    }
    OtlpBodies.Format format = OtlpBodies.format(ctx.request().getHeader("Content-Type"));
    if (format == null) {
      format = OtlpBodies.Format.JSON;
    }
    if (e.retryAfterSeconds() != null) {
      ctx.response().putHeader("Retry-After", e.retryAfterSeconds());
    }
    ctx.response().setStatusCode(e.status()).putHeader("Content-Type", format.contentType)
        .end(Buffer.buffer(OtlpBodies.status(OtlpBodies.grpcCode(e.status()), e.getMessage(), format)));
  }
}
