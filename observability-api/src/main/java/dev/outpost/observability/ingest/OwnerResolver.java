package dev.outpost.observability.ingest;

import dev.outpost.observability.store.Owner;
import java.util.Map;

/**
 * Resolves a record's owner as ARCHITECTURE.md ("Telemetry attributes") says: record attributes
 * first, then resource attributes; an integration token's binding wins over both.
 */
final class OwnerResolver {

  static final String PROJECT = "outpost.project";
  static final String INTEGRATION = "outpost.integration";
  static final String INTEGRATION_VERSION = "outpost.integration.version";
  static final String ROUTE = "outpost.route";
  static final String SERVICE = "service.name";
  static final String EVENT = "event.name";

  private OwnerResolver() {}

  /** The longest project name a record may carry: a name, never a text (and it must fit one index term). */
  static final int MAX_PROJECT_LENGTH = 256;
  /** Why {@link #resolve} found no owner, for the OTLP partial_success message. */
  static final String NO_PROJECT = "without an outpost.project attribute (of at most " + MAX_PROJECT_LENGTH + " characters)";

  /** The owner, or null when no project (short enough to be searched by) can be found. */
  static Owner resolve(Map<String, String> record, Map<String, String> resource, IngestBinding binding) {
    String project = binding.bindsProject() ? binding.project() : first(PROJECT, record, resource);
    if (project.isEmpty() || project.length() > MAX_PROJECT_LENGTH) {
      return null;
    }
    String integration = binding.bindsProject() ? binding.integration() : first(INTEGRATION, record, resource);
    String service = first(SERVICE, record, resource);
    return new Owner(service.isEmpty() ? "unknown_service" : service, project, integration,
        first(INTEGRATION_VERSION, record, resource), first(ROUTE, record, resource));
  }

  static String first(String key, Map<String, String> record, Map<String, String> resource) {
    String value = record.get(key);
    if (value == null || value.isEmpty()) {
      value = resource.get(key);
    }
    return value == null ? "" : value;
  }
}
