package dev.outpost.runtime.telemetry;

import dev.outpost.spec.model.Integration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which integration version an internal name belongs to, for telemetry: a Camel route id or
 * endpoint ({@code <name>.g<n>.…}) or an internal path ({@code /_outpost/<name>/g<n>/…}) is mapped
 * to the project, name and version that ARCHITECTURE.md's telemetry attributes carry. Versions stay
 * known for a while after they are retired, so late spans and logs are still attributed. Static
 * because log filters live outside CDI.
 */
public final class IntegrationIdentities {

  /** The owner of a span or log record, as the telemetry attributes name it. */
  public record Identity(String project, String integration, String version) {
    /** The identity of {@code integration}'s version. */
    public static Identity of(Integration integration) {
      return new Identity(integration.project(), integration.name(), integration.version());
    }
  }

  static final int REMEMBERED = 4096;
  private static final Pattern KEY = Pattern.compile("(?:/_outpost/([a-z0-9-]+)/g([0-9]+))|(?:([a-z0-9-]+)\\.g([0-9]+)\\.)");

  private static final Map<String, Identity> BY_KEY = Collections.synchronizedMap(
      new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Identity> eldest) {
          return size() > REMEMBERED;
        }
      });

  private IntegrationIdentities() {}

  /** Remembers that version {@code key} ({@code <name>.g<n>}) runs {@code integration}. */
  public static void register(String key, Integration integration) {
    BY_KEY.put(key, Identity.of(integration));
  }

  /** The integration version whose internal name occurs in {@code text}, if any. */
  public static Optional<Identity> find(String text) {
    if (text == null || text.isEmpty()) {
      return Optional.empty();
    }
    Matcher m = KEY.matcher(text);
    while (m.find()) {
      String key = m.group(1) != null ? m.group(1) + ".g" + m.group(2) : m.group(3) + ".g" + m.group(4);
      Identity identity = BY_KEY.get(key);
      if (identity != null) {
        return Optional.of(identity);
      }
    }
    return Optional.empty();
  }
}
