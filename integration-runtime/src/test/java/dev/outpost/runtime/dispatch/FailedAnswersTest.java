package dev.outpost.runtime.dispatch;

import static dev.outpost.runtime.Integrations.httpRoute;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.runtime.Integrations;
import dev.outpost.spec.testing.LogLines;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.net.URL;
import java.util.List;
import java.util.logging.LogRecord;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

/**
 * A route that ran to its end but whose answer platform-http cannot write fails the request's routing
 * context, past Camel's error handling: it got Quarkus' own 500 page, not in the runtime's shape and (in
 * dev and test mode) with the exception and its stack, which the gateway forwards to the API's consumers. The runtime's own JSON answer
 * instead, the failure logged once with its stack.
 */
@QuarkusTest
class FailedAnswersTest {

  /** Bodies platform-http finds no conversion for to write: a route's mistake, found only at its answer. */
  private static final List<String> UNWRITABLE = List.of("${exchange}", "${exchange.context}");

  @TestHTTPResource("/")
  URL http;

  @TestHTTPResource(value = "/", management = true)
  URL management;

  @Test
  void anAnswerPlatformHttpCannotWriteIsTheRuntimesOwn500LoggedOnce() {
    SoftAssertions softly = new SoftAssertions();
    for (int i = 0; i < UNWRITABLE.size(); i++) {
      String name = "unwritable-" + i;
      Integrations.put(management, Integrations.of(name, "1", httpRoute(name, "/" + name, """
          - setBody:
              simple: "%s"
          """.formatted(UNWRITABLE.get(i))))).then().statusCode(200);
      try {
        Response response;
        List<LogRecord> errors;
        // every logger's: the ERROR must come from ours, not from Quarkus' error handler
        try (LogLines log = LogLines.of("")) {
          response = given().get(Integrations.base(http) + name);
          errors = log.errorRecords();
        }

        String body = response.asString();
        String what = UNWRITABLE.get(i) + ": " + body;
        softly.assertThat(response.statusCode()).as(what).isEqualTo(500);
        softly.assertThat(response.contentType()).as(what).startsWith("application/json");
        softly.assertThat(body).as(what).isEqualTo(
            "{\"status\":500,\"error\":\"integration '" + name + "' failed to answer; it has been logged\"}");
        // logged before the answer was sent: no wait needed
        softly.assertThat(errors).as(what + ": logged at ERROR").singleElement().satisfies(logged -> {
          assertThat(logged.getLoggerName()).isEqualTo(FailedAnswers.class.getName());
          assertThat(logged.getThrown()).as("with its stack").isNotNull();
        });
      } finally {
        Integrations.delete(management, name).then().statusCode(204);
      }
    }
    softly.assertAll();
  }
}
