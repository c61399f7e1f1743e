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
