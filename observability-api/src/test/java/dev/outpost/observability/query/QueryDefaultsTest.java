package dev.outpost.observability.query;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Defaults under limits an operator lowered: a default above {@code query.max-limit} refused every
 * call that left {@code limit} out (the explorer's searches too), and the automatic histogram
 * interval (60 buckets) every histogram under {@code query.max-buckets} of 60.
 */
class QueryDefaultsTest {

  @Test
  void theDefaultLimitIsHeldAtALoweredMaximum() {
    assertThat(Params.limit(null, 100, 1000)).isEqualTo(100);
    assertThat(Params.limit(null, 100, 50)).isEqualTo(50);
    assertThat(Params.limit("7", 100, 50)).isEqualTo(7);
  }

  @Test
  void theAutomaticIntervalMakesNoMoreBucketsThanAllowed() {
    long hour = Duration.ofHours(1).toNanos();
    assertThat(LogsResource.niceInterval(hour, 60)).isEqualTo(Duration.ofMinutes(1).toNanos());
    assertThat(LogsResource.niceInterval(hour, 30)).isEqualTo(Duration.ofMinutes(5).toNanos());
    long month = Duration.ofDays(31).toNanos();
    long step = LogsResource.niceInterval(month, 10);
    assertThat((month + step - 1) / step).isLessThanOrEqualTo(10);
    assertThat(step % 1_000_000_000L).as("whole seconds").isZero();
  }
}
