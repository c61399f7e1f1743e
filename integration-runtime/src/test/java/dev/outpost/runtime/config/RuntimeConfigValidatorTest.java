package dev.outpost.runtime.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RuntimeConfigValidatorTest {

  private static RuntimeConfigValidator validator(Map<String, String> properties) {
    RuntimeConfigValidator validator = new RuntimeConfigValidator();
    validator.config = new SmallRyeConfigBuilder()
        .addDefaultInterceptors()
        .withConverter(Duration.class, 100, new DurationConverter())
        .withMapping(RuntimeConfig.class)
        .withSources(new PropertiesConfigSource(properties, "test", 500))
        .build()
        .getConfigMapping(RuntimeConfig.class);
    return validator;
  }

  @Test
  void theDefaultsAreValid() {
    RuntimeConfigValidator defaults = validator(Map.of());
    defaults.validate();
    assertThat(defaults.config.requestTimeout()).isEqualTo(Duration.ofSeconds(300));
  }

  @Test
  void aRequestTimeoutUnderOneMillisecondIsRefusedNamingTheKey() {
    for (String bad : List.of("0s", "0", "-1s", "PT0.0005S")) {
      assertThatThrownBy(() -> validator(Map.of("outpost.runtime.request-timeout", bad)).validate()).as(bad)
          .hasMessage("outpost.runtime.request-timeout must be at least 1ms");
    }
    validator(Map.of("outpost.runtime.request-timeout", "1ms")).validate();
  }

  @Test
  void fewerThanOneRunningExchangeIsRefusedNamingTheKey() {
    assertThat(validator(Map.of()).config.maxRunningExchanges()).isEqualTo(100);
    for (String bad : List.of("0", "-1")) {
      assertThatThrownBy(() -> validator(Map.of("outpost.runtime.max-running-exchanges", bad)).validate()).as(bad)
          .hasMessage("outpost.runtime.max-running-exchanges must be at least 1");
    }
    validator(Map.of("outpost.runtime.max-running-exchanges", "1")).validate();
  }

  @Test
  void fewerThanOneLogRecordASecondIsRefusedNamingTheKey() {
    assertThat(validator(Map.of()).config.telemetry().logRecordsPerSecond()).isEqualTo(1000);
    for (String bad : List.of("0", "-1")) {
      assertThatThrownBy(() -> validator(Map.of("outpost.runtime.telemetry.log-records-per-second", bad)).validate())
          .as(bad).hasMessage("outpost.runtime.telemetry.log-records-per-second must be at least 1");
    }
    validator(Map.of("outpost.runtime.telemetry.log-records-per-second", "1")).validate();
  }
}
