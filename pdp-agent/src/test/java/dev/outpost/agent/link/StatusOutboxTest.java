package dev.outpost.agent.link;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StatusOutboxTest {
  @Test
  void theNewestReportPerKeyWinsAndAcknowledgementClearsUpToItsSequence() {
    StatusOutbox<String> outbox = new StatusOutbox<>();
    outbox.put("orders", "Deploying");
    outbox.put("billing", "Ready");
    StatusOutbox.Entry<String> latest = outbox.put("orders", "Ready");
    assertThat(outbox.pending()).extracting(StatusOutbox.Entry::report).containsExactly("Ready", "Ready");
    assertThat(outbox.pending()).extracting(StatusOutbox.Entry::key).containsExactly("billing", "orders");

    outbox.acknowledge(latest.sequence() - 1);
    assertThat(outbox.pending()).extracting(StatusOutbox.Entry::key).containsExactly("orders");
    outbox.acknowledge(latest.sequence());
    assertThat(outbox.pending()).isEmpty();
  }

  @Test
  void anOldAcknowledgementDoesNotClearANewerReport() {
    StatusOutbox<String> outbox = new StatusOutbox<>();
    StatusOutbox.Entry<String> first = outbox.put("orders", "Deploying");
    outbox.put("orders", "Failed");
    outbox.acknowledge(first.sequence());
    assertThat(outbox.pending()).extracting(StatusOutbox.Entry::report).containsExactly("Failed");
  }
}
