package dev.outpost.observability.store.lucene;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.observability.store.SpanEntry;
import org.junit.jupiter.api.Test;

class StoredRecordMapperTest {

  /**
   * A span stored by a later version, read after a rollback: a property this one does not know is
   * passed over (spans gained {@code links} so, and every query returning one failed with a 500).
   */
  @Test
  void aStoredSpanWithAPropertyOfALaterVersionIsRead() throws Exception {
    String stored = """
        {"seq":7,"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331","parentSpanId":"",
         "name":"GET /orders","kind":"SERVER","startNanos":1,"endNanos":2,"status":"UNSET",
         "owner":{"service":"web","project":"p"},"attributes":{},"resource":{},
         "events":[],"links":[],"addedLater":{"any":["shape"]}}
        """;

    SpanEntry span = LuceneStorage.storedRecordMapper().readValue(stored, SpanEntry.class);

    assertThat(span.name()).isEqualTo("GET /orders");
    assertThat(span.owner().service()).isEqualTo("web");
  }
}
