package dev.outpost.observability.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.observability.support.AppProcess;
import dev.outpost.observability.support.Otlp;
import dev.outpost.observability.support.TestIdp;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * OTLP/JSON costs the server far more heap than its bytes while it is decoded. Against the packaged
 * application with a small heap: a 2 MiB gzipped body (32 MB of JSON, under every size limit) threw
 * OutOfMemoryError and was answered 503, so the sender retried it for ever. Now it is refused with a
 * 413 naming the body and the limit; bodies sent together that each fit get 200 or 429; a body of
 * the same size made of long strings, which costs little to decode, is stored; and the server
 * keeps storing.
 */
class DecodeMemoryIT {

  @TempDir Path data;

  @Test
  void jsonBodiesThatWouldExhaustTheHeapAreRefusedAndTheServerKeepsStoring() throws Exception {
    Path log = Path.of("target", "decode-memory-it.log");
    Files.deleteIfExists(log);
    try (TestIdp idp = new TestIdp(); AppProcess app = new AppProcess(log).maxHeap("256m")) {
      app.start(Map.of(
          "outpost.observability.data-dir", data.toString(),
          "outpost.observability.ingest.data-plane-token", Otlp.DATA_PLANE_TOKEN,
          "mp.jwt.verify.publickey.location", idp.jwksUrl(),
          "mp.jwt.verify.issuer", TestIdp.ISSUER));
      Otlp otlp = new Otlp(app.otlpPort);
      Map<String, String> gzip = new HashMap<>(Otlp.bearer(Otlp.DATA_PLANE_TOKEN));
      gzip.put("Content-Encoding", "gzip");

      byte[] huge = manyAttributes(800_000);
      HttpResponse<byte[]> refused = otlp.post("/v1/logs", "application/json", gzipped(huge), gzip);
      assertThat(refused.statusCode()).as(new String(refused.body(), StandardCharsets.UTF_8)).isEqualTo(413);
      assertThat(new String(refused.body(), StandardCharsets.UTF_8))
          .contains("body is " + huge.length + " bytes of JSON once decompressed").contains("MiB of heap to decode")
          .contains("decode-memory-bytes");

      Map<String, String> attributes = new HashMap<>();
      for (int i = 0; i < 600_000; i++) {
        attributes.put("k" + i, "1");
      }
      byte[] protobuf = Otlp.logs(Otlp.resource("svc", "heap"),
          List.of(Otlp.log(System.currentTimeMillis() * 1_000_000L, "many attributes", attributes))).toByteArray();
      HttpResponse<byte[]> refusedProtobuf = otlp.post("/v1/logs", "application/x-protobuf", gzipped(protobuf), gzip);
      assertThat(refusedProtobuf.statusCode()).isEqualTo(413);
      assertThat(new String(refusedProtobuf.body(), StandardCharsets.UTF_8))
          .contains("body is " + protobuf.length + " bytes of protobuf once decompressed");

      // together they need more heap than the server has; each alone fits
      byte[] large = manyAttributes(16_000);
      ExecutorService senders = Executors.newFixedThreadPool(8);
      try {
        List<Future<HttpResponse<byte[]>>> answers = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
          answers.add(senders.submit(() -> otlp.post("/v1/logs", "application/json", large,
              Otlp.bearer(Otlp.DATA_PLANE_TOKEN))));
        }
        for (Future<HttpResponse<byte[]>> answer : answers) {
          assertThat(answer.get().statusCode()).as(new String(answer.get().body(), StandardCharsets.UTF_8))
              .isIn(200, 429);
        }
      } finally {
        senders.shutdown();
      }

      // as many bytes as the refused body's gzip, of long text: a few copies of each byte, no more
      String text = "x".repeat(1_000_000);
      StringBuilder records = new StringBuilder();
      for (int i = 0; i < 2; i++) {
        records.append(i == 0 ? "" : ",").append("{\"timeUnixNano\":\"").append(System.currentTimeMillis() * 1_000_000L)
            .append("\",\"body\":{\"stringValue\":\"").append(text).append("\"}}");
      }
      byte[] longText = ("{\"resourceLogs\":[{\"resource\":{\"attributes\":[{\"key\":\"outpost.project\",\"value\":"
          + "{\"stringValue\":\"heap\"}}]},\"scopeLogs\":[{\"logRecords\":[" + records + "]}]}]}")
          .getBytes(StandardCharsets.UTF_8);
      HttpResponse<byte[]> stored = otlp.post("/v1/logs", "application/json", longText, Otlp.bearer(Otlp.DATA_PLANE_TOKEN));
      assertThat(stored.statusCode()).as(new String(stored.body(), StandardCharsets.UTF_8)).isEqualTo(200);

      HttpResponse<byte[]> small = otlp.post("/v1/logs", "application/json", manyAttributes(10),
          Otlp.bearer(Otlp.DATA_PLANE_TOKEN));
      assertThat(small.statusCode()).isEqualTo(200);
      assertThat(Files.readString(log)).doesNotContain("OutOfMemoryError");
    }
  }

  /** One record of {@code count} small integer attributes, as OTLP/JSON. */
  private static byte[] manyAttributes(int count) {
    StringBuilder json = new StringBuilder("{\"resourceLogs\":[{\"resource\":{\"attributes\":[{\"key\":"
        + "\"outpost.project\",\"value\":{\"stringValue\":\"heap\"}}]},\"scopeLogs\":[{\"logRecords\":[{\"timeUnixNano\":\""
        + System.currentTimeMillis() * 1_000_000L + "\",\"body\":{\"stringValue\":\"many attributes\"},\"attributes\":[");
    for (int i = 0; i < count; i++) {
      json.append(i == 0 ? "" : ",").append("{\"key\":\"k").append(i).append("\",\"value\":{\"intValue\":1}}");
    }
    return json.append("]}]}]}]}").toString().getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] gzipped(byte[] bytes) throws java.io.IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
      gzip.write(bytes);
    }
    return out.toByteArray();
  }
}
