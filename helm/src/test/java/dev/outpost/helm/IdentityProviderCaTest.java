package dev.outpost.helm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.spec.testing.TestTls;
import dev.outpost.spec.tls.ExtraCas;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An identity provider in the cluster with a private CA: the CA given to the chart reaches the gateway and
 * observability-api as the file their settings name, mounted from a ConfigMap of the release, and reads as
 * the certificate it was, besides the JVM's CAs. Without it nothing is mounted.
 */
class IdentityProviderCaTest {

    private static final String GATEWAY = "Deployment/acme-outpost-gateway";
    private static final String OBSERVABILITY = "StatefulSet/acme-outpost-observability";

    @Test
    void theCaGivenReachesEachComponentAsTheFileItsSettingNames(@TempDir Path dir) throws Exception {
        TestTls idp = TestTls.forHost(dir, "keycloak.identity.svc");
        String pem = Files.readString(idp.certificate());
        Path values = dir.resolve("ca-values.yaml");
        Files.writeString(values, Yaml.write(Yaml.deepMerge(Yaml.read(Chart.CI.resolve("defaults-values.yaml")), Map.<String, Object>of(
                "gateway", Map.of("identityProviderCA", pem),
                "observability", Map.of("queryAuth", Map.of("jwksCA", pem))))));
        Rendered rendered = Chart.render(values);

        for (var component : Map.of(GATEWAY, "OUTPOST_GATEWAY_JWT_CA_FILE",
                OBSERVABILITY, "OUTPOST_OBSERVABILITY_SECURITY_JWKS_CA_FILE").entrySet()) {
            var workload = rendered.workloads().stream().filter(w -> w.id().equals(component.getKey())).findFirst().orElseThrow();
            Container container = workload.spec().getContainers().get(0);
            String file = container.getEnv().stream().filter(e -> e.getName().equals(component.getValue()))
                    .map(EnvVar::getValue).findFirst().orElseThrow();
            VolumeMount mount = container.getVolumeMounts().stream().filter(m -> file.startsWith(m.getMountPath() + "/"))
                    .findFirst().orElseThrow(() -> new AssertionError(file + " is on no mount of " + component.getKey()));
            Volume volume = workload.spec().getVolumes().stream().filter(v -> v.getName().equals(mount.getName()))
                    .findFirst().orElseThrow();
            ConfigMap configMap = rendered.get(ConfigMap.class, volume.getConfigMap().getName());
            String key = file.substring(mount.getMountPath().length() + 1);
            Path mounted = Files.writeString(dir.resolve(component.getValue() + ".pem"), configMap.getData().get(key));

            X509TrustManager trust = (X509TrustManager) Arrays.stream(
                    ExtraCas.withJvms(mounted, component.getValue()).getTrustManagers()).findFirst().orElseThrow();
            assertThat(trust.getAcceptedIssuers()).as(component.getKey()).contains(idp.x509()).hasSizeGreaterThan(1);
            assertThat(workload.spec().getContainers().get(0).getVolumeMounts()).filteredOn(m -> m.getName().equals(mount.getName()))
                    .allMatch(VolumeMount::getReadOnly);
        }
    }

    @Test
    void withoutACaNothingIsMounted() {
        Rendered rendered = Chart.render(Chart.CI.resolve("defaults-values.yaml"));
        assertThat(rendered.ids()).noneMatch(id -> id.contains("idp-ca"));
        for (var workload : rendered.workloads()) {
            assertThat(workload.spec().getContainers().get(0).getEnv()).as(workload.id()).extracting(EnvVar::getName)
                    .doesNotContain("OUTPOST_GATEWAY_JWT_CA_FILE", "OUTPOST_OBSERVABILITY_SECURITY_JWKS_CA_FILE");
        }
    }
}
