package dev.outpost.controlplane;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.spec.testing.LogLines;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.util.List;
import java.util.logging.LogRecord;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

/**
 * What no mapper takes, an {@link Error} as well as an exception, is a 500 in the API's JSON error form
 * ({@link ApiError}), with no stack, class names or file paths; the stack goes to the log, once.
 * {@link FailingResource} throws them, as the API's endpoints would.
 */
@QuarkusTest
class UnexpectedFailuresTest {

  private static final List<String> KINDS =
      List.of("state-not-kept", "out-of-memory", "stack-overflow", "runtime-exception");
  private static final List<String> WAYS = List.of("", "/event-loop");

  /** They were left to Quarkus' own 500 page: HTML, or JSON with (in dev and test mode) the class, message and stack. */
  @Test
  void everyUnexpectedFailureIsA500InTheApisJsonFormLoggedOnceWithItsStack() {
    SoftAssertions softly = new SoftAssertions();
    for (String kind : KINDS) {
      for (String way : WAYS) {
        String path = "/v1/test/failing/" + kind + way;
        Response response;
        List<LogRecord> errors;
        // every logger's: the ERROR must come from ours, not from Quarkus' error handler
        try (LogLines log = LogLines.of("")) {
          response = given().accept("application/json").get(path);
          errors = log.errorRecords();
        }

        String body = response.asString();
        softly.assertThat(response.statusCode()).as(path + ": " + body).isEqualTo(500);
        softly.assertThat(response.contentType()).as(path + ": " + body).startsWith("application/json");
        softly.assertThat(body).as(path).isEqualTo(
            "{\"error\":\"internal\",\"message\":\"the request failed on the server; it has been logged\"}");
        // logged before the answer was made: no wait needed
        softly.assertThat(errors).as(path + " logged at ERROR").singleElement().satisfies(logged -> {
          assertThat(logged.getLoggerName()).isEqualTo(UnexpectedFailures.class.getName());
          assertThat(logged.getThrown()).as("with its stack").isNotNull()
              .hasSameClassAs(FailingResource.failure(kind));
        });
      }
    }
    softly.assertAll();
  }
}
