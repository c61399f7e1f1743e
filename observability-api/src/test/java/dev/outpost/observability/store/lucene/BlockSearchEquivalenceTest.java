package dev.outpost.observability.store.lucene;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.observability.store.Histogram;
import dev.outpost.observability.store.LogEntry;
import dev.outpost.observability.store.LogPage;
import dev.outpost.observability.store.LogSearch;
import dev.outpost.observability.store.Owner;
import dev.outpost.observability.store.ProjectScope;
import dev.outpost.observability.store.TimeRange;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.lucene.index.memory.MemoryIndex;
import org.apache.lucene.search.Query;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The log-block store against the plain definition of a search: every record on its own, tested by
 * Lucene against the parsed query, then filtered by project, time, integration and severity, newest
 * first. Random records (two days, three projects, blocks split past their size, a body longer than
 * the gap between records) and random queries (words, phrases, wildcards, fields, ranges,
 * negations, nesting, boosts, zero ones included); pages, histogram totals, the live-tail matcher and a forgotten seq range must
 * all agree with it. A seeded run, so a failure repeats.
 */
class BlockSearchEquivalenceTest {

  private static final long DAY = 86_400_000_000_000L;
  private static final long T0 = 19_000 * DAY; // a day boundary: records fall into two partitions
  private static final List<String> WORDS = List.of("payment", "failed", "order", "shipped", "timeout", "retry",
      "crm", "billing", "ok", "user", "login", "cache", "hit", "miss", "Payment", "FAILED", "order-42", "v1.2.3",
      "İstanbul", "café", "42", "x", "retrying", "paid");
  private static final List<String> PROJECTS = List.of("p1", "p2", "p3");
  private static final int[] SEVERITIES = {5, 9, 9, 13, 17};
  private static final QueryText QUERIES = new QueryText(LogDocuments.BODY, LogDocuments.QUERYABLE, 256);

  @TempDir Path dir;
  private LuceneLogStore store;
  private final Random random = new Random(20261202L);
  private final List<LogEntry> records = new ArrayList<>();
  private final Map<Long, MemoryIndex> perRecord = new HashMap<>();
  private final QueryAnalyzer analyzer = new QueryAnalyzer();

  @BeforeEach
  void open() throws Exception {
    store = new LuceneLogStore(dir, 16, new QueryLimits(256, 60_000, 100, 16 << 20));
    long seq = 0;
    for (int write = 0; write < 12; write++) {
      List<LogEntry> batch = new ArrayList<>();
      int size = write == 3 ? 2500 : 1 + random.nextInt(900); // one write splits into several blocks
      for (int i = 0; i < size; i++) {
        batch.add(record(++seq));
      }
      store.write(batch);
      records.addAll(batch);
    }
    store.refresh();
    for (LogEntry e : records) {
      perRecord.put(e.seq(), MemoryIndex.fromDocument(LogDocuments.toDocument(e), analyzer));
    }
  }

  @AfterEach
  void close() throws Exception {
    store.close();
  }

  private LogEntry record(long seq) {
    // times over two days, many records at the same instant
    long time = T0 - DAY + random.nextInt(2000) * (DAY / 1000);
    int severity = SEVERITIES[random.nextInt(SEVERITIES.length)];
    String body;
    if (seq == 1500) {
      // words farther apart than the gap between records' positions
      body = "payment " + "filler ".repeat(QueryAnalyzer.RECORD_GAP / 7 + 10) + "failed";
    } else if (random.nextInt(20) == 0) {
      body = null;
    } else {
      StringBuilder text = new StringBuilder();
      for (int w = 1 + random.nextInt(8); w > 0; w--) {
        text.append(WORDS.get(random.nextInt(WORDS.size()))).append(random.nextInt(6) == 0 ? ", " : " ");
      }
      body = text.toString().trim();
    }
    String integration = List.of("a", "b", "").get(random.nextInt(3));
    return new LogEntry(seq, time, time, severity, severity >= 17 ? "ERROR" : severity >= 13 ? "WARN" : "INFO", body,
        new Owner(List.of("svc", "api").get(random.nextInt(2)), PROJECTS.get(random.nextInt(3)), integration, "",
            "r" + random.nextInt(2)), "", "", "", Map.of("k", "v" + random.nextInt(3)),
        Map.of("host", "h" + random.nextInt(2)));
  }

