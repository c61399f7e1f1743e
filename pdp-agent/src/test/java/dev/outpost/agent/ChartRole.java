package dev.outpost.agent;

import com.marcnuri.helm.Helm;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The agent's Role as the Helm chart renders it, and the calls it grants, in the form {@link
 * KubernetesVerbsTest} records calls: {@code verb group/resource[/name]}.
 */
final class ChartRole {
  private static final Path CHART = Path.of("..", "helm", "outpost");
  private static final Path SCENARIO = CHART.resolve("ci/everything-values.yaml");

  private ChartRole() {}

  /** The rules of the agent's Role, rendered with the scenario that runs several agents. */
  static List<PolicyRule> agentRules(KubernetesClient client) {
    String yaml = new Helm(CHART).template().withName("acme").withNamespace(KubernetesVerbsTest.NS)
        .withValuesFile(SCENARIO).call();
    List<HasMetadata> objects = client.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8))).items();
    return objects.stream().filter(Role.class::isInstance).map(Role.class::cast)
        .filter(r -> r.getMetadata().getName().endsWith("-agent")).findFirst()
        .orElseThrow(() -> new AssertionError("the chart renders no agent Role")).getRules();
  }

  /** Whether some rule allows {@code call}. */
  static boolean grants(List<PolicyRule> rules, String call) {
    Call c = Call.parse(call);
    return rules.stream().anyMatch(r -> r.getApiGroups().contains(c.apiGroup()) && r.getResources().contains(c.resource())
        && r.getVerbs().contains(c.verb())
        && (r.getResourceNames().isEmpty() || (c.name() != null && r.getResourceNames().contains(c.name()))));
  }

  /**
   * Every call the rules allow, one per verb and resource (and per name where the rule names
   * objects); {@code *} stands for a rule that allows any name.
   */
  static List<String> grantedCalls(List<PolicyRule> rules) {
    List<String> granted = new ArrayList<>();
    for (PolicyRule rule : rules) {
      for (String group : rule.getApiGroups()) {
        for (String resource : rule.getResources()) {
          for (String verb : rule.getVerbs()) {
            String target = (group.isEmpty() ? "core" : group) + "/" + resource;
            if (rule.getResourceNames().isEmpty()) {
              granted.add(verb + " " + target + "/*");
            } else {
              rule.getResourceNames().forEach(name -> granted.add(verb + " " + target + "/" + name));
            }
          }
        }
      }
    }
    return granted;
  }

  /** Whether the recorded {@code call} is an instance of the {@code granted} permission. */
  static boolean sameGrant(String call, String granted) {
    Call c = Call.parse(call);
    Call g = Call.parse(granted);
    return c.verb().equals(g.verb()) && c.apiGroup().equals(g.apiGroup()) && c.resource().equals(g.resource())
        && ("*".equals(g.name()) || g.name().equals(c.name()));
  }

  private record Call(String verb, String apiGroup, String resource, String name) {
    static Call parse(String call) {
      String[] verbAndTarget = call.split(" ", 2);
      String[] parts = verbAndTarget[1].split("/", 3);
      String group = "core".equals(parts[0]) ? "" : parts[0];
      return new Call(verbAndTarget[0], group, parts[1], parts.length > 2 ? parts[2] : null);
    }
  }
}
