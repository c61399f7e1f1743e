package dev.outpost.observability.store.lucene;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.lucene.index.IndexableField;
import org.jboss.logging.Logger;

/**
 * The attribute keys one day indexes, at most {@link #MAX_PER_DAY}, of which one project uses at most
 * {@link #MAX_NEW_PER_PROJECT}. Each distinct key is a Lucene field ({@code attr.<key>}), and every
 * field costs memory in the writer and in each segment, so a client that puts ids in attribute keys
 * (Elasticsearch's "mapping explosion") grew the day without bound. Past either bound a new key is
 * not indexed: its records are stored whole and found by every other criterion, but not by
 * {@code attr.<that key>}; the day says so once in the log, and once per project past its share. A key
 * longer than {@link #MAX_KEY_LENGTH} is never indexed.
 *
 * <p>The share keeps one project's runaway keys from taking the whole day from the others, whose
 * new keys would then go unindexed too. It counts the keys a project uses, whether or not another
 * project indexed them first: a project past its share that still found its records by a key
 * another project had used learned that key was in use that day. The shares are counted from the
 * start of the process: after a restart the day's keys so far still count towards the day's bound,
 * but not towards any project's share. What a project can still learn: whether the day is full, and,
 * once it is, whether a key it has not used is one of its 1,000.
 */
final class AttributeKeys {

  private static final Logger LOG = Logger.getLogger(AttributeKeys.class);
  /** As Elasticsearch's default total fields limit. */
  static final int MAX_PER_DAY = 1000;
  /** A quarter of the day: it takes four projects running away to fill it. */
  static final int MAX_NEW_PER_PROJECT = MAX_PER_DAY / 4;
  /**
   * Characters of the longest key indexed (semantic-convention names are a few dozen): each field name
   * is held again in every segment a reader has open, so the key count alone let 250 keys of a
   * megabyte each fill the heap. A longer key's records are stored, not searchable by it.
   */
  static final int MAX_KEY_LENGTH = 256;
  /** Characters of a key a warning quotes. */
  private static final int QUOTED = 64;

  private final String day;
  private final Set<String> indexed = ConcurrentHashMap.newKeySet();
  private volatile boolean full;
  /** The keys each project's documents are indexed with; a project's set grows under this. */
  private final Map<String, Set<String>> usedBy = new ConcurrentHashMap<>();
  /** Projects told they are past their share. */
  private final Set<String> warnedProjects = ConcurrentHashMap.newKeySet();
  private volatile boolean warned;
  private volatile boolean warnedLength;

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
    Set<String> used = null;
    for (IndexableField field : document) {
      if (!field.name().startsWith(Fields.ATTR)) {
        kept.add(field);
        continue;
      }
      if (field.name().length() - Fields.ATTR.length() > MAX_KEY_LENGTH) {
        warnLength(field.name());
        dropped = true;
        continue;
      }
      if (project == null) {
        project = projectOf(document);
        used = usedBy.getOrDefault(project, Set.of());
      }
      if (used.contains(field.name())) {
        kept.add(field);
        continue;
      }
      // told once already, so no lock is needed to drop it
      if ((used.size() >= MAX_NEW_PER_PROJECT && warnedProjects.contains(project))
          || (full && warned && !indexed.contains(field.name()))) {
        dropped = true;
        continue;
      }
      if (admit(field.name(), project)) {
        kept.add(field);
      } else {
        dropped = true;
      }
    }
    return dropped ? kept : document;
  }

  private void warnLength(String field) {
    if (!warnedLength) {
      warnedLength = true;
      LOG.warnf("%s got an attribute key longer than %d characters (%s...): records with such keys are stored, but not"
          + " searchable by them", day, MAX_KEY_LENGTH, quoted(field));
    }
  }

  /** The key of {@code field}, cut to what a log line needs: a key can be as long as a request body. */
  private static String quoted(String field) {
    String key = field.substring(Fields.ATTR.length());
    return key.length() > QUOTED ? key.substring(0, QUOTED) : key;
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
    Set<String> used = usedBy.computeIfAbsent(project, p -> ConcurrentHashMap.newKeySet());
    if (used.contains(field)) {
      return true;
    }
    if (used.size() >= MAX_NEW_PER_PROJECT) {
      if (warnedProjects.add(project)) {
        LOG.warnf("project %s uses %d attribute keys in %s, its most: its records with another key (%s first) are"
            + " stored, but not searchable by that key", project, MAX_NEW_PER_PROJECT, day, quoted(field));
      }
      return false;
    }
    if (!indexed.contains(field) && indexed.size() >= MAX_PER_DAY) {
      full = true;
      if (!warned) {
        warned = true;
        LOG.warnf("%s indexes %d attribute keys, its most: records with a new key (%s first) are stored, but not"
            + " searchable by that key", day, MAX_PER_DAY, quoted(field));
      }
      return false;
    }
    used.add(field);
    indexed.add(field);
    return true;
  }
}
