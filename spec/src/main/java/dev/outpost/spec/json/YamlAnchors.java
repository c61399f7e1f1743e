package dev.outpost.spec.json;

import dev.outpost.spec.state.Violation;
import java.io.StringReader;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.events.AliasEvent;
import org.yaml.snakeyaml.events.CollectionEndEvent;
import org.yaml.snakeyaml.events.Event;
import org.yaml.snakeyaml.events.MappingStartEvent;
import org.yaml.snakeyaml.events.NodeEvent;
import org.yaml.snakeyaml.events.ScalarEvent;
import org.yaml.snakeyaml.events.SequenceStartEvent;

/**
 * Finds the anchors ({@code &name}) and aliases ({@code *name}) of a YAML document, each at its
 * path. Jackson reads an alias as the anchor's name, not as the anchored value ({@code project:
 * *proj} put an integration in project "proj"), and drops a scalar's anchor unseen; SnakeYAML's
 * events keep both. Meant for text the mapper has read: a syntax error ends the search quietly.
 */
public final class YamlAnchors {
  private YamlAnchors() {}

  /** Every anchor and alias: for a document read with {@link Mappers#YAML}, where neither means what its author meant. */
  public static List<Violation> anchorsAndAliases(String yaml) {
    return find(yaml, true);
  }

  /** Every alias. */
  public static List<Violation> aliases(String yaml) {
    return find(yaml, false);
  }

  private static List<Violation> find(String yaml, boolean anchorsToo) {
    LoaderOptions options = new LoaderOptions();
    // the mapper has read this text within its own limits already
    options.setCodePointLimit(Integer.MAX_VALUE);
    Problems found = new Problems();
    Deque<Level> levels = new ArrayDeque<>();
    try {
      for (Event event : new Yaml(options).parse(new StringReader(yaml))) {
        if (event instanceof CollectionEndEvent) {
          levels.pop();
        } else if (event instanceof NodeEvent node) {
          String path = levels.isEmpty() ? "" : levels.peek().pathOf(node);
          String name = node.getAnchor() == null ? null : Quoted.excerpt(node.getAnchor(), Quoted.MAX_CHARACTERS);
          if (node instanceof AliasEvent) {
            found.add(path, "uses a YAML alias (*" + name + "), which is not supported: write the value out");
          } else if (anchorsToo && name != null) {
            found.add(path, "declares a YAML anchor (&" + name + "), which is not supported: write each value out");
          }
          if (node instanceof MappingStartEvent || node instanceof SequenceStartEvent) {
            levels.push(new Level(path, node instanceof MappingStartEvent));
          }
        }
      }
    } catch (YAMLException syntax) {
      // reported by the mapper
    }
    return found.all();
  }

  /** A mapping or sequence being read: where its next node is. */
  private static final class Level {
    private final String path;
    private final boolean mapping;
    private int index;
    private boolean atKey = true;
    private String key;

    Level(String path, boolean mapping) {
      this.path = path;
      this.mapping = mapping;
    }

    /** The path of {@code node}, the next key, value or element here; a key is named by its own path. */
    String pathOf(NodeEvent node) {
      if (!mapping) {
        return Problems.index(path, index++);
      }
      if (atKey) {
        key = node instanceof ScalarEvent scalar ? scalar.getValue() : null;
      }
      atKey = !atKey;
      return key == null ? path : Problems.field(path, key);
    }
  }
}
