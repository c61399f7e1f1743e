package dev.outpost.observability.store.lucene;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.observability.store.LogEntry;
import dev.outpost.observability.store.Owner;
import dev.outpost.observability.store.RecordSize;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A block holds at most 1,024 records and 1 MiB of text, so a search never decodes a whole 32 MiB batch at once. */
class LogBlocksTest {

  private static List<LogEntry> records(int n, int bodyChars) {
    List<LogEntry> records = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      records.add(new LogEntry(i, 1_000 + i, 1_000 + i, 9, "INFO", "x".repeat(bodyChars), new Owner("svc", "p", "", "", ""),
          "", "", "", Map.of(), Map.of()));
    }
    return records;
  }

  private static List<List<LogEntry>> blocks(List<LogEntry> records) {
    return new LogBlocks().toBlocks(records).stream()
        .map(b -> LogBlocks.records(b.document().getBinaryValue(LogBlocks.RECORDS))).toList();
  }

  @Test
  void smallRecordsAreCutByCount() {
    assertThat(blocks(records(3000, 20))).extracting(List::size).containsExactly(1024, 1024, 952);
  }

  @Test
  void largeRecordsAreCutByTextAndNoneIsLost() {
    List<LogEntry> large = records(10, 300_000);
    List<List<LogEntry>> blocks = blocks(large);
    assertThat(blocks).allSatisfy(block -> assertThat(block.stream().mapToLong(RecordSize::of).sum())
        .isLessThanOrEqualTo(LogBlocks.MAX_BLOCK_CHARS));
    assertThat(blocks).extracting(List::size).containsExactly(3, 3, 3, 1);
    assertThat(blocks.stream().flatMap(List::stream).map(LogEntry::seq).toList())
        .as("every record once, in time order").isEqualTo(large.stream().map(LogEntry::seq).toList());
  }

  @Test
  void aRecordLargerThanABlockHasOneOfItsOwn() {
    List<LogEntry> records = new ArrayList<>(records(2, 10));
    records.add(new LogEntry(2, 5_000, 5_000, 9, "INFO", "x".repeat(2 << 20), new Owner("svc", "p", "", "", ""), "", "", "",
        Map.of(), Map.of()));
    assertThat(blocks(records)).extracting(List::size).containsExactly(2, 1);
  }
}
