package dev.outpost.observability.store.lucene;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.observability.store.Histogram;
import dev.outpost.observability.store.LogEntry;
import dev.outpost.observability.store.LogPage;
import dev.outpost.observability.store.LogSearch;
import dev.outpost.observability.store.Owner;
import dev.outpost.observability.store.ProjectScope;
import dev.outpost.observability.store.TimeRange;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import java.nio.file.Path;

/**
 * Records are stored many to a Lucene document (LogBlocks); these are the cases where a block
 * matches a query that only some of its records match, or holds records outside the range asked
 * for. Every answer must be what one document per record would give.
 */
class LogBlocksSearchTest {

  private static final long T = 1_700_000_000_000_000_000L;

  @TempDir Path dir;
  private LuceneLogStore store;

  @BeforeEach
  void open() throws Exception {
    store = new LuceneLogStore(dir, 16, new QueryLimits(64, 5000, 100, 16 << 20));
  }

  @AfterEach
  void close() throws Exception {
    store.close();
  }

  private static LogEntry entry(long seq, long time, int severity, String body, String service, String project,
      String integration) {
    return new LogEntry(seq, time, time, severity, severity >= 17 ? "ERROR" : "INFO", body,
        new Owner(service, project, integration, "", ""), "", "", "", Map.of("k", "v" + seq), Map.of());
  }

  private static LogEntry entry(long seq, long time, String body) {
    return entry(seq, time, 9, body, "svc", "p", "i");
  }

  private static LogSearch search(String text, long from, long to, int limit) {
    return new LogSearch(new ProjectScope(Set.of("p")), new TimeRange(from, to), text, Optional.empty(), 0, limit,
        Optional.empty());
  }

  private List<String> bodies(String text) {
    return store.search(search(text, T - 1000, T + 1000, 100)).records().stream().map(LogEntry::body).toList();
  }

  @Test
  void aNegationExcludesOnlyTheRecordsThatHoldTheTermNotTheirWholeBlock() throws Exception {
    store.write(List.of(entry(1, T, "error timeout"), entry(2, T + 1, "error ok"), entry(3, T + 2, "fine")));
    store.refresh();
    assertThat(bodies("error -timeout")).containsExactly("error ok");
    // negations alone mean every record but those (Elasticsearch's reading; Lucene's alone matches nothing)
    assertThat(bodies("-timeout")).containsExactly("fine", "error ok");
    assertThat(bodies("*:* -timeout")).containsExactly("fine", "error ok");
  }

  @Test
  void aPhraseMatchesOnlyTheRecordWithTheWordsInOrderThoughTheBlockHoldsBoth() throws Exception {
    store.write(List.of(entry(1, T, "quick brown fox"), entry(2, T + 1, "fox quick brown"),
        entry(3, T + 2, "QUICK fox")));
    store.refresh();
    assertThat(bodies("\"quick fox\"")).containsExactly("QUICK fox");
    assertThat(bodies("\"brown fox\"")).containsExactly("quick brown fox");
  }

  @Test
  void termsOfDifferentRecordsInOneBlockDoNotMakeAMatchTogether() throws Exception {
    store.write(List.of(entry(1, T, "alpha"), entry(2, T + 1, "beta"), entry(3, T + 2, "alpha beta")));
    store.refresh();
    assertThat(bodies("alpha AND beta")).containsExactly("alpha beta");
    assertThat(bodies("alpha OR beta")).containsExactly("alpha beta", "beta", "alpha");
    assertThat(bodies("attr.k:v2 OR attr.k:v1")).containsExactly("beta", "alpha");
    assertThat(bodies("alpha AND attr.k:v2")).isEmpty();
    // a body term that is a substring of another word must not match it
    assertThat(bodies("alph")).isEmpty();
  }

  @Test
  void wordsFarApartInOneLongBodyStillMatchTogether() throws Exception {
    // further apart than the gap of positions between two records' bodies
    String far = "alpha " + "filler ".repeat(QueryAnalyzer.RECORD_GAP) + "beta";
    store.write(List.of(entry(1, T, far), entry(2, T + 1, "alpha"), entry(3, T + 2, "beta")));
    store.refresh();
    assertThat(bodies("alpha AND beta")).containsExactly(far);
    assertThat(bodies("alpha beta -gamma")).containsExactly(far);
  }

