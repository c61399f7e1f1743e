package dev.outpost.spec.state;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sets or removes one value in a JSON tree by a violation-style path ({@code routes[0].match.pathPrefix}).
 * Setting index {@code size} of a list appends.
 */
final class TreeEdit {
  private static final Pattern TOKEN = Pattern.compile("([^.\\[\\]]+)|\\[(\\d+)]");

  private TreeEdit() {}

  static void set(JsonNode root, String path, JsonNode value) {
    List<Object> tokens = tokens(path);
    JsonNode parent = root;
    for (Object token : tokens.subList(0, tokens.size() - 1)) {
      parent = token instanceof Integer index ? parent.get(index) : parent.get((String) token);
    }
    Object last = tokens.get(tokens.size() - 1);
    if (last instanceof Integer index) {
      ArrayNode array = (ArrayNode) parent;
      if (index == array.size()) {
        array.add(value);
      } else if (value == null) {
        array.remove(index);
      } else {
        array.set(index, value);
      }
    } else if (value == null) {
      ((ObjectNode) parent).remove((String) last);
    } else {
      ((ObjectNode) parent).set((String) last, value);
    }
  }

  static JsonNode get(JsonNode root, String path) {
    JsonNode node = root;
    for (Object token : tokens(path)) {
      node = token instanceof Integer index ? node.get(index) : node.get((String) token);
    }
    return node;
  }

  private static List<Object> tokens(String path) {
    List<Object> tokens = new ArrayList<>();
    Matcher matcher = TOKEN.matcher(path);
    while (matcher.find()) {
      tokens.add(matcher.group(1) != null ? matcher.group(1) : (Object) Integer.parseInt(matcher.group(2)));
    }
    return tokens;
  }
}
