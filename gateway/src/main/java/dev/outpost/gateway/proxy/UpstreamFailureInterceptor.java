package dev.outpost.gateway.proxy;

import dev.outpost.gateway.LingeringClose;
import dev.outpost.gateway.Responses;
import dev.outpost.gateway.client.MalformedRequestBody;
import dev.outpost.gateway.telemetry.ServerSpanHandler;
import io.netty.handler.codec.DecoderException;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.httpproxy.Body;
import io.vertx.httpproxy.ProxyContext;
import io.vertx.httpproxy.ProxyInterceptor;
import io.vertx.httpproxy.ProxyRequest;
import io.vertx.httpproxy.ProxyResponse;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * Outermost interceptor: feeds the upstream's circuit breaker (timeouts; connect failures are
 * counted by the connecting step, once per attempt) and turns a failed upstream call into a clear
 * answer: 413 when the streamed body passed the route's limit, 400 when its chunked framing did not
 * parse ({@link dev.outpost.gateway.client.MalformedRequestBody}), 503 when the breaker is open, 503
 * with {@code Retry-After} when no pooled connection came free in time ({@link
 * UpstreamBusyException}, not counted), 502 when connecting failed, refused or timed out alike
 * ({@link UpstreamConnectException}: the upstream could not be reached), 408 on timeout while the
 * client's body has not fully arrived although the upstream was reading it (a slow client: not
 * counted against the upstream, else any client could open the breaker), 504 on other timeouts, the
 * upstream's not reading the body included ({@link UpstreamExchange#upstreamStoppedReading}: its
 * socket full, the client's body held back by the proxy), 502 "sent an invalid response" when the
 * upstream's response cannot be passed on ({@link #invalidResponse}) or did not parse ({@link
 * #isMalformedResponse}), counted by the breaker, 499 (recorded, never read) when the client had
 * left, and 502 on any other failure. After a 413, or a 408 or 504 that leaves the client's body
 * unfinished, the client's connection is closed.
 *
 * <p>An answered exchange counts as a success once its whole body has reached the client, and as a
 * failure when the upstream's body stalled past the route's timeout ({@link UpstreamExchange}: the
 * client's connection is closed then, its head having gone). A success at the head would reset the
 * breaker's count for every upstream that answers heads and then stalls, so it would never open.
 */
final class UpstreamFailureInterceptor implements ProxyInterceptor {

  private static final Logger LOG = Logger.getLogger(UpstreamFailureInterceptor.class);

  private final CircuitBreaker breaker;
  private final LimitedReadStream limitedBody;
  private final UpstreamExchange exchange;
  private final String upstreamName;
  private final Consumer<String> ownAnswer;
  private boolean answered;
  private boolean closeAfterResponse;
  /** Whether that close waits for the rest of the body ({@link LingeringClose}). */
  private boolean lingerAfterResponse;

  /** @param ownAnswer told when the client gets the gateway's answer instead of the upstream's */
  UpstreamFailureInterceptor(CircuitBreaker breaker, LimitedReadStream limitedBody, UpstreamExchange exchange,
      String upstreamName, Consumer<String> ownAnswer) {
    this.breaker = breaker;
    this.ownAnswer = ownAnswer;
    this.limitedBody = limitedBody;
    this.exchange = exchange;
    this.upstreamName = upstreamName;
  }

  @Override
  public Future<ProxyResponse> handleProxyRequest(ProxyContext context) {
    return context.sendRequest()
        .compose(r -> {
          String invalid = invalidResponse(r.getStatusCode(), r.headers());
          if (invalid != null) {
            return Future.failedFuture(new InvalidResponseException(invalid));
          }
          answered = true;
          if (r.headers().get("transfer-encoding") != null) {
            // codings are case-insensitive (RFC 9112 7); the proxy reads only "chunked" as chunked
            r.headers().set("transfer-encoding", "chunked");
          }
          Body body = r.getBody();
          if (body != null) {
            r.setBody(Body.body(exchange.watch(body.stream()), body.length()));
          }
          return Future.succeededFuture(r);
        })
        .recover(failure -> {
          boolean unfinishedBody = !context.request().proxiedRequest().isEnded();
          int status;
          String message;
          if (failure instanceof InvalidResponseException || isMalformedResponse(failure)) {
            // an upstream that answers what HTTP cannot carry is broken, whatever the client did
            status = 502;
            // the parser's own words name its classes and echo the integration's bytes: kept for the log
            message = "integration " + upstreamName + " sent an invalid response ("
                + (failure instanceof InvalidResponseException ? failure.getMessage() : "it does not parse as HTTP/1.1") + ")";
            breaker.onFailure(message, exchange.admittedAt());
          } else if (limitedBody != null && limitedBody.overflowed()) {
            status = 413;
            message = "the request body is larger than the route allows";
          } else if (limitedBody != null && limitedBody.malformed()) {
            // the client's connection closes after this answer (RequestHeadTimeout): nothing more is read from it
            status = 400;
            message = MalformedRequestBody.MESSAGE;
          } else if (failure instanceof CircuitOpenException) {
            status = 503;
            message = "integration " + upstreamName + " is unavailable (circuit open)";
          } else if (failure instanceof UpstreamBusyException) {
            status = 503;
            message = "integration " + upstreamName + " is busy: " + failure.getMessage();
          } else if (failure instanceof UpstreamConnectException) {
            // refused or timed out alike, nothing reached the upstream: counted per attempt when connecting,
            // and not a timeout of the route (its timer starts once connected), so neither 504 nor 408
            status = 502;
            message = "integration " + upstreamName + " could not be reached";
            LOG.debugf(failure, "connecting to %s failed", upstreamName);
          } else if (exchange.timedOut() && unfinishedBody && !exchange.upstreamStoppedReading()) {
            // the upstream was still waiting for the client's body: a slow client, not a slow
            // upstream, so the breaker is not told (else any client could open it)
            status = 408;
            message = "the request body did not arrive in time";
          } else if (exchange.timedOut()) {
            // the route's timeout is the exchange's alone (connect timeouts are connect failures above)
            status = 504;
            message = unfinishedBody ? "integration " + upstreamName + " stopped reading the request body"
                : "integration " + upstreamName + " did not answer in time";
            breaker.onFailure(message, exchange.admittedAt());
          } else if (context.request().proxiedRequest().response().closed()) {
            // the client left first (the proxy reset the upstream request then): no one reads this
            // answer, and its status is what the access record and span tell (nginx's 499)
            status = ServerSpanHandler.CLIENT_CLOSED_REQUEST;
            message = "the client closed the request";
          } else if (!exchange.sentOnReusedConnection() && StaleConnectionRetry.isConnectionLost(failure)) {
            // a new connection closed or reset before any answer: the upstream took the request and
            // died on it (a crash loop, out of memory), which the breaker must hear of; on a pooled
            // connection the same is an idle close racing the request, retried or not the upstream's fault
            status = 502;
            message = "integration " + upstreamName + " closed the connection without answering";
            breaker.onFailure(message, exchange.admittedAt());
          } else {
            // anything else (a reset) says nothing about the upstream's health
            status = 502;
            message = "integration " + upstreamName + " could not be reached";
            LOG.debugf(failure, "upstream %s failed", upstreamName);
          }
          if (status != ServerSpanHandler.CLIENT_CLOSED_REQUEST) {
            // the access record and span also get what failed, which the client is not told
            ownAnswer.accept(saysMore(failure, status) ? message + ": " + failure.getMessage() : message);
          }
          Buffer body = Buffer.buffer(Responses.body(context.request().proxiedRequest().response(), status, message));
          ProxyResponse response = released(context.request()).response()
              .setStatusCode(status)
              .putHeader("Content-Type", "application/json")
              .setBody(Body.body(body));
          if (failure instanceof UpstreamBusyException) {
            response.putHeader("Retry-After", "1");
          } else if (failure instanceof CircuitOpenException open) {
            // when the breaker lets the next trial through
            response.putHeader("Retry-After", Long.toString(open.retryAfterSeconds));
          }
          closeAfterResponse = status == 413 || (unfinishedBody && (status == 408 || status == 504));
          // a client still sending at its pace reads its 413 once it has sent the rest; a slow one
          // (408) or one the upstream stopped reading (504) is cut
          lingerAfterResponse = status == 413;
          return Future.succeededFuture(response);
        });
  }

  @Override
  public Future<Void> handleProxyResponse(ProxyContext context) {
    if (closeAfterResponse) {
      // on the client's response itself: the hygiene interceptor strips Connection from the proxied one
      context.request().proxiedRequest().response().putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
    }
    Future<Void> sent = context.sendResponse();
    if (answered) {
      sent.onComplete(ar -> {
        if (ar.succeeded()) {
          breaker.onSuccess();
        } else if (exchange.timedOut()) {
          breaker.onFailure("integration " + upstreamName + " did not send its whole response in time",
              exchange.admittedAt());
        }
      });
    }
    if (closeAfterResponse) {
      // the rest of a refused or unfinished body must never be read as the next request
      HttpServerRequest client = context.request().proxiedRequest();
      sent.onComplete(v -> {
        if (lingerAfterResponse) {
          LingeringClose.close(client);
        } else {
          client.connection().close();
        }
      });
    }
    return sent;
  }

  /**
   * {@code request} with the client's unread body let go. A request sent again ({@link
   * StaleConnectionRetry}) has no body left to let go: releasing it threw, and the client, its
   * answer never built, waited until it gave up.
   */
  private static ProxyRequest released(ProxyRequest request) {
    return request.getBody() == null ? request : request.release();
  }

  /** The gateway's answer instead of a response that failed before any of it went to the client. */
  record Unsent(int status, String message) {}

  /**
   * The upstream's response failed before any of it went to the client (an HTTP/1.0 client's stream,
   * read whole first, stalled or broke: {@link Http10StreamGuard}, which answers instead): 504 when
   * the route's timeout ran out, else 502. A failure for the breaker, and not the success that
   * sending the gateway's answer would count.
   */
  Unsent failedBeforeTheHead(Throwable failure) {
    answered = false;
    boolean timedOut = exchange.timedOut();
    String message = timedOut ? "integration " + upstreamName + " did not answer in time"
        : "integration " + upstreamName + " failed while sending its response";
    breaker.onFailure(message, exchange.admittedAt());
    ownAnswer.accept(message + ": " + failure.getMessage());
    return new Unsent(timedOut ? 504 : 502, message);
  }

  /**
   * Why a response head that parsed cannot be passed on, or null when it can: a status that cannot end
   * an exchange ({@link #isFinalStatus}), or a transfer coding other than chunked, which the proxy
   * cannot re-frame (vertx-http-proxy answered those 501, as if the client had asked the impossible).
   */
  static String invalidResponse(int status, MultiMap headers) {
    if (!isFinalStatus(status)) {
      return "status " + status;
    }
    // called twice per response (here and by the exchange): the common case is one lookup, no list
    if (headers.get("transfer-encoding") == null) {
      return null;
    }
    for (String coding : headers.getAll("transfer-encoding")) {
      if (!coding.trim().equalsIgnoreCase("chunked")) {
        return "Transfer-Encoding " + coding;
      }
    }
    return null;
  }

  /**
   * Whether the upstream's response failed to parse: framing the decoder refuses (two Content-Lengths,
   * a bare LF, a head over the size limit) or a header it does not accept. Without this the client was
   * told the integration could not be reached.
   */
  static boolean isMalformedResponse(Throwable failure) {
    if (failure instanceof DecoderException) {
      return true;
    }
    if (failure instanceof IllegalArgumentException) {
      // Netty's header checks throw it from inside the decoder; the request side was parsed by the
      // gateway's own server with the same checks before it was sent
      for (StackTraceElement frame : failure.getStackTrace()) {
        if (frame.getClassName().startsWith("io.netty.handler.codec.http.HttpObjectDecoder")) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * Whether {@code status} may end an exchange. The upstream client consumes 100 and 103 itself; any
   * other 1xx (102, a 101 to a request that asked no upgrade) or a status above 599 passed on as
   * final would leave the client waiting for the real answer.
   */
  static boolean isFinalStatus(int status) {
    return status >= 200 && status <= 599;
  }

  /**
   * Whether the failure's own words add to the client's message: a connection's error (refused, reset,
   * not resolved), not a state of ours, nor a parser's words, which echo the integration's bytes.
   */
  private static boolean saysMore(Throwable failure, int status) {
    return failure.getMessage() != null && status == 502 && !(failure instanceof InvalidResponseException)
        && !isMalformedResponse(failure);
  }

  /** The breaker refused the request before any connection was attempted. */
  static final class CircuitOpenException extends RuntimeException {
    private final long retryAfterSeconds;

    CircuitOpenException(long retryAfterSeconds) {
      super("circuit open", null, false, false);
      this.retryAfterSeconds = retryAfterSeconds;
    }
  }

  /** The upstream's response head cannot be passed on ({@link #invalidResponse}). */
  static final class InvalidResponseException extends RuntimeException {
    InvalidResponseException(String reason) {
      super(reason, null, false, false);
    }
  }

  /**
   * Every pooled connection to the upstream stayed busy past the wait (the route's timeout plus the
   * connect timeout): 503 with {@code Retry-After}, as Envoy answers a pending-request overflow, and
   * not counted by the breaker, since a slow integration under a burst is not a failing one.
   */
  static final class UpstreamBusyException extends RuntimeException {
    UpstreamBusyException(long waitedMillis) {
      super("no connection to it came free within " + waitedMillis + " ms", null, false, false);
    }
  }

  /** Connecting failed, refused or timed out (already counted by the breaker, per attempt): 502. */
  static final class UpstreamConnectException extends RuntimeException {
    UpstreamConnectException(Throwable cause) {
      super("connect failed: " + cause.getMessage(), cause, false, false);
    }
  }
}
