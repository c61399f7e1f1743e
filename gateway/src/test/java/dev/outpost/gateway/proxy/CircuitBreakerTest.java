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
    CircuitBreaker breaker = new CircuitBreaker(2, OPEN_NANOS);
    breaker.onFailure();
    assertThat(breaker.isOpen()).as("one failure of two").isFalse();
    breaker.onFailure();
    assertThat(breaker.isOpen()).isTrue();
    assertThat(breaker.allowRequest()).isFalse();

    Thread.sleep(1100); // past the open time, and no request since
    assertThat(breaker.isOpen()).as("its next request would be let through as a trial").isFalse();

    assertThat(breaker.allowRequest()).as("the trial").isTrue();
    assertThat(breaker.isOpen()).as("the others are refused while it runs").isTrue();
    breaker.onFailure();
    assertThat(breaker.isOpen()).as("a failed trial opens it again").isTrue();
    Thread.sleep(1100);
    assertThat(breaker.allowRequest()).isTrue();
    breaker.onSuccess();
    assertThat(breaker.isOpen()).isFalse();
  }
}
