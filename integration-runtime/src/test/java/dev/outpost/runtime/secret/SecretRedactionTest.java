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

  /** Camel percent-encodes a query value of an endpoint URI: a base64 secret's +/= came out as %2B%2F%3D. */
  @Test
  void aSecretIsRedactedPercentEncodedToo() {
    SecretRedaction.add("encoded.g1", Set.of("ab+cd/ef=="));
    try {
      assertThat(SecretRedaction.redact("https://partner/api?sig=ab%2Bcd%2Fef%3D%3D&x=1"))
          .isEqualTo("https://partner/api?sig=" + SecretRedaction.REDACTED + "&x=1");
      assertThat(SecretRedaction.holdsSecret("sig=ab%2Bcd%2Fef%3D%3D")).isTrue();
      assertThat(SecretRedaction.redact("sig=ab+cd/ef==")).isEqualTo("sig=" + SecretRedaction.REDACTED);
    } finally {
      SecretRedaction.remove("encoded.g1");
    }
  }

  /** A space is encoded either way: + in a form's encoding, %20 in a path's. */
  @Test
  void aSecretWithASpaceIsRedactedInBothEncodings() {
    SecretRedaction.add("spaced.g1", Set.of("open sesame"));
    try {
      assertThat(SecretRedaction.redact("q=open+sesame /p/open%20sesame"))
          .isEqualTo("q=" + SecretRedaction.REDACTED + " /p/" + SecretRedaction.REDACTED);
    } finally {
      SecretRedaction.remove("spaced.g1");
    }
  }
}