  @Test
  void searchesHistogramsAndTheTailMatcherAgreeWithEveryRecordTestedAlone() {
    for (int i = 0; i < 150; i++) {
      checkAgainstDefinition(randomSearch());
    }
  }

  /** A boost, a zero one too, finds what the clause finds unboosted: searched, counted and tailed. */
  @Test
  void aBoostedClauseMatchesWhatItMatchesUnboosted() {
    for (String clause : List.of("pay*", "\"payment failed\"", "service:[a TO r]", "(pay* OR zzz)", "payment",
        "paym*t", "(crm AND -ok)")) {
      for (String boost : List.of("^0", "^0.5", "^3")) {
        LogSearch boosted = new LogSearch(new ProjectScope(Set.copyOf(PROJECTS)), new TimeRange(T0 - DAY, T0 + DAY),
            clause + boost, Optional.empty(), 0, 1000, Optional.empty());
        LogSearch plain = new LogSearch(boosted.scope(), boosted.range(), clause, Optional.empty(), 0, 1000,
            Optional.empty());
        assertThat(store.histogram(boosted, DAY).total()).as(clause + boost)
            .isEqualTo(store.histogram(plain, DAY).total()).isPositive();
        checkAgainstDefinition(boosted);
      }
    }
  }

  @Test
  void aForgottenSeqRangeIsGoneFromEveryAnswerAndNothingElseIs() throws Exception {
    // a range that cuts through the blocks of the split write and of its neighbours
    store.forget(1200, 3100);
    store.refresh();
    records.removeIf(e -> e.seq() >= 1200 && e.seq() < 3100);
    for (int i = 0; i < 40; i++) {
      checkAgainstDefinition(randomSearch());
    }
  }

  private void checkAgainstDefinition(LogSearch search) {
    Query query = search.text().isBlank() ? null : QUERIES.parse(search.text());
    Predicate<LogEntry> filters = e -> search.scope().allows(e.owner().project())
        && search.integration().map(i -> i.equals(e.owner().integration())).orElse(true)
        && e.severityNumber() >= search.minSeverityNumber()
        && (query == null || matchesAlone(e, query));
    List<Long> expected = records.stream()
        .filter(e -> e.timeNanos() >= search.range().fromNanos() && e.timeNanos() < search.range().toNanos())
        .filter(filters)
        .sorted(Comparator.comparingLong(LogEntry::timeNanos).thenComparingLong(LogEntry::seq).reversed())
        .map(LogEntry::seq).toList();

    List<Long> walked = new ArrayList<>();
    LogSearch page = search;
    while (true) {
      LogPage result = store.search(page);
      assertThat(result.partial()).as(search.text()).isFalse();
      result.records().forEach(r -> walked.add(r.seq()));
      if (result.next().isEmpty()) {
        break;
      }
      page = new LogSearch(search.scope(), search.range(), search.text(), search.integration(),
          search.minSeverityNumber(), search.limit(), result.next());
    }
    assertThat(walked).as("pages of %s", describe(search)).containsExactlyElementsOf(expected);

    Histogram histogram = store.histogram(search, DAY / 24);
    assertThat(histogram.total()).as("histogram of %s", describe(search)).isEqualTo(expected.size());

    Predicate<LogEntry> tail = store.matcher(search);
    for (LogEntry e : records) {
      assertThat(tail.test(e)).as("tail of %s on record %d", describe(search), e.seq()).isEqualTo(filters.test(e));
    }
  }

