package dev.outpost.observability.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A severity sent as text alone (number 0): the level names of syslog, java.util.logging, .NET and Python. */
class SeverityTest {

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
      "INFO, 9", "warning, 13", "Information, 9", "NOTICE, 9", "SEVERE, 17", "err, 17", "crit, 21",
      "EMERG, 21", "FINE, 5", "FINEST, 1", "Debug, 5", "' Error ', 17", "unheard-of, 0", "'', 0"})
  void textAloneGivesTheOtlpNumberItFallsUnder(String text, int number) {
    assertThat(LogMapper.Severity.numberOf(text)).isEqualTo(number);
  }
}
