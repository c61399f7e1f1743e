package dev.outpost.spec.json;

import dev.outpost.spec.state.Violation;
import java.io.StringReader;
import java.util.ArrayList;
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
 * A path is spelt only for what is reported, each key cut short: spelt for every node, with keys of
 * any length, a source under 1 MB took hundreds of MB and time growing with its size squared.
 */
public final class YamlAnchors {
  /** A reported path's length at most: enough to find the place. */
  static final int MAX_PATH = 200;

  private YamlAnchors() {}

  /** Every anchor and alias: for a document read with {@link Mappers#YAML}, where neither means what its author meant. */
  public static List<Violation> anchorsAndAliases(String yaml) {
    Problems found = new Problems();
    find(yaml, true, found);
    return found.all();
  }

  /** Whether the document holds an alias; stops at the first. */
  public static boolean hasAlias(String yaml) {
    return find(yaml, false, null);
  }

  /** Reports to {@code found}, or, without it, returns true at the first alias. */
  private static boolean find(String yaml, boolean anchorsToo, Problems found) {
    LoaderOptions options = new LoaderOptions();
    // the mapper has read this text within its own limits already
    options.setCodePointLimit(Integer.MAX_VALUE);
    List<Level> levels = new ArrayList<>();
    try {
      for (Event event : new Yaml(options).parse(new StringReader(yaml))) {
        if (event instanceof CollectionEndEvent) {
          levels.remove(levels.size() - 1);
        } else if (event instanceof NodeEvent node) {
          String segment = levels.isEmpty() ? "" : levels.get(levels.size() - 1).next(node);
          if (node instanceof AliasEvent) {
            if (found == null) {
              return true;
            }
            found.add(path(levels, segment), "uses a YAML alias (*" + name(node) + "), which is not supported: write the value out");
          } else if (anchorsToo && node.getAnchor() != null) {
            found.add(path(levels, segment), "declares a YAML anchor (&" + name(node) + "), which is not supported: write each value out");
          }
          if (node instanceof MappingStartEvent || node instanceof SequenceStartEvent) {
            levels.add(new Level(segment, node instanceof MappingStartEvent));
          }
        }
      }
    } catch (YAMLException syntax) {
      // reported by the mapper
    }
    return false;
  }

  private static String name(NodeEvent node) {
    return Quoted.excerpt(node.getAnchor(), Quoted.MAX_CHARACTERS);
  }

  /** The path of a node at {@code segment} below {@code levels}, cut to {@link #MAX_PATH} characters. */
  private static String path(List<Level> levels, String segment) {
    StringBuilder path = new StringBuilder();
    for (int i = 1; i <= levels.size() && path.length() <= MAX_PATH; i++) {
      append(path, i < levels.size() ? levels.get(i).segment : segment);
    }
    return path.length() > MAX_PATH ? path.substring(0, MAX_PATH) + "…" : path.toString();
  }

  private static void append(StringBuilder path, String segment) {
    if (!segment.isEmpty() && !segment.startsWith("[") && path.length() > 0) {
      path.append('.');
    }
    path.append(segment);
  }

  /** A mapping or sequence being read: where it is in its parent, and where its next node is. */
  private static final class Level {
    /** Its own place in its parent: a key (cut short) or {@code [index]}; empty for the root. */
    private final String segment;
    private final boolean mapping;
    private int index;
    private boolean atKey = true;
    private String key;

    Level(String segment, boolean mapping) {
      this.segment = segment;
      this.mapping = mapping;
    }

    /** The segment of {@code node}, the next key, value or element here; a key is named by its own path. */
    String next(NodeEvent node) {
      if (!mapping) {
        return "[" + index++ + "]";
      }
      if (atKey) {
        key = node instanceof ScalarEvent scalar ? Quoted.excerpt(scalar.getValue(), Quoted.MAX_CHARACTERS) : "";
      }
      atKey = !atKey;
      return key;
    }
  }
}
