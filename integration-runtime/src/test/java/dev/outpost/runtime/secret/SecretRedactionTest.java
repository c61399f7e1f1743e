package dev.outpost.runtime.secret;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

class SecretRedactionTest {

  /**
   * A retired version's values stay redacted: an exchange the retirement did not wait for (its
   * client answered 504, or past the drain timeout) runs on and reports its backend call late, and
   * the call's URI quoted the secret in its span event once the version was gone.
   */
  @Test
  void aRetiredVersionsValuesStayRedactedAmongTheLastRetired() {
    SecretRedaction.add("late.g1", Set.of("late-S3cret-7b8c9d"));
    SecretRedaction.retire("late.g1");
    assertThat(SecretRedaction.redact("invoking http://b/services/late-S3cret-7b8c9d failed"))
        .isEqualTo("invoking http://b/services/" + SecretRedaction.REDACTED + " failed");

    // bounded: the oldest retired values are forgotten past the limit
    for (int i = 0; i < SecretRedaction.RETIRED_REMEMBERED; i++) {
      SecretRedaction.add("filler.g" + i, Set.of("filler-" + i + "-value"));
      SecretRedaction.retire("filler.g" + i);
    }
    assertThat(SecretRedaction.redact("late-S3cret-7b8c9d")).isEqualTo("late-S3cret-7b8c9d");
    assertThat(SecretRedaction.redact("filler-" + (SecretRedaction.RETIRED_REMEMBERED - 1) + "-value"))
        .isEqualTo(SecretRedaction.REDACTED);
  }
}
