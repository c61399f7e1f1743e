package dev.outpost.observability.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/** How request bodies are read and error bodies written. */
class OtlpBodiesTest {

  /**
   * A group of fields the schema does not know (wire type 3) is dropped as it is read. The decode
   * estimate counted it as one field while the parser kept every entry, some 50 times the body's size
   * in memory: a few such requests exhausted the heap within the in-flight budget.
   */
  @Test
  void fieldsTheSchemaDoesNotKnowAreNotKept() throws Exception {
    ExportLogsServiceRequest valid = ExportLogsServiceRequest.newBuilder()
        .addResourceLogs(ResourceLogs.newBuilder().addScopeLogs(ScopeLogs.newBuilder()
            .addLogRecords(LogRecord.newBuilder().setTimeUnixNano(1)))).build();
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.write(0x13); // field 2, start group
    for (int field = 1; field <= 50_000; field++) {
      writeVarint(body, (long) field << 3); // field n, varint
      body.write(1);
    }
    body.write(0x14); // end group
    valid.writeTo(body);

    ExportLogsServiceRequest parsed = OtlpBodies.parse(body.toByteArray(), OtlpBodies.Format.PROTOBUF,
        ExportLogsServiceRequest.parser(), ExportLogsServiceRequest.newBuilder(), "logs request");
    assertThat(parsed.getUnknownFields().asMap()).isEmpty();
    assertThat(parsed).isEqualTo(valid);
  }

  /** Control characters a request put into an error message (a TAB in an id) keep the body valid JSON. */
  @Test
  void aJsonErrorBodyIsValidJsonWhateverItsMessage() throws Exception {
    String message = "traceId \"zz\tzz\" is not hex\r\n\u0001";
    JsonNode status = new ObjectMapper().readTree(OtlpBodies.status(3, message, OtlpBodies.Format.JSON));
    assertThat(status.get("code").asInt()).isEqualTo(3);
    assertThat(status.get("message").asText()).isEqualTo(message);
  }

  /**
   * A gzip body cut short, in its header, its data or its trailer, or empty, says so: Java's EOFException
   * carries no message, and the answer read "body is not valid gzip: null".
   */
  @Test
  void aGzipBodyThatEndsEarlySaysSo() throws Exception {
    ByteArrayOutputStream zipped = new ByteArrayOutputStream();
    try (GZIPOutputStream gzip = new GZIPOutputStream(zipped)) {
      gzip.write("a record that will not arrive whole ".repeat(100).getBytes());
    }
    byte[] whole = zipped.toByteArray();
    for (int length : new int[] {0, 5, whole.length / 2, whole.length - 3}) {
      assertThatThrownBy(() -> OtlpBodies.decoded(Arrays.copyOf(whole, length), "gzip", 1 << 20, size -> {}))
          .as(length + " of " + whole.length + " bytes").isInstanceOfSatisfying(IngestException.class, e -> {
            assertThat(e.status()).isEqualTo(400);
            assertThat(e.getMessage()).isEqualTo("body is not valid gzip: it ends early");
          });
    }
  }

  private static void writeVarint(ByteArrayOutputStream out, long value) {
    while ((value & ~0x7FL) != 0) {
      out.write((int) ((value & 0x7F) | 0x80));
      value >>>= 7;
    }
    out.write((int) value);
  }
}
