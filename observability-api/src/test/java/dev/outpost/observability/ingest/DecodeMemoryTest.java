package dev.outpost.observability.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * 413 for a request that could never fit, 429 for one that does not fit now: a sender retries a
 * 429 (the Collector for five minutes, the SDKs five times) and drops the batch at the end, so a
 * 429 that no retry can turn into a 200 loses it after all that.
 */
class DecodeMemoryTest {

  private final DecodeMemory memory = new DecodeMemory(100);
  private final IngestBinding orders = new IngestBinding("shop", "orders");

  @Test
  void aDecodeThatFitsTheShareOnlyWithoutTheRequestsOwnBodyIsTooLargeNotBusy() {
    try (DecodeMemory.Lease body = memory.lease(orders)) {
      body.hold(20, () -> "body");
      try (DecodeMemory.Lease decode = memory.lease(orders, body)) {
        assertThatThrownBy(() -> decode.hold(35, () -> "never fits")).isInstanceOfSatisfying(IngestException.class,
            e -> assertThat(e.status()).as("the share is 50, its own body holds 20 of it").isEqualTo(413));
      }
    }
  }

  @Test
  void aDecodeThatCouldFitOnceOthersEndIsBusy() {
    try (DecodeMemory.Lease other = memory.lease(orders); DecodeMemory.Lease body = memory.lease(orders)) {
      other.hold(20, () -> "other");
      body.hold(10, () -> "body");
      try (DecodeMemory.Lease decode = memory.lease(orders, body)) {
        assertThatThrownBy(() -> decode.hold(30, () -> "fits later")).isInstanceOfSatisfying(IngestException.class,
            e -> assertThat(e.status()).isEqualTo(429));
      }
    }
    try (DecodeMemory.Lease body = memory.lease(orders)) {
      body.hold(10, () -> "body");
      try (DecodeMemory.Lease decode = memory.lease(orders, body)) {
        decode.hold(30, () -> "fits now");
      }
    }
  }

  @Test
  void theDataPlanesTokenIsBoundedByTheWholeCapacityWithItsBody() {
    try (DecodeMemory.Lease body = memory.lease(IngestBinding.DATA_PLANE)) {
      body.hold(40, () -> "body");
      try (DecodeMemory.Lease decode = memory.lease(IngestBinding.DATA_PLANE, body)) {
        assertThatThrownBy(() -> decode.hold(61, () -> "never fits")).isInstanceOfSatisfying(IngestException.class,
            e -> assertThat(e.status()).isEqualTo(413));
        decode.hold(60, () -> "fits");
      }
    }
  }
}
