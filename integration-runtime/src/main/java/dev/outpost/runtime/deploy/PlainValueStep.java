package dev.outpost.runtime.deploy;

import java.util.Optional;
import org.apache.camel.dsl.yaml.common.YamlDeserializerBase;
import org.apache.camel.dsl.yaml.common.YamlDeserializerEndpointAwareBase;
import org.apache.camel.dsl.yaml.deserializers.ModelDeserializersResolver;
import org.snakeyaml.engine.v2.api.ConstructNode;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * The first step of a source written as a plain value ({@code - wireTap: seda:audit}) that Camel's
 * YAML DSL takes only with its options written out: its deserializer then throws an {@code
 * UnsupportedOperationException} that names neither the step nor its line. Read from the source with
 * Camel's own YAML parser and deserializers: those that take a plain value say so by how they make
 * their step ({@code newInstance(String)}).
 *
 * @param name the step as written ({@code wireTap})
 * @param line its line in the source, from 1
 * @param column its column, from 1
 * @param endpoint whether its options include a {@code uri}
 */
record PlainValueStep(String name, int line, int column, boolean endpoint) {

  private static final ModelDeserializersResolver STEPS = new ModelDeserializersResolver();

  /** The first such step in {@code source}, if the parser finds one. */
  static Optional<PlainValueStep> in(String source) {
    try {
      return new Compose(LoadSettings.builder().build()).composeString(source).flatMap(PlainValueStep::in);
    } catch (RuntimeException unreadable) {
      return Optional.empty(); // Camel's own message stands
    }
  }

  /** What the author reads: the step, where it is, and how to write it. */
  String message() {
    return "step " + name + " (line " + line + ", column " + column + ") is given as a plain value, which Camel's"
        + " YAML DSL does not take for it: write its options out" + (endpoint
            ? ", its uri: on a line of its own (" + name + ":, then uri: indented below it)"
            : ", each on a line of its own");
  }

  private static Optional<PlainValueStep> in(Node node) {
    if (node instanceof SequenceNode sequence) {
      for (Node item : sequence.getValue()) {
        Optional<PlainValueStep> found = in(item);
        if (found.isPresent()) {
          return found;
        }
      }
    } else if (node instanceof MappingNode mapping) {
      for (NodeTuple tuple : mapping.getValue()) {
        Optional<PlainValueStep> found = isSteps(tuple) ? inSteps((SequenceNode) tuple.getValueNode())
            : in(tuple.getValueNode());
        if (found.isPresent()) {
          return found;
        }
      }
    }
    return Optional.empty();
  }

  private static boolean isSteps(NodeTuple tuple) {
    return tuple.getKeyNode() instanceof ScalarNode key && key.getValue().equals("steps")
        && tuple.getValueNode() instanceof SequenceNode;
  }

  private static Optional<PlainValueStep> inSteps(SequenceNode steps) {
    for (Node step : steps.getValue()) {
      if (step instanceof MappingNode mapping && mapping.getValue().size() == 1) {
        NodeTuple tuple = mapping.getValue().get(0);
        if (tuple.getKeyNode() instanceof ScalarNode key && tuple.getValueNode() instanceof ScalarNode) {
          ConstructNode deserializer = STEPS.resolve(key.getValue());
          if (deserializer != null && !takesPlainValue(deserializer)) {
            int line = key.getStartMark().map(mark -> mark.getLine() + 1).orElse(0);
            int column = key.getStartMark().map(mark -> mark.getColumn() + 1).orElse(0);
            return Optional.of(new PlainValueStep(key.getValue(), line, column,
                deserializer instanceof YamlDeserializerEndpointAwareBase));
          }
        }
      }
      Optional<PlainValueStep> nested = in(step);
      if (nested.isPresent()) {
        return nested;
      }
    }
    return Optional.empty();
  }

  /** Whether the deserializer makes its step from a plain value: it overrides the base's refusal. */
  private static boolean takesPlainValue(ConstructNode deserializer) {
    for (Class<?> type = deserializer.getClass(); type != null; type = type.getSuperclass()) {
      if (type == YamlDeserializerBase.class) {
        return false;
      }
      try {
        type.getDeclaredMethod("newInstance", String.class);
        return true;
      } catch (NoSuchMethodException notHere) {
        // its superclass, then
      }
    }
    return true; // not one of Camel's model deserializers: nothing known against it
  }
}
