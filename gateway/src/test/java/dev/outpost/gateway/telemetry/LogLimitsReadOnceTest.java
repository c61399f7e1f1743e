package dev.outpost.gateway.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.sdk.autoconfigure.spi.internal.DefaultConfigProperties;
import io.opentelemetry.sdk.logs.LogLimits;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LogLimitsReadOnceTest {

  @Test
  void theConfiguredLimitsAreKept() {
    LogLimits limits = LogLimitsReadOnce.limits(DefaultConfigProperties.createFromMap(Map.of(
        "otel.attribute.value.length.limit", "40", "otel.attribute.count.limit", "7")));
    assertThat(limits.getMaxAttributeValueLength()).isEqualTo(40);
    assertThat(limits.getMaxNumberOfAttributes()).isEqualTo(7);
  }

  @Test
  void unsetKeysGiveTheSdkDefaults() {
    assertThat(LogLimitsReadOnce.limits(DefaultConfigProperties.createFromMap(Map.of()))).isEqualTo(LogLimits.getDefault());
  }
}
