package dev.outpost.observability.config;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A size in bytes as configured: a whole number, optionally with a unit, K, M, G, T or P, each
 * 1024 times the one before whatever its spelling ({@code 10G}, {@code 10GB}, {@code 10Gi} and
 * {@code 10GiB} alike), as Prometheus reads {@code --storage.tsdb.retention.size} and Quarkus its
 * memory sizes; {@code B} for bytes.
 */
public final class ByteSize {

  private static final Pattern SIZE = Pattern.compile("([0-9]{1,19})\\s*(?:([KMGTP])I?B?|B)?");
  private static final String UNITS = "KMGTP";

  private ByteSize() {}

  /** The bytes {@code text} says; an {@link IllegalArgumentException} naming {@code key} when it says none. */
  public static long parse(String key, String text) {
    Matcher m = SIZE.matcher(text.trim().toUpperCase(Locale.ROOT));
    if (m.matches()) {
      try {
        long number = Long.parseLong(m.group(1));
        int power = m.group(2) == null ? 0 : UNITS.indexOf(m.group(2)) + 1;
        return Math.multiplyExact(number, 1L << (10 * power));
      } catch (ArithmeticException | NumberFormatException tooLarge) {
        throw new IllegalArgumentException(key + " must be at most 8 EiB, not '" + text + "'");
      }
    }
    throw new IllegalArgumentException(key + " must be a number of bytes, optionally with a unit K, M, G, T or P"
        + " (powers of 1024: 10G, 10GB, 10Gi and 10GiB alike), not '" + text + "'");
  }
}
