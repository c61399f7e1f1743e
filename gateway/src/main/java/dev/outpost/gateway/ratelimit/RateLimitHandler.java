package dev.outpost.gateway.ratelimit;

import dev.outpost.gateway.Responses;
import dev.outpost.gateway.auth.Identity;
import dev.outpost.gateway.client.ClientAddress;
import dev.outpost.gateway.route.MatchedRoute;
import dev.outpost.spec.model.RateLimit;
import dev.outpost.spec.model.Route;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.ext.web.RoutingContext;
import jakarta.inject.Singleton;

/**
 * Applies the route's cluster-wide limit, counted per subject (of its token's issuer), API key client or client IP: 429
 * with {@code Retry-After} when spent; {@code RateLimit-Limit/-Remaining/-Reset} and {@code
 * RateLimit-Policy} on every answer of a limited route.
 */
@Singleton
public class RateLimitHandler implements Handler<RoutingContext> {

  private final RateLimiters limiters;
  private final ClientAddress clients;

  RateLimitHandler(RateLimiters limiters, ClientAddress clients) {
    this.limiters = limiters;
    this.clients = clients;
  }

  @Override
  public void handle(RoutingContext ctx) {
    Route route = MatchedRoute.of(ctx).route().route();
    RateLimit limit = route.rateLimit();
    if (limit == null) {
      ctx.next();
      return;
    }
    String key = route.id() + "|" + limit.key().wireName() + "|" + keyValue(ctx, limit);
    Future.fromCompletionStage(limiters.limiter().acquire(key, limit.requests(), limit.periodSeconds()), ctx.vertx().getOrCreateContext())
        .onComplete(ar -> {
          if (ar.failed()) {
            ctx.fail(ar.cause());
            return;
          }
          LeasingRateLimiter.Decision decision = ar.result();
          // set as the head goes out, after the integration's headers are in: on a limited route the
          // gateway's figures are the answer, never listed beside an integration's own
          ctx.addHeadersEndHandler(v -> setHeaders(ctx.response().headers(), limit, decision));
          if (decision.allowed()) {
            ctx.next();
          } else {
            ctx.response().headers().set("Retry-After", Long.toString(decision.resetSeconds()));
            Responses.error(ctx, 429, "rate limit of " + limit.requests() + " requests per " + limit.periodSeconds()
                + " s reached; retry after " + decision.resetSeconds() + " s");
          }
        });
  }

  /**
   * The gateway's figures, as draft-ietf-httpapi-ratelimit-headers-06 (Kong's names) writes them. An
   * integration's own in other spellings go: the later drafts' {@code RateLimit} and the older {@code
   * X-RateLimit-Limit/-Remaining/-Reset}, which a client would read as the route's.
   */
  private static void setHeaders(MultiMap headers, RateLimit limit, LeasingRateLimiter.Decision decision) {
    // by name, not by walking the headers: this runs on every answer of a limited route
    headers.remove("RateLimit").remove("X-RateLimit-Limit").remove("X-RateLimit-Remaining").remove("X-RateLimit-Reset");
    headers.set("RateLimit-Policy", limit.requests() + ";w=" + limit.periodSeconds());
    headers.set("RateLimit-Limit", Long.toString(decision.limit()));
    headers.set("RateLimit-Remaining", Long.toString(decision.remaining()));
    headers.set("RateLimit-Reset", Long.toString(decision.resetSeconds()));
  }

  private String keyValue(RoutingContext ctx, RateLimit limit) {
    Identity identity = Identity.of(ctx);
    if (limit.key() != RateLimit.Key.CLIENT_IP && identity.subject() != null) {
      // a subject is one caller within its issuer only: two issuers may both have a "42" (the issuer's
      // length first, so that no issuer and subject read as another pair)
      return identity.issuer().length() + ":" + identity.issuer() + ":" + identity.subject();
    }
    return ClientKey.of(clients.of(ctx));
  }
}
