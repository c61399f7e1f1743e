package dev.outpost.observability.store.lucene;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.lucene.index.IndexableField;
import org.jboss.logging.Logger;

/**
 * The attribute keys one day indexes, at most {@link #MAX_PER_DAY}. Each distinct key is a Lucene
 * field ({@code attr.<key>}), and every field costs memory in the writer and in each segment, so a
 * client that puts ids in attribute keys (Elasticsearch's "mapping explosion") grew the day without
 * bound. Past the bound a new key is not indexed: its records are stored whole and found by every
 * other criterion, but not by {@code attr.<that key>}; the day says so once in the log.
 */
final class AttributeKeys {

  private static final Logger LOG = Logger.getLogger(AttributeKeys.class);
  /** As Elasticsearch's default total fields limit. */
  static final int MAX_PER_DAY = 1000;

  private final String day;
  private final Set<String> indexed = ConcurrentHashMap.newKeySet();
  private volatile boolean full;
  private boolean warned;

  /** @param existing the day's field names so far (its writer's), of which the attribute ones count */
  AttributeKeys(String day, Set<String> existing) {
    this.day = day;
    existing.stream().filter(f -> f.startsWith(Fields.ATTR)).forEach(indexed::add);
    full = indexed.size() >= MAX_PER_DAY;
  }

  /** {@code document} itself when the day indexes all its attribute fields, else a copy without the others. */
  Iterable<? extends IndexableField> admitted(Iterable<? extends IndexableField> document) {
    List<IndexableField> kept = new ArrayList<>();
    boolean dropped = false;
    for (IndexableField field : document) {
      if (!field.name().startsWith(Fields.ATTR) || admit(field.name())) {
        kept.add(field);
      } else {
        dropped = true;
      }
    }
    return dropped ? kept : document;
  }

  private boolean admit(String field) {
    if (indexed.contains(field)) {
      return true;
    }
    if (!full) {
      synchronized (this) {
        if (indexed.size() < MAX_PER_DAY) {
          indexed.add(field);
          return true;
        }
        full = true;
      }
    }
    refused(field);
    return false;
  }

  private synchronized void refused(String field) {
    if (!warned) {
      warned = true;
      LOG.warnf("%s indexes %d attribute keys, its most: records with a new key (%s first) are stored, but not"
          + " searchable by that key", day, MAX_PER_DAY, field.substring(Fields.ATTR.length()));
    }
  }
}
