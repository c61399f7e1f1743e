package dev.outpost.observability.store.lucene;

import dev.outpost.observability.store.LogEntry;
import java.util.List;
import java.util.function.Predicate;
import org.apache.lucene.index.memory.MemoryIndex;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.Query;

/** Whether one log record matches a parsed query text: the exact test behind every block match. */
final class RecordCheck {

  private RecordCheck() {}

  static Predicate<LogEntry> of(Query query) {
    if (query instanceof MatchAllDocsQuery) {
      return e -> true;
    }
    List<String> required = BlockQueries.requiredBodyTerms(query);
    QueryAnalyzer analyzer = new QueryAnalyzer();
    // an in-memory index per record is dear (tens of microseconds); the substring test first
    // turns most records of a block away for a few hundred nanoseconds
    return e -> containsAll(e.body(), required)
        && MemoryIndex.fromDocument(LogDocuments.toDocument(e), analyzer).search(query) > 0;
  }

  /**
   * Whether the body, lower-cased char by char as Lucene's LowerCaseFilter does (not
   * {@link String#toLowerCase}, which turns some letters into two chars), contains every term.
   */
  static boolean containsAll(String body, List<String> terms) {
    if (terms.isEmpty()) {
      return true;
    }
    if (body == null) {
      return false;
    }
    char[] lower = new char[body.length()];
    for (int i = 0; i < lower.length; i++) {
      lower[i] = Character.toLowerCase(body.charAt(i));
    }
    String folded = new String(lower);
    for (String term : terms) {
      if (!folded.contains(term)) {
        return false;
      }
    }
    return true;
  }
}
