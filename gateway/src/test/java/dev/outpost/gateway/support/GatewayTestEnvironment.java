package dev.outpost.gateway.support;

import dev.outpost.spec.model.RouteMatch;
import dev.outpost.spec.model.RoutingTable;
import dev.outpost.spec.model.Route;
import dev.outpost.spec.model.RouteAuth;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The loopback world every {@code @QuarkusTest} of the gateway runs in: a temporary {@code
 * OUTPOST_HOME} with a routing table, and a real upstream server. Shared by all test classes so the
 * application starts once.
 */
public class GatewayTestEnvironment implements QuarkusTestResourceLifecycleManager {

  public static Path home;
  public static Vertx vertx;
  public static LoopbackUpstream upstream;
  public static JwksServer jwks;
  /** Over TLS, its certificate in {@code outpost.gateway.jwt.ca-file}. */
  public static JwksServer privateCaJwks;
  /** Over TLS, its certificate trusted by no one. */
  public static JwksServer unknownCaJwks;
  public static OtlpReceiver otlp;
  /** The DNS server the gateway asks: integrations {@code int-named} and {@code int-held} are upstreams by name. */
  public static DnsStub dns;
  public static final String TELEMETRY_TOKEN = "test-telemetry-token";
  /** A port nothing listens on: the JWKS of issuer {@code down}. */
  public static int closedPort;
  /** Ports nothing listens on (until a test starts a server there), by integration suffix. */
  public static final Map<String, Integer> deadPorts = new java.util.concurrent.ConcurrentHashMap<>();
  /**
   * The integrations at {@link #deadPorts}, each with a route {@code /<name>} (timeout 2 s, 2 retries):
   * {@code raw} and {@code head} are for tests that play the upstream over a raw socket; {@code sink}
   * for one that never reads (timeout 500 ms, bodies up to 16 MiB); {@code silent} for one whose
   * connects hang ({@link SilentListener}; no retries); {@code crash} for one whose breaker a test opens;
   * {@code mirror} for one that answers with the request's headers, as Camel's platform-http does;
   * {@code interim} for one that sends an interim answer and closes.
   */
  /** An integration at a closed port that no route of the base table goes to. */
  public static final String UNUSED_DEAD = "dead-unused";
  private static final List<String> DEAD = List.of("dead-get", "dead-post", "flap", "raw", "head", "sink", "silent", "crash",
      "mirror", "interim");
  public static final String API_KEY = "k-2f9c1d7e6b5a4";
  public static final String API_KEY_OTHER = "k-other-client-88";
  private static final List<java.net.Socket> HELD = new java.util.concurrent.CopyOnWriteArrayList<>();
  private static final java.util.concurrent.atomic.AtomicLong REVISION = new java.util.concurrent.atomic.AtomicLong(1);

  /** A revision above every one written so far: the gateway ignores older tables. */
  public static long nextRevision() {
    return REVISION.incrementAndGet();
  }

  /** Writes the base routes plus {@code extra} at a new revision; returns that revision. */
  public static long writeRoutes(List<Route> extra) {
    long revision = nextRevision();
    List<Route> routes = new ArrayList<>(baseRoutes());
    routes.addAll(extra);
    TestRoutes.write(home, new RoutingTable(revision, identityProviders(), routes));
    return revision;
  }

  /** The base table with these providers and routes besides, at a new revision. */
  public static void writeTable(List<dev.outpost.spec.model.IdentityProvider> extraProviders, List<Route> extraRoutes) {
    List<dev.outpost.spec.model.IdentityProvider> idps = new ArrayList<>(identityProviders());
    idps.addAll(extraProviders);
    List<Route> routes = new ArrayList<>(baseRoutes());
    routes.addAll(extraRoutes);
    TestRoutes.write(home, new RoutingTable(nextRevision(), idps, routes));
  }

