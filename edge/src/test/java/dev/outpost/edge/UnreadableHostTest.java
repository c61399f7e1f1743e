package dev.outpost.edge;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;

/** On a real Netty pipeline: what reaches the next handler for each Host. */
class UnreadableHostTest {

  private static String hostAfter(String host) {
    EmbeddedChannel channel = new EmbeddedChannel(UnreadableHost.INSTANCE);
    HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/");
    request.headers().add("Host", host);
    channel.writeInbound(request);
    HttpRequest passed = channel.readInbound();
    channel.finish();
    return passed.headers().get("Host");
  }

  @Test
  void aHostVertxCannotParseIsMadeOneItRefuses() {
    assertThat(hostAfter("a%41")).isEqualTo("%");
    assertThat(hostAfter("gw%2f")).isEqualTo("%");
    assertThat(hostAfter("%")).isEqualTo("%");
  }

  @Test
  void hostsVertxParsesAreKept() {
    assertThat(hostAfter("api.example.com")).isEqualTo("api.example.com");
    assertThat(hostAfter("api.example.com:8443")).isEqualTo("api.example.com:8443");
    // an IPv6 zone, percent-encoded as RFC 6874 writes it
    assertThat(hostAfter("[fe80::1%25en0]")).isEqualTo("[fe80::1%25en0]");
    assertThat(hostAfter("[fe80::1%25en0]:8080")).isEqualTo("[fe80::1%25en0]:8080");
  }
}
