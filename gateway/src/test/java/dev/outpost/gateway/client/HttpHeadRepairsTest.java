package dev.outpost.gateway.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What the gateway mends in heads before Vert.x reads them, and as answers leave. */
class HttpHeadRepairsTest {

  /** vertx-http-proxy's stamp had a one-digit day on days 1 to 9, whatever day this test runs. */
  @Test
  void anAnswersDateIsTheGatewaysInTheImfFixdateForm() {
    HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    response.headers().set("Date", "Mon, 7 Dec 2026 02:08:10 GMT");
    HttpHeadRepairs.response(response);
    String date = response.headers().get("Date");
    assertThat(date).matches("[A-Z][a-z]{2}, \\d{2} [A-Z][a-z]{2} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT");
    assertThat(Duration.between(DateTimeFormatter.RFC_1123_DATE_TIME.parse(date, Instant::from), Instant.now()).abs())
        .isLessThan(Duration.ofMinutes(1));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
      "HTTP/1.2, HTTP/1.1",
      "HTTP/2.0, HTTP/1.1",
      "HTTP/1.0, HTTP/1.0",
      "FOO/1.2, FOO/1.2",
  })
  void anHttpVersionAbove11IsServedAs11(String version, String after) {
    HttpRequest request = new DefaultHttpRequest(HttpVersion.valueOf(version), HttpMethod.GET, "/x");
    HttpHeadRepairs.request(request);
    assertThat(request.protocolVersion().text()).isEqualTo(after);
  }

  /** RFC 9112 9.6: {@code close} anywhere in the list ends the connection; Vert.x reads only a value that is {@code close} alone. */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiterString = " -> ", value = {
      "keep-alive, close -> true",
      "Host,CLOSE -> true",
      " close , X-Foo -> true",
      "close -> false", // Vert.x reads it as it is
      "keep-alive -> false",
      "closed, X-close -> false",
      "c, clos -> false",
      "keep-alive, clo -> false",
      "keep-alive,\tclose -> true",
  })
  void aConnectionListNamingCloseGetsTheCloseVertxReads(String connection, boolean added) {
    // the headers Vert.x's decoder makes, whose containsValue takes a prefix of close for close
    HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/x",
        io.vertx.core.http.impl.headers.HeadersMultiMap.httpHeaders());
    request.headers().set("Connection", connection);
    HttpHeadRepairs.request(request);
    assertThat(request.headers().getAll("Connection")).isEqualTo(added ? List.of(connection, "close") : List.of(connection));
  }

  /** HTTP/1.0 stays open for a keep-alive value whatever else is listed: that value goes. */
  @org.junit.jupiter.api.Test
  void anHttp10ConnectionListNamingCloseLosesItsKeepAlive() {
    HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_0, HttpMethod.GET, "/x",
        io.vertx.core.http.impl.headers.HeadersMultiMap.httpHeaders());
    request.headers().add("Connection", "keep-alive");
    request.headers().add("Connection", "X-Foo, close");
    HttpHeadRepairs.request(request);
    assertThat(request.headers().getAll("Connection")).containsExactly("X-Foo, close", "close");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiterString = " -> ", value = {
      "/a/b?x=1&y=%2F -> /a/b?x=1&y=%2F",
      "/a|b?f={\"a\":1} -> /a%7Cb?f=%7B%22a%22:1%7D",
      "/x?k[1]=v&p=^` -> /x?k[1]=v&p=%5E%60",
      "/x[1] -> /x%5B1%5D",
      "/a%zz?s=%zz&t=%4 -> /a%zz?s=%25zz&t=%254",
      "/x?a=%41%2 -> /x?a=%41%252",
  })
  void aTargetKeepsItsEscapesAndEncodesWhatAUriCannotHoldRaw(String target, String encoded) {
    assertThat(HttpHeadRepairs.encodeUnsafe(target)).isEqualTo(encoded);
    assertThat(HttpHeadRepairs.encodeUnsafe(encoded)).as("stable").isEqualTo(encoded);
  }
}
