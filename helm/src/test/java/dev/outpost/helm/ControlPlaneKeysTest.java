package dev.outpost.helm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.agent.PinnedKeys;
import dev.outpost.spec.signature.Ed25519Keys;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Secret;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rotation of the control plane's signing key: {@code controlPlane.publicKey} holds the old and the
 * new key, PEM blocks one after the other, and the agent trusts both (spec/PROTOCOL.md section 9),
 * so changes keep flowing while the control plane moves to the new key.
 */
class ControlPlaneKeysTest {

    @Test
    void theAgentTrustsEveryKeyOfTheValue(@TempDir Path dir) throws Exception {
        KeyPair old = Ed25519Keys.generate();
        KeyPair next = Ed25519Keys.generate();
        // as `helm upgrade --set-file controlPlane.publicKey=keys.pem` after `cat old.pub new.pub > keys.pem`
        String pinned = Ed25519Keys.toPem(old.getPublic()) + Ed25519Keys.toPem(next.getPublic());
        Path values = dir.resolve("rotation-values.yaml");
        Files.writeString(values, Yaml.write(Yaml.deepMerge(Yaml.read(Chart.CI.resolve("defaults-values.yaml")),
                Map.<String, Object>of("controlPlane", Map.of("publicKey", pinned)))));
        Rendered rendered = Chart.render(values);

        EnvVar variable = rendered.workloads().stream().filter(w -> w.id().equals("Deployment/acme-outpost-agent"))
                .findFirst().orElseThrow().spec().getContainers().get(0).getEnv().stream()
                .filter(e -> e.getName().equals("OUTPOST_AGENT_CONTROL_PLANE_PUBLIC_KEY")).findFirst().orElseThrow();
        var ref = variable.getValueFrom().getSecretKeyRef();
        String given = new String(Base64.getDecoder().decode(rendered.get(Secret.class, ref.getName()).getData().get(ref.getKey())),
                StandardCharsets.UTF_8);

        assertThat(PinnedKeys.parse(given)).containsExactly(old.getPublic(), next.getPublic());
    }
}
