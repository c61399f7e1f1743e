package dev.outpost.observability.query;

import dev.outpost.observability.store.TimeRange;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parsing of query parameters; every error is a 400 naming the parameter. */
public final class Params {

  /** A range with neither end given covers the last hour. */
  public static final Duration DEFAULT_RANGE = Duration.ofHours(1);
  /** The widest range a query may cover. */
  public static final Duration MAX_RANGE = Duration.ofDays(31);

  /** One part of a Go duration ({@code time.ParseDuration}: {@code 1h30m}, {@code .5s}, {@code 100μs}), and days. */
  private static final Pattern GO_DURATION_PART =
      Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|\u00b5s|\u03bcs|ms|s|m|h|d)");
  private static final Pattern HEX_TRACE_ID = Pattern.compile("[0-9a-fA-F]{32}");

  /** Epoch milliseconds below this (March 1973) are taken for epoch seconds, which are 10 digits until 2286. */
  static final long EPOCH_SECONDS_BELOW = 100_000_000_000L;

  private Params() {}

  /** An instant as RFC 3339 or Unix epoch milliseconds, in nanoseconds. */
  public static Optional<Long> instant(String name, String value) {
    if (value == null || value.isBlank()) {
      return Optional.empty();
    }
    String v = value.trim();
    try {
      if (v.chars().allMatch(Character::isDigit)) {
        long millis = Long.parseLong(v);
        if (millis < EPOCH_SECONDS_BELOW) {
          // read as milliseconds, 1700000000 was a few seconds of January 1970, answered with nothing
          throw ApiException.badRequest(name + " " + v + " looks like epoch seconds; give epoch milliseconds ("
              + v + "000) or an RFC 3339 time");
        }
        return Optional.of(Math.multiplyExact(millis, 1_000_000L));
      }
      Instant i = Instant.parse(v);
      return Optional.of(Math.addExact(Math.multiplyExact(i.getEpochSecond(), 1_000_000_000L), i.getNano()));
    } catch (DateTimeParseException | ArithmeticException | NumberFormatException e) {
      throw ApiException.badRequest(name + " must be an RFC 3339 time (2026-01-31T12:00:00Z) or epoch milliseconds, got '"
          + abbreviate(value) + "'");
    }
  }

  /** [from, to): to defaults to now, from to {@code to - defaultSpan}. */
  public static TimeRange range(String from, String to, Duration defaultSpan) {
    return range(from, to, null, defaultSpan);
  }

  /**
   * [from, to): {@code to} by default the server's now, {@code from} by default {@code lookback}
   * (else {@code defaultSpan}) before it. A lookback is a range relative to the server's clock,
   * which a browser's (the explorer's) cannot shift; given with {@code from}, a 400.
   */
  public static TimeRange range(String from, String to, String lookback, Duration defaultSpan) {
    Optional<Duration> back = duration("lookback", lookback);
    if (back.isPresent() && from != null && !from.isBlank()) {
      throw ApiException.badRequest("give from or lookback, not both");
    }
    if (back.isPresent() && back.get().isZero()) {
      throw ApiException.badRequest("lookback must be positive");
    }
    long end = instant("to", to).orElseGet(() -> System.currentTimeMillis() * 1_000_000L + 1);
    long start = instant("from", from).orElse(before(end, back.orElse(defaultSpan)));
    return range(start, end, "from", "to");
  }

  /**
   * The range of a listing a cursor continues: its own bounds, or those given again (which the
   * caller checks against them). A bound left out is not "now" again: the listing would move.
   */
  public static TimeRange continued(String from, String to, TimeRange listing) {
    return range(instant("from", from).orElse(listing.fromNanos()), instant("to", to).orElse(listing.toNanos()), "from", "to");
  }

  /** [start, end) when start comes first and the range is at most {@link #MAX_RANGE}; a 400 naming the parameters otherwise. */
  public static TimeRange range(long start, long end, String startName, String endName) {
    if (start >= end) {
      throw ApiException.badRequest(startName + " must be before " + endName);
    }
    // compared without subtracting: end - start overflows for ranges of more than 292 years
    if (start < before(end, MAX_RANGE)) {
      throw ApiException.badRequest("the time range " + startName + ".." + endName + " must not be longer than "
          + MAX_RANGE.toDays() + " days");
    }
    return new TimeRange(start, end);
  }

  /** {@code nanos - span}, held at the earliest representable time instead of overflowing. */
  public static long before(long nanos, Duration span) {
    long back = span.toNanos();
    return nanos < Long.MIN_VALUE + back ? Long.MIN_VALUE : nanos - back;
  }

  /** An integer parameter, or a 400 naming it. */
  public static Optional<Integer> integer(String name, String value) {
    if (value == null || value.isBlank()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Integer.parseInt(value.trim()));
    } catch (NumberFormatException e) {
      throw ApiException.badRequest(name + " must be an integer, got '" + abbreviate(value) + "'");
    }
  }

  public static int limit(String value, int defaultLimit, int max) {
    // a lowered maximum lowers the default too: else every call leaving limit out was refused
    int limit = integer("limit", value).orElse(Math.min(defaultLimit, max));
    if (limit < 1 || limit > max) {
      throw ApiException.badRequest("limit must be between 1 and " + max + ", got " + limit);
    }
    return limit;
  }

  /** A minimum and a maximum duration, either optional. */
  public record DurationBounds(Optional<Duration> min, Optional<Duration> max) {}

  /** Two duration parameters ({@link #duration}); a 400 naming both when the minimum is above the maximum. */
  public static DurationBounds durations(String minName, String min, String maxName, String max) {
    DurationBounds bounds = new DurationBounds(duration(minName, min), duration(maxName, max));
    if (bounds.min().isPresent() && bounds.max().isPresent() && bounds.min().get().compareTo(bounds.max().get()) > 0) {
      throw ApiException.badRequest(minName + " must not be greater than " + maxName);
    }
    return bounds;
  }

  /** A minimum severity: a name (TRACE…FATAL) or an OTLP number 1–24; 0 when absent. */
  public static int severity(String value) {
    if (value == null || value.isBlank()) {
      return 0;
    }
    String v = value.trim().toUpperCase(Locale.ROOT);
    String[] names = {"TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"};
    for (int i = 0; i < names.length; i++) {
      if (names[i].equals(v)) {
        return i * 4 + 1;
      }
    }
    try {
      int n = Integer.parseInt(v);
      if (n >= 1 && n <= 24) {
        return n;
      }
    } catch (NumberFormatException ignored) {
      // falls through to the error
    }
    throw ApiException.badRequest("severity must be one of TRACE, DEBUG, INFO, WARN, ERROR, FATAL or 1-24, got '"
        + abbreviate(value) + "'");
  }

  /** A duration as Go/Jaeger writes it (150ms, 1.5s, 1h30m, 7d) or ISO-8601 (PT1M). */
  public static Optional<Duration> duration(String name, String value) {
    if (value == null || value.isBlank()) {
      return Optional.empty();
    }
    String v = value.trim();
    try {
      if (v.startsWith("P") || v.startsWith("p")) {
        Duration d = Duration.parse(v);
        d.toNanos(); // durations past ~292 years do not fit the store's nanoseconds: ArithmeticException
        if (!d.isNegative()) {
          return Optional.of(d);
        }
      }
      if (v.equals("0")) {
        return Optional.of(Duration.ZERO);
      }
      Matcher m = GO_DURATION_PART.matcher(v);
      BigDecimal nanos = BigDecimal.ZERO;
      int at = 0;
      while (at < v.length() && m.region(at, v.length()).lookingAt()) {
        long nanosPerUnit = switch (m.group(2)) {
          case "ns" -> 1L;
          case "us", "\u00b5s", "\u03bcs" -> 1_000L;
          case "ms" -> 1_000_000L;
          case "s" -> 1_000_000_000L;
          case "m" -> 60_000_000_000L;
          case "h" -> 3_600_000_000_000L;
          default -> 86_400_000_000_000L;
        };
        String amount = m.group(1);
        nanos = nanos.add(new BigDecimal(amount.endsWith(".") ? amount + "0" : amount).multiply(BigDecimal.valueOf(nanosPerUnit)));
        at = m.end();
      }
      if (at > 0 && at == v.length()) {
        // below a nanosecond is cut off, as Go does
        return Optional.of(Duration.ofNanos(nanos.setScale(0, java.math.RoundingMode.DOWN).longValueExact()));
      }
    } catch (DateTimeParseException | ArithmeticException e) {
      // falls through to the error
    }
    throw ApiException.badRequest(name + " must be a duration such as 150ms, 1.5s, 2m, 1h or PT1M, got '"
        + abbreviate(value) + "'");
  }

  public static String traceId(String value) {
    if (value == null || !HEX_TRACE_ID.matcher(value).matches()) {
      throw ApiException.badRequest("traceId must be 32 hex characters, got '" + abbreviate(String.valueOf(value)) + "'");
    }
    return value.toLowerCase(Locale.ROOT);
  }

  /** A parameter's value as an error quotes it: its first 64 characters. */
  public static String abbreviate(String value) {
    return value.length() > 64 ? value.substring(0, 64) + "…" : value;
  }
}
