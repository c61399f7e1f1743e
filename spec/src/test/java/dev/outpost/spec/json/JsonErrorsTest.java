package dev.outpost.spec.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.spec.state.InvalidStateException;
import dev.outpost.spec.state.StateCodec;
import org.junit.jupiter.api.Test;

/** A document that does not parse is told so plainly: Jackson's class and setting names were in the 400s. */
class JsonErrorsTest {

  @Test
  void twoDocumentsAreRefusedWithoutJacksonsNames() {
    assertMessage("{\"revision\": 1} {\"revision\": 2}", "not valid JSON: more than one document, or text after the first value", true);
  }

  @Test
  void aDocumentNestedTooDeeplyIsRefusedWithoutJacksonsNames() {
    assertMessage("{\"x\":" + "[".repeat(1200) + "]".repeat(1200) + "}", "not valid JSON: nested too deeply (at most 1000 levels)", false);
  }

  @Test
  void limitsAndFeaturesAreNotNamedByJacksonsSettings() {
    assertMessage("{\"revision\": " + "1".repeat(1001) + "}", "not valid JSON: Number value length (1001) exceeds the maximum allowed (1000)", false);
    assertMessage("{\"" + "k".repeat(50_001) + "\": 1}", "not valid JSON: Name length (50001) exceeds the maximum allowed (50000)", false);
    assertMessage("{\"revision\": NaN}", "not valid JSON: Non-standard token 'NaN' (line 1", true);
    assertMessage("{/*c*/}", "not valid JSON: Unexpected character ('/' (code 47)): maybe a (non-standard) comment? (line 1", true);
  }

  @Test
  void otherSyntaxErrorsKeepJacksonsWordsAndThePlace() {
    assertMessage("{\"revision\": }", "not valid JSON: Unexpected character ('}' (code 125))", true);
  }

  /**
   * SnakeYAML says what it found on a later line than the context it names: the first line alone
   * ("while scanning for the next token") hid the problem and pointed at the wrong place.
   */
  @Test
  void yamlErrorsSayWhatWasFoundAndWhere() {
    assertYaml("revision: 1\n\tintegrations: []\n",
        "not valid YAML: while scanning for the next token: found character '\\t(TAB)' that cannot start any token",
        "(line 2, column 1)");
    // an unclosed bracket: where it opened and where the text ended
    assertYaml("revision: 1\nintegrations: [unclosed\n", "not valid YAML: while parsing a flow sequence (line 2, column 15):"
        + " expected ',' or ']', but got <stream end>", "(line 3, column 1)");
    assertYaml("revision: 1\nintegrations:\n  - name: a\n   version: x\n",
        "not valid YAML: while parsing a block collection (line 3, column 3): expected <block end>, but found '<block mapping start>'",
        "(line 4, column 4)");
  }

  /** Jackson named SnakeYAML's event class for a key that is not a plain value: {@code <org.yaml.snakeyaml.events.AliasEvent(anchor=k)>}. */
  @Test
  void aKeyThatIsNotAPlainValueIsNamedWithoutSnakeYamlsClasses() {
    assertYaml("revision: &k 1\n*k : 2\n", "not valid YAML: a key must be a plain value, not an alias (*name), a list or a mapping",
        "(line 2, column 3)");
    assertYaml("revision: 1\n? [a]\n: 2\n", "not valid YAML: a key must be a plain value, not an alias (*name), a list or a mapping",
        "(line 2, column 4)");
  }

  private static void assertYaml(String yaml, String start, String place) {
    assertThatThrownBy(() -> StateCodec.readYaml(yaml)).isInstanceOfSatisfying(InvalidStateException.class,
        e -> assertThat(e.violations()).singleElement().satisfies(v ->
            assertThat(v.message()).startsWith(start).endsWith(place).doesNotContain("\n", "reader", "snakeyaml")));
  }

  private static void assertMessage(String json, String start, boolean located) {
    assertThatThrownBy(() -> StateCodec.readJson(json)).isInstanceOfSatisfying(InvalidStateException.class,
        e -> assertThat(e.violations()).singleElement().satisfies(v -> {
          assertThat(v.message()).startsWith(start).doesNotContain("com.fasterxml", "StreamReadConstraints", "DeserializationFeature", "JsonReadFeature", "`", "Feature '");
          if (located) {
            assertThat(v.message()).contains("(line 1, column");
          }
        }));
  }
}
