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

  private static final Map<String, Set<String>> BY_OWNER = new ConcurrentHashMap<>();
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
    all = BY_OWNER.values().stream().flatMap(Set::stream)
        .filter(v -> v.length() >= MIN_LENGTH)
        .collect(java.util.stream.Collectors.toUnmodifiableSet());
  }
}
