package dev.outpost.observability.query;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.observability.store.Owner;
import dev.outpost.observability.store.SpanEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The span waterfall over the span data clients actually send, including broken parent links. */
class SpanTreeTest {

  private static final String TRACE = "2".repeat(32);

  private static SpanEntry span(String id, String parent, long start) {
    return new SpanEntry(start, TRACE, id, parent, "op-" + id, "SERVER", start, start + 10, "UNSET", "",
        new Owner("svc", "acme", "", "", ""), Map.of(), Map.of(), List.of(), List.of());
  }

  @Test
  void childrenFollowTheirParentsDepthFirstInStartOrder() {
    Views.TraceView trace = SpanTree.of(TRACE, List.of(
        span("a", "", 1), span("b", "a", 2), span("c", "a", 3), span("d", "b", 4)));
    assertThat(trace.spans()).extracting(Views.SpanView::spanId).containsExactly("a", "b", "d", "c");
    assertThat(trace.spans()).extracting(Views.SpanView::depth).containsExactly(0, 1, 2, 1);
  }

  @Test
  void spansThatAreEachOthersParentAreAllShown() {
    Views.TraceView trace = SpanTree.of(TRACE, List.of(span("b1", "b2", 1), span("b2", "b1", 2), span("x", "", 3)));
    assertThat(trace.spans()).extracting(Views.SpanView::spanId).containsExactlyInAnyOrder("b1", "b2", "x");
    assertThat(SpanTree.summary(trace).spanCount()).isEqualTo(3);
  }

  @Test
  void aChainAsDeepAsTheSpanLimitIsWalkedWithoutRecursion() {
    List<SpanEntry> chain = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      chain.add(span(String.format("%016x", i + 1), i == 0 ? "" : String.format("%016x", i), i));
    }
    Views.TraceView trace = SpanTree.of(TRACE, chain);
    assertThat(trace.spans()).hasSize(10_000);
    assertThat(trace.spans().get(9_999).depth()).isEqualTo(9_999);
  }
}
