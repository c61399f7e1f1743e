package dev.outpost.observability.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Durations as Jaeger's clients write them: Go's {@code time.ParseDuration}, days, and ISO-8601. */
class ParamsDurationTest {

  @ParameterizedTest(name = "{0} = {1} ns")
  @CsvSource({
      "150ms, 150000000",
      "1.5s, 1500000000",
      "1m30s, 90000000000",
      "1h30m, 5400000000000",
      "2h45m10.5s, 9910500000000",
      ".5s, 500000000",
      "1.s, 1000000000",
      "100us, 100000",
      "100\u00b5s, 100000",
      "100\u03bcs, 100000",
      "1.5ns, 1",
      "0, 0",
      "7d, 604800000000000",
      "PT1M, 60000000000",
  })
  void goAndIsoDurationsAreRead(String value, long nanos) {
    assertThat(Params.duration("minDuration", value)).contains(Duration.ofNanos(nanos));
  }

  @ParameterizedTest
  @ValueSource(strings = {"1", "s", "1x", "1h 30m", "1h30", "-1s", ".s", "1..5s", "PT-1S"})
  void anythingElseIsA400NamingTheParameter(String value) {
    assertThatThrownBy(() -> Params.duration("minDuration", value)).isInstanceOf(ApiException.class)
        .hasMessageContaining("minDuration must be a duration");
  }
}
