package dev.outpost.spec.model;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import java.util.Map;

/**
 * One integration: Apache Camel routes in the YAML DSL, with their configuration.
 *
 * <p>Secret values never appear here: {@code secrets} only names them. The runtime resolves
 * {@code {{secret.NAME.KEY}}} placeholders in the source from the data plane's own secret store, and
 * {@code {{config.KEY}}} from {@code config}.
 *
 * @param name unique within the state (a DNS-1123 label: it becomes Kubernetes object names)
 * @param project the project that owns it (a DNS-1123 label); its telemetry is stored under it
 * @param version the version being deployed ({@code [A-Za-z0-9._-]}, at most 63 characters)
 * @param source the Camel YAML DSL source
 * @param config plain configuration entries, exposed as {@code config.KEY}
 * @param secrets the secrets the source may reference, by reference only
 * @param replicas how many runtime replicas to run (Kubernetes); default 1, 0 to 20
 * @param resources compute resources per replica (Kubernetes quantities); optional
 */
@JsonPropertyOrder({"name", "project", "version", "source", "config", "secrets", "replicas", "resources"})
public record Integration(
    String name,
    String project,
    String version,
    String source,
    Map<String, String> config,
    List<SecretRef> secrets,
    int replicas,
    Resources resources) {

  public static final int DEFAULT_REPLICAS = 1;

  public Integration {
    config = config == null ? Map.of() : Map.copyOf(config);
    secrets = secrets == null ? List.of() : List.copyOf(secrets);
  }
}
