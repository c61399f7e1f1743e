package dev.outpost.runtime.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.camel.CamelContext;
import org.apache.camel.Component;
import org.apache.camel.spi.DataFormat;
import org.apache.camel.spi.Language;
import org.apache.camel.support.PluginHelper;

/**
 * Refuses {@code beans} that would serve every integration as a Camel component, language or data
 * format. Beans go to the registry all integrations share, and Camel looks a scheme up there (by its
 * name, and its name with {@code -component}) before it creates the component: a bean named {@code
 * https} of an {@code HttpComponent} type, with a proxy of its author's, became the https component
 * of every integration deployed after it, and stayed once it was removed; one named {@code files} of
 * the file component's type handed out the component withheld from integrations ({@link
 * WithheldComponent}). Languages and data formats are looked up the same way. So a bean may neither
 * be of such a type nor bear a component's name. The source is read first, for a clear message
 * (the keys as Camel reads them, any case); then, as every way of making a bean ({@code #class:}
 * with arguments, factory methods, builders, scripts) hides what it makes, the registry itself is
 * compared before and after the integration's beans are bound, before any of its routes starts.
 */
final class SharedBeans {

  private static final Set<Class<?>> SHARED_TYPES = Set.of(Component.class, Language.class, DataFormat.class);
  private static final String[] SUFFIXES = {"-component", "-language", "-dataformat"};

  private SharedBeans() {}

  /** @param beans the bean elements of the integration's source ({@link DeclaredBeans#of}) */
  static void check(List<JsonNode> beans, CamelContext camel) throws DeployException {
    Set<String> components = null;
    for (JsonNode bean : beans) {
      if (components == null) {
        components = componentNames(camel);
      }
      check(bean.path("name").asText(""), bean.path("type").asText(""), components, camel);
    }
  }

  private static void check(String name, String type, Set<String> components, CamelContext camel)
      throws DeployException {
    Class<?> beanType;
    try {
      beanType = type.isBlank() ? null : camel.getClassResolver().resolveClass(type.replaceFirst("^#(class|type):", ""));
    } catch (LinkageError e) {
      // a class that is there but cannot be loaded or initialised: an Error, which no deploy step expects
      throw new DeployException("beans: bean '" + name + "' has type " + type + ", which cannot be loaded: " + e);
    }
    if (beanType != null) {
      for (Class<?> shared : SHARED_TYPES) {
        if (shared.isAssignableFrom(beanType)) {
          throw new DeployException("beans: bean '" + name + "' is a Camel " + shared.getSimpleName().toLowerCase(Locale.ROOT)
              + " (" + beanType.getName() + "), which would serve every integration: set its options on the"
              + " endpoint uri instead");
        }
      }
    }
    String scheme = name.toLowerCase(Locale.ROOT);
    for (String suffix : SUFFIXES) {
      if (scheme.endsWith(suffix)) {
        scheme = scheme.substring(0, scheme.length() - suffix.length());
      }
    }
    if (components.contains(scheme)) {
      throw new DeployException("beans: bean name '" + name + "' is taken by the Camel component '" + scheme
          + "', which the bean would replace for every integration: name it otherwise");
    }
  }

  /** The names of the registry's components, languages and data formats. */
  static Set<String> sharedInRegistry(CamelContext camel) {
    Set<String> names = new HashSet<>();
    for (Class<?> shared : SHARED_TYPES) {
      names.addAll(camel.getRegistry().findByTypeWithName(shared).keySet());
    }
    return names;
  }

  /**
   * Refuses, and unbinds, what the integration bound in the registry as a component, language or
   * data format since {@code before} was read.
   */
  static void checkRegistered(CamelContext camel, Set<String> before) throws DeployException {
    Set<String> added = sharedInRegistry(camel);
    added.removeAll(before);
    if (added.isEmpty()) {
      return;
    }
    added.forEach(camel.getRegistry()::unbind);
    throw new DeployException("beans: " + added + " would be a Camel component, language or data format of every"
        + " integration: set the options on the endpoint uri instead");
  }

  private static Set<String> componentNames(CamelContext camel) {
    Set<String> names = new HashSet<>(PluginHelper.getComponentNameResolver(camel).resolveNames(camel));
    names.addAll(camel.getComponentNames());
    names.addAll(WithheldComponent.NAMES);
    return names;
  }
}
