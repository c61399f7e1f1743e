package dev.outpost.observability.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.observability.support.TestIdpResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.InputStream;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * One rule on every call for when a token stops being taken: {@code mp.jwt.verify.clock.skew} (60 s)
 * past its {@code exp}. The live tail refused at {@code exp} a token the searches took for a minute more.
 */
@QuarkusTest
@QuarkusTestResource(TestIdpResource.class)
class TokenExpiryTest {

  private static final List<String> CALLS = List.of("/api/v1/logs?limit=1", "/api/v1/logs/histogram",
      "/api/v1/logs/tail", "/api/v1/traces", "/api/v1/services", "/jaeger/api/services");

  @TestHTTPResource("/")
  URL api;

  @Test
  void aTokenJustPastItsExpiryIsTakenByEveryCallAndOneAMinutePastByNone() throws Exception {
    long now = System.currentTimeMillis() / 1000;
    String justPast = expiredAt(now - 5);
    String longPast = expiredAt(now - 65);
    List<String> failures = new ArrayList<>();
    for (String call : CALLS) {
      int within = status(call, justPast);
      if (within != 200) {
        failures.add(call + " answered " + within + " to a token 5 s past its exp");
      }
      int past = status(call, longPast);
      if (past != 401) {
        failures.add(call + " answered " + past + " to a token 65 s past its exp");
      }
    }
    assertThat(failures).isEmpty();
  }

  private static String expiredAt(long exp) {
    return TestIdpResource.idp().token("expiring", Map.of("projects", List.of("expiry"), "iat", exp - 600, "exp", exp));
  }

  /** The answer's status, read from its head: a tail's body would last until the token's end. */
  private int status(String call, String token) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create(api.toString().replaceAll("/$", "") + call))
        .header("Authorization", "Bearer " + token).build();
    HttpResponse<InputStream> response = HttpClient.newHttpClient()
        .sendAsync(request, HttpResponse.BodyHandlers.ofInputStream()).get(10, TimeUnit.SECONDS);
    response.body().close();
    return response.statusCode();
  }
}
