package dev.outpost.spec.state;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.outpost.spec.json.Mappers;
import dev.outpost.spec.json.Problems;
import dev.outpost.spec.model.DataPlaneState;
import dev.outpost.spec.model.Integration;
import dev.outpost.spec.model.RoutingTable;
import dev.outpost.spec.model.Telemetry;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Reads and writes the documents of the spec: a {@link DataPlaneState} (JSON or YAML), a {@link
 * RoutingTable} ({@code routes.json}), a single {@link Integration} ({@code <name>.json}) and the
 * {@link Telemetry} settings ({@code telemetry.json}).
 *
 * <p>Every read applies the defaults and validates completely: it either returns a valid object or
 * throws {@link InvalidStateException} carrying every problem found (structural ones such as wrong
 * types and unknown fields, then semantic ones), each with its path. Writing never fails for a
 * model that was read; output is pretty-printed, omits absent optional values and writes every
 * defaulted value explicitly.
 */
public final class StateCodec {
  private StateCodec() {}

  public static DataPlaneState readJson(String json) throws InvalidStateException {
    return read(Parsing.parse(Mappers.JSON, json, "JSON"));
  }

  public static DataPlaneState readYaml(String yaml) throws InvalidStateException {
    return read(Parsing.parseYaml(yaml));
  }

  public static DataPlaneState read(JsonNode tree) throws InvalidStateException {
    return readValidated(tree, StateTreeReader::state, StateValidator::validate);
  }

  public static RoutingTable readRoutingTable(String json) throws InvalidStateException {
    return readValidated(Parsing.parse(Mappers.JSON, json, "JSON"), StateTreeReader::routingTable, StateValidator::validate);
  }

  public static Integration readIntegration(String json) throws InvalidStateException {
    return readValidated(Parsing.parse(Mappers.JSON, json, "JSON"), StateTreeReader::integration, StateValidator::validate);
  }

  /** {@code telemetry.json}: the state's telemetry settings, which observability-api applies. */
  public static Telemetry readTelemetry(String json) throws InvalidStateException {
    return readValidated(Parsing.parse(Mappers.JSON, json, "JSON"), StateTreeReader::telemetryDocument,
        StateValidator::validate);
  }

  public static String toJson(Telemetry telemetry) {
    return write(Mappers.JSON, telemetry);
  }

  public static String toJson(DataPlaneState state) {
    return write(Mappers.JSON, state);
  }

  public static String toYaml(DataPlaneState state) {
    return write(Mappers.YAML, state);
  }

  public static JsonNode toTree(DataPlaneState state) {
    return Mappers.JSON.valueToTree(state);
  }

  public static String toJson(RoutingTable table) {
    return write(Mappers.JSON, table);
  }

  public static String toJson(Integration integration) {
    return write(Mappers.JSON, integration);
  }

  private static <T> T readValidated(
      JsonNode tree, BiFunction<JsonNode, Problems, T> reader, Function<T, List<Violation>> validator)
      throws InvalidStateException {
    Problems problems = new Problems();
    T value = reader.apply(tree, problems);
    Problems all = new Problems();
    all.addAll(problems.all());
    // Semantic rules need well-typed records; with structural problems the record may be partial,
    // but its present parts can still be checked so that one pass reports everything. Not when a
    // list lost an element: its later elements' indices are no longer the document's, and their
    // problems would be reported at their neighbours' paths.
    if (value != null && !problems.elementsDropped()) {
      Set<String> structural = problems.all().stream().map(Violation::path).collect(Collectors.toSet());
      all.addAll(validator.apply(value).stream().filter(violation -> !coveredBy(violation, structural)).toList());
    }
    if (!all.isEmpty()) {
      throw new InvalidStateException(all.all());
    }
    return value;
  }

  /**
   * A semantic violation at or under a path that already has a structural one adds nothing. Looks
   * up the path's own prefixes rather than scanning every structural problem: a state with many
   * problems would otherwise take time quadratic in their number.
   */
  private static boolean coveredBy(Violation violation, Set<String> structuralPaths) {
    String path = violation.path();
    if (structuralPaths.contains(path)) {
      return true;
    }
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if ((c == '.' || c == '[') && structuralPaths.contains(path.substring(0, i))) {
        return true;
      }
    }
    return false;
  }

  private static String write(ObjectMapper mapper, Object value) {
    try {
      return mapper.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException("cannot serialise " + value.getClass().getSimpleName(), e);
    }
  }
}
