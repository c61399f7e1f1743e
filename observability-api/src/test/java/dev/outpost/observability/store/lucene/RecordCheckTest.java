package dev.outpost.observability.store.lucene;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.observability.store.LogEntry;
import dev.outpost.observability.store.Owner;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.lucene.index.memory.MemoryIndex;
import org.apache.lucene.search.Query;
import org.apache.lucene.util.BytesRef;
import org.junit.jupiter.api.Test;

/**
 * The record-level test behind block searches gives what Lucene gives on a document of the record
 * alone, and the stored form gives back the record it was given.
 */
class RecordCheckTest {

  private static final QueryText QUERIES = new QueryText(LogDocuments.BODY, LogDocuments.QUERYABLE, 64);

  private static LogEntry entry(String body, String severity, String integration, Map<String, String> attrs) {
    return new LogEntry(7, 100, 90, 9, severity, body, new Owner("svc", "p", integration, null, "r"), null,
        "0af7651916cd43dd8448eb211c80319c", "", attrs, Map.of("host", "h1", "k", "resource"));
  }

  private static final List<LogEntry> RECORDS = List.of(
      entry("Payment FAILED for order 42", "ERROR", "billing", Map.of("k", "v1", "http.method", "POST")),
      entry("payment ok", "INFO", "billing", Map.of("http.method", "GET")),
      entry("İstanbul order shipped", "INFO", "orders", Map.of("k", "v2")),
      entry(null, "WARN", "orders", Map.of()),
      entry("timeout contacting crm; retrying", "WARN", "", Map.of("k", "v1")));

  private static final List<String> TEXTS = List.of(
      "payment", "PAYMENT", "failed", "payment AND failed", "payment -failed", "payment OR shipped",
      "payment OR shipped OR timeout", "-payment", "*:* -payment", "(payment OR order) AND -ok",
      "istanbul", "severity:ERROR", "severity:error", "integration:orders AND -shipped", "attr.k:v1",
      "attr.k:resource", "attr.host:h1", "traceId:0af7651916cd43dd8448eb211c80319c", "route:r AND payment",
      "\"payment failed\"", "\"failed payment\"", "pay*", "paym?nt", "ord*", "integration:[a TO n]",
      "payment AND (failed OR ok)", "+payment +ok", "payment ok -failed", "(a OR b) AND -c", "42",
      // a boost weighs the score, never the match: a zero one scores 0 and still matches
      "pay*^0", "\"payment failed\"^0", "integration:[a TO n]^0", "(pay* OR zzz)^0", "payment^0",
      "paym?nt^0.5 AND -ok", "\"payment ok\"^2", "(\"payment failed\" OR ord*)^0 -shipped");

  @Test
  void everyQueryMatchesTheRecordsLuceneMatchesOnTheirOwnDocuments() throws Exception {
    QueryAnalyzer analyzer = new QueryAnalyzer();
    for (String text : TEXTS) {
      Query query = QUERIES.parse(text);
      for (LogEntry e : RECORDS) {
        boolean lucene = MemoryIndex.fromDocument(LogDocuments.toDocument(e), analyzer).createSearcher().count(query) > 0;
        assertThat(RecordCheck.of(query).test(e)).as("%s on %s", text, e.body()).isEqualTo(lucene);
      }
    }
  }

  @Test
  void aBlockDecodesToTheRecordsItWasGiven() {
    Map<String, String> ordered = new LinkedHashMap<>();
    ordered.put("z", "last key first");
    ordered.put("a", "ünïcödé 😀");
    List<LogEntry> records = List.of(entry("body", "INFO", "i", ordered), entry(null, null, null, Map.of()),
        new LogEntry(Long.MAX_VALUE, -5, Long.MIN_VALUE, 0, "", "", new Owner("", "p", "", "", ""), "ev", "", "",
            Map.of(), Map.of()));
    List<LogEntry> decoded = RecordCodec.decode(new BytesRef(RecordCodec.encode(records)));
    assertThat(decoded).isEqualTo(records);
    assertThat(decoded.get(0).attributes().keySet()).containsExactly("z", "a");
  }
}
