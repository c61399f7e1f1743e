package dev.outpost.runtime.deploy;

import java.util.Map;
import java.util.Set;
import org.apache.camel.Endpoint;
import org.apache.camel.support.DefaultComponent;

/**
 * Stands in for a Camel component that is on the runtime's class path for Camel's own needs but
 * is not offered to integrations: {@code file} (it would read the secrets directory and the other
 * integrations' state) and {@code class} (it instantiates any class by name). Any endpoint of it
 * fails to resolve with a message that says so.
 */
final class WithheldComponent extends DefaultComponent {

  /** The components withheld from integrations. */
  static final Set<String> NAMES = Set.of("file", "class");

  private final String name;

  WithheldComponent(String name) {
    this.name = name;
  }

  @Override
  protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) {
    throw new IllegalArgumentException("No endpoint could be found for: " + uri
        + ", the '" + name + "' component is not available to integrations");
  }
}
