package dev.outpost.observability.store.lucene;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.lucene.index.IndexableField;
import org.jboss.logging.Logger;

/**
 * The attribute keys one day indexes, at most {@link #MAX_PER_DAY}, of which one project adds at most
 * {@link #MAX_NEW_PER_PROJECT}. Each distinct key is a Lucene field ({@code attr.<key>}), and every
 * field costs memory in the writer and in each segment, so a client that puts ids in attribute keys
 * (Elasticsearch's "mapping explosion") grew the day without bound. Past either bound a new key is
 * not indexed: its records are stored whole and found by every other criterion, but not by
 * {@code attr.<that key>}; the day says so once in the log, and once per project past its share.
 *
 * <p>The share keeps one project's runaway keys from taking the whole day from the others, whose
 * new keys would then go unindexed too; a key some project already added is indexed for all. The
 * shares are counted from the start of the process: after a restart the day's keys so far still
 * count towards the day's bound, but not towards any project's share.
 */
final class AttributeKeys {

  private static final Logger LOG = Logger.getLogger(AttributeKeys.class);
  /** As Elasticsearch's default total fields limit. */
  static final int MAX_PER_DAY = 1000;
  /** A quarter of the day: it takes four projects running away to fill it. */
  static final int MAX_NEW_PER_PROJECT = MAX_PER_DAY / 4;

  private final String day;
  private final Set<String> indexed = ConcurrentHashMap.newKeySet();
  private volatile boolean full;
  /** New keys by the project that added them; guarded by this. */
  private final Map<String, Integer> addedBy = new HashMap<>();
  /** Projects told they are past their share; guarded by this. */
  private final Set<String> warnedProjects = new HashSet<>();
  private boolean warned;

  /** @param existing the day's field names so far (its writer's), of which the attribute ones count */
  AttributeKeys(String day, Set<String> existing) {
    this.day = day;
    existing.stream().filter(f -> f.startsWith(Fields.ATTR)).forEach(indexed::add);
    full = indexed.size() >= MAX_PER_DAY;
  }

  /**
   * {@code document} itself when the day indexes all its attribute fields, else a copy without the
   * others. A document holds one project's records (a log block, a span).
   */
  Iterable<? extends IndexableField> admitted(Iterable<? extends IndexableField> document) {
    List<IndexableField> kept = new ArrayList<>();
    boolean dropped = false;
    String project = null;
    for (IndexableField field : document) {
      if (!field.name().startsWith(Fields.ATTR) || indexed.contains(field.name())) {
        kept.add(field);
        continue;
      }
      if (full) {
        dropped = true;
        continue;
      }
      if (project == null) {
        project = projectOf(document);
      }
      if (admit(field.name(), project)) {
        kept.add(field);
      } else {
        dropped = true;
      }
    }
    return dropped ? kept : document;
  }

  private static String projectOf(Iterable<? extends IndexableField> document) {
    for (IndexableField field : document) {
      if (field.name().equals(Fields.PROJECT) && field.stringValue() != null) {
        return field.stringValue();
      }
    }
    return "";
  }

  private synchronized boolean admit(String field, String project) {
    if (indexed.contains(field)) {
      return true;
    }
    if (indexed.size() >= MAX_PER_DAY) {
      full = true;
      if (!warned) {
        warned = true;
        LOG.warnf("%s indexes %d attribute keys, its most: records with a new key (%s first) are stored, but not"
            + " searchable by that key", day, MAX_PER_DAY, field.substring(Fields.ATTR.length()));
      }
      return false;
    }
    int added = addedBy.getOrDefault(project, 0);
    if (added >= MAX_NEW_PER_PROJECT) {
      if (warnedProjects.add(project)) {
        LOG.warnf("project %s added %d attribute keys to %s, its most: its records with a new key (%s first) are"
            + " stored, but not searchable by that key", project, MAX_NEW_PER_PROJECT, day,
            field.substring(Fields.ATTR.length()));
      }
      return false;
    }
    addedBy.put(project, added + 1);
    indexed.add(field);
    return true;
  }
}
