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

  /**
   * Another project's integration that learnt a trace id (the gateway names it on every answer) and
   * sends a span with the id of one of this project's, earlier, does not take this project's spans
   * under it; a span of another project whose parent is this project's (a call across projects) still
   * hangs under it.
   */
  @Test
  void aSpanIsTheChildOfItsOwnProjectsSpanOfThatIdFirst() {
    SpanEntry forged = new SpanEntry(1, TRACE, "a", "", "forged", "SERVER", 1, 11, "UNSET", "",
        new Owner("svc", "billing", "", "", ""), Map.of(), Map.of(), List.of(), List.of());
    SpanEntry called = new SpanEntry(5, TRACE, "c", "a", "called", "SERVER", 5, 15, "UNSET", "",
        new Owner("other", "billing", "", "", ""), Map.of(), Map.of(), List.of(), List.of());
    Views.TraceView trace = SpanTree.of(TRACE, List.of(forged, span("a", "", 2), span("b", "a", 3)));
    assertThat(trace.spans()).extracting(s -> s.project() + ":" + s.name() + "@" + s.depth())
        .containsExactly("billing:forged@0", "acme:op-a@0", "acme:op-b@1");

    trace = SpanTree.of(TRACE, List.of(span("a", "", 2), span("b", "a", 3), called));
    assertThat(trace.spans()).extracting(s -> s.project() + ":" + s.name() + "@" + s.depth())
        .containsExactly("acme:op-a@0", "acme:op-b@1", "billing:called@1");
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
