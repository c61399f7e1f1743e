package dev.outpost.spec.state;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outpost.spec.json.ObjectFields;
import dev.outpost.spec.json.Problems;
import dev.outpost.spec.model.DataPlaneState;
import dev.outpost.spec.model.IdentityProvider;
import dev.outpost.spec.model.Integration;
import dev.outpost.spec.model.RoutingTable;
import dev.outpost.spec.model.Telemetry;
import java.util.List;

/**
 * Turns a JSON tree into the model: types, required fields, unknown fields and defaults. Every
 * structural problem goes to {@link Problems}; semantic rules are {@link StateValidator}'s job.
 * The returned object is partial when problems were found and must then be discarded.
 */
final class StateTreeReader {
  private StateTreeReader() {}

  static DataPlaneState state(JsonNode root, Problems problems) {
    return ObjectFields.of(root, "", problems).map(fields -> {
      DataPlaneState state = new DataPlaneState(
          fields.requiredString("apiVersion"),
          fields.requiredLong("revision"),
          fields.requiredString("dataPlane"),
          fields.objectList("identityProviders", StateTreeReader::identityProvider),
          fields.objectList("integrations", IntegrationTreeReader::integration),
          fields.objectList("routes", RouteTreeReader::route),
          fields.optionalObject("telemetry", StateTreeReader::telemetry));
      fields.finish();
      return state;
    }).orElse(null);
  }

  static RoutingTable routingTable(JsonNode root, Problems problems) {
    return ObjectFields.of(root, "", problems).map(fields -> {
      RoutingTable table = new RoutingTable(
          fields.requiredLong("revision"),
          fields.objectList("identityProviders", StateTreeReader::identityProvider),
          fields.objectList("routes", RouteTreeReader::route));
      fields.finish();
      return table;
    }).orElse(null);
  }

  static Integration integration(JsonNode root, Problems problems) {
    return ObjectFields.of(root, "", problems).map(IntegrationTreeReader::integration).orElse(null);
  }

  static IdentityProvider identityProvider(ObjectFields fields) {
    String name = fields.requiredString("name");
    String issuer = fields.requiredString("issuer");
    String jwksUri = fields.requiredString("jwksUri");
    List<String> audiences = fields.stringList("audiences");
    List<String> algorithms = fields.stringList("algorithms");
    if (fields.isEmptyList("algorithms")) {
      fields.problems().add(fields.pathOf("algorithms"), "must not be empty (omit it to accept RS256 only)");
    }
    IdentityProvider provider = new IdentityProvider(name, issuer, jwksUri, audiences, algorithms,
        fields.intOr("clockSkewSeconds", IdentityProvider.DEFAULT_CLOCK_SKEW_SECONDS));
    fields.finish();
    return provider;
  }

  static Telemetry telemetryDocument(JsonNode root, Problems problems) {
    return ObjectFields.of(root, "", problems).map(StateTreeReader::telemetry).orElse(null);
  }

  static Telemetry telemetry(ObjectFields fields) {
    Telemetry telemetry = new Telemetry(
        fields.intOr("logsRetentionDays", Telemetry.DEFAULT_RETENTION_DAYS),
        fields.intOr("tracesRetentionDays", Telemetry.DEFAULT_RETENTION_DAYS));
    fields.finish();
    return telemetry;
  }
}
