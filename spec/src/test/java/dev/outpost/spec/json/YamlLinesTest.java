package dev.outpost.spec.json;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class YamlLinesTest {
  static final String LONGEST = "x".repeat(YamlLines.MAX_LINE_CHARACTERS);

  @Test
  void aLineAtTheBoundPassesWhateverEndsIt() {
    assertThat(YamlLines.tooLong("a: 1\n" + LONGEST + "\nb: 2")).isEmpty();
    assertThat(YamlLines.tooLong(LONGEST + "\r\n" + LONGEST + "\r" + LONGEST)).isEmpty();
    assertThat(YamlLines.tooLong("")).isEmpty();
  }

  @Test
  void theFirstLongerLineIsNamedByItsNumber() {
    assertThat(YamlLines.tooLong("a: 1\r\n\r\n" + LONGEST + "y\n" + LONGEST + "yy"))
        .contains("line 3 has 1048577 characters, more than the 1048576 a YAML line may have: send a document with"
            + " longer lines as JSON");
    // a line at the end, with no line break after it
    assertThat(YamlLines.tooLong("a: 1\r" + LONGEST + "z")).hasValueSatisfying(m -> assertThat(m).startsWith("line 2 has 1048577"));
  }
}
