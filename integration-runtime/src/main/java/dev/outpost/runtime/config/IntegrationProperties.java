package dev.outpost.runtime.config;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.spi.PropertiesSource;

/**
 * The Camel properties of every deployed integration version, under
 * {@code outpost.<key>.config.KEY} and {@code outpost.<key>.secret.NAME.KEY}: the deployer rewrites
 * an integration's {@code {{config.KEY}}} and {@code {{secret.NAME.KEY}}} placeholders to these names,
 * so each version sees only its own values while Camel resolves them as usual.
 */
public class IntegrationProperties implements PropertiesSource {

  private final Map<String, Map<String, String>> byKey = new ConcurrentHashMap<>();

  @Override
  public String getName() {
    return "outpost-integrations";
  }

  @Override
  public String getProperty(String name) {
    if (!name.startsWith("outpost.")) {
      return null;
    }
    for (Map.Entry<String, Map<String, String>> entry : byKey.entrySet()) {
      if (name.startsWith("outpost." + entry.getKey() + ".")) {
        return entry.getValue().get(name.substring(("outpost." + entry.getKey() + ".").length()));
      }
    }
    return null;
  }

  /** Makes {@code properties} (names such as {@code config.url}) visible to version {@code key}. */
  public void register(String key, Map<String, String> properties) {
    byKey.put(key, Map.copyOf(properties));
  }

  /** Forgets version {@code key}'s properties. */
  public void unregister(String key) {
    byKey.remove(key);
  }
}
