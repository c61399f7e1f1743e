package dev.outpost.spec.state;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.outpost.spec.json.Mappers;
import dev.outpost.spec.model.DataPlaneState;
import java.io.InputStream;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The JSON Schema shipped in the jar agrees with the model and the validator. */
class StateSchemaTest {
  static final String RESOURCE = "/outpost-state-v1.schema.json";

  /** Cases the schema cannot express: references between parts, uniqueness, YAML inside a string, heuristics. */
  static final Set<String> VALIDATOR_ONLY = Set.of(
      "duplicate identity provider", "duplicate integration", "source not a list", "source not YAML",
      "source nested deeper than Camel's parser can take", "source with a YAML alias",
      "undeclared secret placeholder", "password in config", "api key in config", "private key in config",
      "token in config", "bearer token in an innocent key", "JWT in config", "password in a backend URL",
      "password in a Camel URI", "route to a missing integration", "route in another project", "duplicate route id",
      "same match twice", "same match escaped otherwise", "jwt with an unknown identity provider", "subject key without jwt",
      "apiKey key without api keys", "mixed encoded dot-dot", "dot-dot hiding another prefix", "dot-dot with a parameter",
      "encoded NUL", "invalid UTF-8", "cpu request above its limit", "memory request above its limit",
      "quantity past any number");

  static JsonNode schemaTree;
  static JsonSchema schema;

  @BeforeAll
  static void load() throws Exception {
    try (InputStream in = StateSchemaTest.class.getResourceAsStream(RESOURCE)) {
      schemaTree = Mappers.JSON.readTree(in);
    }
    schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(schemaTree);
  }

  static List<Path> examples() {
    return Examples.all();
  }

  @ParameterizedTest
  @MethodSource("examples")
  void everyExampleValidates(Path file) throws Exception {
    assertThat(schema.validate(Mappers.YAML.readTree(Examples.text(file)))).isEmpty();
  }

  @Test
  void theWrittenFormOfEveryExampleValidates() throws Exception {
    for (Path file : examples()) {
      assertThat(schema.validate(StateCodec.toTree(StateCodec.readYaml(Examples.text(file))))).isEmpty();
    }
  }

  @Test
  void theBaseOfTheInvalidTableValidates() {
    assertThat(schema.validate(InvalidStates.valid())).isEmpty();
  }

  static List<InvalidStates.Case> cases() {
    return InvalidStates.cases();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void rejectsEveryInvalidCaseItCanExpress(InvalidStates.Case invalid) {
    Set<ValidationMessage> errors = schema.validate(invalid.apply(InvalidStates.valid()));
    if (VALIDATOR_ONLY.contains(invalid.name())) {
      assertThat(errors).as("the schema cannot express this rule, so it accepts the state").isEmpty();
    } else {
      assertThat(errors).as("the schema rejects it").isNotEmpty();
    }
  }

  @Test
  void mostOfTheInvalidTableIsCaughtByTheSchemaAlone() {
    assertThat(cases().size() - VALIDATOR_ONLY.size()).isGreaterThanOrEqualTo(50);
  }

  @Test
  void propertyNamesEqualTheRecordsJsonNamesRecursively() {
    List<String> checked = new ArrayList<>();
    compare(DataPlaneState.class, schemaTree, "DataPlaneState", checked);
    assertThat(checked).contains("DataPlaneState", "DataPlaneState.routes.auth.jwt",
        "DataPlaneState.integrations.secrets", "DataPlaneState.routes.auth.apiKey.keys", "DataPlaneState.telemetry");
  }

  private void compare(Class<?> record, JsonNode node, String where, List<String> checked) {
    JsonNode definition = resolve(node);
    assertThat(definition.path("additionalProperties").asBoolean(true)).as(where + " additionalProperties").isFalse();
    Set<String> schemaNames = new HashSet<>();
    definition.path("properties").fieldNames().forEachRemaining(schemaNames::add);
    Set<String> recordNames = new HashSet<>();
    for (RecordComponent component : record.getRecordComponents()) {
      recordNames.add(jsonName(component));
    }
    assertThat(schemaNames).as("properties of " + where).isEqualTo(recordNames);
    checked.add(where);
    for (RecordComponent component : record.getRecordComponents()) {
      JsonNode property = definition.path("properties").path(jsonName(component));
      Type type = component.getGenericType();
      if (type instanceof Class<?> c && c.isRecord()) {
        compare(c, property, where + "." + jsonName(component), checked);
      } else if (type instanceof ParameterizedType p && p.getRawType() == List.class
          && p.getActualTypeArguments()[0] instanceof Class<?> element && element.isRecord()) {
        compare(element, property.path("items"), where + "." + jsonName(component), checked);
      }
    }
  }

  private static String jsonName(RecordComponent component) {
    JsonProperty annotation = component.getAccessor().getAnnotation(JsonProperty.class);
    return annotation == null ? component.getName() : annotation.value();
  }

  private static JsonNode resolve(JsonNode node) {
    String ref = node.path("$ref").asText("");
    return ref.isEmpty() ? node : schemaTree.at(ref.substring(1));
  }
}