  /** Whether Lucene matches the record's own document: counted, since a score of 0 (a zero boost) still matches. */
  private boolean matchesAlone(LogEntry e, Query query) {
    try {
      return perRecord.get(e.seq()).createSearcher().count(query) > 0;
    } catch (java.io.IOException x) {
      throw new java.io.UncheckedIOException(x);
    }
  }

  private LogSearch randomSearch() {
    List<String> projects = new ArrayList<>(PROJECTS);
    java.util.Collections.shuffle(projects, random);
    Set<String> scope = Set.copyOf(projects.subList(0, 1 + random.nextInt(3)));
    long from = T0 - DAY + random.nextInt(2000) * (DAY / 1000) - random.nextInt(2);
    long to = random.nextInt(4) == 0 ? T0 + DAY : from + 1 + random.nextInt(1500) * (DAY / 1000);
    Optional<String> integration = random.nextInt(4) == 0 ? Optional.of(random.nextBoolean() ? "a" : "b") : Optional.empty();
    int minSeverity = random.nextInt(4) == 0 ? 13 : 0;
    String text = random.nextInt(10) == 0 ? "" : expression(2);
    return new LogSearch(new ProjectScope(scope), new TimeRange(from, to), text, integration, minSeverity,
        1 + random.nextInt(150), Optional.empty());
  }

  private String expression(int depth) {
    if (depth == 0 || random.nextInt(3) == 0) {
      return clause();
    }
    return switch (random.nextInt(7)) {
      case 0 -> expression(depth - 1) + " AND " + expression(depth - 1);
      case 1 -> expression(depth - 1) + " OR " + expression(depth - 1);
      case 2 -> expression(depth - 1) + " -" + clause();
      case 3 -> "(" + expression(depth - 1) + ")";
      case 4 -> expression(depth - 1) + " " + expression(depth - 1);
      // a boost changes the score only, a zero one included
      case 5 -> "(" + expression(depth - 1) + ")^" + List.of("0", "0.5", "2").get(random.nextInt(3));
      default -> "NOT " + clause();
    };
  }

  private String clause() {
    String word = WORDS.get(random.nextInt(WORDS.size()));
    return switch (random.nextInt(14)) {
      case 0 -> "\"" + phraseOfARecord() + "\"";
      case 1 -> "\"" + word + " " + WORDS.get(random.nextInt(WORDS.size())) + "\"~" + random.nextInt(3);
      case 2 -> (word.length() < 2 ? "payment" : word).substring(0, Math.min(3, Math.max(2, word.length()))).replace("-", "") + "*";
      case 3 -> "pa?ment";
      case 4 -> "paym*t";
      case 5 -> "severity:" + List.of("ERROR", "WARN", "INFO", "error").get(random.nextInt(4));
      case 6 -> "attr.k:v" + random.nextInt(4);
      case 7 -> "attr.host:h" + random.nextInt(2);
      case 8 -> "service:" + (random.nextBoolean() ? "svc" : "api");
      case 9 -> "integration:" + (random.nextBoolean() ? "a" : "b");
      case 10 -> "service:[a TO r]";
      case 11 -> "*:* -" + word.replace("-", "");
      default -> word.replace("-", " ");
    };
  }

  /** Two or three words that follow each other in some record, so phrases do match. */
  private String phraseOfARecord() {
    for (int attempt = 0; attempt < 20; attempt++) {
      String body = records.get(random.nextInt(records.size())).body();
      if (body == null || body.length() > 1000) {
        continue;
      }
      String[] words = body.replace(",", "").split(" ");
      if (words.length >= 2) {
        int at = random.nextInt(words.length - 1);
        int length = Math.min(words.length - at, 2 + random.nextInt(2));
        return String.join(" ", java.util.Arrays.copyOfRange(words, at, at + length));
      }
    }
    return "payment failed";
  }

  private static String describe(LogSearch s) {
    return "'" + s.text() + "' in " + s.scope().projects() + " " + s.range() + " integration " + s.integration()
        + " severity>=" + s.minSeverityNumber() + " limit " + s.limit();
  }
}
