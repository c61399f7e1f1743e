package dev.outpost.runtime.telemetry;

import static dev.outpost.runtime.Eventually.eventually;
import static dev.outpost.runtime.Integrations.httpRoute;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.hamcrest.Matchers.equalTo;

import dev.outpost.runtime.Integrations;
import dev.outpost.spec.model.Integration;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.logs.Logger;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.json.JsonObject;
import jakarta.inject.Inject;
import java.net.URL;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * One integration logging far past its budget, then another, of another project, logging a few marked
 * lines in the same shared runtime while the flood's records wait for their export: the other's lines
 * all reach observability-api (they were dropped with the flood's, silently, by the SDK's one full
 * queue: none of 30 arrived), the flood's only up to its budget, and its
 * drops are counted on the management port and told, at WARN, to its own project. A budget of
 * {@value #PER_SECOND} records a second, so the flood outruns it at once; the receiver takes a second
 * for each batch of logs, as observability-api does to make one durable, so the flood also outran
 * the exports.
 */
@QuarkusTest
@TestProfile(LogRecordBudgetProcessorTest.LowBudget.class)
@QuarkusTestResource(value = OtlpReceiver.class, restrictToAnnotatedClass = true,
    initArgs = @ResourceArg(name = OtlpReceiver.LOGS_DELAY_MILLIS, value = "1000"))
class LogRecordBudgetProcessorTest {

  static final int PER_SECOND = 100;
  /** More than the SDK's queue holds (8,192) and what its exports take meanwhile (a batch of 512 a second). */
  static final int FLOOD = 12_000;
  static final int MARKED = 30;
  static final String DROPPED = "outpost_integration_log_records_dropped_total";

  public static class LowBudget implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("outpost.runtime.telemetry.log-records-per-second", String.valueOf(PER_SECOND));
    }
  }

  @TestHTTPResource("/")
  URL http;

  @TestHTTPResource(value = "/", management = true)
  URL management;

  @ConfigProperty(name = "quarkus.otel.exporter.otlp.endpoint")
  String receiver;

  @Inject
  OpenTelemetry openTelemetry;

  /** Quarkus loads the SDK autoconfigure's providers from META-INF/services: ours wraps the batch processor. */
  @Test
  void theBudgetsStandInFrontOfTheExport() {
    assertThat(((OpenTelemetrySdk) openTelemetry).getSdkLoggerProvider().toString())
        .contains("LogRecordBudgetProcessor{perSecond=" + PER_SECOND + ", next=BatchLogRecordProcessor{");
  }

  /** Records of no integration, the runtime's own, are not counted against any budget. */
  @Test
  void theRuntimesOwnRecordsPassWhateverTheirNumber() {
    List<String> passed = new CopyOnWriteArrayList<>();
    try (SdkLoggerProvider provider = SdkLoggerProvider.builder().addLogRecordProcessor(new LogRecordBudgetProcessor(
        (context, record) -> passed.add(record.toLogRecordData().getBodyValue().asString()), 1, () -> 0L)).build()) {
      Logger logger = provider.get("test");
      for (int i = 0; i < 10; i++) {
        logger.logRecordBuilder().setBody("own " + i).emit();
        logger.logRecordBuilder().setBody("integration's " + i).setAttribute(TelemetryAttributes.PROJECT, "unit")
            .setAttribute(TelemetryAttributes.INTEGRATION, "unit-test").setAttribute(TelemetryAttributes.VERSION, "1").emit();
      }
    }
    assertThat(passed.stream().filter(body -> body.startsWith("own "))).hasSize(10);
    assertThat(passed.stream().filter(body -> body.startsWith("integration's "))).as("a burst of twice 1").hasSize(2);
  }

  @Test
  void aFloodingIntegrationLosesItsOwnRecordsOnlyCountedAndToldAndTheOthersArriveWhole() throws Exception {
    Integrations.put(management, new Integration("quiet", "quiet-b", "1", httpRoute("quiet", "/quiet", """
        - loop:
            constant: "%d"
            steps:
              - log: "quiet mark ${exchangeProperty.CamelLoopIndex}"
        - setBody:
            constant: done
        """.formatted(MARKED)), Map.of(), List.of(), 1, null)).then().statusCode(200);
    // the other integration logs right after the flood, while the flood's records wait for their export
    Integrations.put(management, new Integration("flooder", "flood-a", "1", httpRoute("flooder", "/flooder", """
        - loop:
            constant: "%d"
            steps:
              - log: "flood line ${exchangeProperty.CamelLoopIndex}"
        - to: "{{config.quiet}}"
        """.formatted(FLOOD)), Map.of("quiet", http + "quiet"), List.of(), 1, null)).then().statusCode(200);
    try {
      long started = System.nanoTime();
      given().get(http + "flooder").then().statusCode(200).body(equalTo("done"));
      double floodSeconds = (System.nanoTime() - started) / 1e9;

      eventually(() -> {
        List<JsonObject> records = records();
        assertThat(records.stream().filter(r -> r.getString("body", "").startsWith("quiet mark ")))
            .as("every line of the other project's integration").hasSize(MARKED)
            .allSatisfy(r -> assertThat(r.getJsonObject("attributes").getString("outpost.project")).isEqualTo("quiet-b"));
        assertThat(records).as("the flooding integration's warning, among its own project's records").anySatisfy(r -> {
          assertThat(r.getString("severity")).isEqualTo("WARN");
          assertThat(r.getJsonObject("attributes").getString("outpost.project")).isEqualTo("flood-a");
          assertThat(r.getJsonObject("attributes").getString("outpost.integration")).isEqualTo("flooder");
          assertThat(r.getString("body")).contains("integration flooder dropped", "log records",
              "outpost.runtime.telemetry.log-records-per-second", "the runtime's own log has them");
        });
      });
      long arrived = records().stream().filter(r -> r.getString("body", "").startsWith("flood line ")).count();
      // a full bucket (two seconds' worth) and what refilled while the flood ran
      assertThat(arrived).as("the flood's records that arrived, in %.1f s", floodSeconds)
          .isBetween((long) PER_SECOND, (long) (2 * PER_SECOND + PER_SECOND * floodSeconds) + 10);
      eventually(() -> assertThat(Integrations.metric(management, DROPPED, "flooder"))
          .as("the counted drops, %d of %d arrived", arrived, FLOOD).isCloseTo(FLOOD - arrived, within(20.0)));
      assertThat(given().get(Integrations.base(management) + "q/metrics").asString())
          .containsPattern(DROPPED + "\\{[^}]*integration=\"flooder\"[^}]*project=\"flood-a\"")
          .doesNotContainPattern(DROPPED + "\\{[^}]*integration=\"quiet\"");
    } finally {
      Integrations.delete(management, "flooder");
      Integrations.delete(management, "quiet");
    }
  }

  private List<JsonObject> records() throws Exception {
    return OtlpReceiver.records(receiver);
  }
}
