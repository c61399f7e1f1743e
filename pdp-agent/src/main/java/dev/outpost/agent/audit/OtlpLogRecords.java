package dev.outpost.agent.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * Audit events as an OTLP/HTTP JSON {@code ExportLogsServiceRequest} (int64 as strings, enums as
 * integers), with the attributes ARCHITECTURE.md fixes: {@code service.name} on the resource,
 * {@code event.name} and {@code outpost.project} on each record.
 */
public final class OtlpLogRecords {
  static final String SERVICE_NAME = "outpost-pdp-agent";
  private static final int SEVERITY_INFO = 9;
  private static final int SEVERITY_WARN = 13;
  private static final ObjectMapper JSON = new ObjectMapper();

  private OtlpLogRecords() {}

  public static String toJson(List<AuditEvent> events, String instanceId) {
    ObjectNode request = JSON.createObjectNode();
    ObjectNode resourceLogs = request.putArray("resourceLogs").addObject();
    ArrayNode resource = resourceLogs.putObject("resource").putArray("attributes");
    attribute(resource, "service.name", SERVICE_NAME);
    attribute(resource, "service.instance.id", instanceId);
    ObjectNode scopeLogs = resourceLogs.putArray("scopeLogs").addObject();
    scopeLogs.putObject("scope").put("name", "dev.outpost.agent.audit");
    ArrayNode records = scopeLogs.putArray("logRecords");
    for (AuditEvent event : events) {
      ObjectNode record = records.addObject();
      String nanos = Long.toString(event.at().getEpochSecond() * 1_000_000_000L + event.at().getNano());
      record.put("timeUnixNano", nanos);
      record.put("observedTimeUnixNano", nanos);
      record.put("severityNumber", event.accepted() ? SEVERITY_INFO : SEVERITY_WARN);
      record.put("severityText", event.accepted() ? "INFO" : "WARN");
      record.putObject("body").put("stringValue", event.summary());
      ArrayNode attributes = record.putArray("attributes");
      attribute(attributes, "event.name", event.eventName());
      attribute(attributes, "outpost.project", AuditEvent.PROJECT);
      attribute(attributes, "outpost.data_plane", event.dataPlane());
      ObjectNode revision = attributes.addObject().put("key", "outpost.revision");
      revision.putObject("value").put("intValue", Long.toString(event.revision()));
      if (!event.reasons().isEmpty()) {
        ObjectNode reasons = attributes.addObject().put("key", "outpost.snapshot.reasons");
        ArrayNode values = reasons.putObject("value").putObject("arrayValue").putArray("values");
        event.reasons().forEach(r -> values.addObject().put("stringValue", r));
      }
    }
    return request.toString();
  }

  private static void attribute(ArrayNode attributes, String key, String value) {
    attributes.addObject().put("key", key).putObject("value").put("stringValue", value == null ? "" : value);
  }
}
