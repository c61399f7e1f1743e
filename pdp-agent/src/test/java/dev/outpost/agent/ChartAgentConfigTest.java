package dev.outpost.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import dev.outpost.agent.targets.KubernetesTargetConfig;
import dev.outpost.agent.targets.RuntimeTemplate;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chart's settings reach the agent: the chart is rendered and its variables are read through
 * {@link AgentConfig} itself, its runtime template through {@link RuntimeTemplate}. (That every
 * variable names a key is the chart's ComponentSettingsTest.)
 */
class ChartAgentConfigTest {
  static final Path CHART = Path.of("..", "helm", "outpost");

  record Rendered(Deployment agent, ConfigMap runtime, List<Role> roles) {}

  static Rendered render(String valuesFile) {
    String yaml = new Helm(CHART).template().withName("acme").withNamespace("outpost")
        .withValuesFile(CHART.resolve("ci").resolve(valuesFile)).call();
    List<HasMetadata> objects = new KubernetesSerialization().unmarshal(
        new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)));
    Deployment agent = objects.stream().filter(Deployment.class::isInstance).map(Deployment.class::cast)
        .filter(d -> d.getMetadata().getName().endsWith("-agent")).findFirst().orElseThrow();
    ConfigMap runtime = objects.stream().filter(ConfigMap.class::isInstance).map(ConfigMap.class::cast)
        .filter(c -> c.getMetadata().getName().endsWith("-agent")).findFirst().orElseThrow();
    List<Role> roles = objects.stream().filter(Role.class::isInstance).map(Role.class::cast).toList();
    return new Rendered(agent, runtime, roles);
  }

  static List<EnvVar> env(Deployment agent) {
    return agent.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv();
  }

  /** The agent's configuration as the rendered environment makes it (values from Secrets left out). */
  static AgentConfig config(Deployment agent) {
    Map<String, String> literal = new LinkedHashMap<>();
    env(agent).stream().filter(e -> e.getValue() != null && !e.getValue().contains("$("))
        .forEach(e -> literal.put(e.getName(), e.getValue()));
    SmallRyeConfig config = new SmallRyeConfigBuilder().withSources(new EnvConfigSource(literal, 300))
        .withConverter(Duration.class, 200, new DurationConverter()) // Quarkus' "60s"
        .withMapping(AgentConfig.class).build();
    return config.getConfigMapping(AgentConfig.class);
  }

  @Test
  void oneAgentAppliesWithoutElectionAndSeveralElectOnTheLeaseTheirRoleGrants() {
    AgentConfig one = config(render("defaults-values.yaml").agent());
    assertThat(one.leaderElection().enabled()).as("no Lease is granted to a single agent").isFalse();

    Rendered several = render("everything-values.yaml");
    AgentConfig config = config(several.agent());
    String granted = several.roles().stream().flatMap(r -> r.getRules().stream())
        .filter(r -> r.getResources().contains("leases") && !r.getResourceNames().isEmpty())
        .flatMap(r -> r.getResourceNames().stream()).findFirst().orElseThrow();
    assertThat(config.leaderElection().enabled()).isTrue();
    assertThat(config.leaderElection().leaseName()).isEqualTo(granted);
  }

  /** Neither the control plane token's Secret nor the ingest token's may be mounted into an integration's pod. */
  @Test
  void theTokenSecretsAreOnesNoIntegrationMayDeclare() {
    for (String values : java.util.List.of("defaults-values.yaml", "existing-secret-values.yaml")) {
      Rendered rendered = render(values);
      String controlPlane = secretOf(rendered, "OUTPOST_AGENT_CONTROL_PLANE_TOKEN");
      String ingest = secretOf(rendered, "OUTPOST_INGEST_TOKEN");
      assertThat(config(rendered.agent()).kubernetes().reservedSecrets()).as(values)
          .hasValue(java.util.List.of(controlPlane, ingest));
    }
  }

  private static String secretOf(Rendered rendered, String variable) {
    return env(rendered.agent()).stream().filter(e -> e.getName().equals(variable))
        .findFirst().orElseThrow().getValueFrom().getSecretKeyRef().getName();
  }

  @Test
  void theAgentAsksTheGatewayForItsRoutesWhereTheGatewayServesThem() {
    AgentConfig config = config(render("defaults-values.yaml").agent());
    assertThat(config.gatewayStatusUrl()).get().asString()
        .matches("http://acme-outpost-gateway-headless\\.outpost\\.svc\\.[a-z.]+:9000/outpost/routes");
  }

  @Test
  void theRuntimeTemplateTheChartWritesIsReadWhole(@TempDir Path dir) throws Exception {
    Rendered rendered = render("defaults-values.yaml");
    Path file = dir.resolve("runtime.json");
    Files.writeString(file, rendered.runtime().getData().get("runtime.json"));
    KubernetesTargetConfig read = RuntimeTemplate.read(file, KubernetesTargetConfig.of("outpost", "default:0", "Never"));

    assertThat(read.runtimeImage()).isNotEqualTo("default:0").contains("integration-runtime");
    assertThat(read.imagePullPolicy()).isNotEqualTo("Never");
    // integrationRuntime.resources in values.yaml: integration pods without their own are not BestEffort
    assertThat(read.defaultResources().getLimits()).containsKey("memory");
    assertThat(read.defaultResources().getRequests()).containsKey("cpu").containsKey("memory");
    assertThat(read.defaultResources().getLimits().get("memory")).isNotEqualTo(new Quantity("0"));
    assertThat(read.otlpEndpoint()).get().asString().endsWith(":4318");
    assertThat(read.placement()).isEqualTo(dev.outpost.agent.targets.PodPlacement.ANYWHERE);
  }

  /** Where integration pods go, as integrationRuntime's values say, reaches the agent whole. */
  @Test
  void integrationPodsArePlacedAsTheChartSays(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("runtime.json");
    Files.writeString(file, render("everything-values.yaml").runtime().getData().get("runtime.json"));
    KubernetesTargetConfig read = RuntimeTemplate.read(file, KubernetesTargetConfig.of("outpost", "default:0", "Never"));

    assertThat(read.placement().nodeSelector()).containsExactly(java.util.Map.entry("pool", "integrations"));
    assertThat(read.placement().tolerations()).extracting("key", "effect")
        .containsExactly(org.assertj.core.groups.Tuple.tuple("dedicated", "NoSchedule"));
    assertThat(read.placement().priorityClassName()).isEqualTo("integrations");
    assertThat(read.placement().podAnnotations()).containsEntry("sidecar.istio.io/inject", "false");
    assertThat(read.placement().affinity()).isNull();
  }
}
