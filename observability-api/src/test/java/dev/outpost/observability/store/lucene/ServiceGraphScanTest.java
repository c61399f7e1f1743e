package dev.outpost.observability.store.lucene;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.outpost.observability.store.AnswerMemory;
import dev.outpost.observability.store.Owner;
import dev.outpost.observability.store.ProjectScope;
import dev.outpost.observability.store.QueryTimedOutException;
import dev.outpost.observability.store.ServiceGraph;
import dev.outpost.observability.store.ServiceLink;
import dev.outpost.observability.store.SpanEntry;
import dev.outpost.observability.store.TimeRange;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The service graph within its budgets: what it holds is the answer's memory, and it says when it stopped short. */
class ServiceGraphScanTest {
  static final ProjectScope SCOPE = new ProjectScope(Set.of("p"));
  static final long NOW = 1_780_000_000_000_000_000L;

  @TempDir Path dir;

  @Test
  void aGraphThatOutgrowsItsMemoryIsPartialAndOneThatCountedNothingIsATimeout() throws Exception {
    List<SpanEntry> spans = new ArrayList<>();
    // first spans that call nothing, then calls
    for (int lone = 0; lone < 2000; lone++) {
      spans.add(span(spans.size(), String.format("%032x", 100_000 + lone), "00000000000000c1", "", "cron", NOW));
    }
    for (int call = 0; call < 3000; call++) {
      String trace = String.format("%032x", call + 1);
      spans.add(span(spans.size(), trace, "00000000000000a1", "", "web", NOW + call));
      spans.add(span(spans.size(), trace, "00000000000000b1", "00000000000000a1", "api", NOW + call + 1));
    }
    TimeRange range = new TimeRange(NOW - 1_000_000_000L, NOW + 1_000_000_000L);
    try (LuceneTraceStore store = new LuceneTraceStore(dir, 16, new QueryLimits(64, 5000, 100, 16 << 20), new ObjectMapper())) {
      store.write(spans);
      store.refresh();

      assertThat(store.serviceGraph(SCOPE, range, AnswerMemory.UNLIMITED))
          .isEqualTo(new ServiceGraph(List.of(new ServiceLink("web", "api", 3000)), false));

      // a budget that some thousands of spans outgrow: the calls counted until then, marked partial
      AnswerMemory small = chars -> Math.min(chars, 40 << 10);
      ServiceGraph cut = store.serviceGraph(SCOPE, range, small);
      assertThat(cut.partial()).isTrue();
      assertThat(cut.links()).singleElement().satisfies(link -> {
        assertThat(link.parent()).isEqualTo("web");
        assertThat(link.callCount()).isBetween(1L, 2999L);
      });

      // nothing granted, and the first spans called nothing: an empty graph would read as "no calls"
      assertThatThrownBy(() -> store.serviceGraph(SCOPE, range, chars -> 0))
          .isInstanceOf(QueryTimedOutException.class).hasMessageContaining("shorten its lookback");
    }
  }

  /** Links repeat their services' names in the answer: many of long names are cut at the answer's budget. */
  @Test
  void linksPastTheAnswersBudgetAreLeftOutMostCallsKept() throws Exception {
    List<SpanEntry> spans = new ArrayList<>();
    for (int caller = 0; caller < 200; caller++) {
      String trace = String.format("%032x", caller + 1);
      String name = "caller-" + caller + "-" + "x".repeat(1000);
      spans.add(span(spans.size(), trace, "00000000000000a1", "", name, NOW));
      spans.add(span(spans.size(), trace, "00000000000000b1", "00000000000000a1", "api", NOW + 1));
    }
    // one caller calls twice: it comes first
    spans.add(span(spans.size(), String.format("%032x", 7), "00000000000000b2", "00000000000000a1", "api", NOW + 2));
    try (LuceneTraceStore store = new LuceneTraceStore(dir, 16, new QueryLimits(64, 5000, 100, 100_000), new ObjectMapper())) {
      store.write(spans);
      store.refresh();

      ServiceGraph graph = store.serviceGraph(SCOPE, new TimeRange(NOW - 1_000_000_000L, NOW + 1_000_000_000L),
          AnswerMemory.UNLIMITED);

      assertThat(graph.partial()).isTrue();
      assertThat(graph.links()).hasSizeBetween(1, 99);
      assertThat(graph.links().get(0).parent()).startsWith("caller-6-");
      assertThat(graph.links().get(0).callCount()).isEqualTo(2);
    }
  }

  /**
   * A span of another project under one of the scope's is no call, also when the scope holds both: an
   * integration that learnt a trace id can send spans into it.
   */
  @Test
  void callsAreCountedWithinEachProjectOnly() throws Exception {
    try (LuceneTraceStore store = new LuceneTraceStore(dir, 16, new QueryLimits(64, 5000, 100, 16 << 20), new ObjectMapper())) {
      String trace = "0000000000000000000000000000abcd";
      store.write(List.of(span(1, trace, "00000000000000a1", "", "web", NOW),
          new SpanEntry(2, trace, "00000000000000b1", "00000000000000a1", "op", "SERVER", NOW + 1, NOW + 2, "UNSET", null,
              new Owner("api", "q", null, null, null), Map.of(), Map.of(), List.of(), List.of()),
          span(3, trace, "00000000000000c1", "00000000000000a1", "db", NOW + 1)));
      store.refresh();

      TimeRange range = new TimeRange(NOW - 1_000_000_000L, NOW + 1_000_000_000L);
      assertThat(store.serviceGraph(SCOPE, range, AnswerMemory.UNLIMITED).links())
          .containsExactly(new ServiceLink("web", "db", 1));
      assertThat(store.serviceGraph(new ProjectScope(Set.of("q")), range, AnswerMemory.UNLIMITED).links()).isEmpty();
      assertThat(store.serviceGraph(new ProjectScope(Set.of("p", "q")), range, AnswerMemory.UNLIMITED).links())
          .containsExactly(new ServiceLink("web", "db", 1));
      // other answers hold all the memory: not an empty graph, which would read as "no calls"
      assertThatThrownBy(() -> store.serviceGraph(new ProjectScope(Set.of("p", "q")), range, chars -> 0))
          .isInstanceOf(QueryTimedOutException.class).hasMessageContaining("retry");
    }
  }

  private static SpanEntry span(long seq, String trace, String id, String parent, String service, long start) {
    return new SpanEntry(seq, trace, id, parent, "op", "SERVER", start, start + 1, "UNSET", null,
        new Owner(service, "p", null, null, null), Map.of(), Map.of(), List.of(), List.of());
  }
}
