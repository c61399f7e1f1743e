package dev.outpost.observability.query;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.observability.support.TestIdpResource;
import dev.outpost.spec.testing.LogLines;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.util.List;
import java.util.logging.LogRecord;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

/**
 * What the query code cannot foresee, a JVM or Lucene {@link Error} as well as an exception, is a 500
 * in the API's JSON error form, with no stack or class names; the stack goes to the log, once.
 * {@link FailingResource} throws them, as the query endpoints would.
 */
@QuarkusTest
@QuarkusTestResource(TestIdpResource.class)
class UnexpectedFailuresTest {

  private static final List<String> KINDS =
      List.of("internal-error", "assertion-error", "stack-overflow", "out-of-memory", "runtime-exception");
  /** Each way an endpoint answers: a worker thread, the event loop, a Uni, a server-sent stream. */
  private static final List<String> WAYS = List.of("", "/event-loop", "/uni", "/tail");

  /**
   * An Error was left to Quarkus' own 500 page: HTML, or Quarkus' JSON with the Error's class, message
   * and (in dev and test mode) its stack, to the browser.
   */
  @Test
  void everyUnexpectedFailureIsA500InTheApisJsonFormLoggedOnceWithItsStack() {
    SoftAssertions softly = new SoftAssertions();
    for (String kind : KINDS) {
      for (String way : WAYS) {
        String path = "/api/test/failing/" + kind + way;
        Response response;
        List<LogRecord> errors;
        // every logger's: the ERROR must come from ours, not from Quarkus' error handler
        try (LogLines log = LogLines.of("")) {
          response = given().accept(way.equals("/tail") ? "text/event-stream" : "application/json").get(path);
          errors = log.errorRecords();
        }

        String body = response.asString();
        softly.assertThat(response.statusCode()).as(path + ": " + body).isEqualTo(500);
        softly.assertThat(response.contentType()).as(path + ": " + body).startsWith("application/json");
        softly.assertThat(body).as(path).contains("\"error\":\"internal\"")
            .contains("\"message\":\"the query failed on the server; it has been logged\"");
        softly.assertThat(body).as(path).doesNotContain("java.", "dev.outpost", "Error", "Exception", "\tat ");
        // logged before the answer was made: no wait needed
        softly.assertThat(errors).as(path + " logged at ERROR").singleElement().satisfies(logged -> {
          assertThat(logged.getLoggerName()).isEqualTo(ErrorMappers.class.getName());
          assertThat(logged.getThrown()).as("with its stack").isNotNull()
              .hasSameClassAs(FailingResource.failure(kind));
        });
      }
    }
    softly.assertAll();
  }
}
