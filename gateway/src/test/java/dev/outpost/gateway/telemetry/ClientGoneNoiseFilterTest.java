package dev.outpost.gateway.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.IllegalReferenceCountException;
import java.nio.channels.ClosedChannelException;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

class ClientGoneNoiseFilterTest {

  private final ClientGoneNoiseFilter filter = new ClientGoneNoiseFilter();

  private static LogRecord record(String logger, String message, Throwable thrown) {
    LogRecord record = new LogRecord(Level.WARNING, message);
    record.setLoggerName(logger);
    record.setThrown(thrown);
    return record;
  }

  @Test
  void dropsOnlyNettysPromiseFailedTwiceWithAReleasedBuffer() {
    String twice = ClientGoneNoiseFilter.MESSAGE + ": DefaultChannelPromise@1(failure: StacklessClosedChannelException),"
        + " unnotified cause: io.netty.util.IllegalReferenceCountException: refCnt: 0, decrement: 1";
    assertThat(filter.isLoggable(record(ClientGoneNoiseFilter.LOGGER, twice,
        new IllegalReferenceCountException(0, 1)))).isFalse();
    // the same words with another cause, or from another logger, or another message: kept
    assertThat(filter.isLoggable(record(ClientGoneNoiseFilter.LOGGER, twice, new ClosedChannelException()))).isTrue();
    assertThat(filter.isLoggable(record(ClientGoneNoiseFilter.LOGGER, twice, null))).isTrue();
    assertThat(filter.isLoggable(record("io.netty.channel.DefaultChannelPipeline", twice,
        new IllegalReferenceCountException(0, 1)))).isTrue();
    assertThat(filter.isLoggable(record(ClientGoneNoiseFilter.LOGGER,
        "Failed to mark a promise as success because it has failed already", new IllegalReferenceCountException(0, 1))))
        .isTrue();
    assertThat(filter.isLoggable(record(ClientGoneNoiseFilter.LOGGER, null, new IllegalReferenceCountException(0, 1))))
        .isTrue();
  }
}
