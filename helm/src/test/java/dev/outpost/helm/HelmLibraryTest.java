package dev.outpost.helm;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.jni.NativeLibrary;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The helm library comes from the Maven repository with helm-java's platform artifact: nothing is
 * fetched when the tests run (helm-java's fallback would download the platform jar at run time).
 */
class HelmLibraryTest {

    @Test
    void theNativeHelmLibraryIsOnTheClasspath() throws Exception {
        NativeLibrary library = NativeLibrary.serviceProviderLibrary(getClass().getClassLoader());

        assertThat(library).as("a platform artifact (linux-amd64, darwin-arm64, ...) on the test classpath").isNotNull();
        Path jar = Path.of(library.getClass().getProtectionDomain().getCodeSource().getLocation().toURI());
        assertThat(jar.toString()).contains("com" + java.io.File.separator + "marcnuri" + java.io.File.separator + "helm-java");
        assertThat(library.getClass().getResource("/" + library.getBinaryName())).as("the bundled binary").isNotNull();
    }

    @Test
    void itIsAHelm3Library() {
        assertThat(Helm.version().call()).startsWith("v3.");
    }
}
