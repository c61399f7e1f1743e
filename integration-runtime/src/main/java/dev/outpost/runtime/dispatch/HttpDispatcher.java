package dev.outpost.runtime.dispatch;

import dev.outpost.runtime.config.RuntimeConfig;
import dev.outpost.runtime.telemetry.IntegrationIdentities;
import dev.outpost.runtime.telemetry.IntegrationIdentities.Identity;
import dev.outpost.runtime.telemetry.TelemetryAttributes;
import io.opentelemetry.api.trace.Span;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The stable front of every integration's HTTP paths.
 *
 * <p>Each deployed integration version serves its {@code platform-http} routes under an internal
 * prefix ({@code /_outpost/<name>/g<generation>}). This handler, first on the runtime's router,
 * maps a public path to the prefix of the integration version that currently owns it and reroutes
 * the request there. Publishing a new version swaps the table atomically, so a request is always
 * served by the old or the new version, never by neither; {@link #awaitDrained} then tells when the
 * old prefix has no request left. A request whose integration has not started its response within
 * the endpoint's request timeout is answered 504 here ({@link RequestTimeout}). A request to an
 * integration that already runs {@code max-running-exchanges} is answered 503 here ({@link
 * RunningExchanges}). The internal paths are not reachable directly.
 */
@ApplicationScoped
public class HttpDispatcher {

  /** Internal paths start with this; clients never see it. */
  public static final String INTERNAL_ROOT = "/_outpost/";

  static final String DISPATCHED = "outpost.dispatched";

  private record Target(HttpEndpoint endpoint, String owner, String prefix, Identity identity) {}

  private volatile List<Target> table = List.of();
  /** The integrations that serve, HTTP endpoints or not (one of timers and queues only publishes none). */
  private final Set<String> serving = ConcurrentHashMap.newKeySet();
  private final Map<String, Set<RoutingContext>> inFlight = new ConcurrentHashMap<>();
  private final Duration requestTimeout;
  private final RunningExchanges running = new RunningExchanges();
  private final int maxRunning;

  private final ShutdownDrain drain;

  HttpDispatcher(RuntimeConfig config, ShutdownDrain drain) {
    this.requestTimeout = config.requestTimeout();
    this.maxRunning = config.maxRunningExchanges();
    this.drain = drain;
  }

  /**
   * Once the pod stops, an answer closes its connection, decided when its head is written: the
   * gateway's next request goes on a new connection, which the Service sends to another pod, while
   * past the shutdown delay Quarkus answers 503 on connections still open. Decided at the request's
   * arrival, the answer to one that came before the signal kept its connection, which the gateway's
   * pool reused. Closed here too (RFC 9112 9.6), as Vert.x keeps it open for a request that asked
   * keep-alive. (HTTP/2 has no Connection header, and closing would end the connection's other streams.)
   */
  private void closeIfStopping(RoutingContext ctx) {
    if (drain.stopping() && ctx.request().version() != HttpVersion.HTTP_2) {
      ctx.response().headers().set(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
      ctx.addEndHandler(ended -> ctx.request().connection().close());
    }
  }

  /** The count of running exchanges, for the {@code CamelContext} to keep. */
  public RunningExchanges runningExchanges() {
    return running;
  }

  /** The integration the gateway routed a request to; a client cannot send it (the gateway sets it). */
  static final String ROUTED_TO = "X-Outpost-Integration";

  void register(@Observes Router router) {
    // a request failed past Camel (an answer platform-http cannot write): the runtime's own JSON 500,
    // not Quarkus' page with the exception's stack
    router.route().order(-1000).handler(this::dispatch).failureHandler(FailedAnswers::answer);
    // a path no integration serves: the runtime's own JSON answer, not Vert.x's HTML page
    router.errorHandler(404, ctx -> ErrorAnswer.send(ctx, 404, "no integration serves " + ctx.request().path()));
  }

  private void dispatch(RoutingContext ctx) {
    // registered on each pass: a reroute drops what was registered before it
    ctx.addHeadersEndHandler(v -> closeIfStopping(ctx));
    String path = ctx.normalizedPath();
    if (ctx.get(DISPATCHED) != null) {
      // registered on the rerouted pass: reroute drops what was registered before it
      ctx.addHeadersEndHandler(v ->
          RequestHeaderEchoFilter.strip(ctx.response().headers(), ctx.request()));
      ctx.next();
      return;
    }
    if (path.startsWith(INTERNAL_ROOT)) {
      ctx.response().setStatusCode(404).end();
      return;
    }
    String method = ctx.request().method().name();
    Target target = find(method, path);
    if (target == null && "HEAD".equals(method)) {
      // HEAD is GET without the body (RFC 9110 9.3.2): the GET endpoint answers, Vert.x drops the body
      target = find("GET", path);
    }
    if (target != null) {
      String routedTo = ctx.request().getHeader(ROUTED_TO);
      if (routedTo != null && !routedTo.equals(target.owner())) {
        // the gateway routed this request to another integration: a route of one integration with
        // stripPrefix must not reach another's paths in the shared runtime, past that one's route
        answerUnserved(ctx, routedTo, path);
        return;
      }
      forward(ctx, target, path);
      return;
    }
    List<Target> atPath = table.stream().filter(t -> t.endpoint().matchesPath(path)).toList();
    if (!atPath.isEmpty()) {
      // RFC 9110 15.5.6: a 405 lists the methods the resource takes
      Set<String> allowed = new java.util.TreeSet<>();
      atPath.forEach(t -> allowed.addAll(t.endpoint().methods()));
      if (allowed.contains("GET")) {
        allowed.add("HEAD");
      }
      ctx.response().putHeader(HttpHeaders.ALLOW, String.join(", ", allowed));
      ErrorAnswer.send(ctx, 405, "method " + method + " is not allowed at " + path);
      return;
    }
    String routedTo = ctx.request().getHeader(ROUTED_TO);
    if (routedTo != null) {
      answerUnserved(ctx, routedTo, path);
      return;
    }
    ctx.next();
  }

  /**
   * The gateway routed the request to {@code integration}, which has no endpoint at {@code path}: 404
   * when it serves (other paths, or none: timers and queues only), 503 when it does not run here (its
   * first version failed to deploy, or it is not deployed yet), as Kong and Envoy answer for an upstream that is not running; a 404 told
   * the client its URL was wrong.
   */
  private void answerUnserved(RoutingContext ctx, String integration, String path) {
    if (serving.contains(integration)) {
      ErrorAnswer.send(ctx, 404, "integration '" + integration + "' has no endpoint at " + path);
    } else {
      ErrorAnswer.send(ctx, 503, "integration '" + integration + "' is not running");
    }
  }

  private void forward(RoutingContext ctx, Target target, String path) {
    Set<RoutingContext> open = inFlight.computeIfAbsent(target.prefix(), p -> ConcurrentHashMap.newKeySet());
    open.add(ctx);
    if (!published(target)) {
      // an upgrade swapped the table after this request found its target, and may have seen the old
      // version drained before this request counted in it: its routes may be going, so the request
      // goes to the version now published rather than to a 404
      open.remove(ctx);
      inFlight.remove(target.prefix(), Set.of()); // not left behind for a prefix already retired
      dispatch(ctx);
      return;
    }
    if (target.identity() != null) {
      // the HTTP server span, also of a request refused as busy: Camel's spans for this request start
      // under it and copy these
      TelemetryAttributes.tag(Span.current(), target.identity());
    }
    if (!running.admit(ctx, target.owner(), maxRunning)) {
      open.remove(ctx);
      refuseBusy(ctx, target.owner());
      return;
    }
    ctx.addEndHandler(done -> open.remove(ctx));
    ctx.put(DISPATCHED, target.owner());
    Duration own = target.endpoint().requestTimeout();
    RequestTimeout.arm(ctx, target.owner(), target.identity(), own != null ? own : requestTimeout);
    String query = ctx.request().query();
    HttpMethod method = target.endpoint().matches(ctx.request().method().name(), path) ? ctx.request().method()
        : HttpMethod.GET;
    ctx.reroute(method, target.prefix() + path + (query == null ? "" : "?" + query));
  }

  /** Whether {@code target} is in the table now: the very entry, not an equal one (no field compares). */
  private boolean published(Target target) {
    for (Target t : table) {
      if (t == target) {
        return true;
      }
    }
    return false;
  }

  /** 503 at once: the integration holds as many worker threads as it may, some perhaps stuck. */
  private void refuseBusy(RoutingContext ctx, String integration) {
    ctx.response().putHeader(HttpHeaders.RETRY_AFTER, "1");
    ErrorAnswer.send(ctx, 503, "integration '" + integration + "' is busy: it runs " + maxRunning
        + " requests already (outpost.runtime.max-running-exchanges)");
  }

  private Target find(String method, String path) {
    for (Target target : table) {
      if (target.endpoint().matches(method, path)) {
        return target;
      }
    }
    return null;
  }

  /** {@code /_outpost/<name>/g<n>/orders?x} → {@code /orders?x}. */
  public static String publicPath(String internal) {
    return internal.replaceFirst("^" + INTERNAL_ROOT + "[^/]+/g[0-9]+", "");
  }

  /** The internal prefix of one integration version. */
  public static String prefixOf(String integration, long generation) {
    return INTERNAL_ROOT + integration + "/g" + generation;
  }

  /**
   * Routes the public endpoints of {@code integration} to {@code prefix} from now on, replacing
   * whatever that integration published before, in one atomic swap.
   */
  public synchronized void publish(String integration, String prefix, List<HttpEndpoint> endpoints) {
    List<Target> next = new ArrayList<>(table.stream().filter(t -> !t.owner().equals(integration)).toList());
    Identity identity = IntegrationIdentities.find(prefix).orElse(null);
    endpoints.forEach(e -> next.add(new Target(e, integration, prefix, identity)));
    next.sort(Comparator.comparingInt((Target t) -> t.endpoint().specificity()).reversed());
    table = List.copyOf(next);
    serving.add(integration);
  }

  /** Stops routing to {@code integration}: its paths answer 404 from now on. */
  public synchronized void unpublish(String integration) {
    table = table.stream().filter(t -> !t.owner().equals(integration)).toList();
    serving.remove(integration);
  }

  /** The integration (other than {@code except}) that publishes an endpoint conflicting with this one. */
  public String ownerConflictingWith(HttpEndpoint endpoint, String except) {
    return table.stream()
        .filter(t -> !t.owner().equals(except) && t.endpoint().conflictsWith(endpoint))
        .map(Target::owner)
        .findFirst()
        .orElse(null);
  }

  /**
   * Waits until no request routed to {@code prefix} is in flight, at most {@code timeout}.
   *
   * @return whether the prefix drained in time
   */
  public boolean awaitDrained(String prefix, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    Set<RoutingContext> open = inFlight.get(prefix);
    while (open != null && !open.isEmpty()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(5);
    }
    inFlight.remove(prefix);
    return true;
  }

  /**
   * Answers the requests still in flight to {@code prefix} with 503, once its routes are stopped:
   * a forced stop ends their exchanges without a response, and the client would wait for one
   * until its own timeout.
   */
  public void abandon(String prefix) {
    Set<RoutingContext> open = inFlight.remove(prefix);
    if (open == null) {
      return;
    }
    for (RoutingContext ctx : open) {
      try {
        if (ctx.response().headWritten()) {
          ctx.request().connection().close();
        } else if (!ctx.response().ended()) {
          ctx.response().setStatusCode(503).end();
        }
      } catch (IllegalStateException answeredMeanwhile) {
        // the route answered after all
      }
    }
  }
}
