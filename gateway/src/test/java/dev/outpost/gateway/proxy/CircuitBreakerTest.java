package dev.outpost.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The breaker as its gauge reads it: open only while a request would be refused. */
class CircuitBreakerTest {

  /** Long enough that a thread descheduled on a loaded machine does not see it run out between two checks. */
  private static final long OPEN_NANOS = TimeUnit.MILLISECONDS.toNanos(1000);

  @Test
  void anOpenBreakerWhoseTimeRanOutIsNotReportedOpenThoughNoRequestTriedIt() throws Exception {
    CircuitBreaker breaker = new CircuitBreaker("test", 2, OPEN_NANOS);
    breaker.onFailure("refused", System.nanoTime());
    assertThat(breaker.isOpen()).as("one failure of two").isFalse();
    breaker.onFailure("refused", System.nanoTime());
    assertThat(breaker.isOpen()).isTrue();
    assertThat(breaker.allowRequest()).isFalse();

    Thread.sleep(1100); // past the open time, and no request since
    assertThat(breaker.isOpen()).as("its next request would be let through as a trial").isFalse();

    assertThat(breaker.allowRequest()).as("the trial").isTrue();
    assertThat(breaker.isOpen()).as("the others are refused while it runs").isTrue();
    breaker.onFailure("refused", System.nanoTime());
    assertThat(breaker.isOpen()).as("a failed trial opens it again").isTrue();
    Thread.sleep(1100);
    assertThat(breaker.allowRequest()).isTrue();
    breaker.onSuccess();
    assertThat(breaker.isOpen()).isFalse();
  }

  /**
   * A request sent before the circuit opened that fails after it (the in-flight requests of a hung
   * integration timing out one by one) does not hold it open longer: its trial comes when the open
   * time, counted from the opening, runs out, as the 503s' Retry-After said.
   */
  @Test
  void aLateFailureOfARequestSentBeforeTheCircuitOpenedDoesNotKeepItOpen() throws Exception {
    CircuitBreaker breaker = new CircuitBreaker("test", 2, OPEN_NANOS);
    long sentBefore = System.nanoTime();
    breaker.onFailure("timed out", System.nanoTime());
    breaker.onFailure("timed out", System.nanoTime());
    assertThat(breaker.allowRequest()).isFalse();

    Thread.sleep(600);
    breaker.onFailure("timed out", sentBefore);
    Thread.sleep(500);
    assertThat(breaker.allowRequest()).as("the trial, an open time after the opening").isTrue();
    breaker.onFailure("refused", System.nanoTime());
    assertThat(breaker.allowRequest()).as("the trial's own failure opens it again").isFalse();
  }

  /** Opening is a warning with the last failure's cause, once; closing again is said too. */
  @Test
  void openingAndClosingAreLoggedOnce() {
    CircuitBreaker breaker = new CircuitBreaker("orders at int-orders.shop.svc:8080", 2, OPEN_NANOS);
    try (dev.outpost.gateway.support.LogCapture log = dev.outpost.gateway.support.LogCapture.start()) {
      breaker.onFailure("Connection refused", System.nanoTime());
      breaker.onFailure("Connection refused", System.nanoTime());
      breaker.onFailure("Connection refused", System.nanoTime());
      // this breaker's lines only: the application other tests run in this JVM logs its own breakers
      assertThat(log.records()).filteredOn(r -> r.getLevel().intValue() >= java.util.logging.Level.WARNING.intValue()
              && String.valueOf(r.getMessage()).contains("int-orders.shop.svc"))
          .singleElement().satisfies(r -> assertThat(r.getMessage())
              .contains("integration orders at int-orders.shop.svc:8080 failed 2 times in a row (last: Connection refused)")
              .contains("answered 503 for 1000 ms"));
      breaker.onSuccess();
      breaker.onSuccess();
      assertThat(log.records()).filteredOn(r -> String.valueOf(r.getMessage()).contains("its circuit is closed")).hasSize(1);
    }
  }
}
