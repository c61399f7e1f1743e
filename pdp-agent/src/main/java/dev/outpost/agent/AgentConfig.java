package dev.outpost.agent;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The agent's configuration ({@code outpost.agent.*}). Relative paths resolve against {@code home}.
 * Checked at start by {@link AgentConfigCheck}.
 */
@ConfigMapping(prefix = "outpost.agent")
public interface AgentConfig {

  /** The local data plane's home ({@code $OUTPOST_HOME}): state, secrets and the applied snapshot. */
  @WithDefault("${OUTPOST_HOME:.outpost}")
  Path home();

  /** This data plane's id: snapshots for another data plane are refused. */
  @WithDefault("local")
  String dataPlane();

  /** Where desired state lands: {@code local} (the state directory) or {@code kubernetes}. */
  @WithDefault("local")
  String target();

  /**
   * How often the enforced state is reconciled again, correcting drift and trying again a
   * correction that failed. A newer revision whose apply failed is tried again by {@link #applyRetry}.
   * Drift is put back within seconds by the drift watch (informers in Kubernetes, a file watch on
   * {@code state/} locally); this is the fallback for what a watch misses.
   */
  @WithDefault("60s")
  Duration resyncInterval();

  ApplyRetry applyRetry();

  /**
   * A revision whose apply failed in a way that may pass if tried again (a missing Secret, an API
   * server's 5xx, 429 or 409, an I/O error) is tried again, while it is the newest revision: first
   * after {@code first-interval}, then after twice as long each time, at most {@code max-interval}.
   * A refusal for what an object is (422, 403) is not tried again.
   */
  interface ApplyRetry {
    /** The wait after the first failure. */
    @WithDefault("10s")
    Duration firstInterval();

    /** The longest wait: a revision that keeps failing rolls the integrations before its failure out and back this often. */
    @WithDefault("5m")
    Duration maxInterval();
  }

  /** How often status is observed (and sent when it changed). */
  @WithDefault("10s")
  Duration statusInterval();

  ControlPlane controlPlane();

  Audit audit();

  Status status();

  Kubernetes kubernetes();

  interface ControlPlane {
    /** The control plane's WebSocket endpoint: {@code wss://}, or {@code ws://} to this machine (loopback) only. */
    @WithDefault("ws://127.0.0.1:7070/v1/connect")
    URI url();

    /** The data plane's bearer token; when absent, read from {@code token-file}. */
    Optional<String> token();

    /** File holding the data plane's bearer token (relative to home). */
    @WithDefault("secrets/outpost/dataplane-token")
    Path tokenFile();

    /**
     * The pinned control-plane public key (PEM or raw base64); when absent, read from the file.
     * Several keys (PEM blocks one after the other, or raw keys separated by commas or white space)
     * are all trusted: pin the old and the new key while the control plane rotates its signing key.
     */
    Optional<String> publicKey();

    /** File holding the pinned control-plane public key or keys, PEM (relative to home). */
    @WithDefault("secrets/outpost/control-plane.pub")
    Path publicKeyFile();

    /** Extra PEM certificates to trust for {@code wss://}; by default only the JVM's. */
    Optional<Path> caFile();

    /**
     * An HTTP CONNECT proxy, {@code http://host:port}, or {@code http://user:password@host:port}
     * (percent-encoded) for one that asks for them; by default none.
     */
    Optional<URI> proxy();

    /** How often the agent pings the control plane (PROTOCOL.md: 30 seconds). */
    @WithDefault("30s")
    Duration pingInterval();

    /**
     * Silence after which the connection is presumed dead and replaced (PROTOCOL.md: 90 seconds): not
     * a byte read for that long, a large frame arriving slowly being no silence.
     */
    @WithDefault("90s")
    Duration livenessTimeout();
  }

  interface Audit {
    /**
     * Whether audit records are sent; off where no observability-api is installed (the chart's
     * observability.enabled=false), so nothing queues and retries towards an endpoint nobody serves.
     */
    @WithDefault("true")
    boolean enabled();

    /** observability-api's OTLP/HTTP base URL; audit records are sent to {@code <endpoint>/v1/logs}. */
    @WithDefault("http://127.0.0.1:4318")
    URI endpoint();

    /** The ingest bearer token; when absent, read from {@code token-file}. */
    Optional<String> token();

    /** File holding the ingest token (relative to home); no token is sent when it does not exist. */
    @WithDefault("secrets/outpost/ingest-token")
    Path tokenFile();

    /** Undelivered audit records kept at most while observability-api is unreachable. */
    @WithDefault("10000")
    int queueCapacity();
  }

  interface Status {
    /** The integration runtime's management port (local target). */
    @WithDefault("http://127.0.0.1:9001")
    URI runtimeManagement();
  }

  /** The gateway's {@code GET /outpost/routes} on its management port: the revision it serves. */
  @WithDefault("http://127.0.0.1:9000/outpost/routes")
  Optional<URI> gatewayStatusUrl();

  LeaderElection leaderElection();

  interface LeaderElection {
    /** Whether replicas elect a leader on a Lease (Kubernetes only); only the leader applies. */
    @WithDefault("true")
    boolean enabled();

    /** The Lease's name, a DNS subdomain (the API server refuses others; checked at start). */
    @WithDefault("outpost-agent")
    String leaseName();

    /** The Lease duration; a crashed leader is replaced after at most this long. */
    @WithDefault("15s")
    Duration leaseDuration();
  }

  interface Kubernetes {
    /** The namespace the agent manages (its own); by default the client's (the pod's) namespace. */
    Optional<String> namespace();

    /** The integration-runtime image each integration Deployment runs. */
    @WithDefault("ghcr.io/outpost/integration-runtime:0.1.0")
    String runtimeImage();

    /** The image pull policy of integration Deployments. */
    @WithDefault("IfNotPresent")
    String imagePullPolicy();

    /**
     * The runtime template the Helm chart mounts ({@code runtime.json}: image, pull policy and
     * secrets, default resources, security contexts, pod labels, secrets mount path, OTLP endpoint);
     * it overrides the two keys above. By default none.
     */
    Optional<Path> runtimeTemplate();

    /**
     * Secrets no integration may declare, because mounted into its pod they would hand it the data
     * plane's credentials: the chart sets its control-plane Secret (names such as outpost-* are
     * refused by spec already). By default none.
     */
    Optional<List<String>> reservedSecrets();

    /**
     * Whether ConfigMap outpost-namespace-claim must exist for the agent to write. The chart renders
     * it and sets this: every object the agent writes is owned by it, so once it is gone (and with
     * it, through garbage collection, those objects) nothing is written again without an owner
     * until Helm puts it back. Off by default, for installs without the chart.
     */
    @WithDefault("false")
    boolean namespaceClaimRequired();
  }

  /** The capabilities announced in {@code hello}. */
  default List<String> capabilities() {
    return List.of(target(), "status-ack");
  }
}