  @Override
  public Map<String, String> start() {
    try {
      vertx = Vertx.vertx();
      home = Files.createTempDirectory("outpost-gateway-test");
      upstream = new LoopbackUpstream(vertx);
      jwks = new JwksServer(vertx);
      otlp = new OtlpReceiver(vertx);
      jwks.publish("main", Tokens.MAIN_KEY);
      jwks.publish("ec", Tokens.EC_KEY);
      jwks.publish("flaky", Tokens.MAIN_KEY);
      jwks.publish("slow-idp", Tokens.MAIN_KEY);
      dev.outpost.spec.testing.TestTls privateCa = dev.outpost.spec.testing.TestTls.forHost(
          Files.createDirectories(home.resolve("private-ca")), "localhost");
      privateCaJwks = JwksServer.overTls(vertx, privateCa);
      unknownCaJwks = JwksServer.overTls(vertx, dev.outpost.spec.testing.TestTls.forHost(
          Files.createDirectories(home.resolve("unknown-ca")), "localhost"));
      closedPort = holdClosedPort();
      dns = new DnsStub();
      Path secret = Files.createDirectories(home.resolve("secrets").resolve("api-keys"));
      Files.writeString(secret.resolve("keys"), "# client-id:sha256-hex\n"
          + "client-a:" + java.util.HexFormat.of().formatHex(dev.outpost.gateway.auth.ApiKeyAuthenticator.sha256(API_KEY)) + "\n"
          + "client-b:" + java.util.HexFormat.of().formatHex(dev.outpost.gateway.auth.ApiKeyAuthenticator.sha256(API_KEY_OTHER)) + "\n");
      TestRoutes.write(home, baseTable(1));
      int hazelcastPort;
      try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
        hazelcastPort = s.getLocalPort();
      }
      Map<String, String> config = new java.util.HashMap<>(Map.of(
          "quarkus.otel.exporter.otlp.endpoint", otlp.url(),
          "quarkus.otel.exporter.otlp.headers", "authorization=Bearer " + TELEMETRY_TOKEN,
          "outpost.gateway.hazelcast.port", Integer.toString(hazelcastPort),
          "outpost.gateway.hazelcast.cluster-name", "gateway-test-" + hazelcastPort,
          "outpost.gateway.home", home.toString(),
          "outpost.gateway.runtime-url", upstream.url()));
      config.put("quarkus.vertx.resolver.servers", dns.address());
      config.put("outpost.gateway.jwt.ca-file", privateCa.certificate().toString());
      for (String name : List.of("named", "held")) {
        config.put("outpost.gateway.integration-urls.int-" + name, "http://" + name + ".outpost.test:" + upstream.port());
      }
      for (String name : DEAD) {
        deadPorts.put(name, holdClosedPort());
        config.put("outpost.gateway.integration-urls.int-" + name, "http://127.0.0.1:" + deadPorts.get(name));
      }
      // dead too, with no route in the base table: a test adds one, whose breaker no other test has opened
      deadPorts.put(UNUSED_DEAD, holdClosedPort());
      config.put("outpost.gateway.integration-urls.int-" + UNUSED_DEAD, "http://127.0.0.1:" + deadPorts.get(UNUSED_DEAD));
      return config;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * A port held closed for the whole run: bound, never listening, so a connection to it is refused.
   * A port found free and let go could be handed to any server bound later to port 0 (another
   * test's), and the route meant to fail got that server's 404. The hold is bound with
   * SO_REUSEADDR, as every listener in these tests is, so a test can still start a server there.
   */
  private static int holdClosedPort() throws java.io.IOException {
    // below Linux's ephemeral range (32768-60999): a port from it could later be given to a
    // connection of some test as its own, and SilentListener's bind then failed (address in use)
    java.util.Random random = new java.util.Random();
    for (int attempt = 0; attempt < 200; attempt++) {
      int port = 20_000 + random.nextInt(12_000);
      java.net.Socket hold = new java.net.Socket();
      hold.setReuseAddress(true);
      try {
        hold.bind(new java.net.InetSocketAddress("127.0.0.1", port));
      } catch (java.io.IOException taken) {
        hold.close();
        continue;
      }
      HELD.add(hold);
      return port;
    }
    throw new java.io.IOException("no free port between 20000 and 32000 to hold");
  }

  /** The routes every test can rely on, at {@code revision}. */
  public static RoutingTable baseTable(long revision) {
    return new RoutingTable(revision, identityProviders(), baseRoutes());
  }

  public static List<dev.outpost.spec.model.IdentityProvider> identityProviders() {
    return List.of(
        TestRoutes.idp("main", Tokens.MAIN_ISSUER, jwks.uri("main"), List.of("RS256")),
        TestRoutes.idp("ec", Tokens.EC_ISSUER, jwks.uri("ec"), List.of("ES256")),
        TestRoutes.idp("flaky", "https://idp.test/flaky", jwks.uri("flaky"), List.of("RS256")),
        TestRoutes.idp("rotating", "https://idp.test/rotating", jwks.uri("rotating"), List.of("RS256")),
        TestRoutes.idp("slow", "https://idp.test/slow", jwks.uri("slow-idp"), List.of("RS256")),
        TestRoutes.idp("down", "https://idp.test/down", "http://127.0.0.1:" + closedPort + "/jwks", List.of("RS256")));
  }

  public static List<Route> baseRoutes() {
    List<Route> routes = new ArrayList<>();
    routes.add(TestRoutes.publicRoute("pub", "/pub", true));
    routes.add(TestRoutes.publicRoute("keep", "/keep", false));
    routes.add(TestRoutes.publicRoute("orders", "/orders", false));
    routes.add(TestRoutes.publicRoute("named", "/named", false));
    routes.add(TestRoutes.publicRoute("held", "/held", false));
    routes.add(TestRoutes.publicRoute("orders-special", "/orders/special", false));
    routes.add(TestRoutes.route("hosted", new RouteMatch("/orders", List.of("api.example.com"), List.of()), false,
        RouteAuth.anonymous(), null, null));
    routes.add(TestRoutes.route("get-only", new RouteMatch("/methods", List.of(), List.of("GET")), false,
        RouteAuth.anonymous(), null, null));
    routes.add(TestRoutes.route("any-method", new RouteMatch("/methods", List.of(), List.of()), false,
        RouteAuth.anonymous(), null, null));
    routes.add(new Route("small", "proj-a", new RouteMatch("/small", List.of(), List.of()), "int-small", false,
        RouteAuth.anonymous(), null, 2000, 0, null, 1024));
    routes.add(TestRoutes.route("jwt", new RouteMatch("/jwt", List.of(), List.of()), true,
        TestRoutes.jwt(List.of("main", "ec"), List.of()), null, null));
    routes.add(TestRoutes.route("jwt-forward", new RouteMatch("/jwt-forward", List.of(), List.of()), true,
        TestRoutes.jwtForwardingToken(List.of("main")), null, null));
    routes.add(TestRoutes.route("jwt-scoped", new RouteMatch("/jwt-scoped", List.of(), List.of()), true,
        TestRoutes.jwt(List.of("main"), List.of("orders:read")), null, null));
    routes.add(TestRoutes.route("jwt-down", new RouteMatch("/jwt-down", List.of(), List.of()), true,
        TestRoutes.jwt(List.of("down"), List.of()), null, null));
    routes.add(TestRoutes.route("jwt-flaky", new RouteMatch("/jwt-flaky", List.of(), List.of()), true,
        TestRoutes.jwt(List.of("flaky"), List.of()), null, null));
    routes.add(TestRoutes.route("jwt-rotating", new RouteMatch("/jwt-rotating", List.of(), List.of()), true,
        TestRoutes.jwt(List.of("rotating"), List.of()), null, null));
    routes.add(TestRoutes.route("jwt-slow", new RouteMatch("/jwt-slow", List.of(), List.of()), true,
        TestRoutes.jwt(List.of("slow"), List.of()), null, null));
    routes.add(TestRoutes.route("apikey", new RouteMatch("/apikey", List.of(), List.of()), true,
        TestRoutes.apiKey("X-API-Key", "api-keys", "keys"), null, null));
    routes.add(TestRoutes.route("apikey-unreadable", new RouteMatch("/apikey-unreadable", List.of(), List.of()), true,
        TestRoutes.apiKey("X-API-Key", "api-keys", "unreadable"), null, null));
    routes.add(TestRoutes.route("cors", new RouteMatch("/cors", List.of(), List.of("GET", "PUT")), true,
        TestRoutes.jwt(List.of("main"), List.of()), null,
        new dev.outpost.spec.model.Cors(List.of("https://console.example.com"), List.of(), List.of("Authorization", "Content-Type"),
            List.of("X-Request-Id"), true, 120)));
    routes.add(TestRoutes.route("cors-any-header", new RouteMatch("/cors-any-header", List.of(), List.of()), true,
        RouteAuth.anonymous(), null, new dev.outpost.spec.model.Cors(List.of("https://console.example.com"), List.of(),
            List.of("*"), List.of(), true, 120)));
    routes.add(TestRoutes.route("limited", new RouteMatch("/limited", List.of(), List.of()), true,
        RouteAuth.anonymous(), new dev.outpost.spec.model.RateLimit(5, 3600, dev.outpost.spec.model.RateLimit.Key.CLIENT_IP), null));
    routes.add(TestRoutes.route("limited-jwt", new RouteMatch("/limited-jwt", List.of(), List.of()), true,
        TestRoutes.jwt(List.of("main", "ec"), List.of()), new dev.outpost.spec.model.RateLimit(3, 3600, dev.outpost.spec.model.RateLimit.Key.SUBJECT), null));
    for (String name : DEAD) {
      boolean sink = name.equals("sink");
      routes.add(new Route(name, "proj-a", new RouteMatch("/" + name, List.of(), List.of()), "int-" + name, true,
          RouteAuth.anonymous(), null, sink ? 500 : 2000, name.equals("silent") ? 0 : 2, null,
          sink ? 16 * 1024 * 1024 : 1024 * 1024));
    }
    // bodies past Quarkus' own 10 MiB default, and the spec's default limit (maxBodyBytes unset: 0)
    routes.add(new Route("large", "proj-a", new RouteMatch("/large", List.of(), List.of()), "int-large", false,
        RouteAuth.anonymous(), null, 10_000, 0, null, 32L * 1024 * 1024));
    routes.add(new Route("default-limit", "proj-a", new RouteMatch("/default-limit", List.of(), List.of()), "int-default-limit",
        false, RouteAuth.anonymous(), null, 10_000, 0, null, 0));
    routes.add(new Route("slow", "proj-a", new RouteMatch("/slow", List.of(), List.of()), "int-slow", false,
        RouteAuth.anonymous(), null, 500, 0, null, 1024 * 1024));
    // integrations on the local runtime with a short timeout, each with a breaker of its own
    for (String name : List.of("stall", "neighbour", "trial", "gap", "gaps")) {
      routes.add(new Route(name, "proj-a", new RouteMatch("/" + name, List.of(), List.of()), "int-" + name, false,
          RouteAuth.anonymous(), null, 300, 0, null, 1024 * 1024));
    }
    routes.add(new Route("upload", "proj-a", new RouteMatch("/upload", List.of(), List.of()), "int-upload", false,
        RouteAuth.anonymous(), null, 2000, 0, null, 1024 * 1024));
    return routes;
  }

  @Override
  public void stop() {
    for (java.net.Socket hold : HELD) {
      try {
        hold.close();
      } catch (java.io.IOException ignored) {
        // the JVM ends next
      }
    }
    if (dns != null) {
      dns.close();
    }
    if (vertx != null) {
      vertx.close();
    }
  }
}
