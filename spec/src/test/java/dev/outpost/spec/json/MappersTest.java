package dev.outpost.spec.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

class MappersTest {
  static final int MIB = 1024 * 1024;

  /** A YAML document of {@code chars} characters or more, in short lines: a map of many entries. */
  static String manyShortLines(int chars) {
    StringBuilder yaml = new StringBuilder(chars + 64).append("config:\n");
    for (int i = 0; yaml.length() < chars; i++) {
      yaml.append("  key-").append(i).append(": value-").append(i).append('\n');
    }
    return yaml.toString();
  }

  /**
   * The control plane and {@code ./outpost deploy} take 10 MiB bodies, and JSON up to that; SnakeYAML's
   * default limit refused YAML past 3 Mi characters ("exceeds the limit: 3145728 code points").
   */
  @Test
  void aYamlDocumentOfManyShortLinesIsReadUpToTheBodyLimit() throws Exception {
    JsonNode tree = Mappers.YAML.readTree(manyShortLines(5 * MIB));
    assertThat(tree.path("config").size()).isGreaterThan(200_000);
    assertThat(tree.path("config").path("key-199999").asText()).isEqualTo("value-199999");
  }

  @Test
  void aYamlDocumentLargerThanAnyBodyIsStillRefused() {
    assertThatThrownBy(() -> Mappers.YAML.readTree(manyShortLines(11 * MIB)))
        .hasMessageContaining("exceeds the limit");
  }
}
