package dev.outpost.observability.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.observability.store.LogSearch;
import dev.outpost.observability.store.TimeRange;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The key behind log cursors, kept in the data directory. */
class LogCursorsTest {
  @TempDir Path dir;

  private static final LogSearch.Position AT = new LogSearch.Position(1_700_000_000_000_000_000L, 42);
  private static final TimeRange RANGE = new TimeRange(1, 2);

  @Test
  void aCursorOutlivesARestartAndNoOtherKeyOpensIt() throws Exception {
    String cursor = new LogCursors(dir.resolve("cursor-key")).encode(AT, RANGE, 7);
    assertThat(Files.getPosixFilePermissions(dir.resolve("cursor-key")))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));

    LogCursors.Cursor opened = new LogCursors(dir.resolve("cursor-key")).decode(cursor).orElseThrow();
    assertThat(opened).isEqualTo(new LogCursors.Cursor(AT, RANGE, 7));
    assertThatThrownBy(() -> new LogCursors(dir.resolve("other-key")).decode(cursor))
        .hasMessageContaining("cursor is not one this API returned");
  }

  /**
   * A key file cut short (a crash before the disk had it) is replaced, not refused: refused, every
   * log search failed until someone deleted the file.
   */
  @Test
  void aKeyFileCutShortIsReplaced() throws Exception {
    Files.write(dir.resolve("cursor-key"), new byte[0]);
    LogCursors cursors = new LogCursors(dir.resolve("cursor-key"));
    assertThat(Files.size(dir.resolve("cursor-key"))).isEqualTo(32);
    assertThat(cursors.decode(cursors.encode(AT, RANGE, 7))).isPresent();
    try (var files = Files.list(dir)) {
      assertThat(files.map(f -> f.getFileName().toString())).containsExactly("cursor-key");
    }
  }
}
