package dev.outpost.runtime.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.runtime.telemetry.IntegrationIdentities.Identity;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class LogRecordBudgetTest {

  static final Identity ORDERS = new Identity("shop", "orders", "1");
  static final long MS = Duration.ofMillis(1).toNanos();

  @Test
  void aBurstOfTwiceTheRatePassesThenTheRateRefillsAndTheRestIsCounted() {
    LogRecordBudget budget = new LogRecordBudget(10, 0);
    assertThat(IntStream.range(0, 25).filter(i -> budget.admit(ORDERS, 0)).count()).isEqualTo(20);
    assertThat(budget.dropped()).isEqualTo(5);
    assertThat(budget.lastDropped()).isEqualTo(ORDERS);

    assertThat(budget.admit(ORDERS, 50 * MS)).as("half a token").isFalse();
    assertThat(budget.admit(ORDERS, 100 * MS)).as("one token in 100 ms at 10 a second").isTrue();
    assertThat(budget.admit(ORDERS, 100 * MS)).isFalse();
    assertThat(budget.dropped()).isEqualTo(7);

    long later = 100 * MS + Duration.ofMinutes(1).toNanos();
    assertThat(IntStream.range(0, 25).filter(i -> budget.admit(ORDERS, later)).count())
        .as("a quiet minute refills the burst, not more").isEqualTo(20);
  }

  @Test
  void eachIntegrationHasItsOwnBudgetAndItsVersionsShareIt() {
    AtomicLong now = new AtomicLong();
    LogRecordBudgets budgets = new LogRecordBudgets(1, now::get);
    assertThat(budgets.admit(ORDERS)).isTrue();
    assertThat(budgets.admit(new Identity("shop", "orders", "2"))).as("another version, the same budget").isTrue();
    assertThat(budgets.admit(ORDERS)).isFalse();
    assertThat(budgets.admit(new Identity("shop", "billing", "1"))).as("another integration").isTrue();
    assertThat(budgets.admit(new Identity("demo", "orders", "1"))).as("the same name in another project").isTrue();
  }
}
