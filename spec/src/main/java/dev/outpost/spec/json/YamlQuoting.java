package dev.outpost.spec.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.fasterxml.jackson.dataformat.yaml.util.StringQuotingChecker;
import java.util.Iterator;

/**
 * Decides which YAML strings to quote: Jackson's own rules, plus any plain scalar that would not
 * read back as the same string (Jackson misses {@code 0x1F}, {@code 1_000}, {@code .inf}, which
 * YAML reads as numbers). Multi-line strings are left to the literal block style.
 */
final class YamlQuoting extends StringQuotingChecker {
  private static final long serialVersionUID = 1L;
  private static final YAMLMapper PLAIN = new YAMLMapper();
  private final StringQuotingChecker jackson = StringQuotingChecker.Default.instance();

  @Override
  public boolean needToQuoteName(String name) {
    if (jackson.needToQuoteName(name)) {
      return true;
    }
    JsonNode read = readBack(name + ": x");
    Iterator<String> names = read == null ? null : read.fieldNames();
    return names == null || !names.hasNext() || !name.equals(names.next());
  }

  @Override
  public boolean needToQuoteValue(String value) {
    if (jackson.needToQuoteValue(value)) {
      return true;
    }
    if (value.indexOf('\n') >= 0) {
      return false;
    }
    JsonNode read = readBack("v: " + value);
    JsonNode v = read == null ? null : read.get("v");
    return v == null || !v.isTextual() || !value.equals(v.textValue());
  }

  private static JsonNode readBack(String yaml) {
    try {
      return PLAIN.readTree(yaml);
    } catch (JsonProcessingException | RuntimeException e) {
      return null;
    }
  }
}
