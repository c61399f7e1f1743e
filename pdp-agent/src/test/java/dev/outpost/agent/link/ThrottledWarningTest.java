package dev.outpost.agent.link;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;

/** One line per interval, and the next line tells how many were left out. */
class ThrottledWarningTest {

  @Test
  void afterAQuietIntervalTheNextWarningSaysHowManyWereLeftOut() {
    String name = "outpost.test.throttled";
    List<String> lines = new CopyOnWriteArrayList<>();
    Handler capture = new Handler() {
      @Override
      public void publish(LogRecord record) {
        lines.add(record.getMessage());
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    java.util.logging.Logger.getLogger(name).addHandler(capture);
    AtomicLong now = new AtomicLong(1_000);
    ThrottledWarning warning = new ThrottledWarning(Logger.getLogger(name), Duration.ofSeconds(10), now::get);

    for (int i = 0; i < 500; i++) {
      warning.warn("bad frame %d", i);
    }
    now.addAndGet(Duration.ofSeconds(9).toNanos());
    warning.warn("bad frame %d", 500);
    now.addAndGet(Duration.ofSeconds(2).toNanos());
    warning.warn("bad frame %d", 501);
    warning.warn("bad frame %d", 502);

    assertThat(lines).containsExactly("bad frame 0", "bad frame 501 (500 more like it not logged in the last 11 s)");
    java.util.logging.Logger.getLogger(name).removeHandler(capture);
  }
}
