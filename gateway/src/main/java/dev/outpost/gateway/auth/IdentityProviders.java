package dev.outpost.gateway.auth;

import dev.outpost.gateway.config.GatewayConfig;
import dev.outpost.gateway.route.ActiveRoutes;
import dev.outpost.gateway.route.RouteTableHolder;
import dev.outpost.spec.model.IdentityProvider;
import dev.outpost.spec.tls.ExtraCas;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.net.TrustOptions;
import jakarta.inject.Singleton;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;

/**
 * The identity providers of the routing table in use, each with its {@link JwksCache}. Follows the
 * table: a provider whose JWKS URI is unchanged keeps its cached keys across reloads.
 */
@Singleton
public class IdentityProviders {

  /** A provider and its keys. */
  public record Issuer(IdentityProvider provider, JwksCache keys) {}

  private final RouteTableHolder holder;
  private final GatewayConfig.Jwt config;
  private final Vertx vertx;
  private final HttpClient client;
  private volatile ActiveRoutes seen;
  private volatile Map<String, Issuer> issuers = Map.of();

  IdentityProviders(RouteTableHolder holder, GatewayConfig config, Vertx vertx) {
    this.holder = holder;
    this.config = config.jwt();
    this.vertx = vertx;
    this.client = vertx.createHttpClient(clientOptions(this.config));
  }

  /** The JWKS fetches' client: a few connections, the JVM's CAs and {@code jwt.ca-file}'s. */
  static HttpClientOptions clientOptions(GatewayConfig.Jwt config) {
    HttpClientOptions options = new HttpClientOptions().setMaxPoolSize(4)
        .setConnectTimeout((int) config.fetchTimeout().toMillis());
    config.caFile().ifPresent(caFile ->
        options.setTrustOptions(TrustOptions.wrap(ExtraCas.withJvms(caFile, "outpost.gateway.jwt.ca-file"))));
    return options;
  }

  /** The provider named {@code name} in the current table, or null. */
  public Issuer get(String name) {
    ActiveRoutes current = holder.current();
    if (current != seen) {
      sync();
    }
    return issuers.get(name);
  }

  /**
   * Builds the providers of the newest table, read under the lock: a table read before it, by a
   * request that then waited for the lock, could be older than the one another request synced.
   */
  private synchronized void sync() {
    ActiveRoutes current = holder.current();
    if (current == seen) {
      return;
    }
    Map<String, Issuer> next = new HashMap<>();
    for (IdentityProvider idp : current.identityProviders().values()) {
      Issuer old = issuers.get(idp.name());
      URI uri = URI.create(idp.jwksUri());
      JwksCache cache = old != null && old.keys().uri().equals(uri) ? old.keys()
          : new JwksCache(idp.name(), uri, vertx, client, config.minRefreshInterval().toNanos(),
              config.refreshInterval().toNanos(), config.fetchTimeout().toMillis());
      next.put(idp.name(), new Issuer(idp, cache));
    }
    issuers = Map.copyOf(next);
    seen = current;
  }
}
