package dev.outpost.observability.security;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.observability.support.TestIdpResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The identity provider's keys, once fetched, keep verifying tokens while its JWKS endpoint is down. */
@QuarkusTest
@QuarkusTestResource(TestIdpResource.class)
class IdentityProviderOutageTest {

  private static int status(String token) {
    return given().auth().oauth2(token).queryParam("limit", "1").get("/api/v1/logs").statusCode();
  }

  @Test
  void cachedKeysKeepVerifyingPastTheirLifetimeWhileTheJwksIsDown() throws Exception {
    assertThat(status(TestIdpResource.idp().token("olga", List.of("outage")))).isEqualTo(200);
    TestIdpResource.idp().down(true);
    try {
      Thread.sleep(1500); // the JWKS is served with max-age=1: the copy has expired
      assertThat(status(TestIdpResource.idp().token("olga", List.of("outage"))))
          .as("a valid token while the IdP is down").isEqualTo(200);
      assertThat(status(TestIdpResource.idp().forgedToken("olga", List.of("outage"))))
          .as("and a forged one is still refused").isEqualTo(401);
    } finally {
      TestIdpResource.idp().down(false);
    }
  }
}
