package dev.outpost.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * What the console's browser cases (console.test.mjs) read, written through observability-api's
 * ingest. In project {@code shop}: two lines for each of the searches {@code slow} and {@code quick};
 * {@value #MANY} lines {@code many}, more than the console's page of 100; and two lines {@code traced},
 * one in each trace. The {@link #firstTrace} holds two spans of {@code shop} and, under them, one of
 * project {@code other} (another project's integration that learnt the id); the {@link #secondTrace}
 * one span, {@code GET /second}. Names past a column: the {@link #longNameTrace} (line {@code longname},
 * in {@code shop}) one span of service {@code orders-backend} with a long REST path for its name; the
 * {@link #spoofTrace} (line {@code spoofing}, in {@code other}) one span whose name claims
 * {@code shop/orders} before 400 characters; and four lines {@code wide} in {@code shop}, one with a
 * service name and one with an integration name of {@value #LONG_NAME} characters and no space.
 */
final class ConsoleTelemetry {
  static final int MANY = 120;
  static final int LONG_NAME = 3000;
  private static final SecureRandom RANDOM = new SecureRandom();

  final String firstTrace = hexId(16);
  final String secondTrace = hexId(16);
  final String longNameTrace = hexId(16);
  final String spoofTrace = hexId(16);

  void write(OtlpIngest ingest) {
    List<OtlpIngest.Log> shop = new ArrayList<>();
    for (String word : List.of("slow", "quick")) {
      shop.add(new OtlpIngest.Log(word + " first", null));
      shop.add(new OtlpIngest.Log(word + " second", null));
    }
    for (int i = 0; i < MANY; i++) {
      shop.add(new OtlpIngest.Log("many " + i, null));
    }
    shop.add(new OtlpIngest.Log("traced first", firstTrace));
    shop.add(new OtlpIngest.Log("traced second", secondTrace));
    ingest.logs("shop", "orders", "web", shop);

    String root = hexId(8);
    String call = hexId(8);
    ingest.spans("shop", "orders", "web", List.of(
        new OtlpIngest.Span(firstTrace, root, null, "GET /first", 0, 4),
        new OtlpIngest.Span(firstTrace, call, root, "first call", 1, 2),
        new OtlpIngest.Span(secondTrace, hexId(8), null, "GET /second", 0, 3)));
    ingest.spans("other", "intruder", "intruder", List.of(
        new OtlpIngest.Span(firstTrace, hexId(8), call, "peek", 2, 1)));
    writeLongNames(ingest);
  }

  private void writeLongNames(OtlpIngest ingest) {
    ingest.logs("shop", "orders", "web", List.of(new OtlpIngest.Log("longname line", longNameTrace)));
    ingest.spans("shop", "orders", "orders-backend", List.of(new OtlpIngest.Span(longNameTrace, hexId(8), null,
        "POST /api/v1/orders/{orderId}/items/{itemId}/reservations", 0, 2)));
    ingest.logs("other", "intruder", "web", List.of(new OtlpIngest.Log("spoofing line", spoofTrace)));
    ingest.spans("other", "intruder", "web", List.of(new OtlpIngest.Span(spoofTrace, hexId(8), null,
        "charge shop/orders" + " ".repeat(50) + "x".repeat(400), 0, 2)));
    ingest.logs("shop", "orders", "web", List.of(new OtlpIngest.Log("wide ordinary first", null)));
    ingest.logs("shop", "orders", "s".repeat(LONG_NAME), List.of(new OtlpIngest.Log("wide long service", null)));
    ingest.logs("shop", "i".repeat(LONG_NAME), "web", List.of(new OtlpIngest.Log("wide long integration", null)));
    ingest.logs("shop", "orders", "web", List.of(new OtlpIngest.Log("wide ordinary second", null)));
  }

  /** Whether all of it can be read with {@code reader}, a token for both projects. */
  boolean searchable(String observability, String reader) {
    JsonNode many = Http.json(Http.get(observability + "/api/v1/logs?q=many&limit=100", reader));
    if (many.path("records").size() < 100 || !many.hasNonNull("nextCursor")) {
      return false;
    }
    if (Http.json(Http.get(observability + "/api/v1/logs?q=" + encode("slow OR quick OR traced"), reader))
        .path("records").size() < 6) {
      return false;
    }
    if (Http.json(Http.get(observability + "/api/v1/logs?q=" + encode("longname OR spoofing OR wide"), reader))
        .path("records").size() < 6) {
      return false;
    }
    return spans(observability, firstTrace, reader) == 3 && spans(observability, secondTrace, reader) == 1
        && spans(observability, longNameTrace, reader) == 1 && spans(observability, spoofTrace, reader) == 1;
  }

  private static int spans(String observability, String traceId, String reader) {
    return Http.json(Http.get(observability + "/api/v1/traces/" + traceId, reader)).path("spans").size();
  }

  private static String hexId(int bytes) {
    byte[] id = new byte[bytes];
    RANDOM.nextBytes(id);
    return HexFormat.of().formatHex(id);
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
