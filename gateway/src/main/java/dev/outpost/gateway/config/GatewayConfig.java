package dev.outpost.gateway.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The gateway's own configuration ({@code outpost.gateway.*}). Everything about individual routes
 * comes from the routing table instead. Checked at start by {@link GatewayConfigValidator}.
 */
@ConfigMapping(prefix = "outpost.gateway")
public interface GatewayConfig {

  /** The data plane's home directory ({@code state/}, {@code secrets/}); default {@code $OUTPOST_HOME}, else {@code .outpost}. */
  @WithDefault("${OUTPOST_HOME:.outpost}")
  Path home();

  /** Where secret values are read ({@code <dir>/<secret>/<key>}); default {@code <home>/secrets}. */
  Optional<Path> secretsDir();

  /** Where integrations run: {@code local} (one runtime process) or {@code kubernetes}; default local. */
  @WithDefault("local")
  Mode mode();

  /** The integration runtime's URL in local mode; default {@code http://127.0.0.1:8081}. */
  @WithDefault("http://127.0.0.1:8081")
  URI runtimeUrl();

  /**
   * Per-integration URLs that take precedence over the mode's resolution (an integration run on its
   * own during development); default none.
   */
  Map<String, URI> integrationUrls();

  /** The namespace of the {@code int-<name>} Services in kubernetes mode; default {@code outpost}. */
  @WithDefault("outpost")
  String namespace();

  /**
   * How often the routes file is checked for a new version besides the watch that reads it as soon as
   * it is replaced (a fallback for file systems whose renames inotify misses); default 500 ms.
   */
  @WithDefault("500ms")
  Duration routesPollInterval();

  /** The ConfigMap holding {@code routes.json} in kubernetes mode; default {@code outpost-gateway-routes}. */
  @WithDefault("outpost-gateway-routes")
  String routesConfigMap();

  /**
   * Upstream connection pool size per upstream host and event loop thread; default 64. With all busy,
   * a request waits for one up to its route's timeout plus the connect timeout, then gets 503.
   */
  @WithDefault("64")
  int upstreamPoolSize();

  /**
   * How long an upstream connection may sit idle in the pool; default 3 s. Below an integration
   * pod's shutdown delay (5 s): a connection idle since before the pod was told to stop is closed
   * before the delay ends, when the pod would answer 503 on it; one used in the delay is closed by
   * the pod's Connection: close. At least 1 s.
   */
  @WithDefault("3s")
  java.time.Duration upstreamIdleTimeout();

  /**
   * Addresses or CIDR ranges ({@code 10.0.0.0/8}, {@code fd00::/8}) of the proxies in front of the
   * gateway (an ingress, a load balancer) whose {@code X-Forwarded-For} it believes: the client is
   * the right-most address there that is not one of them. Default none: the client is the
   * connection's peer, and an {@code X-Forwarded-For} it sends is replaced.
   */
  Optional<List<String>> trustedProxies();

  /**
   * Time a client has to send a complete request line and headers, from the moment its connection
   * opens or every request on it has been answered; past it the connection is closed. Default 30 s,
   * the idle timeout ({@code quarkus.http.idle-timeout}), so a keep-alive connection waiting for its
   * next request is closed when it was before; unlike that timeout, bytes arriving do not reset it,
   * so a client sending a header a byte at a time (slowloris) cannot hold a connection. 0 disables.
   */
  @WithDefault("30s")
  Duration requestHeadTimeout();

  /**
   * Bytes of one response the gateway reads off its upstream connection ahead of a client that
   * reads more slowly, so that the connection goes back to the pool at the upstream's speed, as
   * nginx's proxy buffers do; default 1 MiB, 0 reads nothing ahead. Past it the upstream is read as
   * fast as the client reads, and the connection stays with the exchange.
   */
  @WithDefault("1048576")
  int responseBufferBytes();

  /** Bytes all responses read ahead may hold together ({@link #responseBufferBytes}); default 64 MiB. */
  @WithDefault("67108864")
  long responseBuffersBytes();

  /** Upstream connect timeout; default 2 s, 0 or more. */
  @WithDefault("2s")
  Duration upstreamConnectTimeout();

  Jwt jwt();

  Breaker circuitBreaker();

  Hazelcast hazelcast();

  /** JWT verification settings shared by all identity providers. */
  interface Jwt {
    /** Tokens longer than this are refused before parsing; default 8192 bytes. */
    @WithDefault("8192")
    int maxTokenBytes();

    /** A JWKS is fetched again on an unknown {@code kid} at most this often; default 10 s, at least 100 ms. */
    @WithDefault("10s")
    Duration minRefreshInterval();

    /** A JWKS is refreshed at least this often, so rotated-out keys disappear; default 5 min. */
    @WithDefault("5m")
    Duration refreshInterval();

    /** Timeout of one JWKS fetch; default 2 s, at least 1 ms. */
    @WithDefault("2s")
    Duration fetchTimeout();

    /** Verified tokens remembered (until their expiry or a JWKS change); default 10000, 0 disables. */
    @WithDefault("10000")
    int verifiedCacheSize();

    /**
     * PEM certificates of CAs trusted for {@code https} JWKS URIs besides the JVM's (an identity
     * provider in the cluster with a private CA); none by default.
     */
    Optional<Path> caFile();
  }

  /** The circuit breaker kept per integration and upstream ({@code CircuitBreakers}). */
  interface Breaker {
    /** Consecutive upstream failures (connect errors, timeouts, 5xx-free) that open it; default 5. */
    @WithDefault("5")
    int failureThreshold();

    /** How long it stays open before one trial request; default 5 s, at least 1 ms. */
    @WithDefault("5s")
    Duration openDuration();
  }

  /** The embedded Hazelcast member holding the cluster-wide rate-limit counters. */
  interface Hazelcast {
    /** Whether this gateway joins a cluster; without it rate limits are local to this replica. Default true. */
    @WithDefault("true")
    boolean enabled();

    /** The cluster name; default {@code outpost-gateway}. */
    @WithDefault("outpost-gateway")
    String clusterName();

    /** The member port; default 5701. */
    @WithDefault("5701")
    int port();

    /** The interface to bind and advertise; default 127.0.0.1. */
    @WithDefault("127.0.0.1")
    String host();

    /** TCP-IP members ({@code host:port}) to join; default this member alone. */
    Optional<List<String>> members();

    /** Use Kubernetes discovery (the chart) instead of the TCP-IP member list; default false. */
    @WithDefault("false")
    boolean kubernetesDiscovery();

    /**
     * The DNS name of the headless Service whose endpoints are the members
     * ({@code <service>.<namespace>.svc.cluster.local}), with kubernetes discovery. Members are found
     * by DNS lookup, which needs no Kubernetes API access (no RBAC).
     */
    Optional<String> kubernetesService();

    /** Share of a limit one member takes from the cluster counter at a time; default 0.01 (1%). */
    @WithDefault("0.01")
    double leaseFraction();
  }

  /** Where integrations run. */
  enum Mode { LOCAL, KUBERNETES }
}
