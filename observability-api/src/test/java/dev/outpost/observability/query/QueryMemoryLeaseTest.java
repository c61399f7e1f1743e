package dev.outpost.observability.query;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A live tail's share follows what it has waiting, not the most it ever had. */
class QueryMemoryLeaseTest {
  private static final long MIB = QueryMemory.STEP;

  @Test
  void aLeaseGivesBackWhatItNoLongerNeedsAndKeepsAStepAboveIt() {
    QueryMemory memory = new QueryMemory(16 * MIB);
    QueryMemory.Lease tail = memory.lease();
    assertThat(tail.grant(10 * MIB - 1)).isEqualTo(10 * MIB);
    assertThat(memory.held()).isEqualTo(10 * MIB);

    // the reader catches up: held back to the step above what waits, and one more
    tail.shrinkTo(() -> 100);
    assertThat(memory.held()).isEqualTo(2 * MIB);
    assertThat(memory.lease().grant(14 * MIB)).as("another answer gets what was given back").isEqualTo(14 * MIB);

    // a step's difference is kept, so that a reader just behind does not take and give on every record
    tail.shrinkTo(() -> MIB + 1);
    assertThat(memory.held()).isEqualTo(16 * MIB);
    tail.close();
    assertThat(memory.held()).isEqualTo(14 * MIB);
    tail.shrinkTo(() -> 0);
    assertThat(memory.held()).as("a closed lease gives nothing twice").isEqualTo(14 * MIB);
  }
}
