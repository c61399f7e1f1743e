package dev.outpost.runtime.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class CamelStopBudgetTest {

  @Test
  void theRoutesGetWhatIsLeftSinceTheSignal() {
    assertThat(CamelStopBudget.budget(Duration.ofSeconds(38), Duration.ofMillis(5_250))).isEqualTo(Duration.ofMillis(32_750));
  }

  /** An HTTP drain that used the whole budget still leaves Camel a second to stop its consumers. */
  @Test
  void routesThatStopLateStillGetASecond() {
    assertThat(CamelStopBudget.budget(Duration.ofSeconds(38), Duration.ofSeconds(38))).isEqualTo(Duration.ofSeconds(1));
    assertThat(CamelStopBudget.budget(Duration.ofSeconds(38), Duration.ofSeconds(60))).isEqualTo(Duration.ofSeconds(1));
  }
}
