package dev.outpost.observability.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.observability.store.LogPage;
import dev.outpost.observability.store.LogSearch;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A page the time budget cut: what the store gives when a page reached with a cursor runs out of
 * time before reading a block (LuceneLogStoreTest#followingTheCursorsOfPagesOutOfTimeEnds) is an
 * empty partial page with no cursor, which the API answered 200, ending the listing as if complete.
 */
class OutOfTimePageTest {

  @Test
  void anEmptyPartialPageWithNoWayOnIsAQueryTimeout() {
    assertThatThrownBy(() -> LogsResource.outOfTimeWithNothing(new LogPage(List.of(), Optional.empty(), true)))
        .isInstanceOfSatisfying(ApiException.class, e -> {
          assertThat(e.status()).isEqualTo(503);
          assertThat(e.error()).isEqualTo("query_timeout");
        });
  }

  @Test
  void aPartialPageWithACursorOrACompleteEmptyPageIsAnswered() {
    LogPage withCursor = new LogPage(List.of(), Optional.of(new LogSearch.Position(5, Long.MAX_VALUE)), true);
    assertThat(LogsResource.outOfTimeWithNothing(withCursor)).isSameAs(withCursor);
    LogPage empty = new LogPage(List.of(), Optional.empty(), false);
    assertThat(LogsResource.outOfTimeWithNothing(empty)).isSameAs(empty);
  }
}
