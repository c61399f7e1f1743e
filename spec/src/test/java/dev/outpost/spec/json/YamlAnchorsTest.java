package dev.outpost.spec.json;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.spec.state.Violation;
import java.util.List;
import org.junit.jupiter.api.Test;

class YamlAnchorsTest {

  /**
   * Keys of any length, nested: each reported path is cut short. Every node's path was spelt in
   * full, kept for each alias reported: a source of 4 nested keys of 200,000 characters and 1,000
   * aliases, under 1 MB, ran a 300 MB heap out of memory.
   */
  @Test
  void pathsUnderLongKeysAreCutShort() {
    String key = "k".repeat(20_000);
    // explicit keys ("? "): an implicit one is at most 1024 characters
    StringBuilder yaml = new StringBuilder("- &a x\n- ? ").append(key).append("\n  : ? ").append(key).append("\n    :\n");
    for (int i = 0; i < 200; i++) {
      yaml.append("      - *a\n");
    }
    List<Violation> found = YamlAnchors.anchorsAndAliases(yaml.toString());
    assertThat(found).hasSize(201);
    assertThat(found).allSatisfy(v -> assertThat(v.path().length()).isLessThanOrEqualTo(YamlAnchors.MAX_PATH + 1));
    assertThat(found.get(0)).isEqualTo(new Violation("[0]", "declares a YAML anchor (&a), which is not supported: write each value out"));
    String cut = "k".repeat(Quoted.MAX_CHARACTERS) + "…";
    assertThat(found.get(1).path()).isEqualTo("[1]." + cut + "." + cut + "[0]");
    assertThat(YamlAnchors.hasAlias(yaml.toString())).isTrue();
  }

  @Test
  void pathsNameKeysAndIndexes() {
    List<Violation> found = YamlAnchors.anchorsAndAliases("""
        integrations:
          - name: a
            project: &p demo
          - name: b
            project: *p
        """);
    assertThat(found).extracting(Violation::path).containsExactly("integrations[0].project", "integrations[1].project");
    assertThat(YamlAnchors.hasAlias("a: '&x *y'\nb: |\n  *notalias &no\n")).isFalse();
  }
}
