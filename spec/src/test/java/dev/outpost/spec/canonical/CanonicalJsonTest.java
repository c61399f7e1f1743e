package dev.outpost.spec.canonical;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outpost.spec.json.Mappers;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CanonicalJsonTest {

  static JsonNode json(String text) throws Exception {
    return Mappers.JSON.readTree(text);
  }

  @Test
  void identicalAcrossKeyOrderWhitespaceAndNumberFormatting() throws Exception {
    String expected = "{\"a\":[1,2,300,-5,0],\"b\":{\"x\":true,\"y\":null},\"c\":\"text\"}";

    assertThat(CanonicalJson.toText(json(expected))).isEqualTo(expected);
    assertThat(CanonicalJson.toText(json("""
        {
          "c" : "text",
          "b" : { "y" : null, "x" : true },
          "a" : [ 1.0, 2E0, 3.00e2, -5, -0 ]
        }
        """))).isEqualTo(expected);
    assertThat(CanonicalJson.toBytes(json("{\"b\":{\"x\":true,\"y\":null},\"c\":\"text\",\"a\":[1,2.000,3e+2,-5.0,0.0]}")))
        .isEqualTo(expected.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void sortsKeysByUtf16CodeUnitsAsInRfc8785() throws Exception {
    // The property-sorting example of RFC 8785, section 3.2.3 (values replaced by their order).
    JsonNode node = json("{\"\\u20ac\":5,\"\\r\":1,\"\\ufb33\":7,\"1\":2,\"\\ud83d\\ude00\":6,\"\\u0080\":3,\"\\u00f6\":4}");

    assertThat(CanonicalJson.toText(node))
        .isEqualTo("{\"\\r\":1,\"1\":2,\"\u0080\":3,\"\u00f6\":4,\"\u20ac\":5,\"\ud83d\ude00\":6,\"\ufb33\":7}");
  }

  @Test
  void escapesStringsAsJcsDoes() throws Exception {
    JsonNode node = json("[\"\\u0000\\u001f\\\"\\\\\\/\\b\\t\\n\\f\\r\\u007f\\u00e9\\u2028\\ud83d\\ude00\"]");

    assertThat(CanonicalJson.toText(node))
        .isEqualTo("[\"\\u0000\\u001f\\\"\\\\/\\b\\t\\n\\f\\r\u007f\u00e9\u2028\ud83d\ude00\"]");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "{\"a\": {\"b\": [1, 1.5]}}          | a.b[1]: 1.5 is not an integer; canonical JSON carries integers only",
      "{\"n\": 9007199254740992}           | n: 9007199254740992 is outside ±(2^53 - 1); canonical JSON cannot carry it exactly",
      "{\"n\": -9007199254740992}          | n: -9007199254740992 is outside ±(2^53 - 1); canonical JSON cannot carry it exactly",
      "{\"n\": 1e300}                      | n: 1E+300 is outside ±(2^53 - 1); canonical JSON cannot carry it exactly",
      "{\"n\": 1e1000000000}               | n: 1E+1000000000 is outside ±(2^53 - 1); canonical JSON cannot carry it exactly",
      "{\"n\": 1e-1000000000}              | n: 1E-1000000000 is not an integer; canonical JSON carries integers only",
      "{\"n\": 1.0000000000000000001}      | n: 1.0000000000000000001 is not an integer; canonical JSON carries integers only",
      "{\"s\": \"\\ud800x\"}               | s: contains a lone surrogate (not valid Unicode)"})
  void refusesWhatItCannotCarryExactly(String text, String message) throws Exception {
    JsonNode node = json(text);
    assertThatThrownBy(() -> CanonicalJson.toText(node)).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
  }

  @Test
  void acceptsTheLargestSafeIntegers() throws Exception {
    assertThat(CanonicalJson.toText(json("[9007199254740991,-9007199254740991]")))
        .isEqualTo("[9007199254740991,-9007199254740991]");
  }

  /**
   * Deep names over a long list: a value's path is spelled out only for an error. Before, it was
   * built for every value, so each element of the list copied the 4 MB path above it (about 400 GB
   * here) before any signature was checked.
   */
  @Test
  void aLongListUnderLongNamesIsCanonicalisedWithoutCopyingItsPathPerElement() throws Exception {
    StringBuilder text = new StringBuilder();
    String name = "n".repeat(50_000);
    for (int depth = 0; depth < 80; depth++) {
      text.append("{\"").append(name).append("\":");
    }
    text.append("[0");
    for (int i = 1; i < 100_000; i++) {
      text.append(",0");
    }
    text.append(']').append("}".repeat(80));
    JsonNode node = json(text.toString());
    org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(60),
        () -> assertThat(CanonicalJson.toBytes(node)).hasSizeGreaterThan(4_000_000));
  }
}
