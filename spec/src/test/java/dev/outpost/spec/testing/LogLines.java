package dev.outpost.spec.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.jboss.logmanager.ExtLogRecord;

/**
 * The lines one logger (and the loggers below it) writes at WARN or worse while this is open,
 * formatted as the log shows them; the ERROR ones apart too.
 */
public final class LogLines implements AutoCloseable {
  private final List<String> warnings = new CopyOnWriteArrayList<>();
  private final List<String> errors = new CopyOnWriteArrayList<>();
  private final List<LogRecord> errorRecords = new CopyOnWriteArrayList<>();
  private final Logger logger;
  private final Handler handler = new Handler() {
    @Override
    public void publish(LogRecord record) {
      if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
        String line = record instanceof ExtLogRecord ext ? ext.getFormattedMessage() : record.getMessage();
        warnings.add(line);
        if (record.getLevel().intValue() >= Level.SEVERE.intValue()) {
          errors.add(line);
          errorRecords.add(record);
        }
      }
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };

  private LogLines(String loggerName) {
    logger = Logger.getLogger(loggerName);
    logger.addHandler(handler);
  }

  /** Captures what {@code loggingClass}'s logger writes from now until {@link #close}. */
  public static LogLines of(Class<?> loggingClass) {
    return new LogLines(loggingClass.getName());
  }

  /** Captures what the logger of that name (a class's, or a package's and all below it) writes. */
  public static LogLines of(String loggerName) {
    return new LogLines(loggerName);
  }

  /** The WARN and ERROR lines so far. */
  public List<String> warnings() {
    return List.copyOf(warnings);
  }

  /** The ERROR lines so far. */
  public List<String> errors() {
    return List.copyOf(errors);
  }

  /** The ERROR records so far, with their logger's name and what they were thrown with. */
  public List<LogRecord> errorRecords() {
    return List.copyOf(errorRecords);
  }

  /** The WARN and ERROR lines so far that contain {@code text}. */
  public List<String> containing(String text) {
    return warnings.stream().filter(w -> w.contains(text)).toList();
  }

  @Override
  public void close() {
    logger.removeHandler(handler);
  }
}
