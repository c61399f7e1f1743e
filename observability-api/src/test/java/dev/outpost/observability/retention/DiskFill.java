package dev.outpost.observability.retention;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.observability.support.Otlp;
import io.opentelemetry.proto.logs.v1.LogRecord;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Fills a small data disk through the OTLP receiver, as senders do, until ingest refuses. */
final class DiskFill {

  private DiskFill() {}

  /**
   * Posts batches of 64 log records of 4 KiB of random text (neither compressed nor shared between
   * records) at {@code timeNanos}, with the data plane's token, until one is answered 503; returns its
   * number, or -1 when 400 were taken. Any other answer than 200 fails the test.
   */
  static int untilRefused(Otlp otlp, String project, long timeNanos, Random random) {
    for (int batch = 0; batch < 400; batch++) {
      List<LogRecord> records = new ArrayList<>();
      for (int i = 0; i < 64; i++) {
        byte[] noise = new byte[2048];
        random.nextBytes(noise);
        records.add(Otlp.log(timeNanos + batch * 1000L + i, "filler " + HexFormat.of().formatHex(noise), Map.of()));
      }
      int status = otlp.post("/v1/logs", "application/x-protobuf", Otlp.logs(Otlp.resource("svc", project), records)
          .toByteArray(), Otlp.bearer(Otlp.DATA_PLANE_TOKEN)).statusCode();
      if (status == 503) {
        return batch;
      }
      assertThat(status).isEqualTo(200);
    }
    return -1;
  }
}
