package dev.outpost.runtime.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** Configuration of the integration runtime, validated at start. */
@ConfigMapping(prefix = "outpost.runtime")
public interface RuntimeConfig {

  /**
   * The directory of {@code <name>.json} integration files the runtime deploys (the agent's state
   * directory locally, the ConfigMap mount in Kubernetes). By default
   * {@code ${OUTPOST_HOME}/state/integrations}, with {@code OUTPOST_HOME} defaulting to
   * {@code .outpost}.
   */
  @WithDefault("${OUTPOST_HOME:.outpost}/state/integrations")
  Path integrationsDir();

  /**
   * How often the integrations directory is rescanned in addition to file-system events (which
   * miss some ConfigMap symlink swaps). By default every second.
   */
  @WithDefault("1s")
  Duration scanInterval();

  /**
   * The secrets directory: {@code <dir>/<secret>/<key>} holds one value. By default
   * {@code ${OUTPOST_HOME}/secrets}; {@code /etc/outpost/secrets} in Kubernetes.
   */
  @WithDefault("${OUTPOST_HOME:.outpost}/secrets")
  Path secretsDir();

  /**
   * How long an upgrade or a removal waits for in-flight requests of the old version before it
   * stops its routes anyway. By default 30 seconds.
   */
  @WithDefault("30s")
  Duration drainTimeout();

  /**
   * How long after SIGTERM the runtime must have stopped: Camel's stop of the routes gets what is left
   * of it once the HTTP drain ({@code quarkus.shutdown.delay}, then up to {@code quarkus.shutdown.timeout})
   * is over, at least 1 second, and then cuts the exchanges still running (a {@code seda} queue, a
   * timer's exchange). Camel's own {@code camel.main.shutdown-timeout} (45 s) came on top of the
   * drain, and the kubelet's SIGKILL cut the stop short. By default 33 seconds: {@code ./outpost down}
   * kills a component after 35. The agent sets 38 s in the pods it makes (40 s of grace, less 2 for the
   * JVM's exit).
   */
  @WithDefault("33s")
  Duration stopWithin();

  /**
   * How long a request routed to an integration may wait for the response to start before the
   * runtime answers it 504 itself (the exchange runs on to its end; its late response is dropped).
   * A {@code platform-http} endpoint sets its own with Camel's {@code requestTimeout} option
   * (milliseconds). By default 300 seconds, the longest timeout a gateway route may have, so the
   * runtime never gives up on a request the gateway still waits for; at least 1 millisecond.
   */
  @WithDefault("300s")
  Duration requestTimeout();

  /**
   * How many exchanges one integration's HTTP routes may run at once, counting those whose client
   * was already answered 504 and that still run. A request beyond it is answered 503 at once, with
   * {@code Retry-After: 1}: an integration stuck on a backend keeps at most this many worker threads
   * (Quarkus' pool has 200 by default), and the others keep theirs. By default 100; at least 1.
   */
  @WithDefault("100")
  int maxRunningExchanges();

  /**
   * Whether readiness also requires every integration to be {@code Ready}. Off by default: a runtime
   * hosting many integrations (locally) stays ready while one has failed, since the others still
   * serve. The agent turns it on in the pod of a single integration in Kubernetes, so that a rolling
   * update to a version that fails to deploy keeps the old pod serving, as Kubernetes does with any
   * Deployment whose new pods never become ready.
   */
  @WithDefault("false")
  boolean readyRequiresEveryIntegration();

  /** The internal admin API on the management port. */
  Admin admin();

  /** The internal admin API: deploy and remove integrations over HTTP. */
  interface Admin {
    /**
     * The bearer token the admin API requires. The admin API is off when no token is set; a token
     * shorter than 16 characters is refused at start.
     */
    Optional<String> token();
  }

  /** The runtime's telemetry. */
  Telemetry telemetry();

  /** The runtime's telemetry. */
  interface Telemetry {
    /**
     * How many log records a second one integration may send to observability-api, with bursts of
     * twice as many; what it logs past that is left out of the export, counted in
     * {@code outpost_integration_log_records_dropped_total} and told at WARN to its own project (the
     * runtime's own log keeps every line). Locally every integration of every project shares one
     * runtime and one export queue: a flood from one dropped the others' records. The runtime's own
     * records are not counted against any budget. By default 1000; at least 1.
     */
    @WithDefault("1000")
    int logRecordsPerSecond();
  }
}
