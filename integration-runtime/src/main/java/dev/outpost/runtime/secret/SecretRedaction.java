package dev.outpost.runtime.secret;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The secret values currently given to integrations, so that every output path (status messages,
 * log records, span attributes) can replace them with {@link #REDACTED}. Static because log filters
 * are created by the logging system, outside CDI.
 */
public final class SecretRedaction {

  public static final String REDACTED = "****";

  /** Values shorter than this are not redacted: they would blank out ordinary words. */
  static final int MIN_LENGTH = 4;

  /** Retired owners whose values are still redacted, at most; past it the oldest are forgotten. */
  static final int RETIRED_REMEMBERED = 256;
  /** How long a retired owner's values stay redacted: far past any exchange a retirement left running. */
  static final long RETIRED_FOR_NANOS = java.util.concurrent.TimeUnit.HOURS.toNanos(1);

  private static final Map<String, Set<String>> BY_OWNER = new ConcurrentHashMap<>();
  /**
   * Values of retired versions, the oldest first: an exchange a retirement did not wait for (its
   * client already answered 504, or past the drain timeout) runs on, and its late spans and log
   * records quote what it read.
   */
  private static final Map<String, Retired> RETIRED = new java.util.LinkedHashMap<>();

  private record Retired(Set<String> values, long atNanos) {}
  private static volatile Set<String> all = Set.of();

  private SecretRedaction() {}

  /** Starts redacting {@code values}, on behalf of {@code owner} (an integration version). */
  public static synchronized void add(String owner, Set<String> values) {
    BY_OWNER.put(owner, Set.copyOf(values));
    refresh();
  }

  /** Stops redacting what {@code owner} added (values another owner also uses stay redacted). */
  public static synchronized void remove(String owner) {
    BY_OWNER.remove(owner);
    refresh();
  }

  /**
   * {@code owner} no longer runs new exchanges, but its values stay redacted, among the last {@link
   * #RETIRED_REMEMBERED} retired owners': exchanges still running may report them late.
   */
  public static synchronized void retire(String owner) {
    Set<String> values = BY_OWNER.remove(owner);
    long now = System.nanoTime();
    if (values != null && !values.isEmpty()) {
      RETIRED.put(owner, new Retired(values, now));
    }
    // each value costs every span and log record a look: the oldest go, by count and by age
    for (var oldest = RETIRED.values().iterator(); oldest.hasNext(); ) {
      Retired retired = oldest.next();
      if (RETIRED.size() > RETIRED_REMEMBERED || now - retired.atNanos() > RETIRED_FOR_NANOS) {
        oldest.remove();
      }
    }
    refresh();
  }

  /** Whether any value is redacted now: with none, there is nothing to look for. */
  public static boolean any() {
    return !all.isEmpty();
  }

  /** Whether {@code text} holds a known secret value. */
  public static boolean holdsSecret(String text) {
    if (text == null) {
      return false;
    }
    for (String value : all) {
      if (text.contains(value)) {
        return true;
      }
    }
    return false;
  }

  /** {@code text} with every known secret value replaced, or {@code text} itself when none occurs. */
  public static String redact(String text) {
    if (text == null) {
      return null;
    }
    String result = text;
    for (String value : all) {
      if (result.contains(value)) {
        result = result.replace(value, REDACTED);
      }
    }
    return result;
  }

  private static void refresh() {
    all = java.util.stream.Stream.concat(BY_OWNER.values().stream(), RETIRED.values().stream().map(Retired::values))
        .flatMap(Set::stream)
        .filter(v -> v.length() >= MIN_LENGTH)
        .flatMap(SecretRedaction::forms)
        .collect(java.util.stream.Collectors.toUnmodifiableSet());
  }

  /**
   * A value as it is and percent-encoded (with {@code +} or {@code %20} for a space): Camel encodes a
   * query value of an endpoint URI it normalises ({@code sig={{secret.x.sig}}}), and a base64 value's
   * {@code +/=} came out in spans, log lines and meter tags as {@code %2B%2F%3D}, unredacted.
   */
  private static java.util.stream.Stream<String> forms(String value) {
    String encoded = java.net.URLEncoder.encode(value, java.nio.charset.StandardCharsets.UTF_8);
    return java.util.stream.Stream.of(value, encoded, encoded.replace("+", "%20")).distinct();
  }
}
