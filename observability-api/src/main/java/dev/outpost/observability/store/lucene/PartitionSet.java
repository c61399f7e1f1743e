package dev.outpost.observability.store.lucene;

import dev.outpost.observability.store.TimeRange;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.stream.Stream;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.IndexableField;
import org.apache.lucene.index.MultiReader;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.util.BytesRef;
import org.jboss.logging.Logger;

/**
 * The daily partitions of one signal under one directory ({@code <root>/<yyyy-mm-dd>}). Records go
 * to the partition of their day (UTC); a search opens one reader over the days its range covers;
 * retention deletes whole days.
 */
final class PartitionSet implements Closeable {

  private static final Logger LOG = Logger.getLogger(PartitionSet.class);
  private static final long NANOS_PER_DAY = 86_400_000_000_000L;

  private final Path root;
  private final Analyzer analyzer;
  private final int ramBufferMb;
  private final ConcurrentSkipListMap<LocalDate, Partition> partitions = new ConcurrentSkipListMap<>();

  /** Work done with a searcher over several partitions. */
  interface SearchWork<T> {
    T run(IndexSearcher searcher) throws IOException;
  }

  PartitionSet(Path root, Analyzer analyzer, int ramBufferMb) throws IOException {
    this.root = root;
    this.analyzer = analyzer;
    this.ramBufferMb = ramBufferMb;
    Files.createDirectories(root);
    try (Stream<Path> dirs = Files.list(root)) {
      for (Path dir : dirs.filter(Files::isDirectory).toList()) {
        try {
          LocalDate day = LocalDate.parse(dir.getFileName().toString());
          partitions.put(day, new Partition(day, dir, analyzer, ramBufferMb));
        } catch (DateTimeParseException notAPartition) {
          LOG.warnf("ignoring %s: not a daily partition", dir);
        }
      }
    }
  }

  static LocalDate dayOf(long nanos) {
    return LocalDate.ofEpochDay(Math.floorDiv(nanos, NANOS_PER_DAY));
  }

  static long startOf(LocalDate day) {
    return day.toEpochDay() * NANOS_PER_DAY;
  }

  void add(long timeNanos, Iterable<? extends IndexableField> document) {
    try {
      partition(dayOf(timeNanos)).writer.addDocument(document);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  void deleteEverywhere(Query query) {
    try {
      for (Partition p : partitions.values()) {
        p.writer.deleteDocuments(query);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * One stored field of every document matching {@code query}, in every partition, as the writers
   * hold them now (what is not yet committed or refreshed included).
   */
  List<BytesRef> storedEverywhere(Query query, String field) {
    List<BytesRef> values = new ArrayList<>();
    try {
      for (Partition p : partitions.values()) {
        try (DirectoryReader reader = DirectoryReader.open(p.writer)) {
          IndexSearcher searcher = new IndexSearcher(reader);
          StoredFields stored = searcher.storedFields();
          for (ScoreDoc hit : searcher.search(query, Math.max(1, reader.maxDoc())).scoreDocs) {
            values.add(BytesRef.deepCopyOf(stored.document(hit.doc).getBinaryValue(field)));
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return values;
  }

  void refresh() throws IOException {
    for (Partition p : partitions.values()) {
      p.searchers.maybeRefresh();
    }
  }

  void commit() {
    try {
      for (Partition p : partitions.values()) {
        p.writer.commit();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Deletes the partitions of days before {@code firstKept}; returns how many went. */
  int dropBefore(LocalDate firstKept) throws IOException {
    List<Partition> doomed = new ArrayList<>(partitions.headMap(firstKept).values());
    for (Partition p : doomed) {
      partitions.remove(p.day);
      p.close();
      try (Stream<Path> files = Files.walk(p.path)) {
        for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(file);
        }
      }
      LOG.infof("retention: deleted partition %s", p.path);
    }
    return doomed.size();
  }

  Collection<LocalDate> days() {
    return partitions.keySet();
  }

  <T> T search(TimeRange range, SearchWork<T> work) throws IOException {
    return searchOver(partitions.subMap(dayOf(range.fromNanos()), true, dayOf(range.toNanos() - 1), true).values(), work);
  }

  <T> T searchAll(SearchWork<T> work) throws IOException {
    return searchOver(partitions.values(), work);
  }

  private <T> T searchOver(Collection<Partition> covered, SearchWork<T> work) throws IOException {
    List<Partition> parts = List.copyOf(covered);
    List<IndexSearcher> acquired = new ArrayList<>(parts.size());
    try {
      for (Partition p : parts) {
        acquired.add(p.searchers.acquire());
      }
      IndexReader[] readers = acquired.stream().map(IndexSearcher::getIndexReader).toArray(IndexReader[]::new);
      try (MultiReader reader = new MultiReader(readers, false)) {
        return work.run(new IndexSearcher(reader));
      }
    } finally {
      for (int i = 0; i < acquired.size(); i++) {
        parts.get(i).searchers.release(acquired.get(i));
      }
    }
  }

  private Partition partition(LocalDate day) throws IOException {
    Partition existing = partitions.get(day);
    if (existing != null) {
      return existing;
    }
    synchronized (partitions) {
      Partition again = partitions.get(day);
      if (again != null) {
        return again;
      }
      Partition created = new Partition(day, root.resolve(day.toString()), analyzer, ramBufferMb);
      partitions.put(day, created);
      return created;
    }
  }

  @Override
  public void close() throws IOException {
    for (Partition p : partitions.values()) {
      p.close();
    }
    partitions.clear();
  }
}
