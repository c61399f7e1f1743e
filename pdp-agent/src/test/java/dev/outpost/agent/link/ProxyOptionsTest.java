package dev.outpost.agent.link;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.net.ProxyOptions;
import java.net.URI;
import org.junit.jupiter.api.Test;

/**
 * The control plane's proxy as the agent is given it: user and password from the URI (before, they
 * were dropped, so a proxy asking for them answered 407 and the agent reconnected for ever).
 */
class ProxyOptionsTest {

  @Test
  void theUserAndPasswordOfTheUriAreSentPercentDecoded() {
    ProxyOptions options = ControlPlaneLink.proxyOptions(URI.create("http://svc%2Dagent:p%40ss+w%3Ard@proxy.corp.example:3128"));
    assertThat(options.getHost()).isEqualTo("proxy.corp.example");
    assertThat(options.getPort()).isEqualTo(3128);
    assertThat(options.getUsername()).isEqualTo("svc-agent");
    assertThat(options.getPassword()).isEqualTo("p@ss+w:rd");
  }

  @Test
  void withoutThemNoneAreSent() {
    ProxyOptions options = ControlPlaneLink.proxyOptions(URI.create("http://proxy.corp.example:8080"));
    assertThat(options.getUsername()).isNull();
    assertThat(options.getPassword()).isNull();
  }
}
