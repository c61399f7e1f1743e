package dev.outpost.observability.store.wal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalTest {

  @TempDir Path dir;

  @Test
  void framesSurviveAReopenWithTheirSeqsAndBindings() throws Exception {
    try (Journal journal = Journal.open(dir)) {
      Journal.Appended a = journal.append(Frame.Kind.LOGS, 3, 1000, "", "", new byte[] {1, 2, 3});
      Journal.Appended b = journal.append(Frame.Kind.TRACES, 2, 2000, "acme", "orders", new byte[] {4});
      a.durable().get(5, TimeUnit.SECONDS);
      b.durable().get(5, TimeUnit.SECONDS);
      assertThat(b.firstSeq()).isEqualTo(a.firstSeq() + 3);
    }
    try (Journal reopened = Journal.open(dir)) {
      assertThat(reopened.closedSegments()).hasSize(1);
      List<Frame> frames = new ArrayList<>();
      reopened.replay(reopened.closedSegments().get(0), frames::add);
      assertThat(frames).extracting(Frame::kind).containsExactly(Frame.Kind.LOGS, Frame.Kind.TRACES);
      assertThat(frames.get(1).boundProject()).isEqualTo("acme");
      assertThat(frames.get(1).boundIntegration()).isEqualTo("orders");
      assertThat(frames.get(1).payload()).containsExactly(4);
      // a new run's seqs never collide with the replayed ones
      Journal.Appended next = reopened.append(Frame.Kind.LOGS, 1, 0, "", "", new byte[0]);
      assertThat(next.firstSeq()).isGreaterThan(frames.get(1).firstSeq());
    }
  }

  @Test
  void aTornTailEndsTheSegmentWithoutLosingEarlierFrames() throws Exception {
    try (Journal journal = Journal.open(dir)) {
      journal.append(Frame.Kind.LOGS, 1, 0, "", "", new byte[] {9}).durable().get(5, TimeUnit.SECONDS);
    }
    Path segment = firstSegment();
    try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.APPEND)) {
      channel.write(java.nio.ByteBuffer.wrap(new byte[] {0, 0, 1, 0, 7, 7})); // a frame cut short by a crash
    }
    try (Journal reopened = Journal.open(dir)) {
      List<Frame> frames = new ArrayList<>();
      reopened.replay(reopened.closedSegments().get(0), frames::add);
      assertThat(frames).hasSize(1);
    }
  }

  /**
   * A frame damaged in the middle of a segment (a flipped bit on disk) was acknowledged, as were
   * the whole frames after it: the replay ended at it and lost them all, saying only that it was
   * "never acknowledged". It is passed over by its length, said at ERROR, and the rest is read.
   */
  @Test
  void aDamagedFrameInTheMiddlePassesOverItselfNotTheFramesAfterIt() throws Exception {
    try (Journal journal = Journal.open(dir)) {
      for (byte b = 1; b <= 3; b++) {
        journal.append(Frame.Kind.LOGS, 1, 0, "", "", new byte[] {b, b, b, b}).durable().get(5, TimeUnit.SECONDS);
      }
    }
    Path segment = firstSegment();
    int frameLength = FrameCodec.encode(new Frame(Frame.Kind.LOGS, 0, 1, 0, "", "", new byte[] {1, 1, 1, 1})).limit();
    byte[] bytes = Files.readAllBytes(segment);
    assertThat(bytes).hasSize(3 * frameLength);
    bytes[frameLength + frameLength - 2] ^= 0x10; // inside the second frame's payload
    Files.write(segment, bytes);
    try (Journal reopened = Journal.open(dir);
        dev.outpost.spec.testing.LogLines log = dev.outpost.spec.testing.LogLines.of(Journal.class)) {
      List<Frame> frames = new ArrayList<>();
      reopened.replay(reopened.closedSegments().get(0), frames::add);
      assertThat(frames).extracting(f -> f.payload()[0]).containsExactly((byte) 1, (byte) 3);
      assertThat(log.errors()).anySatisfy(line -> assertThat(line).contains("1 damaged frame")
          .contains(frameLength + " bytes"));
    }
  }

  /**
   * A replay says how many damaged frames it passed over, and its ERROR names where the segment is
   * kept: moved aside rather than deleted (it holds the only copy of their records), never replayed
   * again, left for the operator.
   */
  @Test
  void aSegmentWithDamagedFramesIsKeptAsideAndNeverReplayedAgain() throws Exception {
    try (Journal journal = Journal.open(dir)) {
      for (byte b = 1; b <= 3; b++) {
        journal.append(Frame.Kind.LOGS, 1, 0, "", "", new byte[] {b, b, b, b}).durable().get(5, TimeUnit.SECONDS);
      }
      journal.rotate();
      journal.append(Frame.Kind.LOGS, 1, 0, "", "", new byte[] {4}).durable().get(5, TimeUnit.SECONDS);
    }
    Path segment = firstSegment();
    byte[] bytes = Files.readAllBytes(segment);
    bytes[bytes.length / 2] ^= 0x01; // inside the second frame
    Files.write(segment, bytes);
    try (Journal reopened = Journal.open(dir);
        dev.outpost.spec.testing.LogLines log = dev.outpost.spec.testing.LogLines.of(Journal.class)) {
      assertThat(reopened.closedSegments()).containsExactly(1L, 2L);
      assertThat(reopened.replay(1, frame -> {})).isEqualTo(1);
      assertThat(reopened.replay(2, frame -> {})).isZero();
      assertThat(log.errors()).singleElement().satisfies(line -> assertThat(line)
          .contains("kept as segment-000000000001.wal.damaged").contains("the operator deletes it"));

      reopened.keepAside(1);
      reopened.deleteUpTo(2);
      assertThat(reopened.closedSegments()).isEmpty();
    }
    assertThat(dir.resolve("segment-000000000001.wal.damaged")).hasBinaryContent(bytes);
    try (Journal again = Journal.open(dir)) {
      assertThat(again.closedSegments()).as("the segment the last run left active, not the kept one")
          .containsExactly(3L);
    }
  }

  /**
   * A damaged frame followed by bytes that are no frame (a write cut by power loss, the disk's old
   * bytes after it) is the torn end of a write never acknowledged: said at WARN as before, not at
   * ERROR as acknowledged records lost.
   */
  @Test
  void aDamagedFrameFollowedByNoWholeFrameIsATornTail() throws Exception {
    try (Journal journal = Journal.open(dir)) {
      for (byte b = 1; b <= 2; b++) {
        journal.append(Frame.Kind.LOGS, 1, 0, "", "", new byte[] {b}).durable().get(5, TimeUnit.SECONDS);
      }
    }
    java.nio.ByteBuffer cut = FrameCodec.encode(new Frame(Frame.Kind.LOGS, Journal.firstSeqOf(1) + 2, 1, 0, "", "",
        new byte[] {3, 3, 3, 3}));
    cut.put(cut.limit() - 1, (byte) 0); // its last bytes never reached the disk
    try (FileChannel channel = FileChannel.open(firstSegment(), StandardOpenOption.APPEND)) {
      channel.write(cut);
      channel.write(java.nio.ByteBuffer.wrap(new byte[] {0, 0, 0, 5, 1, 2, 3, 4, 9, 9, 9, 9, 9})); // old bytes
    }
    try (Journal reopened = Journal.open(dir);
        dev.outpost.spec.testing.LogLines log = dev.outpost.spec.testing.LogLines.of(Journal.class)) {
      List<Frame> frames = new ArrayList<>();
      int unread = reopened.replay(reopened.closedSegments().get(0), frames::add);
      assertThat(frames).extracting(f -> f.payload()[0]).containsExactly((byte) 1, (byte) 2);
      assertThat(log.errors()).isEmpty();
      // which it was cannot be told from the bytes: damaged frames may hide acknowledged ones after them
      assertThat(unread).as("kept aside: the bytes left unread may be the only copy of acknowledged frames")
          .isEqualTo(1);
      assertThat(log.warnings()).singleElement().satisfies(line -> assertThat(line).contains("torn frame")
          .contains((cut.limit() + 13) + " bytes left unread").contains("kept as segment-000000000001.wal.damaged"));
    }
  }

  /**
   * Two damaged frames next to each other (a damaged page holds several): the replay looked one frame
   * ahead, ended at the first as a torn tail said "never acknowledged", reported no damaged frame, and
   * the segment, the only copy of the acknowledged frames after them, was deleted.
   */
  @Test
  void twoAdjacentDamagedFramesPassOverThemselvesNotTheWholeFramesAfterThem() throws Exception {
    Path segment = segmentOfFrames(5);
    int frameLength = FrameCodec.encode(new Frame(Frame.Kind.LOGS, 0, 1, 0, "", "", new byte[] {1, 1, 1, 1})).limit();
    damageFrame(segment, 2);
    damageFrame(segment, 3);
    try (Journal reopened = Journal.open(dir);
        dev.outpost.spec.testing.LogLines log = dev.outpost.spec.testing.LogLines.of(Journal.class)) {
      List<Frame> frames = new ArrayList<>();
      int unread = reopened.replay(1, frames::add);
      assertThat(frames).extracting(f -> f.payload()[0]).containsExactly((byte) 1, (byte) 4, (byte) 5);
      assertThat(unread).as("the damaged frames, kept aside").isEqualTo(2);
      assertThat(log.warnings()).singleElement().satisfies(line -> assertThat(line).contains("2 damaged frame")
          .contains(2 * frameLength + " bytes").doesNotContain("never acknowledged"));
    }
  }

  /**
   * A damaged frame followed by a whole one this build cannot decode (a newer build's, after a
   * rollback): the whole frame continues the segment as well as a readable one does. The replay
   * ended at the damaged frame and lost the frames after both.
   */
  @Test
  void aDamagedFrameFollowedByAWholeFrameOfANewerBuildIsPassedOver() throws Exception {
    Path segment = segmentOfFrames(2, ofAnUnknownKind(Journal.firstSeqOf(1) + 2),
        FrameCodec.encode(new Frame(Frame.Kind.LOGS, Journal.firstSeqOf(1) + 3, 1, 0, "", "", new byte[] {4})));
    damageFrame(segment, 2);
    try (Journal reopened = Journal.open(dir);
        dev.outpost.spec.testing.LogLines log = dev.outpost.spec.testing.LogLines.of(Journal.class)) {
      List<Frame> frames = new ArrayList<>();
      int unread = reopened.replay(1, frames::add);
      assertThat(frames).extracting(f -> f.payload()[0]).containsExactly((byte) 1, (byte) 4);
      assertThat(unread).as("the damaged frame and the one this build cannot read").isEqualTo(2);
      assertThat(log.errors()).singleElement().satisfies(line -> assertThat(line).contains("1 damaged frame"));
      assertThat(log.warnings()).anySatisfy(line -> assertThat(line).contains("1 acknowledged frames this build"));
    }
  }

  /**
   * A whole frame this build cannot decode continues a segment after damage, so one could be crafted
   * in a payload that a damaged length leads to: a frame read after it must still continue the
   * segment's seqs, or the segment ends there.
   */
  @Test
  void aFrameAfterAnUndecodableOneMustStillContinueTheSegment() throws Exception {
    Path segment = segmentOfFrames(2, ofAnUnknownKind(Journal.firstSeqOf(1) + 2),
        FrameCodec.encode(new Frame(Frame.Kind.LOGS, Journal.firstSeqOf(6), 1, 0, "acme", "", new byte[] {6})));
    damageFrame(segment, 2);
    try (Journal reopened = Journal.open(dir);
        dev.outpost.spec.testing.LogLines log = dev.outpost.spec.testing.LogLines.of(Journal.class)) {
      List<Frame> frames = new ArrayList<>();
      assertThat(reopened.replay(1, frames::add)).isPositive();
      assertThat(frames).extracting(f -> f.payload()[0]).containsExactly((byte) 1);
      assertThat(log.warnings()).anySatisfy(line -> assertThat(line).contains("torn frame"));
    }
  }

  /**
   * An operator mended a kept segment and copied it back to {@code .wal} (the {@code .damaged} file
   * left there), and its replay found damage again: the move onto the existing name failed, so the
   * segment stayed {@code .wal} and was replayed, with the same ERROR, at every start. It is kept
   * beside the earlier copy, under a name of its own.
   */
  @Test
  void aSegmentIsKeptAsideBesideAnEarlierCopyOfItself() throws Exception {
    damageFrame(segmentOfFrames(3), 2);
    Path earlier = dir.resolve("segment-000000000001.wal.damaged");
    Files.write(earlier, new byte[] {42});
    try (Journal reopened = Journal.open(dir);
        dev.outpost.spec.testing.LogLines log = dev.outpost.spec.testing.LogLines.of(Journal.class)) {
      assertThat(reopened.replay(1, frame -> {})).isEqualTo(1);
      reopened.keepAside(1);
      assertThat(log.errors()).as("the replay's, not a failed move").singleElement()
          .satisfies(line -> assertThat(line).contains("kept as segment-000000000001.wal.damaged-"));
    }
    assertThat(earlier).as("the earlier copy, untouched").hasBinaryContent(new byte[] {42});
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()).sorted())
          .as("the segment moved aside, replayed no more").doesNotContain("segment-000000000001.wal")
          .filteredOn(name -> name.matches("segment-000000000001\\.wal\\.damaged-\\d+")).hasSize(1);
    }
    try (Journal again = Journal.open(dir)) {
      assertThat(again.closedSegments()).doesNotContain(1L);
    }
  }

  /**
   * The checksum does not cover a frame's length: a flipped bit there lands inside the frame's payload,
   * bytes a sender chose, where a frame may have been crafted. One that does not follow the frames
   * read (here, seqs of another segment) is not read: the segment ends there, as a torn one.
   */
  @Test
  void aFlippedLengthDoesNotReadAFrameCraftedInsideThePayload() throws Exception {
    Frame crafted = new Frame(Frame.Kind.LOGS, Journal.firstSeqOf(6), 1, 0, "", "", new byte[91]);
    byte[] inner = FrameCodec.encode(crafted).array();
    assertThat(inner).hasSize(128);
    byte[] payload = new byte[35 + inner.length];
    System.arraycopy(inner, 0, payload, 35, inner.length);
    try (Journal journal = Journal.open(dir)) {
      journal.append(Frame.Kind.LOGS, 1, 0, "", "", new byte[] {1}).durable().get(5, TimeUnit.SECONDS);
      journal.append(Frame.Kind.LOGS, 1, 0, "", "", payload).durable().get(5, TimeUnit.SECONDS);
      journal.append(Frame.Kind.LOGS, 1, 0, "", "", new byte[] {3}).durable().get(5, TimeUnit.SECONDS);
    }
    Path segment = firstSegment();
    byte[] bytes = Files.readAllBytes(segment);
    int second = java.nio.ByteBuffer.wrap(bytes).getInt(0) + FrameCodec.HEADER;
    int length = java.nio.ByteBuffer.wrap(bytes).getInt(second);
    int flipped = length ^ 0x80; // now ends where the crafted frame starts
    assertThat(flipped).isEqualTo(length - inner.length);
    java.nio.ByteBuffer.wrap(bytes).putInt(second, flipped);
    Files.write(segment, bytes);
    try (Journal reopened = Journal.open(dir);
        dev.outpost.spec.testing.LogLines log = dev.outpost.spec.testing.LogLines.of(Journal.class)) {
      List<Frame> frames = new ArrayList<>();
      reopened.replay(reopened.closedSegments().get(0), frames::add);
      assertThat(frames).extracting(Frame::firstSeq).containsExactly(Journal.firstSeqOf(1));
      assertThat(log.errors()).isEmpty();
      assertThat(log.warnings()).anySatisfy(line -> assertThat(line).contains("torn frame"));
    }
  }

  /**
   * A whole frame of a kind this build does not know (a newer build's, after a rollback) is passed
   * over, the frames around it read, and said at WARN: it was acknowledged, and its records are lost.
   */
  @Test
  void aFrameOfAnUnknownKindIsSkippedAndCounted() throws Exception {
    try (Journal journal = Journal.open(dir)) {
      journal.append(Frame.Kind.LOGS, 1, 0, "", "", new byte[] {1}).durable().get(5, TimeUnit.SECONDS);
    }
    Path segment = firstSegment();
    try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.APPEND)) {
      channel.write(ofAnUnknownKind(Journal.firstSeqOf(1) + 1));
      channel.write(FrameCodec.encode(new Frame(Frame.Kind.TRACES, Journal.firstSeqOf(1) + 2, 1, 0, "", "",
          new byte[] {3})));
    }
    try (Journal reopened = Journal.open(dir);
        dev.outpost.spec.testing.LogLines log = dev.outpost.spec.testing.LogLines.of(Journal.class)) {
      List<Frame> frames = new ArrayList<>();
      reopened.replay(reopened.closedSegments().get(0), frames::add);
      assertThat(frames).extracting(Frame::kind).containsExactly(Frame.Kind.LOGS, Frame.Kind.TRACES);
      assertThat(log.warnings()).anySatisfy(line -> assertThat(line).contains("holds 1 acknowledged frames this build"
          + " cannot read"));
    }
  }

  /**
   * The first segment, holding frames 1 to {@code count} as the journal writes them (each payload four
   * bytes of its number), then {@code after} as given.
   */
  private Path segmentOfFrames(int count, java.nio.ByteBuffer... after) throws Exception {
    try (Journal journal = Journal.open(dir)) {
      for (byte b = 1; b <= count; b++) {
        journal.append(Frame.Kind.LOGS, 1, 0, "", "", new byte[] {b, b, b, b}).durable().get(5, TimeUnit.SECONDS);
      }
    }
    Path segment = firstSegment();
    try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.APPEND)) {
      for (java.nio.ByteBuffer frame : after) {
        channel.write(frame);
      }
    }
    return segment;
  }

  /** Flips a bit in the body of frame {@code n} (from 1) of a segment, as a disk fault does; its length stays. */
  private static void damageFrame(Path segment, int n) throws IOException {
    byte[] bytes = Files.readAllBytes(segment);
    java.nio.ByteBuffer frames = java.nio.ByteBuffer.wrap(bytes);
    int start = 0;
    for (int i = 1; i < n; i++) {
      start += FrameCodec.HEADER + frames.getInt(start);
    }
    bytes[start + FrameCodec.HEADER + 2] ^= 0x20;
    Files.write(segment, bytes);
  }

  /** A whole frame, its checksum right, of a kind this build does not know (a newer build's). */
  private static java.nio.ByteBuffer ofAnUnknownKind(long firstSeq) {
    java.nio.ByteBuffer unknown = FrameCodec.encode(new Frame(Frame.Kind.TRACES, firstSeq, 1, 0, "", "", new byte[] {2}));
    unknown.put(FrameCodec.HEADER, (byte) 42);
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(unknown.array(), FrameCodec.HEADER, unknown.limit() - FrameCodec.HEADER);
    unknown.putInt(4, (int) crc.getValue());
    return unknown;
  }

  @Test
  void aWriteThatFailsHalfwayRetiresItsSegmentSoThatLaterAcknowledgedFramesSurviveAReplay() throws Exception {
    FailingDisk disk = new FailingDisk(100);
    try (Journal journal = Journal.open(dir, disk)) {
      journal.append(Frame.Kind.LOGS, 1, 0, "", "", new byte[] {1}).durable().get(5, TimeUnit.SECONDS);
      assertThatThrownBy(() -> journal.append(Frame.Kind.LOGS, 1, 0, "", "", new byte[200]))
          .as("the disk filled up halfway through the frame").isInstanceOf(java.io.UncheckedIOException.class);
      // space was freed: appends succeed again once the next segment is open, and are acknowledged
      Journal.Appended after = appendWhenAccepted(journal, new byte[] {3});
      after.durable().get(5, TimeUnit.SECONDS);
    }
    try (Journal reopened = Journal.open(dir)) {
      List<Frame> frames = new ArrayList<>();
      for (long segment : reopened.closedSegments()) {
        // the torn frame, answered 503, was cut off as its segment was retired: nothing to keep aside
        assertThat(reopened.replay(segment, frames::add)).isZero();
      }
      assertThat(frames).extracting(f -> f.payload()[0]).as("the acknowledged frames, not the torn one")
          .containsExactly((byte) 1, (byte) 3);
    }
  }

  @Test
  void aFailedFsyncFailsEveryWaiterOfItsSegmentAndLaterAppendsGoToTheNext() throws Exception {
    FailingDisk disk = new FailingDisk(Long.MAX_VALUE);
    try (Journal journal = Journal.open(dir, disk)) {
      Journal.Appended first = journal.append(Frame.Kind.LOGS, 1, 0, "", "", new byte[] {1});
      first.durable().get(5, TimeUnit.SECONDS);
      disk.failNextFsync.set(true);
      Journal.Appended doubted = journal.append(Frame.Kind.LOGS, 1, 0, "", "", new byte[] {2});
      assertThatThrownBy(() -> doubted.durable().get(5, TimeUnit.SECONDS)).hasRootCauseMessage("Input/output error");
      Journal.Appended next = appendWhenAccepted(journal, new byte[] {3});
      next.durable().get(5, TimeUnit.SECONDS);
      assertThat(Journal.segmentOf(next.firstSeq())).as("pages of the failed segment may be gone without a word")
          .isGreaterThan(Journal.segmentOf(doubted.firstSeq()));
    }
  }

  @Test
  void aFailedFsyncOfACheckpointsRotationRetiresTheSegmentAsTheSyncersDoes() throws Exception {
    FailingDisk disk = new FailingDisk(Long.MAX_VALUE);
    try (Journal journal = Journal.open(dir, disk)) {
      Journal.Appended first = journal.append(Frame.Kind.LOGS, 1, 0, "", "", new byte[] {1});
      first.durable().get(5, TimeUnit.SECONDS);
      disk.failNextFsyncOn.set(Thread.currentThread());
      assertThatThrownBy(journal::rotate).hasMessage("Input/output error");
      // Linux reports a failed writeback to one fsync only: the syncer's next one on that segment
      // succeeded, and acknowledged frames whose pages may be gone
      Journal.Appended next = appendWhenAccepted(journal, new byte[] {2});
      next.durable().get(5, TimeUnit.SECONDS);
      assertThat(Journal.segmentOf(next.firstSeq())).isGreaterThan(Journal.segmentOf(first.firstSeq()));
    }
  }

  /** Appends once the journal takes appends again (it refuses them while it replaces a failed segment). */
  private static Journal.Appended appendWhenAccepted(Journal journal, byte[] payload) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (true) {
      try {
        return journal.append(Frame.Kind.LOGS, 1, 0, "", "", payload);
      } catch (java.io.UncheckedIOException refused) {
        if (System.nanoTime() > deadline) {
          throw refused;
        }
        Thread.sleep(10);
      }
    }
  }

  @Test
  void concurrentAppendsShareFsyncsAndAllBecomeDurable() throws Exception {
    try (Journal journal = Journal.open(dir)) {
      List<CompletableFuture<Void>> durable = new ArrayList<>();
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        Thread thread = new Thread(() -> {
          for (int i = 0; i < 200; i++) {
            CompletableFuture<Void> f = journal.append(Frame.Kind.LOGS, 1, 0, "", "", new byte[64]).durable();
            synchronized (durable) {
              durable.add(f);
            }
          }
        });
        threads.add(thread);
        thread.start();
      }
      for (Thread thread : threads) {
        thread.join();
      }
      CompletableFuture.allOf(durable.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
      assertThat(durable).hasSize(1600).allMatch(f -> f.isDone() && !f.isCompletedExceptionally());
    }
  }

  @Test
  void rotationClosesTheSegmentAndDeletionRemovesIt() throws IOException {
    try (Journal journal = Journal.open(dir)) {
      journal.append(Frame.Kind.LOGS, 1, 0, "", "", new byte[] {1});
      long closed = journal.rotate();
      assertThat(journal.closedSegments()).containsExactly(closed);
      journal.deleteUpTo(closed);
      assertThat(journal.closedSegments()).isEmpty();
      try (Stream<Path> files = Files.list(dir)) {
        assertThat(files.count()).isEqualTo(1); // the new active segment
      }
    }
  }

  private Path firstSegment() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.toString().endsWith(".wal")).sorted().findFirst().orElseThrow();
    }
  }
}
