package dev.outpost.runtime.config;

import dev.outpost.runtime.deploy.DeployException;
import dev.outpost.runtime.secret.SecretStore;
import dev.outpost.spec.model.Integration;
import dev.outpost.spec.model.SecretRef;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks an integration's {@code {{config.KEY}}} and {@code {{secret.NAME.KEY}}} placeholders
 * against its config and declared secrets, reads the secret values, and rewrites the placeholders
 * to the version's own property names (see {@link IntegrationProperties}). The source keeps its
 * lines, so Camel's line/column in errors still point into what the author wrote.
 */
@ApplicationScoped
public class PlaceholderResolver {

  /**
   * Neither the name nor the default holds a brace, so each attempt stops at the next pair of
   * opening braces and the scan is linear. A name that could hold them ran, for a source repeating
   * "{{config.x" without a closing pair, from every opening to the end: minutes under the
   * deployment lock, every deployment waiting.
   */
  private static final Pattern PLACEHOLDER =
      Pattern.compile("\\{\\{\\s*(\\?)?(config|secret)\\.([^{}:\\s]+)\\s*(:[^{}]*)?}}");

  /**
   * The rewritten source, the properties it reads, and each secret key read with its value (to tell
   * when one has changed since).
   */
  public record Resolved(String source, Map<String, String> properties, Map<SecretRef, String> secretsRead) {
    /** The secret values to keep out of every output (an empty one would blank out nothing). */
    public Set<String> secretValues() {
      Set<String> values = new LinkedHashSet<>(secretsRead.values());
      values.remove("");
      return values;
    }
  }

  private final SecretStore secrets;

  PlaceholderResolver(SecretStore secrets) {
    this.secrets = secrets;
  }

  /**
   * Resolves the placeholders of {@code integration} for version {@code key}.
   *
   * @throws DeployException naming the first config key that is unset (without a default), the
   *     first secret the integration does not declare, or the first declared secret that is missing
   */
  public Resolved resolve(Integration integration, String key) throws DeployException {
    Map<String, String> properties = new HashMap<>();
    integration.config().forEach((k, v) -> properties.put("config." + k, v));
    Map<SecretRef, String> secretsRead = new LinkedHashMap<>();
    Matcher m = PLACEHOLDER.matcher(integration.source());
    StringBuilder rewritten = new StringBuilder();
    while (m.find()) {
      // Camel's optional form, {{?config.x}}: a key that is not set leaves out what names it
      boolean optional = m.group(1) != null;
      String kind = m.group(2);
      String name = m.group(3);
      boolean hasDefault = m.group(4) != null;
      if (kind.equals("config") && !integration.config().containsKey(name) && !hasDefault && !optional) {
        throw new DeployException("{{config." + name + "}} is used but config has no key '" + name
            + "' (line " + lineOf(integration.source(), m.start()) + ")");
      }
      if (kind.equals("secret") && !properties.containsKey("secret." + name)) {
        // each secret read once, and a line counted only for an error: a source naming a secret
        // thousands of times took seconds under the deployment lock, every deployment waiting
        SecretRef ref = declared(integration, name, m.start());
        String value = secrets.read(ref);
        properties.put("secret." + name, value);
        secretsRead.put(ref, value);
      }
      String fallback = hasDefault ? m.group(4) : "";
      m.appendReplacement(rewritten, Matcher.quoteReplacement(
          "{{" + (optional ? "?" : "") + "outpost." + key + "." + kind + "." + name + fallback + "}}"));
    }
    m.appendTail(rewritten);
    return new Resolved(rewritten.toString(), properties, Map.copyOf(secretsRead));
  }

  private static SecretRef declared(Integration integration, String name, int offset) throws DeployException {
    return integration.secrets().stream()
        .filter(ref -> (ref.name() + "." + ref.key()).equals(name))
        .findFirst()
        .orElseThrow(() -> new DeployException("{{secret." + name + "}} (line " + lineOf(integration.source(), offset)
            + ") is not among the secrets the integration declares " + integration.secrets()));
  }

  private static int lineOf(String text, int offset) {
    int line = 1;
    for (int i = 0; i < offset; i++) {
      if (text.charAt(i) == '\n') {
        line++;
      }
    }
    return line;
  }
}
