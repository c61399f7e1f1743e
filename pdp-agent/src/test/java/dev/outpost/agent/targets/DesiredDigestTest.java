package dev.outpost.agent.targets;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class DesiredDigestTest {
  static final ObjectMapper JSON = new ObjectMapper();

  /** Map.of orders its keys differently in each JVM: the digest must not follow. */
  @Test
  void theSameObjectWithItsKeysInAnotherOrderHasTheSameDigest() throws Exception {
    String one = DesiredDigest.of(JSON.readTree(
        "{\"metadata\":{\"labels\":{\"a\":\"1\",\"b\":\"2\"}},\"data\":{\"x\":\"y\",\"z\":\"w\"}}"));
    String other = DesiredDigest.of(JSON.readTree(
        "{\"data\":{\"z\":\"w\",\"x\":\"y\"},\"metadata\":{\"labels\":{\"b\":\"2\",\"a\":\"1\"}}}"));
    assertThat(one).isEqualTo(other).hasSize(64);
  }

  @Test
  void anyChangeChangesTheDigest() throws Exception {
    String before = DesiredDigest.of(JSON.readTree("{\"metadata\":{\"labels\":{\"a\":\"1\",\"b\":\"2\"}}}"));
    assertThat(DesiredDigest.of(JSON.readTree("{\"metadata\":{\"labels\":{\"a\":\"1\"}}}"))).isNotEqualTo(before);
    assertThat(DesiredDigest.of(JSON.readTree("{\"metadata\":{\"labels\":{\"a\":\"1\",\"b\":\"3\"}}}"))).isNotEqualTo(before);
    // a list's order is its meaning (containers, ports): kept
    assertThat(DesiredDigest.of(JSON.readTree("{\"l\":[1,2]}"))).isNotEqualTo(DesiredDigest.of(JSON.readTree("{\"l\":[2,1]}")));
  }
}
