package dev.outpost.observability.store.lucene;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.index.IndexableField;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.util.BytesRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Retention closes and deletes whole days while the store is in use: a search or the journal's
 * replay at start that has taken a day's partition finishes with it before the day goes (retention
 * waits 200 ms for them, then leaves the day to its next pass). Before,
 * a search that had listed a day then found it closed (AlreadyClosedException, a 500), and a replay
 * racing the first retention pass at start stopped the start.
 */
class PartitionSetTest {
  private static final long DAY = 86_400_000_000_000L;

  @TempDir Path dir;

  private static List<IndexableField> document(String id) {
    return List.of(new StoredField("id", new BytesRef(id)));
  }

  @Test
  void retentionLeavesADayASearchIsReadingToItsNextPass() throws Exception {
    long now = System.currentTimeMillis() * 1_000_000L;
    try (PartitionSet set = new PartitionSet(dir, new QueryAnalyzer(), 16, Partition.Disk.FILES)) {
      set.add(now - 10 * DAY, document("old"));
      set.add(now, document("new"));
      set.commit();
      set.refresh();

      CountDownLatch searching = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      CompletableFuture<Integer> search = CompletableFuture.supplyAsync(() -> {
        try {
          return set.searchAll(searcher -> {
            searching.countDown();
            try {
              release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            // the old day is still open under the search: its documents are read after the drop began
            return searcher.search(new MatchAllDocsQuery(), 10).scoreDocs.length;
          });
        } catch (Exception e) {
          throw new RuntimeException(e);
        }
      });
      assertThat(searching.await(10, TimeUnit.SECONDS)).isTrue();
      LocalDate cutoff = LocalDate.now(java.time.ZoneOffset.UTC).minusDays(7);
      // the search holds the day past the wait: nothing is deleted this pass, and ingest was held up 200 ms at most
      assertThat(set.dropBefore(cutoff)).as("deleted under a search").isZero();
      release.countDown();
      assertThat(search.get(10, TimeUnit.SECONDS)).isEqualTo(2);
      assertThat(set.dropBefore(cutoff)).as("deleted at the next pass").isEqualTo(1);
      assertThat(set.days()).containsExactly(PartitionSet.dayOf(now));
      assertThat(set.storedEverywhere(new MatchAllDocsQuery(), "id")).hasSize(1);
    }
  }
}
