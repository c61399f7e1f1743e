package dev.outpost.observability.store;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;

/**
 * A record's attributes, in the order they came, read-only. A record holds a handful, and ingest
 * made one map per record and resource: a hash map hashed each new key string, then looked the keys
 * up again in hash buckets (3% of the CPU under full ingest). A few keys sit in two arrays and are
 * found by comparing them; more than {@link #MAX_SCANNED} go into a {@link LinkedHashMap}.
 */
public final class AttributeMap extends AbstractMap<String, String> {

  /** Above this many keys a lookup by comparison costs more than hashing. */
  static final int MAX_SCANNED = 16;

  private final String[] keys;
  private final String[] values;
  private final int size;

  private AttributeMap(String[] keys, String[] values, int size) {
    this.keys = keys;
    this.values = values;
    this.size = size;
  }

  /** A builder for about {@code expected} attributes; a key put twice keeps its place and its last value. */
  public static Builder builder(int expected) {
    return new Builder(expected);
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public boolean containsKey(Object key) {
    return indexOf(key) >= 0;
  }

  @Override
  public String get(Object key) {
    int i = indexOf(key);
    return i < 0 ? null : values[i];
  }

  private int indexOf(Object key) {
    for (int i = 0; i < size; i++) {
      if (keys[i].equals(key)) {
        return i;
      }
    }
    return -1;
  }

  @Override
  public Set<Entry<String, String>> entrySet() {
    return new AbstractSet<>() {
      @Override
      public int size() {
        return size;
      }

      @Override
      public Iterator<Entry<String, String>> iterator() {
        return new Iterator<>() {
          private int next;

          @Override
          public boolean hasNext() {
            return next < size;
          }

          @Override
          public Entry<String, String> next() {
            if (next >= size) {
              throw new NoSuchElementException();
            }
            int i = next++;
            return new SimpleImmutableEntry<>(keys[i], values[i]);
          }
        };
      }
    };
  }

  /** Collects attributes in order; {@link #build()} gives an {@link AttributeMap}, or a linked hash map when there are many. */
  public static final class Builder {
    private String[] keys;
    private String[] values;
    private int size;
    private Map<String, String> many;

    private Builder(int expected) {
      int capacity = Math.max(1, Math.min(expected, MAX_SCANNED));
      keys = new String[capacity];
      values = new String[capacity];
    }

    public Builder put(String key, String value) {
      Objects.requireNonNull(key, "key");
      if (many != null) {
        many.put(key, value);
        return this;
      }
      for (int i = 0; i < size; i++) {
        if (keys[i].equals(key)) {
          values[i] = value;
          return this;
        }
      }
      if (size == MAX_SCANNED) {
        many = new LinkedHashMap<>();
        for (int i = 0; i < size; i++) {
          many.put(keys[i], values[i]);
        }
        many.put(key, value);
        return this;
      }
      if (size == keys.length) {
        keys = Arrays.copyOf(keys, Math.min(MAX_SCANNED, size * 2));
        values = Arrays.copyOf(values, keys.length);
      }
      keys[size] = key;
      values[size] = value;
      size++;
      return this;
    }

    public Map<String, String> build() {
      if (many != null) {
        return Collections.unmodifiableMap(many);
      }
      return size == 0 ? Map.of() : new AttributeMap(keys, values, size);
    }
  }
}
