package dev.outpost.observability.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.google.protobuf.util.JsonFormat;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** An OTLP/JSON body is read whole or refused, saying why in words a sender can act on. */
class OtlpJsonTest {

  private static final String BATCH =
      "{\"resourceLogs\":[{\"scopeLogs\":[{\"logRecords\":[{\"body\":{\"stringValue\":\"%s\"}}]}]}]}";

  /**
   * Jackson's default read stops after the first value: a second batch appended to the first was
   * dropped unread, and text after the object ignored, both answered 200.
   */
  @Test
  void moreAfterTheObjectIsRefused() throws Exception {
    for (String body : List.of(BATCH.formatted("a") + BATCH.formatted("b"), BATCH.formatted("a") + "\n" + BATCH.formatted("b"),
        "{} xyz", "{}}", "{} 1", "{} {")) {
      assertThat(refusal(body)).as(body).startsWith("body must be one JSON object, but more follows the one that ends at line 1");
    }
    assertThat(parse(BATCH.formatted("alone") + " \r\n\t").getResourceLogs(0).getScopeLogs(0).getLogRecords(0).getBody()
        .getStringValue()).as("white space after it is no more").isEqualTo("alone");
  }

  /** A syntax error is told without Jackson's setting names ("`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled"). */
  @Test
  void aSyntaxErrorIsToldInPlainWords() throws Exception {
    for (String body : List.of("{\"resourceLogs\":[", "{\"resourceLogs\": NaN}", "{\"resourceLogs\": }")) {
      assertThat(refusal(body)).as(body).startsWith("body is not valid JSON: ")
          .doesNotContain("`", "StreamReadFeature", "JsonReadFeature", "com.fasterxml");
    }
  }

  /**
   * A tree keeps only the last value of a key given twice: every record under the first was lost
   * without a word. Refused wherever the key is, a field OTLP does not define included.
   */
  @Test
  void aKeyGivenTwiceIsRefusedAtAnyDepth() {
    assertThat(refusal("{\"resourceLogs\":[{\"scopeLogs\":[]}],\"resourceLogs\":[{\"scopeLogs\":[]}]}"))
        .startsWith("body gives the key \"resourceLogs\" twice in one object, at line 1, column ")
        .endsWith(": one of them would be lost");
    assertThat(refusal("{\"resourceLogs\":[{\"scopeLogs\":[{\"logRecords\":[{\"body\":{\"stringValue\":\"a\"},"
        + "\"body\":{\"stringValue\":\"b\"}}]}]}]}")).startsWith("body gives the key \"body\" twice");
    assertThat(refusal("{\"resourceLogs\":[{\"scopeLogs\":[{\"logRecords\":[{\"attributes\":[{\"key\":\"a\",\"key\":\"b\"}]}]}]}]}"))
        .startsWith("body gives the key \"key\" twice");
    assertThat(refusal("{\"resourceLogs\":[],\"someFutureField\":{\"x\":1,\"x\":2}}")).startsWith("body gives the key \"x\" twice");
  }

  /**
   * Protobuf's JSON parser (Gson) reads at most 255 levels of arrays and objects, where Jackson read
   * 1,000: a body between the two was refused with Gson's exception as its message, its class name
   * and a path of some 900 characters. Jackson now stops where Gson would.
   */
  @Test
  void nestingDeeperThanProtobufReadsIsRefusedInPlainWords() throws Exception {
    assertThat(parse(nested(255)).getResourceLogsCount()).as("255 levels, the outer object's included").isZero();
    assertThat(refusal(nested(256)))
        .isEqualTo("body is past a limit of this server: Document nesting depth (256) exceeds the maximum allowed (255)");
  }

  /** protobuf reads 100 nested messages: a log body of 45 nested kvlistValues is refused, and says so. */
  @Test
  void valuesNestedDeeperThanProtobufReadsAreRefusedSayingSo() throws Exception {
    String value = "{\"stringValue\":\"leaf\"}";
    for (int i = 0; i < 45; i++) {
      value = "{\"kvlistValue\":{\"values\":[{\"key\":\"k\",\"value\":" + value + "}]}}";
    }
    assertThat(refusal("{\"resourceLogs\":[{\"scopeLogs\":[{\"logRecords\":[{\"body\":" + value + "}]}]}]}"))
        .contains("nested deeper than protobuf reads");
  }

  /** What protobuf's parser says is passed on without the class names of the exceptions it wraps. */
  @Test
  void protobufsOwnMessageNamesNoJavaClass() {
    // Gson's refusal as protobuf passes it on: "com.google.gson.stream.MalformedJsonException: Nesting limit…"
    Throwable gson = catchThrowable(() -> JsonFormat.parser().merge(nested(300), ExportLogsServiceRequest.newBuilder()));
    assertThat(gson.getMessage()).startsWith("com.google.gson.stream.MalformedJsonException: ");

    assertThat(OtlpJson.plainMessage(gson)).startsWith("Nesting limit 255 reached at line 1 column ")
        .doesNotContain("com.google").doesNotContain("Exception").hasSizeLessThanOrEqualTo(201);
    assertThat(OtlpJson.plainMessage(new IllegalStateException((String) null))).isEqualTo("it does not match the OTLP schema");
    assertThat(OtlpJson.plainMessage(new IllegalStateException(new NullPointerException())))
        .isEqualTo("it does not match the OTLP schema");
  }

  /** {@code {"resourceLogs":[],"x":[[…]]}}: {@code depth} levels of arrays and objects, the outer object included. */
  private static String nested(int depth) {
    return "{\"resourceLogs\":[],\"x\":" + "[".repeat(depth - 1) + "]".repeat(depth - 1) + "}";
  }

  private static ExportLogsServiceRequest parse(String json) throws OtlpJson.InvalidOtlpException {
    ExportLogsServiceRequest.Builder builder = ExportLogsServiceRequest.newBuilder();
    OtlpJson.parse(json.getBytes(StandardCharsets.UTF_8), builder);
    return builder.build();
  }

  private static String refusal(String json) {
    Throwable refused = catchThrowable(() -> parse(json));
    assertThat(refused).as(json).isInstanceOf(OtlpJson.InvalidOtlpException.class);
    return refused.getMessage();
  }
}
