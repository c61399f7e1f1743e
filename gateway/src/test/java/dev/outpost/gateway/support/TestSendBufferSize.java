package dev.outpost.gateway.support;

import io.quarkus.vertx.http.HttpServerOptionsCustomizer;
import io.vertx.core.http.HttpServerOptions;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Tests only: fixes the public port's socket send buffer ({@code outpost.test.send-buffer-size},
 * bytes; 0, the default, leaves the kernel's autotuning). With a small one a test can hold back a
 * response in the gateway itself, as a slow client over a real network makes it.
 */
@ApplicationScoped
public class TestSendBufferSize implements HttpServerOptionsCustomizer {

  @ConfigProperty(name = "outpost.test.send-buffer-size", defaultValue = "0")
  int bytes;

  @Override
  public void customizeHttpServer(HttpServerOptions options) {
    if (bytes > 0) {
      options.setSendBufferSize(bytes);
    }
  }
}
