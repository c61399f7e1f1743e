package dev.outpost.spec.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.jboss.logmanager.ExtLogRecord;

/** The lines one logger writes at WARN or worse while this is open, formatted as the log shows them. */
public final class LogLines implements AutoCloseable {
  private final List<String> warnings = new CopyOnWriteArrayList<>();
  private final Logger logger;
  private final Handler handler = new Handler() {
    @Override
    public void publish(LogRecord record) {
      if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
        warnings.add(record instanceof ExtLogRecord ext ? ext.getFormattedMessage() : record.getMessage());
      }
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };

  private LogLines(Class<?> loggingClass) {
    logger = Logger.getLogger(loggingClass.getName());
    logger.addHandler(handler);
  }

  /** Captures what {@code loggingClass}'s logger writes from now until {@link #close}. */
  public static LogLines of(Class<?> loggingClass) {
    return new LogLines(loggingClass);
  }

  /** The WARN and ERROR lines so far. */
  public List<String> warnings() {
    return List.copyOf(warnings);
  }

  @Override
  public void close() {
    logger.removeHandler(handler);
  }
}
