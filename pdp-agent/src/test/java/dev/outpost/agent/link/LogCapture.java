package dev.outpost.agent.link;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.jboss.logmanager.ExtLogRecord;

/** The WARN (and worse) lines one logger writes while this is open, formatted; the ERROR ones apart too. */
final class LogCapture implements AutoCloseable {
  final List<String> warnings = new CopyOnWriteArrayList<>();
  final List<String> errors = new CopyOnWriteArrayList<>();
  private final Logger logger;
  private final Handler handler = new Handler() {
    @Override
    public void publish(LogRecord record) {
      if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
        String line = record instanceof ExtLogRecord ext ? ext.getFormattedMessage() : record.getMessage();
        warnings.add(line);
        if (record.getLevel().intValue() >= Level.SEVERE.intValue()) {
          errors.add(line);
        }
      }
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };

  LogCapture(String loggerName) {
    logger = Logger.getLogger(loggerName);
    logger.addHandler(handler);
  }

  LogCapture(Class<?> loggingClass) {
    this(loggingClass.getName());
  }

  /** The lines containing {@code text}. */
  List<String> containing(String text) {
    return warnings.stream().filter(w -> w.contains(text)).toList();
  }

  @Override
  public void close() {
    logger.removeHandler(handler);
  }
}
