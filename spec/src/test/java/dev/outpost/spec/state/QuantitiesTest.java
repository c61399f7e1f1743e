package dev.outpost.spec.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

class QuantitiesTest {

  @Test
  void eachFormKubernetesWritesIsReadAsItsAmount() {
    assertThat(Quantities.amount("250m")).isEqualByComparingTo("0.25");
    assertThat(Quantities.amount("0.5")).isEqualByComparingTo("0.5");
    assertThat(Quantities.amount(".5")).isEqualByComparingTo("0.5");
    assertThat(Quantities.amount("2.")).isEqualByComparingTo("2");
    assertThat(Quantities.amount("1e3")).isEqualByComparingTo("1000");
    assertThat(Quantities.amount("1k")).isEqualByComparingTo("1000");
    assertThat(Quantities.amount("1Ki")).isEqualByComparingTo("1024");
    assertThat(Quantities.amount("512Mi")).isEqualByComparingTo(BigDecimal.valueOf(512L << 20));
    assertThat(Quantities.amount("1Gi")).isGreaterThan(Quantities.amount("1G"));
    assertThat(Quantities.amount("2E")).isEqualByComparingTo("2e18");
  }
}
