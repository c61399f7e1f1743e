package dev.outpost.agent.targets;

/** The names and labels of what the agent creates in Kubernetes (ARCHITECTURE.md). */
public final class KubernetesNames {
  public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
  public static final String AGENT = "outpost-agent";
  public static final String INTEGRATION_LABEL = "outpost.dev/integration";
  public static final String PROJECT_LABEL = "outpost.dev/project";
  public static final String COMPONENT = "app.kubernetes.io/component";
  public static final String ROUTES_CONFIG_MAP = "outpost-gateway-routes";
  public static final String ROUTES_KEY = "routes.json";
  /** Mounted into observability-api, which applies the retention it holds. */
  public static final String TELEMETRY_CONFIG_MAP = "outpost-telemetry";
  public static final String TELEMETRY_KEY = "telemetry.json";
  public static final String APPLIED_SECRET = "outpost-agent-applied";
  /** One key per integration, its OTLP ingest token; each pod reads only its own key. */
  public static final String INGEST_TOKENS_SECRET = "outpost-integration-tokens";
  public static final int SERVICE_PORT = 80;
  /** The runtime's HTTP port in an integration's pod (the agent sets it: the runtime's own default is 8081). */
  public static final int CONTAINER_PORT = 8080;
  /** The runtime's management port (health, metrics, status): its default, set explicitly too. */
  public static final int MANAGEMENT_PORT = 9001;

  private KubernetesNames() {}

  /** Deployment, Service and ConfigMap of integration {@code name}. */
  public static String objectName(String integration) {
    return "int-" + integration;
  }

  /**
   * The ConfigMap of one version of integration {@code name}'s document, named by its content
   * ({@code int-<name>-<first 10 hex of its SHA-256>}): a pod of an older version never mounts a newer
   * one, not even when it restarts or is replaced in the middle of a rollout.
   */
  public static String documentConfigMap(String integration, String documentSha256) {
    return "int-" + integration + "-" + documentSha256.substring(0, 10);
  }

  /** The ConfigMap key holding the integration document. */
  public static String integrationKey(String integration) {
    return integration + ".json";
  }
}
