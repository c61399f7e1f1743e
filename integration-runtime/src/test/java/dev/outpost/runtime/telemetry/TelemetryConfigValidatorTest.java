package dev.outpost.runtime.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TelemetryConfigValidatorTest {

  private static TelemetryConfigValidator validator(Map<String, String> properties) {
    TelemetryConfigValidator validator = new TelemetryConfigValidator();
    validator.config = new SmallRyeConfigBuilder()
        .addDefaultInterceptors()
        .withMapping(TelemetryConfig.class)
        .withSources(new PropertiesConfigSource(properties, "test", 500))
        .build()
        .getConfigMapping(TelemetryConfig.class);
    return validator;
  }

  @Test
  void fewerThanOneLogRecordASecondIsRefusedNamingTheKey() {
    TelemetryConfigValidator defaults = validator(Map.of());
    defaults.validate();
    assertThat(defaults.config.logRecordsPerSecond()).isEqualTo(1000);
    for (String bad : List.of("0", "-1")) {
      assertThatThrownBy(() -> validator(Map.of("outpost.runtime.telemetry.log-records-per-second", bad)).validate())
          .as(bad).hasMessage("outpost.runtime.telemetry.log-records-per-second must be at least 1");
    }
    validator(Map.of("outpost.runtime.telemetry.log-records-per-second", "1")).validate();
  }
}