  @Test
  void recordsOfABlockOutsideTheRangeSeverityOrIntegrationAreLeftOut() throws Exception {
    store.write(List.of(entry(1, T - 500, 9, "a", "svc", "p", "one"), entry(2, T, 17, "b", "svc", "p", "two"),
        entry(3, T + 500, 9, "c", "svc", "p", "one")));
    store.refresh();
    assertThat(store.search(search("", T - 10, T + 10, 100)).records()).extracting(LogEntry::body)
        .containsExactly("b");
    assertThat(store.search(new LogSearch(new ProjectScope(Set.of("p")), new TimeRange(T - 1000, T + 1000), "",
        Optional.of("one"), 0, 100, Optional.empty())).records()).extracting(LogEntry::body).containsExactly("c", "a");
    assertThat(store.search(new LogSearch(new ProjectScope(Set.of("p")), new TimeRange(T - 1000, T + 1000), "",
        Optional.empty(), 13, 100, Optional.empty())).records()).extracting(LogEntry::body).containsExactly("b");
  }

  @Test
  void pagesWalkEveryRecordOnceNewestFirstAcrossBlocksWithEqualTimes() throws Exception {
    // three writes whose records interleave in time, many of them at the same instant
    List<LogEntry> all = new ArrayList<>();
    long seq = 0;
    for (int write = 0; write < 3; write++) {
      List<LogEntry> batch = new ArrayList<>();
      for (int i = 0; i < 1500; i++) {
        batch.add(entry(++seq, T + (i % 40), "record " + seq));
      }
      store.write(batch);
      all.addAll(batch);
    }
    store.refresh();
    all.sort((a, b) -> a.timeNanos() != b.timeNanos() ? Long.compare(b.timeNanos(), a.timeNanos())
        : Long.compare(b.seq(), a.seq()));
    List<Long> walked = new ArrayList<>();
    Optional<LogSearch.Position> after = Optional.empty();
    do {
      LogPage page = store.search(new LogSearch(new ProjectScope(Set.of("p")), new TimeRange(T - 1000, T + 1000),
          "record", Optional.empty(), 0, 97, after));
      page.records().forEach(r -> walked.add(r.seq()));
      after = page.next();
    } while (after.isPresent());
    assertThat(walked).containsExactlyElementsOf(all.stream().map(LogEntry::seq).toList());
  }

  @Test
  void aHistogramCountsTheMatchingRecordsOfABlockNotTheBlock() throws Exception {
    store.write(List.of(entry(1, T, "x"), entry(2, T + 1, "x y"), entry(3, T + 10, "y"), entry(4, T + 20, "x")));
    store.refresh();
    Histogram all = store.histogram(search("", T, T + 20, 0), 10);
    assertThat(all.buckets()).extracting(Histogram.Bucket::count).containsExactly(2L, 1L);
    Histogram x = store.histogram(search("x", T, T + 30, 0), 10);
    assertThat(x.buckets()).extracting(Histogram.Bucket::count).containsExactly(2L, 0L, 1L);
    assertThat(x.total()).isEqualTo(3);
  }

  @Test
  void servicesCountOnlyRecordsInsideTheRangeOfABlockReachingPastIt() throws Exception {
    store.write(List.of(entry(1, T, 9, "a", "early", "p", "i"), entry(2, T + 100, 9, "b", "late", "p", "i")));
    store.refresh();
    assertThat(store.services(new ProjectScope(Set.of("p")), new TimeRange(T + 50, T + 200))).containsExactly("late");
    assertThat(store.services(new ProjectScope(Set.of("p")), new TimeRange(T, T + 200)))
        .containsExactly("early", "late");
  }

  /** Services a client makes up are listed up to a bound, the first in sort order ({@link Listing}). */
  @Test
  void servicesAreListedUpToTheListingsBound() throws Exception {
    int services = Listing.MAX_VALUES + 20;
    List<LogEntry> records = new java.util.ArrayList<>();
    for (int i = 0; i < services; i++) {
      records.add(entry(i, T, 9, "b", String.format("svc-%05d", services - 1 - i), "p", "i"));
    }
    store.write(records);
    store.refresh();
    var listed = store.services(new ProjectScope(Set.of("p")), new TimeRange(T, T + 2000));
    assertThat(listed).hasSize(Listing.MAX_VALUES);
    assertThat(listed.first()).isEqualTo("svc-00000");
    assertThat(listed.last()).isEqualTo(String.format("svc-%05d", Listing.MAX_VALUES - 1));
  }

  @Test
  void aBlockHoldsOneProjectSoAnotherProjectsRecordsNeverShareIt() throws Exception {
    store.write(List.of(entry(1, T, 9, "secret", "svc", "other", "i"), entry(2, T + 1, 9, "mine", "svc", "p", "i")));
    store.refresh();
    assertThat(bodies("secret OR mine")).containsExactly("mine");
    assertThat(bodies("project:other")).isEmpty();
    assertThat(store.histogram(search("", T, T + 10, 0), 10).total()).isEqualTo(1);
  }
}
