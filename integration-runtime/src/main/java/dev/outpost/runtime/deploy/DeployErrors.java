package dev.outpost.runtime.deploy;

import dev.outpost.runtime.secret.SecretRedaction;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.apache.camel.CamelContext;
import org.apache.camel.NoSuchEndpointException;
import org.apache.camel.support.PluginHelper;

/**
 * Turns what a failed load threw into the message an integration's author sees in its status:
 * Camel's own message (with its line/column when it gives one, or the step and line of a step
 * written in a short form Camel does not take, {@link PlainValueStep}), without Outpost's internal names,
 * with the shipped components listed when a route names one Outpost does not ship, and with every
 * secret value replaced by {@code ****}.
 */
final class DeployErrors {

  private static final Pattern CONTROL = Pattern.compile("[\\p{Cc}\\u202A-\\u202E\\u2066-\\u2069&&[^\\t\\n\\r]]");

  private DeployErrors() {}

  /** @param source the integration's source as its author wrote it, whose lines the message may name */
  static String describe(Throwable error, String source, CamelContext camel, String key, String prefix,
      Set<String> secretValues) {
    List<String> messages = new ArrayList<>();
    boolean unknownComponent = false;
    for (Throwable t = error; t != null && messages.size() < 4; t = t.getCause()) {
      unknownComponent |= t instanceof NoSuchEndpointException
          || (t.getMessage() != null && t.getMessage().contains("No endpoint could be found for"));
      String m = t.getMessage();
      if (m != null && !m.isBlank() && messages.stream().noneMatch(prev -> prev.contains(m))) {
        messages.add(m.strip());
      }
      if (t.getCause() == t) {
        break;
      }
    }
    if (shortFormRefused(error)) {
      messages.add(0, PlainValueStep.in(source).map(PlainValueStep::message)
          .orElse("a step is given as a plain value where Camel's YAML DSL needs its options written out"
              + " (such as wireTap:, whose uri: goes on a line of its own)"));
    }
    String message = messages.isEmpty() ? error.getClass().getSimpleName() : String.join(": caused by: ", messages);
    if (unknownComponent) {
      message += " — Outpost ships these components: " + String.join(", ", shippedComponents(camel));
    }
    return redact(withoutControlCharacters(withoutInternalNames(message, key, prefix)), secretValues);
  }

  /**
   * Control characters (line breaks and tabs kept) and bidirectional overrides a source put in what
   * Camel quotes, each shown as {@code ?}: the message reaches terminals ({@code ./outpost status},
   * {@code deploy}), whose escapes a deployer would otherwise run there.
   */
  static String withoutControlCharacters(String message) {
    return CONTROL.matcher(message).replaceAll("?");
  }

  /**
   * Whether the YAML DSL refused a step written as a plain value ({@code wireTap: seda:x}): its
   * deserializer takes a scalar only for some steps, and says nothing but
   * {@code UnsupportedOperationException} for the others.
   */
  private static boolean shortFormRefused(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof UnsupportedOperationException && t.getStackTrace().length > 0
          && t.getStackTrace()[0].getClassName().startsWith("org.apache.camel.dsl.yaml.")) {
        return true;
      }
    }
    return false;
  }

  /** The Camel components present in this runtime, sorted. */
  static Set<String> shippedComponents(CamelContext camel) {
    Set<String> names = new TreeSet<>(PluginHelper.getComponentNameResolver(camel).resolveNames(camel));
    names.addAll(camel.getComponentNames());
    names.removeAll(WithheldComponent.NAMES);
    return names;
  }

  static String withoutInternalNames(String message, String key, String prefix) {
    return message
        .replace("outpost." + key + ".", "")
        .replace(key + ".", "")
        .replace(prefix, "")
        // Camel shortens long URIs in messages ("platform-http:/_outpost/ord..."): drop what is left;
        // bounded, so that a message of many internal paths and no "..." is not scanned quadratically
        .replaceAll("/_outpost/[^\\s\\]]{0,1000}?\\.\\.\\.", "...");
  }

  static String redact(String message, Set<String> secretValues) {
    String result = message;
    for (String value : secretValues) {
      if (!value.isEmpty()) {
        result = result.replace(value, SecretRedaction.REDACTED);
      }
    }
    return result;
  }
}
